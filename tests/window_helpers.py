"""Helpers shared by the window tests: a window on private settings, training it, and comparing
its weights with a headless run."""

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings

from engine.presets import load_preset
from engine.trainer import Trainer
from gui.playground.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent


def make_window(qtbot, tmp_path, preset="xor", **kwargs):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(load_preset(preset) if preset else None, settings=settings, **kwargs)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_outputs is not None)
    return w


def shown_widget(qtbot, widget, size):
    """A lone view shown at `size` (its layout, legends and axes depend on it)."""
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown_window(qtbot, tmp_path, size, preset="xor"):
    """make_window, shown at `size` (the step-through and presentation mode depend on it)."""
    w = make_window(qtbot, tmp_path, preset)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w


def train(qtbot, w, steps):
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    target = w.latest_stats.step + steps
    w.sigStep.emit(steps)
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == target)


def weights(w):
    return [W.copy() for W in w.latest_stats.weights] + [b.copy() for b in w.latest_stats.biases]


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def headless(preset, steps):
    t = Trainer(load_preset(preset))
    for _ in range(steps):
        t.step()
    return [layer.W.copy() for layer in t.network.layers] + [
        layer.b.copy() for layer in t.network.layers]
