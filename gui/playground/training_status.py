"""The status bar's training read-out: step, epoch, losses, accuracy and steps per second."""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtWidgets import QLabel, QStatusBar

from gui.plots.loss_plot import format_value

FIELDS = [("step", "Training steps (mini-batches) taken"),
          ("epoch", "Completed passes over the training set"),
          ("loss", "Loss on the whole training set / on the test set"),
          ("accuracy", "Classification accuracy on the training / test set; for regression the "
                       "root mean squared error and R² (the share of the targets' variance the "
                       "network explains) on the training / test set"),
          ("rate", "Training steps per second, measured over the last second")]


class TrainingStatus:
    def __init__(self, status_bar: QStatusBar):
        self.labels: dict[str, QLabel] = {}
        for key, tip in FIELDS:
            label = QLabel()
            label.setToolTip(tip)
            label.setMinimumWidth(90)
            status_bar.addPermanentWidget(label)
            self.labels[key] = label
        self._samples: deque[tuple[float, int]] = deque(maxlen=120)  # (time, step)

    def record(self, step: int) -> None:
        self._samples.append((time.perf_counter(), step))

    def clear(self) -> None:
        self._samples.clear()

    def steps_per_second(self) -> float:
        samples = self._samples
        if len(samples) < 2:
            return 0.0
        now = time.perf_counter()
        recent = [(t, s) for t, s in samples if now - t <= 1.0] or list(samples)[-2:]
        (t0, s0), (t1, s1) = recent[0], samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    def show(self, stats, playing: bool) -> None:
        def percent(x):
            return "—" if x is None else f"{x:.1%}"

        lab = self.labels
        lab["step"].setText(f"step {stats.step:,}")
        lab["epoch"].setText(f"epoch {stats.epoch}")
        test = "—" if stats.test_loss is None else format_value(stats.test_loss)
        lab["loss"].setText(f"loss {format_value(stats.train_loss)} / test {test}")
        if stats.rmse is not None:  # regression has no accuracy: how far off, how much explained
            def number(x):
                return "—" if x is None else format_value(x)

            lab["accuracy"].setText(
                f"RMSE {number(stats.rmse)} / {number(stats.test_rmse)} · "
                f"R² {number(stats.r2)} / {number(stats.test_r2)}")
        else:
            lab["accuracy"].setText(
                f"accuracy {percent(stats.accuracy)} / {percent(stats.test_accuracy)}")
        lab["rate"].setText(f"{self.steps_per_second():,.0f} steps/s" if playing else "paused")
