"""Feedback alignment must leave backprop alone: golden fingerprints of today's backprop runs.

The constants were computed with the engine as it was before feedback alignment existed
(200 steps each, SHA-256 of every layer's W and b bytes after the last step, and of the
history's step and batch-loss arrays). If one of them changes, backprop itself changed — by a
single bit somewhere. (The history's second hash was recomputed, with the engine as it was,
when whole-set losses moved out of the per-step record; the gradient norms, summed in another
order since the flat gradient, are checked against the per-layer formula elsewhere.)
"""

import hashlib

import pytest

from engine.presets import load_preset
from engine.serialization import trainer_session
from engine.spec import Spec
from engine.trainer import LIVE_SETTINGS, Trainer

GOLDEN_STEPS = 200
GOLDEN = {
    "xor": ("xor", {},
            "a437a400a3b3deec303f457b44fbcffff1e5916b266dad92e81dc53249c1ccf5",
            "17c36c8c870a2af0b8e926ade7cf719cb8b4c6778a9e54fcaca2d3c061e0400f"),
    "circle": ("playground", {},
               "8e5822848b966a49b8dc98b92a1186254dc4607c2044762ecf4072a925c84e03",
               "453c90b5bf949f3c20333404bef6e73495d15184a27d699a1afea95c606562c5"),
    "circle-momentum-l2": (
        "playground", {"optimizer": "momentum", "regularization": "l2", "reg_rate": 0.001},
        "1931924f533557fabd99603174b90a7b2c635110ba864cb356b08fa33470d361",
        "8b0608548da54b048db7043521ce294bb1134ec297a8bb02dd9e277de0995fb0"),
    "softmax-adam-clip": (
        "softmax-2-3-2", {"optimizer": "adam", "learning_rate": 0.01, "clip_norm": 0.5},
        "741d390306cf79ae3f9b5f3662cffd19c8cf50f0c0052d171193ab0200728402",
        "21cf137424f5a58191abd4bc09f3f2b52372f7fc6a101720587b39ac1bcb246a"),
    "circle-float32": ("playground", {"dtype": "float32"},
                       "e236b2680eb9948902abcc8765233687a3d9d2bcdd1260a6ea121e10ca8775ff",
                       "323784311ec23a1ee8d99c52132d2e9aafac86359a474682b4ee524f2f1c4c72"),
    "vanishing": ("vanishing", {},
                  "126677a875ae5c7c1feac04e5c25ee182470e28038298de0add6fd49e3c82dae",
                  "34e7d35309fc4a1ed38be8893e1cd82c9c79fecd494217b2c932837917fe42f4"),
}


def fingerprint(trainer: Trainer) -> tuple[str, str]:
    weights = hashlib.sha256()
    for layer in trainer.network.layers:
        weights.update(layer.W.tobytes())
        weights.update(layer.b.tobytes())
    history = hashlib.sha256()
    arrays = trainer.history.arrays()
    for key in ("step", "batch_loss"):
        history.update(arrays[key].tobytes())
    return weights.hexdigest(), history.hexdigest()


@pytest.mark.parametrize("case", GOLDEN)
def test_backprop_runs_are_bit_identical_to_before_feedback_alignment(case):
    preset, changes, weights_sha, history_sha = GOLDEN[case]
    trainer = Trainer(load_preset(preset).replace(**changes))
    for _ in range(GOLDEN_STEPS):
        trainer.step()
    assert fingerprint(trainer) == (weights_sha, history_sha)


def test_backprop_has_no_feedback_matrices_angles_or_alignment_record():
    trainer = Trainer(load_preset("playground"))
    stats = trainer.step()
    assert trainer.spec.feedback == "backprop"
    assert all(layer.B is None for layer in trainer.network.layers)
    assert stats.alignment is None and trainer.current_stats().alignment is None
    assert "alignment" not in trainer.history.arrays()
    assert "alignment" not in trainer.history.to_dict()
    assert "feedback_matrices" not in trainer_session(trainer)


def test_spec_feedback_defaults_round_trips_and_old_files_read_as_backprop():
    assert Spec().feedback == "backprop"
    spec = Spec(feedback="fa").validate()
    assert Spec.from_json(spec.to_json()).feedback == "fa"
    old = Spec().to_dict()
    del old["feedback"]  # a file from before feedback alignment
    assert Spec.from_dict(old).feedback == "backprop"
    assert load_preset("xor").feedback == "backprop"


@pytest.mark.parametrize("value, message", [
    ("dfa", 'unknown feedback "dfa"; choose from backprop, fa'),
    ("FA", 'unknown feedback "FA"; choose from backprop, fa'),
    (1, "feedback must be a name (a string), got 1"),
    (None, "feedback must be a name (a string), got null"),
])
def test_a_bad_feedback_value_is_a_one_line_error(value, message):
    with pytest.raises(ValueError) as error:
        Spec.from_dict({**Spec().to_dict(), "feedback": value})
    assert str(error.value) == message


def test_changing_feedback_is_a_rebuild_not_a_live_setting():
    trainer = Trainer(load_preset("playground"))
    assert "feedback" not in LIVE_SETTINGS
    with pytest.raises(ValueError, match="rebuild"):
        trainer.set_live("feedback", "fa")
    assert trainer.spec.feedback == "backprop"
    assert all(layer.B is None for layer in trainer.network.layers)
