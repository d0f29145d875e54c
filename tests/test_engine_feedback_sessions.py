"""Feedback alignment through sessions and the history record: a resumed run continues
bit-identically, B is read back from the file, and damaged parts are one line."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

import engine.history as history_module
from engine.history import History
from engine.presets import load_preset
from engine.serialization import (
    load_file,
    save_session,
    session_text,
    trainer_from_session,
    trainer_session,
)
from engine.trainer import Trainer


def fa_trainer(preset="playground", **changes):
    return Trainer(load_preset(preset).replace(feedback="fa", **changes))


def reopened(trainer):
    return trainer_from_session(json.loads(session_text(trainer_session(trainer))))


def assert_same_run(a, b):
    assert a.step_count == b.step_count and a.history == b.history
    for x, y in zip(a.network.params().values(), b.network.params().values(), strict=True):
        assert x.dtype == y.dtype and np.array_equal(x, y)
    for la, lb in zip(a.network.layers, b.network.layers, strict=True):
        assert (la.B is None and lb.B is None) or np.array_equal(la.B, lb.B)


@pytest.mark.parametrize("changes", [
    {},
    {"optimizer": "momentum"},
    {"optimizer": "adam", "learning_rate": 0.01, "regularization": "l2", "reg_rate": 0.001},
    {"dtype": "float32"},
])
def test_a_resumed_fa_run_continues_bit_identically(changes):
    original = fa_trainer(**changes)
    for _ in range(37):  # mid-epoch (250 training points, batches of 10)
        original.step()
    again = reopened(original)
    assert again.spec.feedback == "fa"
    assert_same_run(original, again)
    for _ in range(60):
        original.step()
        again.step()
    assert_same_run(original, again)
    assert again.history.arrays()["alignment"].shape == (97, 3)


def test_a_session_file_round_trip(tmp_path):
    original = fa_trainer("xor")
    for _ in range(20):
        original.step()
    path = tmp_path / "fa.json"
    save_session(trainer_session(original), path)
    again = load_file(path)
    for _ in range(20):
        original.step()
        again.step()
    assert_same_run(original, again)


def test_B_is_read_back_from_the_session_not_drawn_again():
    trainer = fa_trainer()
    session = json.loads(session_text(trainer_session(trainer)))
    assert session["feedback_matrices"][0] is None
    assert np.array_equal(session["feedback_matrices"][2], trainer.network.layers[2].B)
    session["feedback_matrices"][2] = [[0.5, -0.25]]
    assert np.array_equal(trainer_from_session(session).network.layers[2].B, [[0.5, -0.25]])
    del session["feedback_matrices"]  # without them: the ones the seed draws
    again = trainer_from_session(session)
    assert all(np.array_equal(a.B, b.B) for a, b in
               zip(again.network.layers[1:], trainer.network.layers[1:], strict=True))


@pytest.mark.parametrize("change, message", [
    (lambda s: s["spec"].update(feedback="backprop"),
     "the session has feedback matrices, but its spec trains with backprop"),
    (lambda s: s["feedback_matrices"].pop(),
     "the feedback matrices need 3 entries (one per layer, null for the first), got 2"),
    (lambda s: s.update(feedback_matrices="B"),
     "the feedback matrices need 3 entries (one per layer, null for the first), got 'B'"),
    (lambda s: s["feedback_matrices"].__setitem__(0, [[1.0]]),
     "the first layer has no feedback matrix: its entry must be null"),
    (lambda s: s["feedback_matrices"].__setitem__(2, [[1.0, 2.0, 3.0]]),
     "layer 3's feedback matrix B needs 1×2 values, got 3"),
    (lambda s: s["feedback_matrices"][1][0].__setitem__(0, "x"),
     "layer 2's feedback matrix B must hold numbers, got 'x'"),
    (lambda s: s["feedback_matrices"].__setitem__(1, None),
     "layer 2's feedback matrix B must be a list of numbers, got null"),
])
def test_damaged_feedback_matrices_are_a_one_line_error(change, message):
    trainer = fa_trainer()
    trainer.step()
    session = json.loads(session_text(trainer_session(trainer)))
    change(session)
    with pytest.raises(ValueError) as error:
        trainer_from_session(session)
    assert str(error.value) == message


def test_a_backprop_session_from_before_feedback_alignment_opens_as_backprop():
    trainer = Trainer(load_preset("playground"))
    for _ in range(5):
        trainer.step()
    session = json.loads(session_text(trainer_session(trainer)))
    del session["spec"]["feedback"]
    again = trainer_from_session(session)
    assert again.spec.feedback == "backprop"
    assert all(layer.B is None for layer in again.network.layers)
    assert_same_run(trainer, again)


def test_alignment_angles_in_a_backprop_session_are_refused():
    trainer = fa_trainer()
    trainer.step()
    session = json.loads(session_text(trainer_session(trainer)))
    del session["feedback_matrices"]
    session["spec"]["feedback"] = "backprop"
    with pytest.raises(ValueError, match="^the history has alignment angles, but the spec "
                                         "trains with backprop$"):
        trainer_from_session(session)


def test_an_fa_session_whose_history_has_no_angles_records_them_from_now_on():
    trainer = fa_trainer()
    trainer.step()
    session = json.loads(session_text(trainer_session(trainer)))
    del session["history"]["alignment"]
    again = trainer_from_session(session)
    again.step()
    angles = again.history.arrays()["alignment"]
    assert np.isnan(angles[0]).all() and not np.isnan(angles[1]).any()


def stats(step, alignment):
    return SimpleNamespace(step=step, batch_loss=1.0, train_loss=1.0, test_loss=None,
                           grad_norms=np.array([1.0, 2.0]), alignment=alignment)


def test_the_alignment_record_is_thinned_with_the_steps_and_round_trips(monkeypatch):
    monkeypatch.setattr(history_module, "MAX_ROWS", 8)
    h = History(2, alignment=True)
    for step in range(1, 101):
        h.append(stats(step, None if step == 64 else (float(step), 0.0)))
    arrays = h.arrays()
    assert arrays["alignment"].shape == (len(arrays["step"]), 2)
    expected = np.where(arrays["step"] == 64, np.nan, arrays["step"].astype(float))
    np.testing.assert_array_equal(arrays["alignment"][:, 0], expected)
    again = History.from_dict(json.loads(json.dumps(h.to_dict())))
    assert again == h and again.has_alignment
    copy = h.copy()
    assert copy == h and copy.has_alignment
    assert History(2) != History(2, alignment=True)  # a record with angles is another record


def test_damaged_alignment_rows_are_a_one_line_error():
    h = History(2, alignment=True)
    h.append(stats(1, (3.0, 0.0)))
    d = h.to_dict()
    d["alignment"] = [[1.0]]
    with pytest.raises(ValueError, match="^each row of the history's alignment needs 2 values$"):
        History.from_dict(d)
