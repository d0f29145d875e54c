"""The training loop: seeded mini-batches, one optimiser step at a time, a compact snapshot of
every step's statistics, and divergence caught before it reaches the parameters.

Same spec and seed ⇒ the bit-identical run: the dataset, the initial weights and the batch
order each draw from their own generator derived from the seed.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .datasets import Dataset, expand_features, make_dataset
from .feedback import alignment_angles, use_feedback_alignment
from .history import History
from .network import Network
from .optimizers import Momentum, add_regularization, clip_by_global_norm, make_optimizer
from .spec import Spec
from .step_stats import Checkpoint, StepStats, column_mean, frozen_copy, read_only

# Settings that apply between steps without rebuilding the network.
LIVE_SETTINGS = ("learning_rate", "reg_rate", "batch_size", "momentum", "optimizer",
                 "clip_norm", "regularization")
CHECKPOINT_EVERY = 10  # steps between two saves of the best state
# A loss can grow without bound and stay finite (XOR at learning rate 1e6 swings between 225
# and 249,775), so NaN/Inf alone is not enough. A state is *sane* while its training loss is
# finite and at most LOSS_GROWTH_LIMIT times the starting loss (two orders of magnitude, far
# above the bumps of a high but workable learning rate), the start counting as at least
# LOSS_FLOOR: a run that starts near zero (weights that already fit) is not flagged for 0.01.
LOSS_GROWTH_LIMIT = 100.0
LOSS_FLOOR = 1.0


class Trainer:
    def __init__(self, spec: Spec, dataset: Dataset | None = None):
        # A private copy: live settings (learning rate, batch size) write to it, not the caller's.
        # Shallow: its lists (given points, weights) are shared, and nothing edits them in place.
        self.spec = spec = dataclasses.replace(spec).validate()
        self.dtype = np.dtype(spec.dtype)
        self.data = dataset if dataset is not None else make_dataset(
            spec.dataset, samples=spec.samples, noise=spec.noise,
            train_fraction=spec.train_fraction, classes=spec.classes, seed=spec.seed,
            points=spec.points, labels=spec.labels, csv_path=spec.csv_path,
            label_column=spec.label_column)
        self.X = expand_features(self.data.points, spec.features, self.dtype)
        self.Y = self._targets(self.data)
        self.X_train, self.Y_train = self.X[self.data.train_idx], self.Y[self.data.train_idx]
        self.X_test, self.Y_test = self.X[self.data.test_idx], self.Y[self.data.test_idx]
        sizes = [self.X.shape[1], *spec.hidden, self.Y.shape[1]]
        self.network = Network.build(
            sizes, [*spec.activations, spec.output_activation], spec.loss,
            initializer=spec.initializer, rng=np.random.default_rng([spec.seed, 1]),
            weights=spec.weights, dtype=self.dtype)
        if spec.feedback == "fa":  # fixed random B in place of Wᵀ, from the seed's third stream
            use_feedback_alignment(self.network, spec.seed, spec.initializer)
        self.optimizer = make_optimizer(spec.optimizer, spec.learning_rate, spec.momentum)
        self.batch_rng = np.random.default_rng([spec.seed, 2])
        self.batch_size = spec.batch_size
        self.reg_rate = spec.reg_rate
        self.step_count = 0
        self.epoch = 0
        self.order = self.batch_rng.permutation(len(self.X_train))
        self.cursor = 0
        self.last_batch: np.ndarray | None = None
        self.diverged = False
        self.best: Checkpoint | None = None  # the lowest-loss state seen, for rewind()
        # Every step taken, diverged too.
        self.history = History(len(self.network.layers), alignment=spec.feedback == "fa")
        # Layers update W and b in place and never replace them, so these name → array maps
        # stay valid for the trainer's life and need not be rebuilt every step.
        self._params, self._grads = self.network.params(), self.network.grads()
        self._weights = {k: p for k, p in self._params.items() if k.endswith(".W")}
        # Regularisation and clipping change the gradient the optimiser sees, not the layer's
        # own ∂L/∂W, which stays the data-loss gradient for statistics and the trace.
        self._update_grads = {k: np.empty_like(v) for k, v in self._params.items()}
        self.start_loss: float | None = None  # the yardstick of the growth rule
        self.mark_start()

    def mark_start(self) -> None:
        """Take the current state as the start of the run: its training loss becomes the
        yardstick for divergence and the state the first checkpoint, so that a run that
        diverges at its first step can rewind to its initial weights."""
        with np.errstate(all="ignore"):
            loss = self.evaluate(self.X_train, self.Y_train)[0]
        self.start_loss, self.best = None, None
        if loss is not None and np.isfinite(loss):
            self.start_loss = loss
            self.best = self._checkpoint(loss)

    @property
    def loss_limit(self) -> float:
        """The largest training loss a sane state may have (see LOSS_GROWTH_LIMIT)."""
        return LOSS_GROWTH_LIMIT * max(self.start_loss or 0.0, LOSS_FLOOR)

    def _targets(self, data: Dataset) -> np.ndarray:
        loss = self.spec.loss
        if data.task == "regression":
            if loss != "mse":
                raise ValueError(f"a regression dataset needs the mse loss, not {loss!r}")
            return data.labels[:, None].astype(self.dtype)
        if loss == "ce":
            return np.eye(data.n_classes, dtype=self.dtype)[data.labels.astype(int)]
        if data.n_classes > 2:
            raise ValueError(
                f"{data.n_classes} classes need a softmax output with cross-entropy, not {loss!r}")
        return data.labels[:, None].astype(self.dtype)

    # -- settings that apply live, between steps ------------------------------------------
    @property
    def learning_rate(self) -> float:
        return self.optimizer.learning_rate

    def set_learning_rate(self, lr: float) -> None:
        if not lr > 0 or not np.isfinite(lr):
            raise ValueError(f"learning rate must be a positive number, got {lr!r}")
        self.optimizer.learning_rate = lr
        self.spec.learning_rate = lr

    def set_reg_rate(self, rate: float) -> None:
        if not rate >= 0 or not np.isfinite(rate):
            raise ValueError(f"regularization rate must be ≥ 0, got {rate!r}")
        self.reg_rate = self.spec.reg_rate = rate

    def set_batch_size(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"batch size must be ≥ 1, got {size!r}")
        self.batch_size = self.spec.batch_size = int(size)

    def set_live(self, name: str, value) -> None:
        """Change a training setting between steps, keeping the weights and the step count.

        A new optimiser starts with fresh state (no velocities or moments to inherit)."""
        if name not in LIVE_SETTINGS:
            raise ValueError(f"{name!r} cannot change during training; rebuild instead")
        candidate = self.spec.replace(**{name: value}).validate()
        if name == "learning_rate":
            self.set_learning_rate(value)
        elif name == "reg_rate":
            self.set_reg_rate(value)
        elif name == "batch_size":
            self.set_batch_size(value)
        elif name == "optimizer":
            self.optimizer = make_optimizer(value, self.learning_rate, candidate.momentum)
        elif name == "momentum" and isinstance(self.optimizer, Momentum):
            self.optimizer.momentum = value
        setattr(self.spec, name, value)  # clip_norm and regularization are read from the spec

    def set_parameter(self, layer: int, name: str, index: tuple, value: float) -> None:
        """Edit one weight or bias (layer is 1-based, name "W" or "b")."""
        if not np.isfinite(value):
            raise ValueError(f"a parameter must be a finite number, got {value!r}")
        if not 1 <= layer <= len(self.network.layers):
            raise ValueError(f"no layer {layer}")
        self.network.layers[layer - 1].params()[name][index] = value
        # A loss the user made on purpose is not divergence: it moves the growth rule's yardstick.
        with np.errstate(all="ignore"):
            loss = self.evaluate(self.X_train, self.Y_train)[0]
        if loss is not None and np.isfinite(loss):
            self.start_loss = max(self.start_loss or 0.0, loss)

    # -- training ---------------------------------------------------------------------------
    def next_batch(self) -> np.ndarray:
        """Training-set indices of the next mini-batch; reshuffles after each epoch."""
        if self.cursor >= len(self.order):
            self.order = self.batch_rng.permutation(len(self.X_train))
            self.cursor = 0
        batch = self.order[self.cursor:self.cursor + self.batch_size]
        self.cursor += len(batch)
        if self.cursor >= len(self.order):
            self.epoch += 1  # this batch completed a pass over the training set
        return batch

    def step(self, indices: np.ndarray | None = None, *, record: bool = False) -> StepStats:
        """One optimiser step on the next mini-batch, or on the given training indices."""
        batch = self.next_batch() if indices is None else np.asarray(indices)
        self.last_batch = batch  # the training indices this step used (the trace reads them)
        net = self.network
        # Overflow is expected when training diverges; it is detected and reported below
        # (StepStats.diverged / message) instead of printing NumPy warnings.
        with np.errstate(all="ignore"):
            net.forward(self.X_train[batch])
            loss = net.backward(self.Y_train[batch], record=record)
            grad_norms = self._grad_norms()
            alignment = self._alignment()  # before the update: it reads this step's W
            message = ""
            if not (np.isfinite(loss) and np.isfinite(grad_norms).all()):
                message = "the loss or a gradient became NaN/Inf; the parameters were not updated"
                train = self.evaluate(self.X_train, self.Y_train)
            else:
                train, message = self._update_or_restore()
            self.diverged = bool(message)
            if self.diverged:
                message += f"; lower the learning rate (now {self.learning_rate:g}) and rewind"
            self.step_count += 1
            stats = self._stats(loss, grad_norms, message, train, alignment)
        self.history.append(stats)
        self._maybe_checkpoint(stats)
        return stats

    def _maybe_checkpoint(self, stats: StepStats) -> None:
        """Remember the sane state with the lowest training loss so far (at most every
        CHECKPOINT_EVERY steps, so the copies cost nothing noticeable). The initial state is
        the first checkpoint; a diverged step never is one (its update was undone, and the
        state it leaves is the one before it)."""
        best, loss = self.best, stats.train_loss
        if stats.diverged or not np.isfinite(loss) or loss > self.loss_limit:
            return
        if best is None or (loss < best.train_loss and stats.step - best.step >= CHECKPOINT_EVERY):
            self.best = self._checkpoint(loss)

    def _checkpoint(self, train_loss: float) -> Checkpoint:
        return Checkpoint(
            self.step_count, train_loss, [p.copy() for p in self._params.values()],
            self.optimizer.name, {k: v.copy() for k, v in self.optimizer.state.items()},
            self.optimizer.t)

    def rewind(self) -> int:
        """Go back to the best checkpoint's parameters and optimiser state (after divergence):
        the sane state with the lowest training loss, the initial one at worst; the step
        counter keeps counting. Returns the step the checkpoint was taken at."""
        if self.best is None:
            raise ValueError("no sane state to rewind to: the starting weights already give a "
                             "NaN/Inf loss; reset instead")
        for p, saved in zip(self._params.values(), self.best.params):
            p[...] = saved
        same_optimizer = self.best.optimizer_name == self.optimizer.name
        # Another optimiser's velocities or moments would mean something else: start fresh.
        saved = self.best.optimizer_state if same_optimizer else {}
        self.optimizer.state = {k: v.copy() for k, v in saved.items()}
        self.optimizer.t = self.best.optimizer_t if same_optimizer else 0
        self.diverged = False
        return self.best.step

    def _update_or_restore(self) -> tuple[tuple, str]:
        """Apply the update. If it leaves an insane state (parameters or training loss NaN/Inf,
        or the loss grown past loss_limit), put parameters and optimiser state (velocities,
        moments) back together, so that after lowering the learning rate the next step starts
        from a sane state. Returns the training set's (loss, accuracy) after the step and a
        message saying what went wrong ("" when nothing did)."""
        slots = self.optimizer.state
        state = list(self._params.values()) + list(slots.values())
        backup, t, keys = np.concatenate(state, axis=None), self.optimizer.t, set(slots)
        self._apply_update(self._params, self._grads)
        updated = list(self._params.values()) + list(slots.values())
        if not np.isfinite(np.concatenate(updated, axis=None)).all():
            message = "the update sent the parameters to NaN/Inf"
        else:
            train = self.evaluate(self.X_train, self.Y_train)
            if not np.isfinite(train[0]):
                message = "the update sent the loss to NaN/Inf"
            elif train[0] > self.loss_limit:
                start = "" if self.start_loss is None else f" from {self.start_loss:.4g}"
                message = f"the training loss grew{start} to {train[0]:.4g}"
            else:
                return train, ""
        _restore(state, backup)
        self.optimizer.t = t
        for new_key in set(slots) - keys:  # moments born in this very step
            del slots[new_key]
        message += "; the parameters and optimiser state were restored"
        return self.evaluate(self.X_train, self.Y_train), message

    @property
    def modifies_gradients(self) -> bool:
        """True when regularisation or clipping changes the gradient the optimiser sees."""
        spec = self.spec
        return spec.regularization != "none" and self.reg_rate > 0 or spec.clip_norm > 0

    def _apply_update(self, params, grads) -> None:
        spec = self.spec
        if self.modifies_gradients:
            for k, g in grads.items():
                np.copyto(self._update_grads[k], g)
            grads = self._update_grads
            add_regularization(spec.regularization, self.reg_rate, self._weights, grads)
            clip_by_global_norm(grads, spec.clip_norm)
        self.optimizer.step(params, grads)

    def update_gradients(self) -> dict[str, np.ndarray]:
        """The gradients the optimiser used in the last step (after regularisation/clipping)."""
        return self._update_grads if self.modifies_gradients else self._grads

    @property
    def epoch_complete(self) -> bool:
        """True when the last step finished a pass over the training set."""
        return self.cursor >= len(self.order)

    def run_epoch(self, on_step=None) -> StepStats:
        """Steps until the current pass over the training set is complete (or training
        diverges); on_step(stats), if given, sees every step."""
        while True:
            stats = self.step()
            if on_step is not None:
                on_step(stats)
            if self.epoch_complete or stats.diverged:
                return stats

    def evaluate(self, X: np.ndarray, Y: np.ndarray) -> tuple[float | None, float | None]:
        """(loss, accuracy) on a set at the current parameters; accuracy None for regression."""
        if len(X) == 0:
            return None, None
        with np.errstate(all="ignore"):  # a diverged network's loss is simply inf or nan
            z, out = self.network.output(X)
            return float(self.network.loss.value(z, out, Y)), self.accuracy(out, Y)

    def regression_fit(self, X: np.ndarray, Y: np.ndarray) -> tuple[float | None, float | None]:
        """(RMSE, R²) of the network on a regression set; (None, None) for an empty set or a
        classification task, R² None when the targets do not vary."""
        if self.data.task != "regression" or len(X) == 0:
            return None, None
        with np.errstate(all="ignore"):
            error = self.network.predict(X) - Y
            residual = float(np.vdot(error, error))
            spread = float(np.sum((Y - Y.mean(axis=0)) ** 2))
        rmse = float(np.sqrt(residual / error.size))
        return rmse, (1.0 - residual / spread if spread > 0 else None)

    def accuracy(self, out: np.ndarray, Y: np.ndarray) -> float | None:
        if self.data.task == "regression":
            return None
        if Y.shape[1] > 1:
            correct = out.argmax(axis=1) == Y.argmax(axis=1)
        else:
            correct = (out[:, 0] > 0.5) == (Y[:, 0] > 0.5)  # targets are 0/1 whatever the output
        return float(np.count_nonzero(correct) / len(correct))

    def _stats(self, batch_loss, grad_norms, message, train, alignment=None) -> StepStats:
        net = self.network
        train_loss, acc = train
        test_loss, test_acc = self.evaluate(self.X_test, self.Y_test)
        first = net.layers[0]
        neuron_grads = [column_mean(np.abs(first.dX))]
        neuron_grads += [column_mean(np.abs(layer.dZ)) for layer in net.layers]
        activations = [column_mean(first.x)] + [column_mean(layer.a) for layer in net.layers]
        rmse, r2 = self.regression_fit(self.X_train, self.Y_train)
        test_rmse, test_r2 = self.regression_fit(self.X_test, self.Y_test)
        return StepStats(
            step=self.step_count, epoch=self.epoch, batch_loss=batch_loss,
            train_loss=train_loss, test_loss=test_loss, accuracy=acc, test_accuracy=test_acc,
            grad_norms=read_only(grad_norms),
            neuron_grads=tuple(map(read_only, neuron_grads)),
            neuron_activations=tuple(map(read_only, activations)),
            weight_grads=tuple(read_only(np.abs(layer.dW)) for layer in net.layers),
            weights=tuple(frozen_copy(layer.W) for layer in net.layers),
            biases=tuple(frozen_copy(layer.b) for layer in net.layers),
            diverged=self.diverged, message=message, rmse=rmse, r2=r2, test_rmse=test_rmse,
            test_r2=test_r2, alignment=alignment)

    def _grad_norms(self) -> np.ndarray:
        return np.array([np.sqrt(np.vdot(layer.dW, layer.dW) + np.vdot(layer.db, layer.db))
                         for layer in self.network.layers])

    def _alignment(self) -> tuple[float, ...] | None:
        """Under feedback alignment, each layer's angle to the true gradient (see feedback.py)."""
        if self.spec.feedback != "fa":
            return None
        return tuple(float(angle) for angle in alignment_angles(self.network))

    def current_stats(self) -> StepStats:
        """Statistics of the current parameters without taking a step (for a new network, an
        edited weight or a rewind): the gradients are those of the first training points."""
        batch = slice(0, self.batch_size)
        with np.errstate(all="ignore"):
            self.network.forward(self.X_train[batch])
            loss = self.network.backward(self.Y_train[batch])
            train = self.evaluate(self.X_train, self.Y_train)
            return self._stats(loss, self._grad_norms(), "", train, self._alignment())

    def predict(self, points: np.ndarray) -> np.ndarray:
        """Network output for raw input points (features expanded as in training)."""
        return self.network.predict(expand_features(points, self.spec.features, self.dtype))

    def neuron_outputs(self, points: np.ndarray) -> list[np.ndarray]:
        """Every layer's activation for raw input points (inputs first), for the boundary view."""
        return self.network.activations(expand_features(points, self.spec.features, self.dtype))


def _restore(params: list[np.ndarray], flat: np.ndarray) -> None:
    """Copy a flat backup (np.concatenate(params, axis=None)) back into the parameters."""
    start = 0
    for p in params:
        p[...] = flat[start:start + p.size].reshape(p.shape)
        start += p.size
