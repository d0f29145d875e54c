"""Sessions that cannot be written or read: a full disk leaves the old file byte-identical, and
a damaged session is one line, never another exception."""

import copy
import errno
import json
import os

import numpy as np
import pytest
from session_helpers import (
    trained,
)

from engine.presets import load_preset
from engine.serialization import (
    load_file,
    load_spec_file,
    save_session,
    trainer_from_session,
    trainer_session,
)

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
    "history of mixed lengths": (lambda s: s["history"]["batch_loss"].pop(), "needs 25 values"),
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
