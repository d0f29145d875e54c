"""The training loop: seeded mini-batches, one optimiser step at a time, and divergence caught
before it reaches the parameters.

A step does only what the step needs plus its mini-batch's loss and gradient norms
(StepResult); the losses over the whole training and test sets, which cost a pass over all
the data, are evaluated when someone reads them (stats(): the window's redraws, a CLI report)
and recorded in the history then. The divergence guard needs no such pass either (see
divergence_guard.py).

Same spec and seed ⇒ the bit-identical run: the dataset, the initial weights and the batch
order each draw from their own generator derived from the seed.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .datasets import Dataset, expand_features, make_dataset
from .divergence_guard import LOSS_FLOOR, LOSS_GROWTH_LIMIT, LookAheadGuard
from .feedback import alignment_angles, use_feedback_alignment
from .history import History
from .network import Network
from .optimizers import Momentum, add_regularization, clip_by_global_norm, make_optimizer
from .snapshot import confusion_matrix, score, snapshot
from .spec import Spec
from .step_stats import Checkpoint, StepResult, StepStats

# Settings that apply between steps without rebuilding the network.
LIVE_SETTINGS = ("learning_rate", "reg_rate", "batch_size", "momentum", "optimizer",
                 "clip_norm", "regularization", "speed")
CHECKPOINT_EVERY = 10  # steps between two saves of the best state


class Trainer(LookAheadGuard):
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
        self._bind_parameters()
        # Regularisation and clipping change the gradient the optimiser sees, not the layer's
        # own ∂L/∂W, which stays the data-loss gradient for statistics and the trace.
        self._update_grads = {k: np.empty_like(v) for k, v in self._params.items()}
        flat = self.network.flat_params
        self._backup = np.empty_like(flat)  # the parameters before an update
        # One dot product with these weights both screens every parameter for NaN/Inf and
        # fingerprints them (an edit in place changes it); they are never zero.
        self._probe = np.random.default_rng(0).uniform(0.5, 1.5, flat.size).astype(flat.dtype)
        self._fingerprint = math.nan
        self._drop_look_ahead()
        self._epoch_complete = False
        self.last_result: StepResult | None = None  # what the last step did
        self.divergence = ""  # why the state is not sane (while self.diverged)
        self.start_loss: float | None = None  # the yardstick of the growth rule
        self.mark_start()

    def _bind_parameters(self) -> None:
        # Layers update W and b in place and never replace them, so these name → array maps
        # stay valid for the trainer's life and need not be rebuilt every step.
        self._params, self._grads = self.network.params(), self.network.grads()
        self._weights = {k: p for k, p in self._params.items() if k.endswith(".W")}

    def __setstate__(self, state) -> None:
        # A deep copy packs the network's parameters anew (network.py): name them again.
        self.__dict__.update(state)
        self._bind_parameters()

    def mark_start(self) -> None:
        """Take the current state as the start of the run: its training loss becomes the
        yardstick for divergence and the state the first checkpoint, so that a run that
        diverges at its first step can rewind to its initial weights."""
        self._drop_look_ahead()
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
        self._drop_look_ahead()  # it ran the next batch at the old size

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
        self._drop_look_ahead()
        # A loss the user made on purpose is not divergence: it moves the growth rule's yardstick.
        with np.errstate(all="ignore"):
            loss = self.evaluate(self.X_train, self.Y_train)[0]
        if loss is not None and np.isfinite(loss):
            self.start_loss = max(self.start_loss or 0.0, loss)

    # -- training ---------------------------------------------------------------------------
    def next_batch(self) -> np.ndarray:
        """Training-set indices of the next mini-batch; reshuffles after each epoch."""
        self._reshuffle_if_done()
        batch = self.order[self.cursor:self.cursor + self.batch_size]
        self.cursor += len(batch)
        self._epoch_complete = self.cursor >= len(self.order)
        if self._epoch_complete:
            self.epoch += 1  # this batch completed a pass over the training set
        return batch

    def _reshuffle_if_done(self) -> None:
        if self.cursor >= len(self.order):
            self.order = self.batch_rng.permutation(len(self.X_train))
            self.cursor = 0

    def step(self, indices: np.ndarray | None = None, *, record: bool = False) -> StepResult:
        """One optimiser step on the next mini-batch, or on the given training indices.

        record=True keeps every chain-rule factor of this step on the layers (for the trace)
        and so skips the look-ahead, which would overwrite them: the update is then judged on
        the whole training set."""
        net = self.network
        # Overflow is expected when training diverges; it is detected and reported below
        # (diverged / message) instead of printing NumPy warnings.
        with np.errstate(all="ignore"):
            batch, y, loss = self._forward(indices)
            self.last_batch = batch  # the training indices this step used (the trace reads them)
            loss = net.backward(y, record=record, loss=loss)
            grad_norms = net.layer_grad_norms()
            # Before the update: the angle reads this step's W.
            alignment = self._alignment() if self.spec.feedback == "fa" else None
            if math.isfinite(loss) and math.isfinite(sum(grad_norms.tolist())):
                message = self._update_or_restore(keep_caches=record)
            else:
                message = "the loss or a gradient became NaN/Inf; the parameters were not updated"
            self.diverged = bool(message)
            if self.diverged:
                message += f"; lower the learning rate (now {self.learning_rate:g}) and rewind"
            self.divergence = message
            self.step_count += 1
        grad_norms.flags.writeable = False
        self.last_result = result = StepResult(
            self.step_count, self.epoch, loss, grad_norms, self.diverged, message, alignment)
        self.history.append(result)
        return result

    def _maybe_checkpoint(self, loss: float) -> None:
        """Remember the sane state with the lowest training loss evaluated so far (at most
        every CHECKPOINT_EVERY steps, so the copies cost nothing noticeable). The initial
        state is the first checkpoint; a diverged state never is one."""
        best = self.best
        if self.diverged or not math.isfinite(loss) or loss > self.loss_limit:
            return
        if best is None or (loss < best.train_loss
                            and self.step_count - best.step >= CHECKPOINT_EVERY):
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
        self._drop_look_ahead()
        return self.best.step

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
        """True when the last step finished a pass over the training set (the look-ahead may
        have begun the next pass's order already)."""
        return self._epoch_complete or self.cursor >= len(self.order)

    def run_epoch(self, on_step=None) -> StepResult:
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
        scores = score(self.network, self.data.task, X, Y)
        return scores.loss, scores.accuracy

    def confusion(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Confusion matrices (true × predicted counts) on the training and test sets at the
        current weights; None for regression."""
        if self.data.task == "regression":
            return None
        k = self.data.n_classes
        return (confusion_matrix(self.network, self.X_train, self.Y_train, k),
                confusion_matrix(self.network, self.X_test, self.Y_test, k))

    def stats(self) -> StepStats:
        """Everything the window shows of the current state, evaluated now on the whole
        training and test sets (see snapshot.py); the evaluation goes into the history and
        may become the rewind checkpoint. Before any step, current_stats()."""
        last = self.last_result
        if last is None:
            return self.current_stats()
        return self._snapshot(last.batch_loss, last.grad_norms, last.alignment)

    def current_stats(self) -> StepStats:
        """Statistics of the current parameters without taking a step (for a new network, an
        edited weight or a rewind): the gradients are those of the first training points."""
        batch = slice(0, self.batch_size)
        with np.errstate(all="ignore"):
            self.network.forward(self.X_train[batch])
            loss = self.network.backward(self.Y_train[batch])
            return self._snapshot(loss, self.network.layer_grad_norms(), self._alignment())

    def _snapshot(self, batch_loss, grad_norms, alignment) -> StepStats:
        with np.errstate(all="ignore"):
            stats = snapshot(self, batch_loss, grad_norms, alignment)
        if not self.diverged and self.last_result is not None:
            # The look-ahead judges each update on one mini-batch; the whole set can still
            # have grown past the limit. Then training should stop here too, though the
            # weights are those of the grown loss: only a rewind brings back sane ones.
            grown = self._growth_message(stats.train_loss)
            if grown:
                self.diverged = True
                self.divergence = (f"{grown} (seen on the whole set after the step; nothing "
                                   f"was restored): lower the learning rate (now "
                                   f"{self.learning_rate:g}) and rewind")
        if self.diverged:  # the message says why, until a rewind or a sane step
            stats = dataclasses.replace(stats, diverged=True, message=self.divergence)
        self.history.record_evaluation(self.step_count, stats.train_loss, stats.test_loss)
        self._maybe_checkpoint(stats.train_loss)
        return stats

    def _alignment(self) -> tuple[float, ...] | None:
        """Under feedback alignment, each layer's angle to the true gradient (see feedback.py)."""
        if self.spec.feedback != "fa":
            return None
        return tuple(float(angle) for angle in alignment_angles(self.network))

    def predict(self, points: np.ndarray) -> np.ndarray:
        """Network output for raw input points (features expanded as in training)."""
        return self.network.predict(expand_features(points, self.spec.features, self.dtype))

    def neuron_outputs(self, points: np.ndarray) -> list[np.ndarray]:
        """Every layer's activation for raw input points (inputs first), for the boundary view."""
        return self.network.activations(expand_features(points, self.spec.features, self.dtype))
