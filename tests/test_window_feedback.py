"""Feedback alignment in the window: the editor's gradient-signal option rebuilds (undoably),
and the alignment plot shows the engine's angles under FA and stays out of the way under
backprop."""

import numpy as np
import pytest

from engine.presets import load_preset
from engine.serialization import save_session, trainer_session
from engine.trainer import Trainer
from gui.plots.alignment_plot import AlignmentPlot
from tests.window_helpers import make_window, train


def fa_spec(preset="xor"):
    return load_preset(preset).replace(feedback="fa")


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_gradient_signal_option_lists_both_and_explains_fa(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "xor")
    combo = w.editor.feedback_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["backprop", "fa"]
    assert combo.itemText(0) == "backprop (Wᵀ)"
    assert combo.itemText(1) == "feedback alignment (fixed random B)"
    assert combo.currentData() == "backprop"  # the default
    assert "fixed random matrix B" in combo.toolTip()


def test_choosing_fa_rebuilds_and_undo_brings_backprop_back(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "xor")
    assert not w.alignment_plot.isVisibleTo(w)
    choose(w.editor.feedback_combo, "fa")
    qtbot.waitUntil(lambda: w.spec.feedback == "fa")
    trainer = w.worker.trainer
    assert trainer.spec.feedback == "fa"
    assert [layer.B is None for layer in trainer.network.layers] == [True, False]
    assert w.alignment_plot.isVisibleTo(w)
    assert w.undo_stack.undoText() == "gradient signal"

    w.undo_stack.undo()
    qtbot.waitUntil(lambda: w.spec.feedback == "backprop")
    assert w.worker.trainer.spec.feedback == "backprop"
    assert all(layer.B is None for layer in w.worker.trainer.network.layers)
    assert w.editor.feedback_combo.currentData() == "backprop"
    assert not w.alignment_plot.isVisibleTo(w)

    w.undo_stack.redo()
    qtbot.waitUntil(lambda: w.spec.feedback == "fa")
    assert w.editor.feedback_combo.currentData() == "fa"
    assert w.editor.spec().feedback == "fa"  # the next edit keeps it


def test_alignment_plot_draws_the_engines_angles_per_hidden_layer(qtbot, tmp_path):
    spec = fa_spec("playground")  # two hidden layers: 2-4-2-1
    w = make_window(qtbot, tmp_path, None)
    w.apply_spec(spec)
    qtbot.waitUntil(lambda: w.spec.feedback == "fa")
    assert w.editor.feedback_combo.currentData() == "fa"
    train(qtbot, w, 25)
    w.force_redraw()

    reference = Trainer(fa_spec("playground"))
    expected = np.array([reference.step().alignment for _ in range(25)])
    plot = w.alignment_plot
    assert [label.text for _, label in plot.legend.items] == ["layer 1", "layer 2"]
    steps, angles = plot.series()
    np.testing.assert_array_equal(steps, np.arange(1, 26))
    np.testing.assert_array_equal(angles, expected[:, :2])  # the output layer has no curve
    assert plot.smooth_check.isChecked()  # mini-batches: a running mean is drawn
    smoothed = [curve.yData.copy() for curve in plot.curves]
    assert all(np.isfinite(y).all() and 0 <= y.min() and y.max() <= 180 for y in smoothed)
    plot.smooth_check.setChecked(False)  # every raw value, as the engine gave it
    for curve, column, mean in zip(plot.curves, expected[:, :2].T, smoothed):
        np.testing.assert_array_equal(curve.yData, column)
        assert mean[0] == column[0] and not np.array_equal(mean, column)
    assert np.all(expected[:, 2] == 0)
    assert plot.note_text() == ""
    assert plot.plot.getAxis("left").labelText == "angle (°)"
    assert plot.plot.getAxis("bottom").labelText == "step"
    assert plot.readout.text() == "Angle: FA update vs true gradient"


def test_under_backprop_the_plot_is_hidden_and_says_why(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "xor")
    train(qtbot, w, 5)
    w.force_redraw()
    plot = w.alignment_plot
    assert not plot.isVisibleTo(w)
    assert plot.point_count() == 0
    assert "Only under feedback alignment" in plot.note_text()


def test_an_fa_session_reopens_with_its_angles_and_its_option(qtbot, tmp_path):
    trainer = Trainer(fa_spec("xor"))
    for _ in range(12):
        trainer.step()
    path = tmp_path / "fa.json"
    save_session(trainer_session(trainer), path)
    w = make_window(qtbot, tmp_path, None)
    w.files.open_path(str(path))
    qtbot.waitUntil(lambda: w.spec.feedback == "fa")
    assert w.editor.feedback_combo.currentData() == "fa"
    assert w.alignment_plot.isVisibleTo(w)
    steps, angles = w.alignment_plot.series()
    history = trainer.history.arrays()
    np.testing.assert_array_equal(steps, history["step"])
    np.testing.assert_array_equal(angles, history["alignment"][:, :1])


def test_the_plot_on_its_own_handles_gaps_big_angles_and_no_hidden_layer(qtbot):
    plot = AlignmentPlot()
    qtbot.addWidget(plot)
    plot.set_network(3, "fa")
    plot.append(1, (30.0, 60.0, 0.0))
    plot.append(2, (np.nan, 120.0, 0.0))  # a layer of dead ReLUs has no direction
    plot.append(3, None)  # a step without angles is no point
    plot.extend([4, 5], np.array([[np.nan] * 3, [45.0, 50.0, 0.0]]))
    plot.refresh()
    steps, angles = plot.series()
    np.testing.assert_array_equal(steps, [1, 2, 4, 5])
    assert angles[1, 1] == 120.0 and np.isnan(angles[1, 0])
    low, high = plot.plot.getViewBox().viewRange()[1]
    assert low <= 0 and 120 <= high <= 135  # 0–90° grows to show the 120°
    plot.clear()
    assert plot.point_count() == 0
    assert plot.plot.getViewBox().viewRange()[1][1] == pytest.approx(90 * 1.04, abs=4)
    plot.set_network(1, "fa")
    assert plot.curves == [] and "No hidden layer" in plot.note_text()
    plot.set_network(3, "backprop")
    assert "Only under feedback alignment" in plot.note_text()
