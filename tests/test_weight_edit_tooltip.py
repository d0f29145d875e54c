"""Issue 13, item 9: "right after editing a weight by clicking it, its tooltip says
|∂L/∂W| = 0". The edited weight's tooltip must report the engine's gradient at the new weights:
the worker reports the state after the edit with the gradients of the first training batch
(Trainer.current_stats), and the tooltip shows that report."""

import copy
import re

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from engine.presets import load_preset
from gui.playground.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(load_preset("playground"), settings=settings)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_outputs is not None)
    return w


def tooltip_gradient(text: str) -> float:
    return float(re.search(r"\|∂L/∂W\| = ([^\s\n]+)", text).group(1))


@pytest.mark.parametrize("layer, i, j, value", [(2, 1, 0, 1.25), (1, 0, 3, -0.8), (3, 1, 0, 2.0)])
def test_an_edited_weights_tooltip_shows_its_gradient(qtbot, window, layer, i, j, value):
    w = window
    assert not w.playing
    w.sigStep.emit(25)  # trained a little: not the initial weights
    qtbot.waitUntil(lambda: w.latest_stats.step == 25)
    w.graph.sigWeightEdited.emit(layer, i, j, value)
    qtbot.waitUntil(lambda: w.latest_stats.weights[layer - 1][i, j] == value)
    w.force_redraw()
    reported = float(w.latest_stats.weight_grads[layer - 1][i, j])
    assert reported > 0
    # the engine's own gradient at the edited weights, on the same first batch
    trainer = w.worker.call(lambda: copy.deepcopy(w.worker.trainer))
    assert trainer.network.layers[layer - 1].W[i, j] == value
    batch = slice(0, trainer.batch_size)
    trainer.network.forward(trainer.X_train[batch])
    trainer.network.backward(trainer.Y_train[batch])
    direct = abs(float(trainer.network.layers[layer - 1].dW[i, j]))
    assert reported == pytest.approx(direct, rel=1e-12)
    text = w.graph.edge_text(layer, i, j)
    assert text.startswith(f"W{'¹²³'[layer - 1]}[{i + 1}→{j + 1}] = {value:.4g}")
    assert tooltip_gradient(text) == pytest.approx(direct, rel=1e-3) and tooltip_gradient(text) > 0


def test_the_tooltip_follows_later_steps_too(qtbot, window):
    w = window
    w.graph.sigWeightEdited.emit(2, 0, 1, 0.5)
    qtbot.waitUntil(lambda: w.latest_stats.weights[1][0, 1] == 0.5)
    w.sigStep.emit(1)
    qtbot.waitUntil(lambda: w.latest_stats.step == 1)
    w.force_redraw()
    grad = float(w.latest_stats.weight_grads[1][0, 1])
    assert tooltip_gradient(w.graph.edge_text(2, 0, 1)) == pytest.approx(grad, rel=1e-3)
    assert np.isfinite(grad)
