"""The full statistics of a trainer's state (StepStats), made when someone reads them: the
scores on the whole training and test sets, one forward pass over each, and the last step's
per-neuron and per-weight gradients, as read-only copies safe to hand to another thread."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .step_stats import StepStats, column_mean, frozen_copy, read_only


@dataclass(frozen=True)
class Scores:
    """How the network does on one set; None where it does not apply (an empty set; accuracy
    for regression; RMSE and R² for classification; R² when the targets do not vary)."""

    loss: float | None = None
    accuracy: float | None = None
    rmse: float | None = None
    r2: float | None = None


def score(network, task: str, X: np.ndarray, Y: np.ndarray) -> Scores:
    """The scores of the network on (X, Y) at its current parameters, from one forward pass."""
    if len(X) == 0:
        return Scores()
    with np.errstate(all="ignore"):  # a diverged network's loss is simply inf or nan
        z, out = network.output(X)
        loss = float(network.loss.value(z, out, Y))
        if task != "regression":
            return Scores(loss, accuracy(out, Y))
        error = out - Y
        residual = float(np.vdot(error, error))
        spread = float(np.sum((Y - Y.mean(axis=0)) ** 2))
        rmse = float(np.sqrt(residual / error.size))
    return Scores(loss, None, rmse, 1.0 - residual / spread if spread > 0 else None)


def classes_of(out: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(true, predicted) class of every point: one-hot targets and argmax, or with one output
    0/1 targets and ŷ > 0.5 (targets are 0/1 whatever the output activation)."""
    if Y.shape[1] > 1:
        return Y.argmax(axis=1), out.argmax(axis=1)
    return (Y[:, 0] > 0.5).astype(int), (out[:, 0] > 0.5).astype(int)


def accuracy(out: np.ndarray, Y: np.ndarray) -> float:
    """The share of points classified right."""
    true, predicted = classes_of(out, Y)
    return float(np.count_nonzero(true == predicted) / len(true))


def confusion_matrix(network, X: np.ndarray, Y: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) counts: row = the true class, column = the predicted one, by the
    rule accuracy uses, so its diagonal over its sum is the accuracy."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    if len(X):
        with np.errstate(all="ignore"):
            true, predicted = classes_of(network.predict(X), Y)
        np.add.at(counts, (true, predicted), 1)
    return counts


def snapshot(trainer, batch_loss: float, grad_norms: np.ndarray, alignment) -> StepStats:
    """StepStats of the trainer now. The per-neuron activations are the means over the batch
    the network last ran forward (the next step's, at the current weights); the gradients are
    those of the last backward pass."""
    net, task = trainer.network, trainer.data.task
    train = score(net, task, trainer.X_train, trainer.Y_train)
    test = score(net, task, trainer.X_test, trainer.Y_test)
    first = net.layers[0]
    neuron_grads = [column_mean(np.abs(first.dX))]
    neuron_grads += [column_mean(np.abs(layer.dZ)) for layer in net.layers]
    activations = [column_mean(first.x)] + [column_mean(layer.a) for layer in net.layers]
    grad_norms = np.array(grad_norms)  # a copy: the caller's may be read-only or live
    return StepStats(
        step=trainer.step_count, epoch=trainer.epoch, batch_loss=batch_loss,
        train_loss=train.loss, test_loss=test.loss, accuracy=train.accuracy,
        test_accuracy=test.accuracy, grad_norms=read_only(grad_norms),
        neuron_grads=tuple(map(read_only, neuron_grads)),
        neuron_activations=tuple(map(read_only, activations)),
        weight_grads=tuple(read_only(np.abs(layer.dW)) for layer in net.layers),
        weights=tuple(frozen_copy(layer.W) for layer in net.layers),
        biases=tuple(frozen_copy(layer.b) for layer in net.layers),
        diverged=trainer.diverged, rmse=train.rmse, r2=train.r2,
        test_rmse=test.rmse, test_r2=test.r2, alignment=alignment)
