"""The decision-boundary view, the loss plot and the gradient-norm plot, fed with real engine
data (the playground spec, blobs, a regression plane, the 1-D worked example)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtWidgets import QApplication

from engine.datasets import EXTENT
from engine.presets import load_preset
from engine.spec import Spec
from engine.trainer import Trainer
from gui.plots.boundary_grid import grid_points, line_points
from gui.plots.boundary_view import CLASS_COLORS, OUTPUT_TITLE, BoundaryView
from gui.plots.grad_norm_plot import GradNormPlot
from gui.plots.loss_plot import NORM_FLOOR, GrowingColumns, LossPlot

BLOBS = dict(dataset="blobs", classes=4, output_activation="softmax", loss="ce",
             learning_rate=0.3)
REGRESSION = dict(dataset="regress-plane", output_activation="linear", loss="mse")


def trained(spec: Spec, steps: int = 60) -> Trainer:
    t = Trainer(spec)
    for _ in range(steps):
        t.step()
    return t


@pytest.fixture(scope="module")
def playground():
    return trained(Spec())


@pytest.fixture(scope="module")
def blobs():
    return trained(Spec(**BLOBS), 100)


def make_view(qtbot, t: Trainer | None = None, show: bool = False) -> BoundaryView:
    view = BoundaryView()
    qtbot.addWidget(view)
    view.resize(420, 480)
    if t is not None:
        d = t.data
        view.set_data(d.points, d.labels, d.train_idx, d.test_idx, d.task, d.n_classes)
    if show:
        view.show()
        qtbot.waitExposed(view)
    return view


def image_rect(view: BoundaryView) -> QRectF:
    return view.image.mapRectToParent(view.image.boundingRect())


# -- boundary view ----------------------------------------------------------------------------
def test_grid_points_are_row_major_pixel_centres_inside_the_extent():
    g = grid_points(100)
    assert g.shape == (10_000, 2)
    assert np.all(np.abs(g) < EXTENT)
    assert g[1, 0] > g[0, 0] and g[1, 1] == g[0, 1]  # columns step along x
    assert g[100, 1] > g[0, 1] and g[100, 0] == g[0, 0]  # rows step along y
    np.testing.assert_allclose(g[0], [-EXTENT + 0.06, -EXTENT + 0.06])


def test_binary_output_fills_the_extent_with_pixels_where_their_points_are(qtbot, playground):
    view = make_view(qtbot, playground)
    grid = grid_points()
    out = playground.predict(grid)
    out.flags.writeable = False  # views must not need to write into what they are given
    view.set_output(out)
    img = view.image.image
    assert img.shape == (100, 100)
    assert image_rect(view) == QRectF(-EXTENT, -EXTENT, 2 * EXTENT, 2 * EXTENT)
    assert view.image.levels is not None and tuple(view.image.levels) == (0, 1)
    assert view.image.lut.shape == (256, 4)
    # Pixel (row, col) sits over grid point row * 100 + col and shows its output.
    row, col = 17, 83
    centre = view.image.mapToParent(QPointF(col + 0.5, row + 0.5))
    np.testing.assert_allclose([centre.x(), centre.y()], grid[row * 100 + col], atol=1e-9)
    assert img[row, col] == pytest.approx(out[row * 100 + col, 0])
    assert view.title.text() == OUTPUT_TITLE


def test_multiclass_pixels_take_the_argmax_class_colour(qtbot, blobs):
    view = make_view(qtbot, blobs)
    probs = blobs.predict(grid_points())
    view.set_output(probs)
    img = view.image.image
    assert img.shape == (100, 100, 4) and img.dtype == np.uint8
    flat = img.reshape(-1, 4)[:, :3].astype(float)
    confident = np.flatnonzero(probs.max(axis=1) > 0.8)
    assert confident.size > 1000
    # Each pixel is its argmax class colour blended toward white: same direction from white.
    away_from_white = 255 - CLASS_COLORS
    away_from_white /= np.linalg.norm(away_from_white, axis=1, keepdims=True)
    for i in confident[::97]:
        assert np.argmax(away_from_white @ (255 - flat[i])) == np.argmax(probs[i])
    # Uncertain pixels are paler (closer to white) than confident ones.
    unsure = np.argmin(probs.max(axis=1))
    assert flat[unsure].sum() > flat[confident[0]].sum()


def test_regression_levels_are_symmetric_around_zero(qtbot):
    t = trained(Spec(**REGRESSION), 30)
    view = make_view(qtbot, t)
    view.set_output(t.predict(grid_points()))
    r = np.max(np.abs(t.data.labels))
    lo, hi = view.image.levels
    assert lo == pytest.approx(-r) and hi == pytest.approx(r)
    assert "targets" not in view.key.text() and "ŷ" in view.key.text()


def test_discretize_thresholds_the_output(qtbot, playground, blobs):
    view = make_view(qtbot, playground)
    view.set_output(playground.predict(grid_points()))
    smooth = view.image.image.copy()
    view.discretize_check.setChecked(True)
    hard = view.image.image
    assert len(np.unique(smooth)) > 100
    assert len(np.unique(hard)) == 2
    above = (playground.predict(grid_points())[:, 0] > 0.5).reshape(100, 100)
    assert np.all((hard > 0.5) == above)

    view = make_view(qtbot, blobs)
    view.set_output(blobs.predict(grid_points()))
    view.discretize_check.setChecked(True)
    colours = np.unique(view.image.image.reshape(-1, 4), axis=0)
    assert len(colours) <= 4  # one flat colour per class


def test_show_test_checkbox_hides_test_points(qtbot, playground):
    view = make_view(qtbot, playground)
    d = playground.data
    assert len(view.train_scatter.data) == len(d.train_idx)
    assert len(view.test_scatter.data) == len(d.test_idx)
    assert view.test_scatter.isVisible()
    view.show_test_check.setChecked(False)
    assert not view.test_scatter.isVisible() and view.train_scatter.isVisible()
    view.show_test_check.setChecked(True)
    assert view.test_scatter.isVisible()
    assert view.show_test_check.toolTip() and view.discretize_check.toolTip()


def test_neuron_overlay_replaces_the_output_and_clears(qtbot, playground):
    view = make_view(qtbot, playground)
    grid = grid_points()
    out = playground.predict(grid)
    view.set_output(out)
    neuron = playground.neuron_outputs(grid)[1][:, 2]  # hidden layer 1 (tanh), neuron 3
    view.set_overlay(neuron, "hidden 1, neuron 3")
    assert view.title.text() == "hidden 1, neuron 3"
    np.testing.assert_allclose(view.image.image.ravel(), neuron)
    m = np.max(np.abs(neuron))
    assert tuple(view.image.levels) == pytest.approx((-m, m))
    # A new network output while hovering keeps the overlay on screen.
    view.set_output(out * 0.5)
    np.testing.assert_allclose(view.image.image.ravel(), neuron)
    view.set_overlay(None, "")
    assert view.title.text() == OUTPUT_TITLE
    np.testing.assert_allclose(view.image.image.ravel(), out[:, 0] * 0.5)
    # A sigmoid-range neuron gets 0..1 levels.
    view.set_overlay(out[:, 0], "output, neuron 1")
    assert tuple(view.image.levels) == (0, 1)


def _click_at(qtbot, view: BoundaryView, x: float, y: float) -> None:
    scene = view.plot.getViewBox().mapViewToScene(QPointF(x, y))
    pos = view.plot_widget.mapFromScene(scene)
    qtbot.mouseClick(view.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_clicking_a_point_emits_its_original_index(qtbot, playground):
    view = make_view(qtbot, playground, show=True)
    d = playground.data
    # A training point and a test point that no other point overlaps.
    for pool in (d.train_idx, d.test_idx):
        gaps = [np.delete(np.linalg.norm(d.points - d.points[i], axis=1), i).min() for i in pool]
        index = int(pool[int(np.argmax(gaps))])
        with qtbot.waitSignal(view.sigPointClicked, timeout=1000) as blocker:
            _click_at(qtbot, view, *d.points[index])
        assert blocker.args == [index]
    # A click on empty space emits nothing.
    empty = np.array([5.8, -5.8])
    assert np.linalg.norm(d.points - empty, axis=1).min() > 0.8
    with qtbot.assertNotEmitted(view.sigPointClicked):
        _click_at(qtbot, view, *empty)


def test_select_point_draws_and_removes_a_ring(qtbot, playground):
    view = make_view(qtbot, playground)
    index = int(playground.data.test_idx[5])
    view.select_point(index)
    x, y = view.highlight.getData()
    np.testing.assert_allclose([x[0], y[0]], playground.data.points[index])
    view.select_point(None)
    assert len(view.highlight.getData()[0]) == 0


def test_one_d_worked_example_shows_a_curve(qtbot):
    t = Trainer(load_preset("worked-example"))
    view = make_view(qtbot, t)
    xs = line_points(t.data.points)
    assert xs.shape == (200, 1) and xs.min() < 2 < xs.max()
    y_hat = t.predict(xs)
    view.set_output(y_hat)
    assert not view.image.isVisible()
    cx, cy = view.curves[0].getData()
    np.testing.assert_allclose(cx, xs[:, 0])
    np.testing.assert_allclose(cy, y_hat[:, 0])
    px, py = view.train_scatter.getData()
    assert (px[0], py[0]) == (2.0, 1.0)  # the point is drawn at (x, label)
    hidden = t.neuron_outputs(xs)[1][:, 0]
    view.set_overlay(hidden, "hidden 1, neuron 1")
    np.testing.assert_allclose(view.curves[0].getData()[1], hidden)
    view.set_overlay(None, "")
    np.testing.assert_allclose(view.curves[0].getData()[1], y_hat[:, 0])


def test_more_than_two_inputs_show_a_message(qtbot):
    rng = np.random.default_rng(0)
    points, labels = rng.normal(size=(20, 5)), (np.arange(20) % 2).astype(float)
    view = make_view(qtbot)
    view.set_data(points, labels, np.arange(15), np.arange(15, 20), "classification", 2)
    assert view.stack.currentWidget() is view.message
    assert "needs 2-D inputs" in view.message.text() and "5 features" in view.message.text()
    view.set_output(np.zeros((20, 1)))  # ignored, no error
    view.set_overlay(np.zeros(20), "hidden 1, neuron 1")
    assert not view.discretize_check.isEnabled()
    # Back to a 2-D dataset: the plot returns.
    view.set_data(points[:, :2], labels, np.arange(15), np.arange(15, 20), "classification", 2)
    assert view.stack.currentWidget() is view.plot_widget


def points_in(curve) -> int:
    return 0 if curve.xData is None else len(curve.xData)


# -- loss plot --------------------------------------------------------------------------------
def test_growing_columns_double_and_keep_their_data():
    buf = GrowingColumns(2, capacity=4)
    for i in range(10):
        buf.extend(np.array([[i], [i * i]], dtype=float))
    assert buf.count == 10 and buf._data.shape[1] == 16
    np.testing.assert_array_equal(buf.view()[1], np.arange(10) ** 2)


def test_loss_plot_appends_and_refreshes_real_losses(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    t = Trainer(Spec())
    for _ in range(50):
        t.step()
        s = t.stats()
        plot.append(s.step, s.train_loss, s.test_loss)
    assert plot.point_count() == 50
    plot.refresh()
    x, y = plot.train_curve.getData()
    assert len(x) == 50 and y[-1] == pytest.approx(s.train_loss)
    assert plot.test_curve.getData()[1][-1] == pytest.approx(s.test_loss)
    assert plot.plot.getAxis("bottom").labelText == "step"
    assert plot.plot.getAxis("left").labelText == "loss"
    assert plot.plot.ctrlMenu is not None  # pyqtgraph's menu (with Export…) stays available
    plot.clear()
    assert plot.point_count() == 0 and points_in(plot.train_curve) == 0


def test_loss_plot_takes_half_a_million_points(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    plot.show()
    n = 500_000
    steps = np.arange(n)
    plot.extend(steps, 1 / (1 + steps), 2 / (1 + steps))
    for i in range(n, n + 100):
        plot.append(i, 1e-6, None)
    plot.refresh()
    plot.grab()
    assert plot.point_count() == n + 100
    assert plot.readout_at(n + 99).startswith(f"step {n + 99} ")  # all kept; drawn downsampled
    assert len(plot.train_curve.getData()[0]) < n / 10


def test_readout_names_the_nearest_step(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.append(1000, 0.5, 0.6)
    plot.append(1234, 0.04123, 0.053)
    plot.append(1300, 0.03, None)
    assert plot.readout_at(1240.2) == "step 1234 · train 0.0412 · test 0.0530"
    assert plot.readout_at(-50) == "step 1000 · train 0.5000 · test 0.6000"
    assert plot.readout_at(9999) == "step 1300 · train 0.0300 · test —"
    plot.show()
    plot.refresh()
    qtbot.waitExposed(plot)
    plot.grab()  # paints, which applies the auto range
    scene = plot.plot.getViewBox().mapViewToScene(QPointF(1236, 0.2))
    plot._on_mouse_moved((scene,))
    assert plot.readout.text().startswith("step 1234")
    # the crosshair sits on the recorded step and on the curve, not on the mouse
    assert plot.vline.isVisible() and plot.vline.value() == 1234
    assert plot.hline.isVisible() and plot.hline.value() == pytest.approx(0.04123)
    # The mouse onto the axis below: nothing to read there.
    view = plot.plot.getViewBox().sceneBoundingRect()
    plot._on_mouse_moved((QPointF(view.center().x(), view.bottom() + 6),))
    assert not plot.vline.isVisible() and plot.readout.text() == ""
    plot._on_mouse_moved((scene,))
    assert plot.vline.isVisible()
    # The mouse leaves the widget: Qt says so to the widget under it, the view's viewport.
    QApplication.sendEvent(plot.plot_widget.viewport(), QEvent(QEvent.Leave))
    assert not plot.vline.isVisible() and not plot.hline.isVisible()
    assert plot.readout.text() == ""
    plot.extend([5_000_000], [7.0])  # a run far out of the view …
    plot.clear()  # … and a rebuild: the next run's axes follow its own data again
    assert plot.plot.getViewBox().autoRangeEnabled()[0]


def test_log_toggle_and_non_finite_losses(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.append(0, 1.0, None)
    plot.append(1, float("nan"), None)
    plot.append(2, float("inf"), None)
    plot.append(3, 0.0, None)
    plot.append(4, 0.1, None)
    plot.log_check.setChecked(True)
    plot.refresh()
    assert plot.plot.getAxis("left").logMode
    y = plot.train_curve.getData()[1]  # log10 of the losses; gaps are NaN
    assert y[0] == 0 and y[4] == pytest.approx(-1) and np.isnan(y[1:4]).all()
    (x0, x1), (y0, y1) = plot.plot.getViewBox().viewRange()
    assert np.isfinite([x0, x1, y0, y1]).all()
    assert points_in(plot.test_curve) == 0  # no test set: no test curve
    labels = [label.text for _, label in plot.legend.items]
    assert "test set" not in labels and "train set" in labels
    plot.log_check.setChecked(False)
    assert not plot.plot.getAxis("left").logMode


def test_grad_norm_plot_for_seven_layers(qtbot):
    plot = GradNormPlot()
    qtbot.addWidget(plot)
    t = Trainer(load_preset("vanishing"))
    plot.set_layers(len(t.network.layers))
    assert len(plot.curves) == 7
    for _ in range(20):
        s = t.step()
        plot.append(s.step, s.grad_norms)
    plot.append(21, np.zeros(7))  # zero gradients must not break the log axis
    plot.smooth_check.setChecked(False)  # raw values; smoothing is checked below
    plot.refresh()
    assert plot.point_count() == 21 and plot.log_check.isChecked()
    assert [label.text for _, label in plot.legend.items] == [f"layer {i}" for i in range(1, 8)]
    first = plot.curves[0].getData()[1]
    last = plot.curves[6].getData()[1]
    assert np.median(first[:20]) < np.median(last[:20]) - 1  # vanishing: decades apart (log10)
    assert first[20] == pytest.approx(np.log10(NORM_FLOOR))
    colours = {c.opts["pen"].color().name() for c in plot.curves}
    assert len(colours) == 7
    plot.smooth_check.setChecked(True)  # a running mean in log space: between the raw extremes
    smooth = plot.curves[0].getData()[1]
    assert np.isfinite(smooth).all() and smooth[0] == pytest.approx(first[0])
    assert first[:20].min() <= smooth[19] <= first[:20].max()
    with pytest.raises(ValueError):
        plot.append(22, np.ones(3))
    plot.set_layers(2)
    assert len(plot.curves) == 2 and plot.point_count() == 0
    plot.clear()


def test_grad_norm_history_in_bulk_equals_step_by_step(qtbot):
    from gui.plots.grad_norm_plot import GradNormPlot

    rng = np.random.default_rng(0)
    steps, norms = np.arange(1, 5001), rng.lognormal(size=(5000, 3))
    norms[17, 1] = 0.0  # drawn at the floor, as when appended
    one, bulk = GradNormPlot(), GradNormPlot()
    for plot in (one, bulk):
        qtbot.addWidget(plot)
        plot.set_layers(3)
    for step, row in zip(steps, norms):
        one.append(step, row)
    bulk.extend(steps[:100], norms[:100])
    bulk.extend(steps[100:], norms[100:])
    one.refresh()
    bulk.refresh()
    assert one.point_count() == bulk.point_count() == 5000
    for a, b in zip(one.curves, bulk.curves):
        np.testing.assert_array_equal(a.getOriginalDataset()[1], b.getOriginalDataset()[1])
