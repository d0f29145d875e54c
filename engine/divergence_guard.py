"""The divergence guard of a training step, as a mixin of Trainer: the update is applied, then
judged, and undone (parameters and optimiser state together) if it left an insane state.

A state is *sane* while its training loss is finite and at most LOSS_GROWTH_LIMIT times the
starting loss. Judging that needs no pass over all the data: the guard runs the *next*
scheduled batch's forward pass at the updated weights (the look-ahead), which the next step
reuses, and only a loss that is not clearly fine is confirmed on the whole set.
"""

from __future__ import annotations

import math

import numpy as np

# A loss can grow without bound and stay finite (XOR at learning rate 1e6 swings between 225
# and 249,775), so NaN/Inf alone is not enough. A state is *sane* while its training loss is
# finite and at most LOSS_GROWTH_LIMIT times the starting loss (two orders of magnitude, far
# above the bumps of a high but workable learning rate), the start counting as at least
# LOSS_FLOOR: a run that starts near zero (weights that already fit) is not flagged for 0.01.
LOSS_GROWTH_LIMIT = 100.0
LOSS_FLOOR = 1.0
# The next batch's loss is a free first look at an update; above this share of the limit it
# is confirmed on the whole set (a batch can be far easier than the set as a whole).
CONFIRM_SHARE = 0.1


class LookAheadGuard:
    """Trainer's update-and-judge half; it reads the trainer's network, optimiser, batches and
    the _backup / _probe / _fingerprint / _ahead_* state Trainer.__init__ sets up."""

    def _drop_look_ahead(self) -> None:
        """Forget the next step's forward pass (the batch or the parameters changed)."""
        self._ahead_batch = self._ahead_x = self._ahead_y = self._ahead_loss = None

    def _forward(self, indices) -> tuple[np.ndarray, np.ndarray, float | None]:
        """This step's batch with its forward pass done: (indices, targets, loss if known).

        The look-ahead's pass is reused when it is still this step's: the next scheduled
        batch, nothing else has run the network since, and the parameters are unchanged
        (anyone may have edited them in place: the fingerprint says). Else it runs now."""
        net = self.network
        ahead, x, y, loss = self._ahead_batch, self._ahead_x, self._ahead_y, self._ahead_loss
        self._drop_look_ahead()
        if (indices is None and ahead is not None and net.layers[0].x is x
                and np.dot(net.flat_params, self._probe) == self._fingerprint):
            batch = self.next_batch()
            if len(batch) == len(ahead):  # the same slice of the same order, by construction
                return batch, y, loss
        else:
            batch = self.next_batch() if indices is None else np.asarray(indices)
        net.forward(self.X_train[batch])
        np.copyto(self._backup, net.flat_params)
        return batch, self.Y_train[batch], None

    def _look_ahead(self, keep_caches: bool) -> float:
        """The next scheduled batch's loss at the current weights. Its forward pass runs through
        the layers, for the next step to reuse, unless keep_caches (a traced step keeps its own
        values there): then the same arithmetic runs beside them, and the judgement is the
        same either way."""
        self._reshuffle_if_done()  # what the next draw would do first, done now
        batch = self.order[self.cursor:self.cursor + self.batch_size]
        x, y = self.X_train[batch], self.Y_train[batch]
        net = self.network
        if keep_caches:
            z, out = net.output(x)
            return float(net.loss.value(z, out, y))
        net.forward(x)
        last = net.layers[-1]
        loss = float(net.loss.value(last.z, last.a, y))
        self._ahead_batch, self._ahead_x, self._ahead_y, self._ahead_loss = batch, x, y, loss
        return loss

    def _update_or_restore(self, keep_caches: bool) -> str:
        """Apply the update. If it leaves an insane state (parameters, optimiser state or
        training loss NaN/Inf, or the loss grown past loss_limit), put parameters and optimiser
        state (velocities, moments) back together, so that after lowering the learning rate
        the next step starts from a sane state. Returns what went wrong ("" when nothing)."""
        slots = self.optimizer.state
        slot_backup = np.concatenate(list(slots.values()), axis=None) if slots else None
        t, keys = self.optimizer.t, set(slots)
        self._apply_update(self._params, self._grads)
        flat = self.network.flat_params
        fingerprint = float(np.dot(flat, self._probe))  # NaN/Inf if any parameter is
        finite = math.isfinite(fingerprint) or bool(np.isfinite(flat).all())  # or it overflowed
        if finite and slots:
            finite = bool(np.isfinite(np.concatenate(list(slots.values()), axis=None)).all())
        message = self._judge_update(keep_caches) if finite else \
            "the update sent the parameters to NaN/Inf"
        if not message:
            if self._ahead_batch is not None:  # the look-ahead ran at these parameters
                np.copyto(self._backup, flat)
                self._fingerprint = fingerprint
            return ""
        flat[...] = self._backup
        for new_key in set(slots) - keys:  # moments born in this very step
            del slots[new_key]
        if slot_backup is not None:
            _restore(list(slots.values()), slot_backup)
        self.optimizer.t = t
        if self._ahead_batch is not None:  # the layers hold a pass at the rejected weights
            self._drop_look_ahead()
            self.network.forward(self.X_train[self.last_batch])  # this step's, as before it
        return message + "; the parameters and optimiser state were restored"

    def _judge_update(self, keep_caches: bool) -> str:
        """"" when the updated state is sane, else why not. The next batch's loss is a free
        first look; the whole set confirms one that is not clearly fine."""
        loss = self._look_ahead(keep_caches)
        if math.isfinite(loss) and loss <= CONFIRM_SHARE * self.loss_limit:
            return ""
        return self._growth_message(self.evaluate(self.X_train, self.Y_train)[0])

    def _growth_message(self, train_loss: float) -> str:
        """Why a state with this training loss is not sane ("" when it is)."""
        if not math.isfinite(train_loss):
            return "the update sent the loss to NaN/Inf"
        if train_loss > self.loss_limit:
            start = "" if self.start_loss is None else f" from {self.start_loss:.4g}"
            return f"the training loss grew{start} to {train_loss:.4g}"
        return ""



def _restore(params: list[np.ndarray], flat: np.ndarray) -> None:
    """Copy a flat backup (np.concatenate(params, axis=None)) back into the parameters."""
    start = 0
    for p in params:
        p[...] = flat[start:start + p.size].reshape(p.shape)
        start += p.size
