"""The training record stays bounded: a long run keeps every 2nd, 4th, … step, evenly, and a
session of it reopens and goes on recording exactly as the original would."""

import json
from types import SimpleNamespace

import numpy as np

import engine.history as history_module
from engine.history import History


def stats(step):
    return SimpleNamespace(step=step, batch_loss=1.0 / step, alignment=None,
                           grad_norms=np.array([step, -step], dtype=float))


def test_a_long_run_keeps_at_most_max_rows_evenly_spread(monkeypatch):
    monkeypatch.setattr(history_module, "MAX_ROWS", 8)
    h = History(2)
    for step in range(1, 101):
        h.append(stats(step))
    steps = h.arrays()["step"]
    assert 4 <= len(steps) <= 8
    assert np.all(np.diff(steps) == h.stride)  # evenly spaced, the stride apart
    assert steps[-1] > 100 - h.stride  # reaches the end of the run
    np.testing.assert_array_equal(h.arrays()["batch_loss"], 1.0 / steps)
    np.testing.assert_array_equal(h.arrays()["grad_norms"][:, 1], -steps)


def test_a_thinned_record_round_trips_and_goes_on_identically(monkeypatch):
    monkeypatch.setattr(history_module, "MAX_ROWS", 16)
    h = History(2)
    for step in range(1, 200):
        h.append(stats(step))
    again = History.from_dict(json.loads(json.dumps(h.to_dict())))
    assert again == h and again.stride == h.stride
    for step in range(200, 500):
        h.append(stats(step))
        again.append(stats(step))
    assert again == h and len(h) <= 16


def test_the_real_bound_keeps_a_million_steps_small():
    h = History(2)
    for step in range(1, 1_000_001, 7):  # cheap stand-in for a very long run
        h.append(stats(step))
    assert len(h) <= history_module.MAX_ROWS
    assert len(json.dumps(h.to_dict())) < 40 * 2**20


def test_evaluations_are_bounded_too_and_a_repeat_at_one_step_replaces(monkeypatch):
    monkeypatch.setattr(history_module, "MAX_ROWS", 8)
    h = History(2)
    for step in range(0, 100):
        h.record_evaluation(step, 1.0 / (step + 1), None)
    h.record_evaluation(99, 5.0, 6.0)  # the same step again (an edited weight)
    a = h.arrays()
    assert 4 <= len(a["eval_step"]) <= 8 and a["eval_step"][-1] == 99
    assert np.all(np.diff(a["eval_step"]) > 0)
    assert (a["train_loss"][-1], a["test_loss"][-1]) == (5.0, 6.0)
    assert np.isnan(a["test_loss"][:-1]).all()
