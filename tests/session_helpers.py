"""Helpers shared by the session tests: reopening through JSON and comparing whole trainer
states and step statistics bit for bit."""

import json
import math

import numpy as np

from engine.serialization import (
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


def _same_result(a, b) -> bool:
    """StepResults equal, NaN losses and all (a tuple's == fails on NaN)."""
    return all(same_array(x, y) if isinstance(x, np.ndarray) else same_value(x, y)
               for x, y in zip(a, b, strict=True))


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
        assert _same_result(t.step(), u.step())
        assert_same_stats(t.stats(), u.stats())
    assert_same_state(t, u)


def trained(spec: Spec, steps: int) -> Trainer:
    trainer = Trainer(spec)
    for _ in range(steps):
        trainer.step()
    return trainer
