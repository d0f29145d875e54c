"""Complete sessions (engine/serialization.py, engine/history.py): a reopened session continues
bit-identically, with its optimiser state, batch order, history and data."""

import json

import numpy as np
import pytest
from session_helpers import assert_continues_identically, reopen, same_array, trained

from engine.history import History
from engine.presets import load_preset
from engine.serialization import (
    load_file,
    load_spec_file,
    save_session,
    trainer_from_session,
    trainer_session,
)
from engine.trainer import Trainer

# -- bit-identical resume --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("preset", ["playground", "xor", "softmax-2-3-2", "worked-example"])
def test_a_reopened_preset_continues_bit_identically(preset, dtype):
    t = trained(load_preset(preset).replace(dtype=dtype), 37)
    u = reopen(t)
    assert u.dtype == np.dtype(dtype) and u.network.layers[0].W.dtype == np.dtype(dtype)
    assert_continues_identically(t, u, 80)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer, extra", [
    ("sgd", {"regularization": "l1", "reg_rate": 0.001}),
    ("momentum", {"momentum": 0.8}),
    ("adam", {"regularization": "l2", "reg_rate": 0.01, "clip_norm": 0.5}),
])
def test_optimiser_state_carries_over(optimizer, extra, dtype):
    spec = load_preset("softmax-2-3-2").replace(optimizer=optimizer, dtype=dtype,
                                                learning_rate=0.01, **extra)
    t = trained(spec, 23)
    if optimizer != "sgd":
        assert t.optimizer.state  # velocities or moments to carry
    u = reopen(t)
    assert_continues_identically(t, u)
    assert_continues_identically(t, reopen(u))  # and again from the continued copy


def test_mid_epoch_cursor_and_batch_order_carry_over():
    t = trained(load_preset("playground").replace(batch_size=7), 13)
    assert 0 < t.cursor < len(t.order), "the test needs a session saved mid-epoch"
    u = reopen(t)
    assert u.cursor == t.cursor and same_array(u.order, t.order)
    # Past the end of the epoch the two draw the same new order from the shuffler.
    steps_left = -(-(len(t.order) - t.cursor) // 7) + 3
    assert_continues_identically(t, u, steps_left)
    assert t.epoch == u.epoch >= 1


def test_live_changes_carry_over():
    t = trained(load_preset("playground"), 11)
    t.set_live("learning_rate", 0.1)
    t.set_live("batch_size", 3)
    t.set_live("optimizer", "momentum")
    t.step()
    t.set_live("momentum", 0.5)
    t.set_live("reg_rate", 0.002)
    t.set_live("regularization", "l2")
    t.set_live("clip_norm", 1.0)
    t.step()
    u = reopen(t)
    assert (u.learning_rate, u.batch_size, u.optimizer.name, u.optimizer.momentum) == (
        0.1, 3, "momentum", 0.5)
    assert_continues_identically(t, u)
    t.set_live("optimizer", "adam")  # a fresh optimiser: t = 0, no moments yet
    assert_continues_identically(t, reopen(t))


def test_history_and_checkpoint_survive_reopening():
    t = trained(load_preset("xor"), 45)
    assert len(t.history) == 45 and t.best is not None
    u = reopen(t)
    assert u.history == t.history and len(u.history) == 45
    assert u.best.step == t.best.step and u.best.train_loss == t.best.train_loss
    assert all(map(same_array, u.best.params, t.best.params))
    assert u.rewind() == t.rewind()
    assert_continues_identically(t, u, 20)
    assert np.array_equal(u.history.arrays()["step"], np.arange(1, 66))


def test_diverged_steps_are_recorded_and_the_session_is_strict_json():
    spec = load_preset("playground").replace(dataset="regress-plane", output_activation="linear",
                                             loss="mse", learning_rate=1e6, train_fraction=1)
    t = Trainer(spec)
    diverged = [t.step().diverged for _ in range(30)]
    assert any(diverged) and len(t.history) == 30  # diverged steps are recorded too
    assert np.isnan(t.history.arrays()["test_loss"]).all()  # no test set
    # Huge weights: the loss itself is infinite (not just too big to update from).
    sizes = [2, 4, 2, 1]
    weights = [{"W": np.full((i, o), 1e300).tolist(), "b": [0.0] * o}
               for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    huge = Trainer(spec.replace(activations=["linear", "linear"], weights=weights))
    assert huge.step().diverged
    for trainer in (t, huge):
        text = json.dumps(trainer_session(trainer), allow_nan=False)
        u = trainer_from_session(json.loads(text))
        assert u.history == trainer.history and u.diverged == trainer.diverged
        assert_continues_identically(trainer, u, 10)
    assert not np.isfinite(huge.history.arrays()["batch_loss"]).all()


def test_the_starting_loss_of_the_divergence_rule_carries_over():
    spec = load_preset("playground").replace(dataset="regress-plane", output_activation="linear",
                                             loss="mse", learning_rate=0.5)
    t = trained(spec, 20)
    t.mark_start()  # as after an edit: the current state becomes the yardstick
    assert t.start_loss is not None
    u = reopen(t)
    assert u.start_loss == t.start_loss and u.best.step == t.best.step == 20
    assert_continues_identically(t, u, 40)
    del_start = trainer_session(t)
    del del_start["start_loss"], del_start["checkpoint"]  # optional: the trainer's own remain
    v = trainer_from_session(del_start)
    assert v.best is not None and v.best.step == 0


def test_current_stats_does_not_add_to_the_history():
    t = trained(load_preset("xor"), 3)
    t.current_stats()
    assert len(t.history) == 3


def test_a_csv_session_opens_without_its_csv(tmp_path):
    rng = np.random.default_rng(5)
    points = rng.uniform(-3, 3, (60, 2))
    table = np.column_stack([points, (points[:, 0] > points[:, 1]).astype(float)])
    csv = tmp_path / "data.csv"
    np.savetxt(csv, table, delimiter=",", header="a,b,label", comments="")
    spec = load_preset("playground").replace(dataset="csv", csv_path=str(csv))
    t = trained(spec, 17)
    path = tmp_path / "run.json"
    save_session(trainer_session(t), path)
    csv.unlink()
    u = load_file(path)
    assert_continues_identically(t, u)


def test_given_data_session():
    spec = load_preset("worked-example").replace(
        points=[[0.0], [1.0], [2.0], [3.0]], labels=[0, 1, 1, 0], batch_size=3)
    t = trained(spec, 5)
    assert_continues_identically(t, reopen(t))


def test_a_session_file_reopens_via_load_file(tmp_path):
    t = trained(load_preset("softmax-2-3-2").replace(optimizer="adam"), 19)
    path = tmp_path / "s.json"
    save_session(trainer_session(t), str(path))
    assert json.loads(path.read_text())["format"] == 2
    assert_continues_identically(t, load_file(path))


def test_load_spec_file_of_a_session_gives_its_current_weights(tmp_path):
    t = trained(load_preset("playground"), 12)
    path = tmp_path / "s.json"
    save_session(trainer_session(t), path)
    spec = load_spec_file(path)
    rebuilt = Trainer(spec)
    for a, b in zip(rebuilt.network.layers, t.network.layers, strict=True):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert spec.replace(weights=None) == t.spec.replace(weights=None)


def test_a_four_class_softmax_session():
    spec = load_preset("softmax-2-3-2").replace(dataset="blobs", classes=4, hidden=[5],
                                                optimizer="adam", learning_rate=0.01)
    t = trained(spec, 29)
    assert t.Y.shape[1] == 4 and t.data.n_classes == 4
    assert_continues_identically(t, reopen(t))


# -- History ---------------------------------------------------------------------------------

def test_history_arrays_are_read_only_copies_and_copy_is_independent():
    t = trained(load_preset("playground"), 300)  # past the first buffer growth
    h = t.history
    a = h.arrays()
    assert set(a) == {"step", "batch_loss", "grad_norms", "eval_step", "train_loss", "test_loss"}
    assert a["step"].shape == (300,) and a["grad_norms"].shape == (300, 3)
    assert np.array_equal(a["step"], np.arange(1, 301))
    with pytest.raises(ValueError):
        a["train_loss"][0] = 1.0
    snapshot = h.copy()
    t.step()
    assert len(h) == 301 and len(snapshot) == 300 and len(a["step"]) == 300
    assert snapshot == History.from_dict(json.loads(json.dumps(snapshot.to_dict())))


@pytest.mark.parametrize("change, message", [
    (lambda d: d["evaluations"].pop("train_loss"), "need exactly step, train_loss"),
    (lambda d: d.update(evaluations=[]), "must be a JSON object"),
    (lambda d: d["evaluations"]["step"].append(7), "needs 2 values"),
    (lambda d: d["evaluations"].update(step=[-1]), "count up from 0"),
    (lambda d: d.update(extra=1), "unknown entry"),
    (lambda d: d.update(layers=0), "layer count"),
    (lambda d: d["step"].append(99), "needs 5 values"),
    (lambda d: d.update(step=[1, 1, 2, 3]), "count up"),
    (lambda d: d["batch_loss"].__setitem__(0, "0.5"), "numbers"),
    (lambda d: d["batch_loss"].__setitem__(0, True), "numbers"),
    (lambda d: d["grad_norms"].__setitem__(1, [1.0]), "needs 2 values"),
    (lambda d: d.update(grad_norms=[[1.0, 2.0]] * 3), "4 rows"),
    (lambda d: d["evaluations"]["train_loss"].__setitem__(0, 10**400), "too large"),
    (lambda d: d.update(step=[1, 2, 3, 2**70]), "whole numbers"),
])
def test_malformed_history_is_a_one_line_value_error(change, message):
    t = trained(load_preset("xor"), 4)
    t.stats()  # one evaluation, at step 4
    d = json.loads(json.dumps(t.history.to_dict()))
    change(d)
    with pytest.raises(ValueError, match=message) as info:
        History.from_dict(d)
    assert "\n" not in str(info.value)


def test_a_history_from_before_separate_evaluations_reads_its_rows_as_evaluations():
    old = {"layers": 1, "step": [1, 2], "batch_loss": [0.5, 0.4], "train_loss": [0.45, None],
           "test_loss": [None, None], "grad_norms": [[1.0], [2.0]]}
    a = History.from_dict(old).arrays()
    assert a["eval_step"].tolist() == [1, 2] and a["train_loss"][0] == 0.45
    assert np.isnan(a["train_loss"][1]) and np.isnan(a["test_loss"]).all()
    with pytest.raises(ValueError, match="no 'test_loss'"):
        History.from_dict({k: v for k, v in old.items() if k != "test_loss"})
