"""Feedback alignment must leave backprop alone: golden fingerprints of today's backprop runs.

The constants were computed with the engine as it was before feedback alignment existed
(200 steps each, SHA-256 of every layer's W and b bytes after the last step, and of the
history's step, loss and gradient-norm arrays). If one of them changes, backprop itself
changed — by a single bit somewhere.
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
            "6555055ddab93034571d8106339ab19571a4fbaad09e5597ed06b8de09d4cb24"),
    "circle": ("playground", {},
               "8e5822848b966a49b8dc98b92a1186254dc4607c2044762ecf4072a925c84e03",
               "d21b44407d73ef65902d2b148dd1b742d00f2d76af358a6dd0e74885572a50db"),
    "circle-momentum-l2": (
        "playground", {"optimizer": "momentum", "regularization": "l2", "reg_rate": 0.001},
        "1931924f533557fabd99603174b90a7b2c635110ba864cb356b08fa33470d361",
        "a5796eb3001e366f089beb8ceba51d790ebfc13ecd69b4db2110db359bb99550"),
    "softmax-adam-clip": (
        "softmax-2-3-2", {"optimizer": "adam", "learning_rate": 0.01, "clip_norm": 0.5},
        "741d390306cf79ae3f9b5f3662cffd19c8cf50f0c0052d171193ab0200728402",
        "cfb94b0181adc88e58fe809f0a2ba71a6b73f2b43d96a70b7c5cb27c95ea0559"),
    "circle-float32": ("playground", {"dtype": "float32"},
                       "e236b2680eb9948902abcc8765233687a3d9d2bcdd1260a6ea121e10ca8775ff",
                       "f1c8b07292631af9f88522aab49c7e0a51e8ad6c7019e8b1796580e32533e038"),
    "vanishing": ("vanishing", {},
                  "126677a875ae5c7c1feac04e5c25ee182470e28038298de0add6fd49e3c82dae",
                  "325320b2f62f15db9e5f377a5891be20e1b85763319d81e1d658ab7071eef3e5"),
}


def fingerprint(trainer: Trainer) -> tuple[str, str]:
    weights = hashlib.sha256()
    for layer in trainer.network.layers:
        weights.update(layer.W.tobytes())
        weights.update(layer.b.tobytes())
    history = hashlib.sha256()
    arrays = trainer.history.arrays()
    for key in ("step", "batch_loss", "train_loss", "test_loss", "grad_norms"):
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
