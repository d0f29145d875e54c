"""Complete sessions (engine/serialization.py, engine/history.py): a reopened session continues
bit-identically, carries its data, survives a full disk, and a damaged file is one line."""

import copy
import errno
import io
import json
import math
import os

import numpy as np
import pytest

from engine.cli import run
from engine.history import History
from engine.presets import load_preset
from engine.serialization import (
    load_file,
    load_spec_file,
    save_session,
    session_dict,
    spec_from_data,
    trainer_from_session,
    trainer_session,
)
from engine.spec import Spec
from engine.trainer import Trainer

STAT_ARRAYS = ("grad_norms",)
STAT_TUPLES = ("neuron_grads", "neuron_activations", "weight_grads", "weights", "biases")
STAT_SCALARS = ("step", "epoch", "batch_loss", "train_loss", "test_loss", "accuracy",
                "test_accuracy", "diverged", "message")


def reopen(trainer: Trainer) -> Trainer:
    """Through JSON text, as a file would carry it (strict JSON: no NaN tokens)."""
    return trainer_from_session(json.loads(json.dumps(trainer_session(trainer),
                                                      allow_nan=False)))


def same_value(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def same_array(a, b) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def assert_same_stats(a, b):
    for name in STAT_SCALARS:
        assert same_value(getattr(a, name), getattr(b, name)), name
    for name in STAT_ARRAYS:
        assert same_array(getattr(a, name), getattr(b, name)), name
    for name in STAT_TUPLES:
        x, y = getattr(a, name), getattr(b, name)
        assert len(x) == len(y) and all(map(same_array, x, y)), name


def assert_same_state(t: Trainer, u: Trainer):
    pt, pu = t.network.params(), u.network.params()
    assert pt.keys() == pu.keys() and all(same_array(pt[k], pu[k]) for k in pt)
    ot, ou = t.optimizer, u.optimizer
    assert (ot.name, ot.learning_rate, ot.t) == (ou.name, ou.learning_rate, ou.t)
    assert ot.state.keys() == ou.state.keys()
    assert all(same_array(ot.state[k], ou.state[k]) for k in ot.state)
    assert (t.step_count, t.epoch, t.cursor, t.batch_size) == (u.step_count, u.epoch, u.cursor,
                                                               u.batch_size)
    assert same_array(t.order, u.order)
    assert t.history == u.history


def assert_continues_identically(t: Trainer, u: Trainer, steps: int = 60):
    assert_same_state(t, u)
    for _ in range(steps):
        assert_same_stats(t.step(), u.step())
    assert_same_state(t, u)


def trained(spec: Spec, steps: int) -> Trainer:
    trainer = Trainer(spec)
    for _ in range(steps):
        trainer.step()
    return trainer


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
    assert set(a) == {"step", "batch_loss", "train_loss", "test_loss", "grad_norms"}
    assert a["step"].shape == (300,) and a["grad_norms"].shape == (300, 3)
    assert np.array_equal(a["step"], np.arange(1, 301))
    with pytest.raises(ValueError):
        a["train_loss"][0] = 1.0
    snapshot = h.copy()
    t.step()
    assert len(h) == 301 and len(snapshot) == 300 and len(a["step"]) == 300
    assert snapshot == History.from_dict(json.loads(json.dumps(snapshot.to_dict())))


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("train_loss"), "no 'train_loss'"),
    (lambda d: d.update(extra=1), "unknown entry"),
    (lambda d: d.update(layers=0), "layer count"),
    (lambda d: d["step"].append(99), "needs 5 values"),
    (lambda d: d.update(step=[1, 1, 2, 3]), "count up"),
    (lambda d: d["batch_loss"].__setitem__(0, "0.5"), "numbers"),
    (lambda d: d["batch_loss"].__setitem__(0, True), "numbers"),
    (lambda d: d["grad_norms"].__setitem__(1, [1.0]), "needs 2 values"),
    (lambda d: d.update(grad_norms=[[1.0, 2.0]] * 3), "4 rows"),
    (lambda d: d["train_loss"].__setitem__(0, 10**400), "too large"),
    (lambda d: d.update(step=[1, 2, 3, 2**70]), "whole numbers"),
])
def test_malformed_history_is_a_one_line_value_error(change, message):
    t = trained(load_preset("xor"), 4)
    d = json.loads(json.dumps(t.history.to_dict()))
    change(d)
    with pytest.raises(ValueError, match=message) as info:
        History.from_dict(d)
    assert "\n" not in str(info.value)


# -- atomic saving ---------------------------------------------------------------------------

def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["write", "replace"])
def test_a_full_disk_leaves_the_old_session_byte_identical(tmp_path, monkeypatch, where):
    path = tmp_path / "s.json"
    save_session(trainer_session(trained(load_preset("xor"), 3)), path)
    before = path.read_bytes()
    session = trainer_session(trained(load_preset("xor"), 50))
    if where == "replace":
        monkeypatch.setattr(os, "replace", _enospc)
    else:
        real_fdopen = os.fdopen

        def full_fdopen(fd, *args, **kwargs):
            f = real_fdopen(fd, *args, **kwargs)
            f.write = _enospc
            return f
        monkeypatch.setattr(os, "fdopen", full_fdopen)
    with pytest.raises(ValueError, match="No space left on device") as info:
        save_session(session, path)
    assert "\n" not in str(info.value) and "s.json" in str(info.value)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]  # no temporary file left


def test_save_session_refuses_values_json_cannot_store(tmp_path):
    with pytest.raises(ValueError, match="cannot write") as info:
        save_session({"kind": "session", "x": float("nan")}, tmp_path / "x.json")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "x.json").exists()


# -- damaged sessions ------------------------------------------------------------------------

def _set(path, value):
    def change(session):
        *parents, last = path
        target = session
        for key in parents:
            target = target[key]
        target[last] = value
    return change


def _drop(*path):
    def change(session):
        *parents, last = path
        target = session
        for key in parents:
            target = target[key]
        del target[last]
    return change


CORRUPTIONS = {
    "no data": (_drop("data"), "format-2 session has no 'data'"),
    "no optimizer t": (_drop("optimizer", "t"), "optimizer has no 't'"),
    "unknown top-level entry": (_set(("extra",), 1), "unknown entry 'extra'"),
    "format 3": (_set(("format",), 3), "session format 3 is not supported"),
    "spec not an object": (_set(("spec",), [1]), "spec must be a JSON object"),
    "bad spec value": (_set(("spec", "learning_rate"), -1), "learning rate"),
    "W of the wrong shape": (_set(("weights", 1, "W"), [[1.0], [2.0], [3.0]]),
                             "layer 2's W needs 4×2 values, got 3"),
    "ragged W": (_set(("weights", 0, "W"), [[1.0, 2.0, 3.0, 4.0], [1.0]]),
                 "layer 1's W needs 2×4 values, got 5"),
    "string for a weight": (_set(("weights", 0, "b"), ["0.1", 0, 0, 0]),
                            "layer 1's b must hold numbers, got '0.1'"),
    "boolean for a weight": (_set(("weights", 2, "b"), [True]), "must hold numbers"),
    "NaN weight": (_set(("weights", 2, "b"), [float("nan")]), "finite"),
    "weight too big for float32": (None, "finite"),  # set in the test: float32 session
    "too few layers": (lambda s: s["weights"].pop(), "weights need 3 layers"),
    "weights not a list": (_set(("weights",), {"W": 1}), "weights need 3 layers"),
    "negative cursor": (_set(("batches", "cursor"), -1), "batch cursor"),
    "cursor past the end": (_set(("batches", "cursor"), 10**6), "batch cursor"),
    "string step": (_set(("step",), "25"), "step count must be a whole number"),
    "float step": (_set(("step",), 25.0), "step count"),
    "order not a permutation": (lambda s: s["batches"]["order"].__setitem__(0, s["batches"][
        "order"][1]), "each of the 250 training points once"),
    "order index out of range": (lambda s: s["batches"]["order"].__setitem__(0, 250),
                                 "outside 0 to 249"),
    "order too short": (lambda s: s["batches"]["order"].pop(), "each of the 250"),
    "unknown optimiser": (_set(("optimizer", "name"), "rmsprop"), "'rmsprop' is unknown"),
    "unknown optimiser state": (_set(("optimizer", "state", "1.W.q"), [[0.0] * 4] * 2),
                                "unknown entry '1.W.q'"),
    "optimiser state of the wrong shape": (_set(("optimizer", "state", "1.W.v"), [[0.0]]),
                                           "v of layer 1's W needs 2×4 values, got 1"),
    "NaN learning rate": (_set(("optimizer", "learning_rate"), float("nan")), "learning rate"),
    "momentum above 1": (_set(("optimizer", "momentum"), 2), "momentum"),
    "negative t": (_set(("optimizer", "t"), -3), "step count t"),
    "rng of another kind": (_set(("batches", "rng", "bit_generator"), "MT19937"), "PCG64"),
    "rng state a string": (_set(("batches", "rng", "state", "state"), "12"), "random state"),
    "rng state too big": (_set(("batches", "rng", "state", "inc"), 2**129), "random state"),
    "rng missing": (_drop("batches", "rng"), "no 'rng'"),
    "diverged not a bool": (_set(("batches", "diverged"), "no"), "true or false"),
    "history too long": (_set(("step",), 5), "history records 25 steps"),
    "history of mixed lengths": (lambda s: s["history"]["test_loss"].pop(), "needs 25 values"),
    "history for other layers": (_set(("history", "layers"), 2), "each row"),
    "data point out of range": (lambda s: s["data"]["train_idx"].__setitem__(0, 500),
                                "outside 0 to 499"),
    "point in train and test": (lambda s: s["data"]["test_idx"].__setitem__(
        0, s["data"]["train_idx"][0]), "both the training and the test"),
    "labels of the wrong length": (lambda s: s["data"]["labels"].pop(), "needs 500 values"),
    "label outside the classes": (lambda s: s["data"]["labels"].__setitem__(0, 2.0),
                                  "class labels"),
    "bad task": (_set(("data", "task"), "clustering"), "task"),
    "points of unequal rows": (lambda s: s["data"]["points"].__setitem__(0, [1.0]),
                               "rows of equal length"),
    "checkpoint with NaN loss": (_set(("checkpoint", "train_loss"), None), "training loss"),
    "checkpoint missing a parameter": (_drop("checkpoint", "params", "3.b"), "no '3.b'"),
    "checkpoint after the session": (_set(("checkpoint", "step"), 999), "checkpoint's step"),
    "negative starting loss": (_set(("start_loss",), -1.0), "starting loss"),
    "not an object": (lambda s: s.clear(), "not a session"),
}


def _damaged_session(name):
    dtype = "float32" if name == "weight too big for float32" else "float64"
    t = trained(load_preset("playground").replace(optimizer="momentum", dtype=dtype), 25)
    assert t.best is not None
    session = json.loads(json.dumps(trainer_session(t)))
    change, message = CORRUPTIONS[name]
    if change is None:
        change = _set(("weights", 0, "b"), [1e300, 0.0, 0.0, 0.0])
    change(session)
    return session, message


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_a_damaged_session_is_a_one_line_value_error(name, tmp_path):
    session, message = _damaged_session(name)
    if name == "not an object":
        session = [1, 2]
    with pytest.raises(ValueError, match=message) as info:
        trainer_from_session(copy.deepcopy(session))
    assert "\n" not in str(info.value)
    if name == "not an object":
        return  # a file holding a list is read as a (bad) spec
    # Read from a file, the message names it exactly once.
    path = tmp_path / "x.json"
    path.write_text(json.dumps(session))
    for load in (load_file, load_spec_file):
        with pytest.raises(ValueError, match=message) as info:
            load(path)
        text = str(info.value)
        assert text.startswith("session '") and text.count("x.json") == 1, text
        assert "\n" not in text


def test_random_damage_never_leaks_another_exception():
    """Replace values all over a session with values of other kinds: always a ValueError."""
    t = trained(load_preset("playground").replace(optimizer="adam"), 15)
    base = json.loads(json.dumps(trainer_session(t)))
    rng = np.random.default_rng(0)
    junk = [None, True, "x", -1, 2**80, 1.5, [], {}, [[1]], {"a": 1}, float("inf")]

    def places(node, path=()):
        yield path
        if isinstance(node, dict):
            for k, v in node.items():
                yield from places(v, (*path, k))
        elif isinstance(node, list) and node:
            yield from places(node[0], (*path, 0))

    all_places = [p for p in places(base) if p]
    for i in range(400):
        session = copy.deepcopy(base)
        path = all_places[rng.integers(len(all_places))]
        _set(path, junk[i % len(junk)])(session)
        try:
            trainer_from_session(session)
        except ValueError as e:
            assert "\n" not in str(e)


# -- spec files, format 1, relative CSV paths ------------------------------------------------

def test_a_spec_file_gives_a_fresh_trainer(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text("\ufeff" + load_preset("xor").to_json(), encoding="utf-8")  # a BOM is fine
    t = load_file(path)
    assert t.step_count == 0 and len(t.history) == 0
    assert_continues_identically(t, Trainer(load_preset("xor")), 10)


def test_a_relative_csv_path_is_read_from_the_spec_files_folder(tmp_path, monkeypatch):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "points.csv").write_text("x,y,label\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n2,2,1\n")
    spec = load_preset("playground").replace(dataset="csv", csv_path="points.csv")
    (folder / "spec.json").write_text(spec.to_json())
    monkeypatch.chdir(tmp_path)  # somewhere else
    t = load_file("project/spec.json")
    assert len(t.data.points) == 5
    assert os.path.isabs(t.spec.csv_path) and os.path.exists(t.spec.csv_path)
    assert load_spec_file("project/spec.json").csv_path == t.spec.csv_path
    monkeypatch.chdir(folder)
    assert load_file("spec.json").spec.csv_path == t.spec.csv_path


def test_a_missing_relative_csv_is_one_line_naming_the_spec(tmp_path):
    spec = load_preset("playground").replace(dataset="csv", csv_path="gone.csv")
    (tmp_path / "spec.json").write_text(spec.to_json())
    with pytest.raises(ValueError, match=r"^spec '.*spec\.json': cannot read CSV") as info:
        load_file(tmp_path / "spec.json")
    assert "\n" not in str(info.value)


def test_format_1_sessions_still_open(tmp_path):
    t = trained(load_preset("playground"), 20)
    layers = t.network.layers
    old = session_dict(t.spec, [la.W for la in layers], [la.b for la in layers], t.step_count)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    spec = load_spec_file(path)
    assert spec == spec_from_data(old)
    u = load_file(path)
    assert u.step_count == 20
    for a, b in zip(u.network.layers, layers, strict=True):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert u.step().step == 21
    bad = {**old, "weights": old["weights"][:1]}
    path.write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="given weights need 3 layers"):
        load_file(path)


# -- the command line ------------------------------------------------------------------------

def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = run([str(a) for a in args], out, err)
    return code, out.getvalue(), err.getvalue()


def test_cli_train_continues_a_session_and_saves_one(tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    code, out, err = run_cli("train", "--preset", "playground", "--steps", 30, "--save", first,
                             "--json")
    assert code == 0 and err == "" and json.loads(out)["step"] == 30
    assert load_file(first).step_count == 30
    code, out, err = run_cli("train", "--config", first, "--steps", 20, "--save", second,
                             "--json")
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["step"] == 50
    straight = trained(load_preset("playground"), 50)
    assert result["loss"] == straight.history.arrays()["train_loss"][-1]
    assert_same_state(straight, load_file(second))


def test_cli_save_to_an_unwritable_place_is_one_line(tmp_path):
    code, _, err = run_cli("train", "--preset", "xor", "--steps", 3, "--save",
                           tmp_path / "no-folder" / "s.json")
    assert code == 2 and err.startswith("error: cannot write") and err.count("\n") == 1


def test_cli_trace_and_gradcheck_use_a_sessions_current_weights(tmp_path):
    t = trained(load_preset("softmax-2-3-2").replace(dtype="float32"), 40)
    path = tmp_path / "s.json"
    save_session(trainer_session(t), path)
    code, out, _ = run_cli("trace", "--config", path, "--json")
    assert code == 0
    traced = json.loads(out)
    assert traced["step"] == 41 and t.cursor < len(t.order)
    first = next(s for s in traced["stages"] if s["kind"] == "forward")
    W = next(q["value"] for q in first["inputs"] if q["key"] == "W")
    assert np.array_equal(np.array(W, dtype=np.float32), t.network.layers[0].W)
    assert traced["batch"] == t.order[t.cursor:t.cursor + t.batch_size].tolist()
    code, out, _ = run_cli("gradcheck", "--config", path, "--json")
    assert code == 0 and json.loads(out)["passed"]


@pytest.mark.parametrize("key", ["step", "epoch", "t"])
def test_counts_beyond_any_run_are_refused_in_one_line(key):
    import json as _json

    from engine.presets import load_preset as _preset
    from engine.serialization import trainer_from_session as _restore
    from engine.serialization import trainer_session as _session
    from engine.trainer import Trainer as _Trainer

    t = _Trainer(_preset("xor"))
    t.step()
    data = _json.loads(_json.dumps(_session(t)))
    if key == "step":
        data["step"] = 2**63
    elif key == "epoch":
        data["batches"]["epoch"] = 2**70
    else:
        data["optimizer"]["t"] = 2**64
    with pytest.raises(ValueError) as error:
        _restore(data)
    assert "\n" not in str(error.value) and "whole number" in str(error.value)
