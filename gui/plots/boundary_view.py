"""The decision-boundary view: the network's output over the input plane as a heatmap, with the
data points on top (TF Playground's right-hand panel). The plane is TF Playground's [-6, 6]², or
the data's own range when it lives elsewhere (see plane_bounds).

The engine computes the outputs on ``grid_points(bounds=plane_bounds(points))`` (in the worker
thread) and the main window hands them to ``set_output``; this view only colours numbers it is
given. 1-D inputs get a
curve ŷ(x) instead of a heatmap; more than two inputs get an explanatory message.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine.datasets import EXTENT
from gui.common.colors import diverging_colormap, lookup_table
from gui.plots.boundary_grid import (
    DEFAULT_NAMES,
    axis_names,
    grid_points,
    line_points,
    plane_bounds,
)
from gui.plots.boundary_key import (
    CLASS_COLORS,
    ColorKey,
    HeatmapItem,
    PointTips,
    drawn_sample,
    heatmap_lut,
    overlay_levels,
    point_style,
    sample_note,
)
from gui.plots.plot_text import checked_scale, scale_axes, scale_title, set_axis_label

DISCRETE_CONFIDENCE = 0.7  # discretized pixels are as strong as a 70 % confident prediction
OUTPUT_TITLE = "network output ŷ"
TEST_TIP = "Show the held-out test points (hollow markers); training points are filled"
FEW_POINTS, FEW_POINTS_SIZE = 50, 18  # up to 50 points are drawn 18 px wide, not 7–8
SAMPLE_STYLE = "color: #666; font-size: {:g}pt"
MESSAGE_STYLE = "color: #555; font-size: {:g}pt; padding: 24px"


class BoundaryView(QWidget):
    """Heatmap of the network output (or of one hovered neuron) with the data points on top."""

    sigPointClicked = Signal(int)  # index into the points array given to set_data
    grid_points = staticmethod(grid_points)
    line_points = staticmethod(line_points)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._lut = heatmap_lut()
        self._cmap = diverging_colormap()
        self._points = np.zeros((0, 2))
        self._labels = np.zeros(0)
        self._task = "classification"
        self._n_classes = 2
        self._dim = 2
        self._label_range = 1.0  # regression: colour levels are ±this
        self._output = None  # latest network output, kept to redraw on toggles
        self._overlay = None
        self._overlay_title = ""
        self._line_range = (-EXTENT, EXTENT)
        self._bounds = (-EXTENT, EXTENT)  # the square input plane shown, see plane_bounds
        self._names = DEFAULT_NAMES  # the input columns' names on the axes
        self._text_scale = 1.0
        self.points_note = ""  # says so when only a sample of the points is drawn

        self.title = QLabel(OUTPUT_TITLE)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet("font-weight: bold")
        self.title.setToolTip("What the colours show: the network output, or the neuron under "
                              "the mouse in the network graph")

        self.plot_widget = pg.PlotWidget(background="w")
        self.plot = self.plot_widget.getPlotItem()
        self._setup_plot()

        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(MESSAGE_STYLE.format(12))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot_widget)
        self.stack.addWidget(self.message)

        self.key = ColorKey(lookup_table(self._cmap))
        self.key.setToolTip("Colour key: the classes, or the range of values the colours span")
        self.show_test_check = QCheckBox("Show test data")
        self.show_test_check.setChecked(True)
        self.show_test_check.setToolTip(TEST_TIP)
        self.show_test_check.toggled.connect(self._on_show_test)
        self.discretize_check = QCheckBox("Discretize output")
        self.discretize_check.setToolTip(
            "Colour each pixel by the predicted class only (threshold 0.5, argmax, or the sign "
            "for regression) instead of by the output value")
        self.discretize_check.toggled.connect(self._redraw)

        checks = QHBoxLayout()
        checks.addWidget(self.show_test_check)
        checks.addWidget(self.discretize_check)
        checks.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        # A label of its own, not the plot's title: pyqtgraph would widen the plot to fit it.
        self.sample_label = QLabel()
        self.sample_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sample_label.setWordWrap(True)
        self.sample_label.setStyleSheet(SAMPLE_STYLE.format(8))
        self.sample_label.setToolTip("Big data sets are drawn as a fixed random sample, so the "
                                     "view stays fast; training uses every point.")
        self.sample_label.hide()
        layout.addWidget(self.sample_label)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.key)
        layout.addLayout(checks)

    def _setup_plot(self) -> None:
        plot = self.plot
        for name in ("bottom", "left"):
            axis = plot.getAxis(name)
            axis.setTextPen("#333")
            axis.setPen("#999")
        set_axis_label(plot, "bottom", DEFAULT_NAMES[0])
        set_axis_label(plot, "left", DEFAULT_NAMES[1])
        plot.setMouseEnabled(x=False, y=False)  # the view is fixed: users cannot lose it
        plot.hideButtons()
        plot.showGrid(x=False, y=False)
        self.image = HeatmapItem(axisOrder="row-major")
        self.image.setZValue(-10)
        plot.addItem(self.image)
        # 1-D view: one curve per output column (created as needed, reused) and a 0.5 line.
        self.curves: list[pg.PlotDataItem] = []
        self.threshold_line = pg.InfiniteLine(
            0.5, angle=0, pen=pg.mkPen((150, 150, 150), style=Qt.PenStyle.DashLine))
        plot.addItem(self.threshold_line, ignoreBounds=True)
        # The tooltip function must not reference self: a Python reference cycle through a
        # scatter item makes the garbage collector crash PySide6 when the view is deleted.
        self._tips = PointTips()
        tip = self._tips.describe
        self.train_scatter = pg.ScatterPlotItem(size=8, hoverable=True, tip=tip)
        self.test_scatter = pg.ScatterPlotItem(size=8, hoverable=True, tip=tip)
        self.highlight = pg.ScatterPlotItem(
            size=20, symbol="o", brush=None, pen=pg.mkPen((20, 20, 20), width=2.5))
        for z, item in enumerate((self.train_scatter, self.test_scatter, self.highlight)):
            item.setZValue(z + 1)
            plot.addItem(item)
            if item is not self.highlight:
                item.sigClicked.connect(self._on_scatter_clicked)
        self._set_2d_range()

    def _set_2d_range(self) -> None:
        self.plot.disableAutoRange()
        self.plot.setAspectLocked(True)
        self.plot.setRange(xRange=self._bounds, yRange=self._bounds, padding=0.02)

    def reset_view(self) -> None:
        """Back to the whole input plane (or the whole 1-D range)."""
        if self._dim == 1:
            self.plot.setXRange(*self._line_range, padding=0.02)
            if self._task == "classification" and self._overlay is None:
                self.plot.setYRange(-0.05, 1.05, padding=0)  # probabilities and 0/1 labels
            else:
                self.plot.enableAutoRange(axis="y")
        else:
            self._set_2d_range()

    # -- data ---------------------------------------------------------------------------------
    def set_data(self, points, labels, train_idx, test_idx, task: str, n_classes: int,
                 column_names=None) -> None:
        """Raw points (n, d) and labels (n,): class indices or regression targets;
        `column_names` name the points' columns on the axes (x₁, x₂ without)."""
        points = np.asarray(points, dtype=float)
        if points.ndim == 1:
            points = points[:, None]
        self._points, self._labels = points, np.asarray(labels, dtype=float)
        self._bounds = plane_bounds(points) if points.shape[1] == 2 else (-EXTENT, EXTENT)
        self._task, self._n_classes, self._dim = task, int(n_classes), points.shape[1]
        self._tips.points, self._tips.labels, self._tips.task = points, self._labels, task
        self._names = axis_names(column_names)
        self._output = self._overlay = None
        self._overlay_title = ""
        size = np.abs(self._labels[np.isfinite(self._labels)])
        self._label_range = float(size.max()) if size.size and size.max() > 0 else 1.0

        plottable = self._dim <= 2
        self.stack.setCurrentWidget(self.plot_widget if plottable else self.message)
        self.key.setVisible(plottable)
        self.show_test_check.setEnabled(plottable and len(test_idx) > 0)
        self.show_test_check.setToolTip(
            TEST_TIP if len(test_idx) else "This data set has no test points to show")
        self.discretize_check.setEnabled(plottable)
        if not plottable:
            self._show_sample_note("")
            self.message.setText(f"The decision boundary needs 2-D inputs "
                                 f"(this dataset has {self._dim} features)")
            self.title.setText(OUTPUT_TITLE)
            return
        self._setup_mode()
        train_idx, test_idx = np.asarray(train_idx, int), np.asarray(test_idx, int)
        drawn = (self._fill_scatter(self.train_scatter, train_idx, filled=True),
                 self._fill_scatter(self.test_scatter, test_idx, filled=False))
        self._show_sample_note(sample_note(drawn, (len(train_idx), len(test_idx))))
        self.test_scatter.setVisible(self.show_test_check.isChecked())
        self.highlight.setData([], [])
        self._redraw()

    def _show_sample_note(self, note: str) -> None:
        self.points_note = note
        self.sample_label.setText(note)
        self.sample_label.setVisible(bool(note))

    def _setup_mode(self) -> None:
        one_d = self._dim == 1
        self.image.setVisible(not one_d)
        self.threshold_line.setVisible(False)
        for curve in self.curves:
            curve.setData([], [])
        self._set_label("bottom", self._names[0])
        self._set_label("left", "ŷ" if one_d else self._names[1])
        if one_d:
            self._line_range = tuple(line_points(self._points)[[0, -1], 0])
            self.plot.setAspectLocked(False)
            self.reset_view()
        else:
            self.image.clear()
            self._set_2d_range()

    def _set_label(self, side: str, text: str) -> None:
        set_axis_label(self.plot, side, text, self._text_scale)

    def axis_names(self) -> tuple[str, str]:
        """The axes' label texts (bottom, left)."""
        return self.plot.getAxis("bottom").labelText, self.plot.getAxis("left").labelText

    def set_text_scale(self, scale: float) -> None:
        """Scale the axes' ticks and labels, the title, the notes and the key (presentation
        mode; the check boxes keep their size, or they would widen the window); 1.0 is the
        normal look."""
        self._text_scale = scale = checked_scale(scale)
        scale_axes(self.plot, scale)
        scale_title(self.title, scale)
        self.sample_label.setStyleSheet(SAMPLE_STYLE.format(8 * scale))
        self.message.setStyleSheet(MESSAGE_STYLE.format(12 * scale))
        self.key.set_text_scale(scale)

    def _plot_xy(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._dim == 1:
            return self._points[idx, 0], self._labels[idx]
        return self._points[idx, 0], self._points[idx, 1]

    def _fill_scatter(self, scatter: pg.ScatterPlotItem, idx: np.ndarray, filled: bool) -> int:
        """Draw the points idx (a fixed sample of MAX_DRAWN_POINTS when there are more), each
        carrying its index for tooltips and clicks; returns how many are drawn."""
        idx = drawn_sample(idx)
        x, y = self._plot_xy(idx)
        style = point_style(self._labels[idx], self._task == "regression", self._label_range,
                            self._cmap, filled, self._dim == 1)
        # A handful of points (XOR's four) must read from the back of a room; hundreds must not
        # cover the boundary they sit on.
        if len(self._labels) <= FEW_POINTS:
            style["size"] = FEW_POINTS_SIZE
        scatter.setData(x=x, y=y, data=idx, **style)
        return len(idx)

    # -- outputs ------------------------------------------------------------------------------
    def show_outputs(self, outputs, layer: int, neuron: int) -> None:
        """Every layer's outputs on the grid (inputs first): the network's output, with the
        hovered neuron's (layer, neuron; -1 for none) as an overlay."""
        if 0 <= layer < len(outputs):
            name = "input" if layer == 0 else (
                "output" if layer == len(outputs) - 1 else f"hidden {layer}")
            self.set_overlay(outputs[layer][:, neuron], f"{name}, neuron {neuron + 1}")
        else:
            self.set_overlay(None, "")
        self.set_output(outputs[-1])

    def set_output(self, values) -> None:
        """Network outputs: (res², k) on grid_points(res), or (m, k) on line_points for 1-D."""
        if self._dim > 2:
            return
        values = np.asarray(values, dtype=float)
        self._output = values.reshape(len(values), -1)
        if self._overlay is None:
            self._redraw()

    def set_overlay(self, values, title: str) -> None:
        """Show one neuron's output ((res²,) or (m,)) instead of ŷ; None returns to ŷ."""
        if self._dim > 2 or (values is None and self._overlay is None):
            return  # nothing to change: skip the repaint
        self._overlay = None if values is None else np.asarray(values, dtype=float).ravel()
        self._overlay_title = title if values is not None else ""
        self._redraw()

    def _redraw(self) -> None:
        if self._dim > 2:
            return
        overlay = self._overlay is not None
        self.title.setText(self._overlay_title if overlay else OUTPUT_TITLE)
        if self._dim == 1:
            self.reset_view()  # the y range depends on what the curve shows
            self._set_label("left", "neuron output" if overlay else "ŷ")
            self.threshold_line.setVisible(not overlay and self._task == "classification"
                                           and self._n_classes == 2)
            self._draw_curves()
        elif overlay:
            lo, hi = overlay_levels(self._overlay)
            self._show_levels_image(self._overlay, lo, hi)
            self.key.show_range(lo, hi, "neuron")
        else:
            self._draw_output_image()

    def _shown_output(self) -> np.ndarray:
        """The network output, hard-thresholded when "Discretize output" is on."""
        out = self._output
        if not self.discretize_check.isChecked():
            return out
        if out.shape[1] > 1:
            return (out == out.max(axis=1, keepdims=True)).astype(float)
        return np.sign(out) if self._task == "regression" else (out > 0.5).astype(float)

    def _draw_output_image(self) -> None:
        self._set_points_key()
        if self._output is None:
            self.image.clear()
            return
        values = self._shown_output()
        # Hard classes are drawn a little lighter than certainty so the points stay visible.
        strength = DISCRETE_CONFIDENCE if self.discretize_check.isChecked() else 1.0
        if values.shape[1] > 1:
            self._show_class_image(values, strength)
        elif self._task == "regression":
            r = self._label_range
            self._show_levels_image(values[:, 0] * (r * strength if strength < 1 else 1), -r, r)
            self.key.show_range(-r, r, "ŷ")
        else:
            self._show_levels_image(0.5 + (values[:, 0] - 0.5) * strength, 0, 1)

    def _show_levels_image(self, values: np.ndarray, lo: float, hi: float) -> None:
        self.image.show_levels(values, self._lut, lo, hi, self._bounds)

    def _show_class_image(self, probs: np.ndarray, strength: float) -> None:
        self.image.show_classes(probs, strength, self._bounds)

    def _draw_curves(self) -> None:
        if self._overlay is not None:
            columns, colors = self._overlay[:, None], [(90, 90, 90)]
        elif self._output is not None:
            columns = self._shown_output()
            k = columns.shape[1]
            colors = [(60, 60, 60)] if k == 1 else [CLASS_COLORS[i % 5] for i in range(k)]
        else:
            columns, colors = np.zeros((0, 0)), []
        x = np.linspace(*self._line_range, len(columns))
        while len(self.curves) < columns.shape[1]:
            self.curves.append(self.plot.plot([], [], antialias=True))  # few points: smooth
        for i, curve in enumerate(self.curves):
            if i < columns.shape[1]:
                curve.setPen(pg.mkPen(colors[i], width=2))
                curve.setData(x, columns[:, i])
            else:
                curve.setData([], [])
        self._set_points_key()

    def _set_points_key(self) -> None:
        """Key for the points: class swatches, or the target range for regression."""
        if self._task == "regression":
            self.key.show_range(-self._label_range, self._label_range, "targets")
        else:
            self.key.show_classes(self._n_classes)

    # -- interaction --------------------------------------------------------------------------
    def _on_show_test(self, checked: bool) -> None:
        self.test_scatter.setVisible(checked)

    def _on_scatter_clicked(self, scatter, points, ev=None) -> None:
        if len(points):  # pointsAt lists the topmost point first
            self.sigPointClicked.emit(int(points[0].data()))

    def select_point(self, index: int | None) -> None:
        """Draw a ring around point `index` (into the set_data points), or remove it."""
        if index is None or not 0 <= index < len(self._points) or self._dim > 2:
            self.highlight.setData([], [])
            return
        x, y = self._plot_xy(np.array([index]))
        self.highlight.setData(x=x, y=y)
