"""The status bar's training read-out: step, epoch, losses, accuracy and steps per second."""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtWidgets import QLabel, QStatusBar

from gui.plots.loss_plot import format_value

FIELDS = [("step", "Training steps (mini-batches) taken"),
          ("epoch", "Completed passes over the training set"),
          ("loss", "Loss on the whole training set / on the test set, evaluated at the weights "
                   "now (each time the window redraws while training: the loss plot's points)"),
          ("accuracy", "Classification accuracy on the training / test set; for regression the "
                       "root mean squared error and R² (the share of the targets' variance the "
                       "network explains) on the training / test set"),
          ("rate", "Training steps per second, measured over the last second from the "
                   "training thread's own clock")]
LOSS_TIP = dict(FIELDS)["loss"]
RATE_WINDOW = 1.0  # seconds of reports the rate is measured over


class TrainingStatus:
    def __init__(self, status_bar: QStatusBar):
        self.labels: dict[str, QLabel] = {}
        for key, tip in FIELDS:
            label = QLabel()
            label.setToolTip(tip)
            label.setMinimumWidth(90)
            status_bar.addPermanentWidget(label)
            self.labels[key] = label
        # (worker time, step) of each report: the time the step count was read, not the time
        # the GUI thread got round to it (reports queue up while it paints).
        self._samples: deque[tuple[float, int]] = deque(maxlen=600)
        self._bar = status_bar
        self._made_room: list[QLabel] = []  # read-outs hidden while a message needs the room
        status_bar.messageChanged.connect(self._make_room)

    def _make_room(self, message: str) -> None:
        """A message ("Rebuilt: …", "Rewound to …") is read in full: while it lasts, the
        read-outs it would run into give way, the losses and accuracy first (they are on the
        plots, and large in presentation mode), then the epoch."""
        for label in self._made_room:
            label.show()
        self._made_room = []
        if not message:
            return
        needed = self._bar.fontMetrics().horizontalAdvance(message) + 24
        shown = [self.labels[k] for k in ("accuracy", "loss", "epoch")
                 if self.labels[k].isVisible()]
        room = self._bar.width() - sum(label.width() for label in self.labels.values()
                                       if label.isVisible())
        for label in shown:
            if room >= needed:
                break
            label.hide()
            self._made_room.append(label)
            room += label.width()

    def record(self, step: int, when: float) -> None:
        samples = self._samples
        if samples and step < samples[-1][1]:
            samples.clear()  # a rewind or another network: count afresh
        samples.append((when, step))

    def clear(self) -> None:
        self._samples.clear()

    def steps_per_second(self) -> float:
        """Steps per second over the last RATE_WINDOW seconds of reports (0 when idle)."""
        samples = self._samples
        if len(samples) < 2 or time.perf_counter() - samples[-1][0] > RATE_WINDOW:
            return 0.0
        t1, s1 = samples[-1]
        t0, s0 = next((t, s) for t, s in samples if t1 - t <= RATE_WINDOW)
        if t0 == t1:  # one report in the window: measure from the one before it
            t0, s0 = samples[-2]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    def show_paused(self) -> None:
        self.labels["rate"].setText("paused")

    def show(self, stats, playing: bool) -> None:
        lab = self.labels
        lab["step"].setText(f"step {stats.step:,}")
        lab["epoch"].setText(f"epoch {stats.epoch}")
        (_, train, test), *scores = score_rows(stats)
        lab["loss"].setText(f"loss {train} / test {test}")
        lab["loss"].setToolTip(f"{LOSS_TIP}.\nThe last step's own mini-batch loss (what its "
                               f"gradient came from): {format_value(stats.batch_loss)}")
        lab["accuracy"].setText(" · ".join(f"{name} {a} / {b}" for name, a, b in scores))
        lab["rate"].setText(f"{self.steps_per_second():,.0f} steps/s" if playing else "paused")


def score_rows(stats) -> list[tuple[str, str, str]]:
    """(name, on the training set, on the test set) as the read-outs print them: the loss,
    then accuracy, or for regression (no accuracy) RMSE and R²; "—" where there is no value."""
    def number(x):
        return "—" if x is None else format_value(x)

    def percent(x):
        return "—" if x is None else f"{x:.1%}"

    rows = [("loss", format_value(stats.train_loss), number(stats.test_loss))]
    if stats.rmse is not None:  # regression: how far off, how much of the variance explained
        return rows + [("RMSE", number(stats.rmse), number(stats.test_rmse)),
                       ("R²", number(stats.r2), number(stats.test_r2))]
    return rows + [("accuracy", percent(stats.accuracy), percent(stats.test_accuracy))]
