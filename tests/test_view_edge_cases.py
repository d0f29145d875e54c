"""The views under extreme numbers: a diverged run's losses (1e308, inf, NaN) on linear and log
axes, and float32 snapshots of all-zero, infinite or NaN weights in the node graph. Warnings are
errors here, and pytest-qt fails a test when a paint method raises."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from gui.graph import graph_layout
from gui.graph.graph_layout import MODES, graph_colors, pen_groups, place_nodes
from gui.graph.network_graph import NetworkGraph
from gui.plots.grad_norm_plot import GradNormPlot
from gui.plots.loss_plot import LossPlot, log_tick_label

pytestmark = pytest.mark.filterwarnings("error")

EXTREMES = [1.0, 1e308, 1.7e308, math.inf, 0.5, -math.inf, math.nan, 0.0, -1.0, -1e308,
            1e-320, 1e-300, 2.0]


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(520, 320)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("log_y", [False, True])
def test_loss_plot_draws_any_losses(qtbot, log_y):
    plot = shown(qtbot, LossPlot())
    plot.log_check.setChecked(log_y)
    for step, value in enumerate(EXTREMES):
        plot.append(step, value, EXTREMES[-1 - step])
        plot.refresh()
        plot.grab()  # paints: auto range, ticks and labels
    for flip in (not log_y, log_y):  # both axes over the same huge values
        plot.log_check.setChecked(flip)
        plot.grab()
        (x0, x1), (y0, y1) = plot.plot.getViewBox().viewRange()
        assert np.isfinite([x0, x1, y0, y1]).all()
    assert plot.point_count() == len(EXTREMES)
    assert plot.readout_at(1) == "step 1 · train 1e+308 · test 1e-300"  # the real numbers
    assert "train —" in plot.readout_at(3)  # inf is a gap


def test_linear_axis_draws_huge_losses_clipped_but_keeps_them(qtbot):
    plot = shown(qtbot, LossPlot())
    # Only huge values: pyqtgraph's range arithmetic once added both ends (inf) and raised
    # "Cannot set range" on every repaint.
    plot.extend([0, 1, 2], [1.7e308, 1e308, 1.5e308], [1.6e308, 1.1e308, 1.2e308])
    plot.refresh()
    plot.grab()
    (y0, y1) = plot.plot.getViewBox().viewRange()[1]
    assert np.isfinite([y0, y1]).all()
    assert np.isfinite(plot.train_curve.getData()[1]).all()
    assert plot.readout_at(0) == "step 0 · train 1.7e+308 · test 1.6e+308"
    plot.log_check.setChecked(True)  # the log axis gets the real values
    assert plot.train_curve.getData()[1][0] == pytest.approx(math.log10(1.7e308))
    plot.grab()
    plot.log_check.setChecked(False)
    plot.clear()
    plot.extend([0, 1], [0.5, 0.25])
    plot.refresh()
    assert list(plot.train_curve.getData()[1]) == [0.5, 0.25]


def test_log_tick_labels_never_overflow(qtbot):
    assert [log_tick_label(v) for v in (0, math.log10(2), math.log10(5), -3, 6)] == [
        "1", "2", "5", "0.001", "1e+06"]
    assert log_tick_label(2.9999999999) == "1000"  # a rounded exponent keeps its label
    assert log_tick_label(math.log10(3)) == ""  # minor ticks stay unlabelled
    assert log_tick_label(308 + math.log10(2)) == "2e+308"  # past the float maximum
    assert log_tick_label(400) == "1e+400"
    assert log_tick_label(-400) == "1e-400"
    assert [log_tick_label(v) for v in (math.inf, -math.inf, math.nan)] == ["", "", ""]
    axis = shown(qtbot, LossPlot()).plot.getAxis("left")
    labels = axis.logTickStrings([-400.0, 0.0, 308.5, 1e6, math.inf, math.nan], 1.0, 1.0)
    assert labels == ["1e-400", "1", "", "1e+1000000", "", ""]
    assert axis.logTickStrings([0.0], 0.0, 1.0) == [""]  # a meaningless scale: no label


@pytest.mark.parametrize("log_y", [True, False])
def test_grad_norm_plot_draws_any_norms(qtbot, log_y):
    plot = shown(qtbot, GradNormPlot())
    plot.set_layers(2)
    plot.log_check.setChecked(log_y)
    for step, value in enumerate(EXTREMES):
        plot.append(step, [value, EXTREMES[-1 - step]])
    for smooth in (True, False):
        plot.smooth_check.setChecked(smooth)
        plot.refresh()
        plot.grab()
    plot.log_check.setChecked(not log_y)
    plot.grab()
    for curve in plot.curves:
        y = curve.getData()[1]
        assert not np.isinf(y).any()  # gaps are NaN, never ±inf


def float32_stats(sizes, fill=0.0, weights=None) -> SimpleNamespace:
    """A StepStats-like snapshot of a float32 run, every number `fill` unless weights given."""
    def full(*shape):
        return np.full(shape, fill, np.float32)

    return SimpleNamespace(
        neuron_grads=tuple(full(n) for n in sizes),
        neuron_activations=tuple(full(n) for n in sizes),
        weight_grads=tuple(full(a, b) for a, b in zip(sizes, sizes[1:])),
        weights=weights or tuple(full(a, b) for a, b in zip(sizes, sizes[1:])),
        biases=tuple(full(n) for n in sizes[1:]))


SIZES = (2, 4, 3, 1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("log", [False, True])
def test_float32_zero_weights_give_finite_colours_and_widths(mode, log):
    layout = place_nodes(SIZES, 500, 300, 30, 20, 20)
    stats = float32_stats(SIZES)
    assert graph_layout.stats_fit(SIZES, stats)
    c = graph_colors(layout, stats, mode, log, None)
    assert np.array_equal(c.edge_widths, np.full(len(layout.seg), 0.5))  # all equally thin
    assert c.nodes.dtype == np.uint8 and c.edges.dtype == np.uint8
    assert all(math.isfinite(v) for v in c.bar[2:4])
    pen_groups(c.edges, c.edge_widths)
    zeros = np.zeros((4, 3), np.float32)  # the stepper's |ΔW| of a zero update
    lit = graph_colors(layout, stats, mode, log, (2, "update", zeros))
    assert np.isfinite(lit.edge_widths).all()


def test_non_finite_weights_give_finite_colours_and_widths():
    layout = place_nodes(SIZES, 500, 300, 30, 20, 20)
    w = [np.array(x, np.float32) for x in (
        [[1.0, -np.inf, np.nan, 0.5], [0.0, 2.0, -1.0, np.inf]],
        np.full((4, 3), np.nan), [[np.inf], [0.0], [1e-45]])]
    stats = float32_stats(SIZES, fill=np.nan, weights=tuple(w))
    stats.neuron_grads = tuple(np.array([np.inf] + [1.0] * (n - 1), np.float32) for n in SIZES)
    for mode in MODES:
        for log in (False, True):
            c = graph_colors(layout, stats, mode, log, None)
            assert np.isfinite(c.edge_widths).all()
            assert all(math.isfinite(v) for v in c.bar[2:4])
            pen_groups(c.edges, c.edge_widths)
    widths = graph_layout.edge_widths(SIZES, stats)
    assert widths[1] == widths.max() and widths[2] == widths.min()  # inf widest, NaN thinnest


@pytest.mark.parametrize("fill", [0.0, np.nan])
def test_network_graph_paints_a_float32_snapshot(qtbot, fill):
    graph = shown(qtbot, NetworkGraph())
    graph.set_architecture(list(SIZES), ["x₁", "x₂"], ["tanh", "relu", "sigmoid"])
    graph.set_stats(float32_stats(SIZES, fill))
    for mode in MODES:
        graph.set_mode(mode)
        for log in (False, True):
            graph.set_log_scale(log)
            graph.grab()
            assert all(text for text in graph.colorbar_text())
    graph.set_highlight(1, "update", np.zeros((2, 4), np.float32))
    graph.grab()
