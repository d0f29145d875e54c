"""How the plots read (issue 13): legends and axis labels in a short plot, the boundary view's
axis names for CSV data, and the text scale of presentation mode."""

import numpy as np
import pytest
from PySide6.QtCore import QRectF, QSettings

from gui.plots.alignment_plot import AlignmentPlot
from gui.plots.boundary_view import BoundaryView
from gui.plots.grad_norm_plot import GradNormPlot
from gui.plots.loss_plot import LossPlot
from tests.window_helpers import shown_widget


def shown(qtbot, widget, size=(480, 110)):
    return shown_widget(qtbot, widget, size)


def settle(qtbot, plot):
    for _ in range(3):  # layouts settle over a few event-loop turns
        qtbot.wait(20)
        if hasattr(plot, "refresh"):
            plot.refresh()


def filled(plot, layers=3):
    steps = np.arange(300)
    if isinstance(plot, LossPlot):
        plot.extend(steps, np.linspace(0.72, 0.69, 300), np.linspace(0.71, 0.69, 300))
    elif isinstance(plot, GradNormPlot):
        plot.set_layers(layers)
        plot.extend(steps, np.random.default_rng(0).uniform(0.05, 1.0, (300, layers)))
    else:
        plot.set_network(layers + 1, "fa")
        plot.extend(steps, np.random.default_rng(0).uniform(10, 80, (300, layers)))
    plot.refresh()
    return plot


def text_rect(item) -> QRectF:
    """Where an axis label (a QGraphicsTextItem) is drawn, without its document's margin."""
    m = item.document().documentMargin()
    return item.sceneBoundingRect().adjusted(m, m, -m, -m)


# -- legends and labels in a short plot --------------------------------------------------------
@pytest.mark.parametrize("make", [LossPlot, GradNormPlot, AlignmentPlot])
@pytest.mark.parametrize("size", [(480, 110), (480, 150), (900, 300)])
def test_a_short_plot_keeps_its_legend_and_labels_whole(qtbot, make, size):
    plot = shown(qtbot, filled(make()), size)
    settle(qtbot, plot)
    scene = QRectF(plot.plot_widget.rect())
    view = plot.plot.getViewBox().sceneBoundingRect()
    legend = plot.legend.sceneBoundingRect()
    assert plot.legend.isVisible() and len(plot.legend.items) >= 2
    assert scene.contains(legend), (legend, scene)
    overlap = legend.intersected(view)
    assert min(overlap.width(), overlap.height()) < 1, "the legend hides no curve"
    for side in ("bottom", "left"):
        axis = plot.plot.getAxis(side)
        assert scene.contains(text_rect(axis.label)), (side, text_rect(axis.label), scene)
    bottom = plot.plot.getAxis("bottom").sceneBoundingRect()
    assert bottom.bottom() <= scene.bottom() + 0.5  # the tick labels too


def test_many_layers_in_a_short_plot_still_fit(qtbot):
    plot = shown(qtbot, filled(GradNormPlot(), layers=7), (560, 110))
    settle(qtbot, plot)
    scene = QRectF(plot.plot_widget.rect())
    assert scene.contains(plot.legend.sceneBoundingRect())
    assert scene.contains(text_rect(plot.plot.getAxis("bottom").label))
    assert [label.text for _, label in plot.legend.items] == [f"layer {i}" for i in range(1, 8)]


# -- the boundary view's axis names ------------------------------------------------------------
def square_data(n=40):
    rng = np.random.default_rng(0)
    points = rng.uniform(-5, 5, (n, 2))
    return points, (points[:, 0] > 0).astype(float), np.arange(n // 2), np.arange(n // 2, n)


def test_the_boundary_axes_show_the_column_names(qtbot):
    view = BoundaryView()
    qtbot.addWidget(view)
    points, labels, train, test = square_data()
    view.set_data(points, labels, train, test, "classification", 2)
    assert view.axis_names() == ("x₁", "x₂")
    view.set_data(points, labels, train, test, "classification", 2,
                  column_names=("sepal length", "petal width"))
    assert view.axis_names() == ("sepal length", "petal width")
    view.set_data(points, labels, train, test, "classification", 2)  # data without a header
    assert view.axis_names() == ("x₁", "x₂")
    view.set_data(points[:, :1], labels, train, test, "classification", 2, column_names=["age"])
    assert view.axis_names() == ("age", "ŷ")


def csv_window(qtbot, tmp_path, features):
    from engine.spec import Spec
    from gui.playground.main_window import MainWindow
    path = tmp_path / "named.csv"
    path.write_text("sepal length,petal width,label\n" + "".join(
        f"{i / 10},{(i * 3 % 10) / 10},{i % 2}\n" for i in range(20)))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    w = MainWindow(Spec(dataset="csv", csv_path=str(path), features=features), settings=settings)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    return w


@pytest.mark.parametrize("features", [[], ["x1", "x2", "x1^2"]])
def test_a_csv_header_names_the_boundary_axes(qtbot, tmp_path, features):
    # with input features too: the plane's axes are still the raw columns, not x₁²
    w = csv_window(qtbot, tmp_path, features)
    qtbot.waitUntil(lambda: w.worker.call(lambda: w.worker.trainer.X.shape[1])
                    == max(2, len(features)))
    assert w.boundary.axis_names() == ("sepal length", "petal width")
    assert "sepal length" in w.boundary.plot.getAxis("bottom").label.toPlainText()


# -- text scale ----------------------------------------------------------------------------
def tick_points(axis) -> float:
    font = axis.style["tickFont"]
    return font.pointSizeF() if font is not None else axis.font().pointSizeF()


@pytest.mark.parametrize("make", [LossPlot, GradNormPlot, AlignmentPlot, BoundaryView])
def test_text_scale_grows_ticks_labels_and_legends_and_1_restores(qtbot, make):
    widget = make() if make is BoundaryView else filled(make())
    if make is BoundaryView:
        widget.set_data(*square_data(), "classification", 2)
    shown(qtbot, widget, (600, 400))
    widget.grab()  # the ticks are measured as they are drawn
    settle(qtbot, widget)
    plot = widget.plot
    left, bottom = plot.getAxis("left"), plot.getAxis("bottom")
    before = (tick_points(left), left.width(), bottom.height(), dict(left.labelStyle),
              widget.grab().toImage())
    widget.set_text_scale(2.0)
    settle(qtbot, widget)
    assert tick_points(left) == pytest.approx(2 * before[0])
    assert tick_points(bottom) == pytest.approx(2 * before[0])
    assert left.width() > before[1] and bottom.height() > before[2]  # room for the ticks
    assert left.labelStyle["font-size"] == f"{2 * before[0]:g}pt"
    if make is not BoundaryView:
        assert widget.legend.opts["labelTextSize"] == f"{2 * 9:g}pt"
    widget.set_text_scale(1.0)
    settle(qtbot, widget)
    assert left.style["tickFont"] is None and bottom.style["tickFont"] is None
    assert (tick_points(left), left.width(), bottom.height(), left.labelStyle) == before[:4]
    assert widget.grab().toImage() == before[4], "1.0 is exactly the normal look"


def test_text_scale_rejects_nonsense(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    with pytest.raises(ValueError):
        plot.set_text_scale(float("nan"))
    plot.set_text_scale(100)  # clamped, not refused
    assert plot.plot.getAxis("left").style["tickFont"].pointSizeF() == pytest.approx(4 * 9)
