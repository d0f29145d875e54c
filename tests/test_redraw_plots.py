"""The step plots stay right while they redraw cheaply: min/max summaries equal the data's, a
million-step plot draws a few thousand points and still ends at the last step, the axes follow
new data (in steps while it grows, exactly once it stops), zooming gets finer data, the
crosshair still finds recorded steps, and one refresh costs one paint."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPointF
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QApplication

from gui.plots.grad_norm_plot import GradNormPlot
from gui.plots.loss_plot import LossPlot
from gui.plots.step_axes import GRID_Z, FastGridAxis
from gui.plots.step_buffers import FACTOR, PeakLevels, running_mean
from tests.window_helpers import shown_widget

MILLION = 1_000_000


def shown(qtbot, plot, size=(700, 260)):
    return shown_widget(qtbot, plot, size)


def settle(plot) -> None:
    for _ in range(3):
        QApplication.processEvents()
    plot.grab()


def falling(n: int, start: int = 0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    steps = np.arange(start, start + n, dtype=float)
    noise = np.random.default_rng(seed).random(n)
    return steps, 1.0 / (1.0 + steps / 1000) + 0.01 * noise


# -- PeakLevels ---------------------------------------------------------------------------------
def direct_blocks(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    m = -(-values.shape[1] // size)
    padded = np.full((len(values), m * size), np.nan)
    padded[:, :values.shape[1]] = values
    blocks = padded.reshape(len(values), m, size)
    return np.fmin.reduce(blocks, axis=2), np.fmax.reduce(blocks, axis=2)


def test_peak_levels_updated_piece_by_piece_equal_the_direct_min_and_max():
    rng = np.random.default_rng(1)
    data = rng.standard_normal((2, 5000))
    data[0, 100:140] = np.nan  # a gap: NaN only where a whole block is NaN
    levels, filled = PeakLevels(), 0
    for k in [1, 3, 7, 250, 1, 1000, 13, 3725]:
        filled += k
        levels.update(data[:, :filled])
    assert levels.count == 5000 and levels.levels() >= 5
    for level in range(1, levels.levels() + 1):
        lo, hi = direct_blocks(data, FACTOR ** level)
        np.testing.assert_array_equal(levels._lo[level - 1].view(), lo)
        np.testing.assert_array_equal(levels._hi[level - 1].view(), hi)


def test_a_peak_window_keeps_the_extremes_and_both_ends():
    steps = np.arange(200_000, dtype=float)
    values = np.sin(steps / 5000)[None, :] * 1.0
    values[0, 123_457] = 9.0  # one spike, one step wide
    levels = PeakLevels()
    levels.update(values)
    x, y = levels.window(steps, values, 0, len(steps), 500)
    assert len(x) < 20_000  # a few pairs per pixel, not 200,000 points
    assert x[0] == 0 and x[-1] == steps[-1]
    assert np.nanmax(y) == 9.0 and np.nanmin(y) == pytest.approx(values.min())
    few_x, few_y = levels.window(steps, values, 1000, 1100, 500)  # zoomed in: the steps
    np.testing.assert_array_equal(few_x, steps[999:1101])
    np.testing.assert_array_equal(few_y, values[:, 999:1101])


def test_the_running_mean_is_the_recurrence_however_the_steps_are_split():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 700))
    x[0, :5] = np.nan  # no mean until the first value
    x[1, 300:320] = np.nan  # a gap holds the mean
    expected, m = np.empty_like(x), np.full(3, np.nan)
    for t in range(x.shape[1]):
        v = x[:, t]
        m = np.where(np.isnan(m), v, np.where(np.isfinite(v), m + 0.02 * (v - m), m))
        expected[:, t] = m
    whole, last = running_mean(x, None, 0.02)
    first, mid = running_mean(x[:, :123], None, 0.02)
    rest, _ = running_mean(x[:, 123:], mid, 0.02)
    np.testing.assert_array_equal(whole, expected)  # bit for bit
    np.testing.assert_array_equal(np.hstack([first, rest]), expected)
    np.testing.assert_array_equal(last, expected[:, -1])


def test_a_layer_whose_first_norm_is_missing_still_gets_a_smoothed_curve(qtbot):
    plot = shown(qtbot, GradNormPlot())
    plot.set_layers(2)
    plot.append(0, [float("nan"), 0.5])  # a diverged first step
    for step in range(1, 50):
        plot.append(step, [0.1, 0.5])
    plot.refresh()
    y = plot.curves[0].getData()[1]  # log10 on the log axis
    assert np.isnan(y[0]) and y[1:] == pytest.approx(-1.0)


# -- the plots ------------------------------------------------------------------------------------
def test_a_million_step_loss_plot_draws_few_points_up_to_the_last_step(qtbot):
    plot = shown(qtbot, LossPlot())
    steps, loss = falling(MILLION)
    plot.extend(steps, loss, loss * 1.1)
    plot.append(MILLION, 0.0005, 0.0006)
    plot.refresh()
    settle(plot)
    x, y = plot.train_curve.getData()
    assert plot.point_count() == MILLION + 1
    assert len(x) < 30_000
    assert x[-1] == MILLION  # the newest step is on screen
    assert np.nanmin(y) == 0.0005 and np.nanmax(y) == pytest.approx(loss.max())
    (x0, x1), (y0, y1) = plot.plot.getViewBox().viewRange()
    assert x0 <= 0 and x1 >= MILLION and y0 <= 0.0005 and y1 >= loss.max()
    assert plot.readout_at(MILLION) == "step 1000000 · train 0.0005 · test 0.0006"


def test_the_axes_follow_new_data_and_fit_exactly_once_it_stops(qtbot):
    plot = shown(qtbot, LossPlot())
    view, bottom = plot.plot.getViewBox(), plot.plot.getAxis("bottom")
    steps, loss = falling(3000)
    plot.extend(steps[:1000], loss[:1000])
    plot.refresh()
    settle(plot)
    for end in (1300, 2000, 3000):
        plot.extend(steps[end - 300 if end == 1300 else end - 700:end],
                    loss[end - 300 if end == 1300 else end - 700:end])
        plot.refresh()
        settle(plot)
        (x0, x1), (y0, y1) = view.viewRange()
        assert x0 <= 0 and steps[end - 1] <= x1  # the newest step is inside
        assert y0 <= loss[:end].min() and loss[:end].max() <= y1
        assert bottom.range == pytest.approx([x0, x1])  # the axis shows the view's range
    grown = view.viewRange()[0][1]
    assert grown > 2999 + 0.05 * 3000  # room to grow into while the data grow
    plot.refresh()  # asked again with nothing new (training stopped): the headroom goes
    settle(plot)
    fitted = view.viewRange()[0][1]
    assert 2999 <= fitted <= grown and fitted < 2999 + 0.05 * 3000


def test_a_zoomed_million_step_plot_shows_the_steps_themselves(qtbot):
    plot = shown(qtbot, LossPlot())
    steps, loss = falling(MILLION)
    plot.extend(steps, loss)
    plot.refresh()
    settle(plot)
    plot.plot.setXRange(500_000, 500_400, padding=0)  # as a zoom does: auto-range goes off
    settle(plot)
    x, y = plot.train_curve.getData()
    assert x[0] <= 500_000 and x[-1] >= 500_400 and len(x) < 1000
    np.testing.assert_array_equal(y, loss[int(x[0]):int(x[-1]) + 1])  # every step, exact
    plot.plot.getViewBox().enableAutoRange()  # the "A" button: the whole run again
    settle(plot)
    x, _ = plot.train_curve.getData()
    assert x[0] == 0 and x[-1] == MILLION - 1


def test_the_crosshair_finds_recorded_steps_in_a_million(qtbot):
    plot = shown(qtbot, LossPlot())
    steps, loss = falling(MILLION)
    plot.extend(steps, loss)
    plot.refresh()
    settle(plot)
    scene = plot.plot.getViewBox().mapViewToScene(QPointF(654_321.2, 0.2))
    plot._on_mouse_moved((scene,))
    step = plot.vline.value()
    assert abs(step - 654_321) < MILLION / 500  # within a pixel or so of the mouse
    assert step == int(step) and plot.readout.text().startswith(f"step {int(step)} ")
    assert plot.hline.value() == pytest.approx(loss[int(step)])


def test_a_million_step_log_plot_keeps_log_values_and_range(qtbot):
    plot = shown(qtbot, GradNormPlot())
    plot.set_layers(2)
    plot.smooth_check.setChecked(False)
    steps = np.arange(MILLION, dtype=float)
    norms = np.column_stack([np.full(MILLION, 1e-3), np.geomspace(1e-6, 1.0, MILLION)])
    plot.extend(steps, norms)
    plot.refresh()
    settle(plot)
    assert plot.plot.getAxis("left").logMode
    y = plot.curves[1].getData()[1]
    assert len(y) < 30_000
    assert np.nanmin(y) == pytest.approx(-6) and np.nanmax(y) == pytest.approx(0)
    y0, y1 = plot.plot.getViewBox().viewRange()[1]  # in log10 units on a log axis
    assert y0 <= -6 and y1 >= 0


class PaintCounter(QObject):
    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):
        self.count += event.type() == QEvent.Paint
        return False


def test_a_refresh_that_moves_the_range_paints_the_plot_once(qtbot):
    plot = shown(qtbot, LossPlot())
    steps, loss = falling(20_000)
    plot.extend(steps[:5000], loss[:5000])
    plot.refresh()
    settle(plot)
    counter = PaintCounter(plot.plot_widget.viewport())
    plot.extend(steps[5000:], loss[5000:])  # far past the headroom: the range changes
    plot.refresh()
    for _ in range(4):
        QApplication.processEvents()
    assert plot.plot.getViewBox().viewRange()[0][1] >= 19_999
    assert counter.count == 1  # not a second paint for what the range change moved


def test_grid_lines_are_opaque_and_under_the_curves(qtbot):
    plot = shown(qtbot, LossPlot())
    for name in ("bottom", "left"):
        axis = plot.plot.getAxis(name)
        assert isinstance(axis, FastGridAxis) and axis.zValue() == GRID_Z
        assert axis.zValue() < plot.plot.getViewBox().zValue()
    faint = QPen(QColor(150, 150, 150, 38))
    opaque = plot.plot.getAxis("bottom")._opaque(faint).color()
    assert opaque.alpha() == 255
    alpha = 38 / 255  # what the faint line looked like over the white background
    assert opaque.red() == round(255 + (150 - 255) * alpha)


def test_the_heatmap_is_kept_in_a_native_image_format(qtbot):
    from gui.plots.boundary_grid import grid_points
    from gui.plots.boundary_key import NATIVE_FORMAT
    from gui.plots.boundary_view import BoundaryView

    view = shown(qtbot, BoundaryView(), (420, 480))
    points = np.array([[-3.0, -3.0], [3.0, 3.0], [-3.0, 3.0], [3.0, -3.0]] * 10)
    view.set_data(points, np.arange(40) % 2, np.arange(30), np.arange(30, 40),
                  "classification", 2)
    grid = grid_points(20)
    view.set_output((grid[:, :1] > 0).astype(float) * 0.9 + 0.05)
    view.grab()
    assert view.image.qimage.format() == NATIVE_FORMAT
    lut = view.image.lut
    low = view.image.qimage.pixelColor(0, 0)  # x < 0: ŷ = 0.05, near the blue end
    level = int(round(0.05 * (len(lut) - 1)))
    assert math.isclose(low.red(), lut[level][0], abs_tol=3)
    assert math.isclose(low.blue(), lut[level][2], abs_tol=3)


def test_a_new_range_is_kept_while_the_data_stay_inside_it(qtbot):
    # A range just set leaves the data ~75 % of it (padding and headroom); the range must not
    # be "tightened" to the same range again at every refresh (each re-lays out the axes).
    # As short as the window's plots at 1600×1000: pyqtgraph pads a short view more.
    plot = shown(qtbot, LossPlot(), size=(800, 200))
    view = plot.plot.getViewBox()
    steps, loss = falling(3000)
    plot.extend(steps[:2000], loss[:2000])
    plot.refresh()
    settle(plot)
    ranges = []
    view.sigRangeChanged.connect(lambda *_: ranges.append(view.viewRange()))
    for end in range(2010, 2100, 10):  # a little more each time, inside the headroom
        plot.extend(steps[end - 10:end], loss[end - 10:end])
        plot.refresh()
        settle(plot)
    assert ranges == []


def test_a_plot_before_its_second_step_shows_a_plain_start(qtbot):
    # Issue 13, item 6: no legend over an empty plot, and no -0.5…0.5 step axis.
    from gui.plots.loss_plot import EMPTY_STEPS
    grad = shown(qtbot, GradNormPlot())
    grad.set_layers(3)
    grad.refresh()
    settle(grad)
    (x0, x1), (y0, y1) = grad.plot.getViewBox().viewRange()
    assert x0 <= 0 < EMPTY_STEPS <= x1 and x1 < 1.2 * EMPTY_STEPS
    assert -2.1 <= y0 < y1 <= 0.1  # log axis: 0.01 to 1, not odd powers
    assert not grad.legend.isVisible()
    loss = shown(qtbot, LossPlot())
    loss.append(0, 0.72, 0.71)
    loss.refresh()
    settle(loss)
    (x0, x1), (y0, y1) = loss.plot.getViewBox().viewRange()
    assert x0 <= 0 < EMPTY_STEPS <= x1 and y0 < 0.71 < 0.72 < y1 and loss.legend.isVisible()
    steps, values = falling(3000)
    loss.extend(steps, values)
    loss.refresh()
    settle(loss)
    assert loss.plot.getViewBox().viewRange()[0][1] >= 2999  # the data lead from here
