"""What training records: what one step did (StepResult, made at every step, so it holds only
what costs nothing extra), the full statistics of a state as read-only snapshots (StepStats,
safe to hand to another thread, made when someone reads them) and a saved state to rewind to
(Checkpoint)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


def frozen_copy(a: np.ndarray) -> np.ndarray:
    """A read-only copy."""
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


def read_only(a: np.ndarray) -> np.ndarray:
    """A freshly computed array, marked read-only (no copy needed: nothing else holds it)."""
    a.flags.writeable = False
    return a


def column_mean(a: np.ndarray) -> np.ndarray:
    # np.mean's own arithmetic (sum, then divide by the count) without its per-call overhead.
    return np.add.reduce(a, axis=0) / len(a)


@dataclass(frozen=True)
class Checkpoint:
    step: int
    train_loss: float
    params: list[np.ndarray]
    optimizer_name: str
    optimizer_state: dict[str, np.ndarray]
    optimizer_t: int


class StepResult(NamedTuple):  # a tuple: made at every step, it must cost next to nothing
    """What one step did: its mini-batch's loss and gradient norms, and whether it diverged."""

    step: int
    epoch: int  # completed passes over the training set
    batch_loss: float  # the loss on this step's mini-batch, before its update
    grad_norms: np.ndarray  # (layers,) ‖(∂L/∂W, ∂L/∂b)‖ per layer, on the mini-batch
    diverged: bool = False
    message: str = ""
    alignment: tuple[float, ...] | None = None  # see StepStats.alignment


@dataclass(frozen=True)
class StepStats:
    """The state after a step, as read-only copies: safe to hand to another thread.

    train_loss, test_loss and the accuracies are evaluated on the whole sets at the current
    weights when the snapshot is made; batch_loss, grad_norms and the per-neuron gradients
    are those of the last step's mini-batch."""

    step: int
    epoch: int  # completed passes over the training set
    batch_loss: float
    train_loss: float
    test_loss: float | None  # None without a test set
    accuracy: float | None  # training accuracy; None for regression
    test_accuracy: float | None
    grad_norms: np.ndarray  # (layers,) ‖(∂L/∂W, ∂L/∂b)‖ per layer
    neuron_grads: tuple[np.ndarray, ...]  # per layer (inputs first): mean |∂L/∂z| per neuron
    neuron_activations: tuple[np.ndarray, ...]  # per layer (inputs first): mean a per neuron
    weight_grads: tuple[np.ndarray, ...]  # per layer: |∂L/∂W|
    weights: tuple[np.ndarray, ...]  # per layer: W after the step
    biases: tuple[np.ndarray, ...]
    diverged: bool = False
    message: str = ""
    # Feedback alignment: per layer, degrees between its update and the true gradient (the
    # output layer 0); None under backprop.
    alignment: tuple[float, ...] | None = None
    # Regression: root mean squared error and R² on the training and test sets (None for
    # classification, and the test ones without a test set).
    rmse: float | None = None
    r2: float | None = None
    test_rmse: float | None = None
    test_r2: float | None = None
