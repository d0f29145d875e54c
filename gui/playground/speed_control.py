"""The speed control: how fast Play trains, from slow motion (every step drawn, slow enough to
watch the boundary form) to as fast as possible (drawing coalesced to the redraw rate).

The speed is a live setting of the spec (spec.speed, steps per second, 0 = as fast as
possible), so it is remembered with the spec in the settings and saved in sessions, and the
worker paces itself by it between steps without a rebuild.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

# (steps per second, label); 0 = as fast as possible.
SPEEDS = [(1, "Slow motion: 1 step/s"), (3, "3 steps/s"), (10, "10 steps/s"),
          (30, "30 steps/s"), (100, "100 steps/s"), (300, "300 steps/s"),
          (1000, "1,000 steps/s"), (0, "As fast as possible")]
TIP = ("How fast Play trains. At 30 steps per second or slower every step is drawn; faster, "
       "the window draws about 30 frames a second and the steps in between go into the "
       "plots. Slower: [   Faster: ]")


def speed_label(speed: float) -> str:
    for value, label in SPEEDS:
        if value == speed:
            return label
    return f"{speed:,g} steps/s"


class SpeedControl(QWidget):
    """A labelled combo of speeds; picks send window.apply_live("speed", value)."""

    def __init__(self, window):
        super().__init__()
        self.window = window
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        label = QLabel("Speed:")
        self.combo = QComboBox()
        self.combo.setToolTip(TIP)
        self.combo.setAccessibleName("Training speed")
        self.combo.setFocusPolicy(Qt.StrongFocus)
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        label.setBuddy(self.combo)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        for value, text in SPEEDS:
            self.combo.addItem(text, value)
        self.combo.setCurrentIndex(self.combo.count() - 1)
        self.combo.activated.connect(self._picked)

    def speed(self) -> float:
        return float(self.combo.currentData())

    def show_speed(self, speed: float) -> None:
        """Show a spec's speed without sending it back (one from a file may be off the list)."""
        index = self.combo.findData(speed)
        if index < 0:
            self.combo.addItem(speed_label(speed), speed)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def step_speed(self, direction: int) -> None:
        """One notch slower (-1) or faster (+1) on the list, as fast as possible last."""
        values = [v for v, _ in SPEEDS]  # slowest first

        def rank(v):
            return v or math.inf

        current = rank(self.speed())
        if direction > 0:
            target = next((v for v in values if rank(v) > current), values[-1])
        else:
            target = next((v for v in reversed(values) if rank(v) < current), values[0])
        self.show_speed(target)
        self._picked()

    def _picked(self, _index: int = 0) -> None:
        speed = self.speed()
        if self.window.spec is not None and speed != self.window.spec.speed:
            self.window.apply_live("speed", speed)
            self.window.statusBar().showMessage(f"Speed: {speed_label(speed)}", 3000)


def install_speed_control(window) -> SpeedControl:
    """The control at the end of the training toolbar, with Slower/Faster in the Train menu."""
    control = SpeedControl(window)
    window.toolbar.addSeparator()
    window.toolbar.addWidget(control)
    window.train_menu.addSeparator()
    for text, key, direction in (("S&lower", "[", -1), ("&Faster", "]", +1)):
        act = QAction(text, window)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.WindowShortcut)
        act.setStatusTip(f"Train {text.replace('&', '').lower()} when playing ({key})")
        act.triggered.connect(lambda _=False, d=direction: control.step_speed(d))
        window.addAction(act)
        window.train_menu.addAction(act)
    return control
