"""Live plots against the training step: the base they share (StepPlot, with its growing
buffers and axis helpers) and train/test loss (LossPlot); the per-layer gradient norm is in
grad_norm_plot.py, the feedback-alignment angle in alignment_plot.py.

They keep every point in growing NumPy buffers (append is O(1) amortised, called once per step)
and push them to curves created once, in refresh(), which the main window calls on a ~30 Hz
timer. Peak downsampling and clip-to-view keep a million points smooth.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

TRAIN_COLOR = (8, 119, 189)
TEST_COLOR = (230, 120, 20)
CROSSHAIR_PEN = pg.mkPen((120, 120, 120), width=1, style=Qt.PenStyle.DashLine)
# Zero gradient norms are drawn at this floor so the log axis never meets log(0).
NORM_FLOOR = 1e-12
# On a linear axis, values are drawn at most this big (pyqtgraph's own view limit): its range
# arithmetic adds two ends, and two losses near the float maximum (1.8e308) overflow to inf.
LINEAR_LIMIT = 1e307
SMOOTHING = 0.02  # weight of the newest step in the gradient-norm running average (~50 steps)
PENDING_LIMIT = 4096  # appended steps kept in a list before moving them into NumPy


class GrowingColumns:
    """Rows of float64 columns that grow by doubling; `view()` shows the filled part."""

    def __init__(self, columns: int, capacity: int = 1024):
        self._data = np.empty((columns, capacity))
        self.count = 0

    def extend(self, columns: np.ndarray) -> None:
        """Append many entries at once: columns has shape (rows, k)."""
        k = columns.shape[1]
        self._reserve(self.count + k)
        self._data[:, self.count:self.count + k] = columns
        self.count += k

    def _reserve(self, needed: int) -> None:
        capacity = self._data.shape[1]
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        grown = np.empty((self._data.shape[0], capacity))
        grown[:, :self.count] = self._data[:, :self.count]
        self._data = grown

    def view(self) -> np.ndarray:
        """(columns, count); later appends never change it (they write past count or realloc)."""
        return self._data[:, :self.count]

    def clear(self) -> None:
        self.count = 0


def format_value(value: float) -> str:
    if not np.isfinite(value):
        return "—"
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.4f}"
    return f"{value:.3g}"


def log_tick_label(exponent: float) -> str:
    """The label of the log-axis tick at 10^exponent: "0.02", "5e+06", "1e+400", or "" for
    ticks other than 1, 2 and 5 × 10ᵏ. Works on the exponent, so that ticks beyond float range
    (a diverged run zoomed out) neither overflow nor lose their label."""
    if not math.isfinite(exponent):
        return ""
    k = math.floor(exponent)
    mantissa = round(10.0 ** (exponent - k), 6)  # in [1, 10]
    if mantissa >= 10:  # 2.9999999 is the tick at 10³, not 9.99 × 10²
        mantissa, k = mantissa / 10, k + 1
    if mantissa not in (1.0, 2.0, 5.0):
        return ""
    if abs(k) <= 300:
        return f"{mantissa * 10.0 ** k:g}"
    return f"{mantissa:g}e{k:+03d}"


class FastGridAxis(pg.AxisItem):
    """An axis whose grid lines are filled 1-px rectangles: Qt's raster engine blends a
    semi-transparent line pixel by pixel (~0.15 ms for one 800-px grid line, most of a plot's
    repaint), while a rectangle of the same colour takes its fast span fill. Same pixels."""

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        lines = []
        for pen, p1, p2 in tickSpecs:
            rect = _line_rect(pen, p1, p2)
            if rect is None:
                lines.append((pen, p1, p2))  # a wide, patterned or slanted line: as it was
            else:
                p.fillRect(rect, pen.color())
        super().drawPicture(p, axisSpec, lines, textSpecs)


def _line_rect(pen: QPen, p1, p2) -> QRectF | None:
    """The 1-px rectangle an aliased, solid, 1-px wide horizontal or vertical line covers."""
    solid = (pen.style() == Qt.PenStyle.SolidLine
             and pen.brush().style() == Qt.BrushStyle.SolidPattern)
    if not solid or pen.widthF() > 1 or not (p1.x() == p2.x() or p1.y() == p2.y()):
        return None
    # An aliased line covers the pixels from floor(start) to floor(end), both included.
    x0, x1 = sorted((math.floor(p1.x()), math.floor(p2.x())))
    y0, y1 = sorted((math.floor(p1.y()), math.floor(p2.y())))
    return QRectF(x0, y0, x1 - x0 + 1, y1 - y0 + 1)


class _SparseLogAxis(FastGridAxis):
    """In log mode, label only 1, 2 and 5 × 10ᵏ: pyqtgraph labels every minor tick, and
    0.1, 0.09, 0.08, … pile up into an unreadable smear."""

    def logTickStrings(self, values, scale, spacing):
        shift = math.log10(scale) if scale > 0 else math.nan
        return [log_tick_label(float(v) + shift) for v in values]


class StepPlot(QWidget):
    """A PlotWidget with a "Log y" checkbox and a readout line above it: the base of the
    loss, gradient-norm and alignment plots."""

    def __init__(self, y_label: str, log_y: bool, legend_outside: bool = False, parent=None):
        super().__init__(parent)
        # Steps appended since the last refresh: a list append is ~20x cheaper than writing
        # into NumPy, so rows wait here and _flush moves them over into the subclass's buffers.
        self._pending: list[tuple] = []
        self.plot_widget = pg.PlotWidget(
            background="w",
            axisItems={"left": _SparseLogAxis("left"), "bottom": FastGridAxis("bottom")})
        self.plot = self.plot_widget.getPlotItem()
        for name in ("bottom", "left"):
            axis = self.plot.getAxis(name)
            axis.setTextPen("#333")
            axis.setPen("#999")
            axis.enableAutoSIPrefix(False)  # "loss (x0.001)" confuses more than it helps
        self.plot.setLabel("bottom", "step", color="#333")
        self.plot.setLabel("left", y_label, color="#333")
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setClipToView(True)
        self.plot.setDownsampling(auto=True, mode="peak")
        self.legend = self._make_legend(legend_outside)
        self.readout = QLabel("")
        self.readout.setStyleSheet("color: #333")
        self.log_check = QCheckBox("Log y")
        self.log_check.setChecked(log_y)
        self.log_check.toggled.connect(self._on_log_toggled)
        self.plot.setLogMode(y=log_y)
        top = QHBoxLayout()
        top.addWidget(self.readout, 1)
        top.addWidget(self.log_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)

    def _make_legend(self, outside: bool) -> pg.LegendItem:
        """Inside the top-right corner, or in a column right of the plot so that many curves
        never hide behind it. Named curves are added to it automatically."""
        if not outside:
            return self.plot.addLegend(offset=(-10, 10), labelTextColor="#333",
                                       brush=pg.mkBrush(255, 255, 255, 200))
        legend = pg.LegendItem(labelTextColor="#333")
        legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.plot.layout.addItem(legend, 2, 3, Qt.AlignmentFlag.AlignTop)
        self.plot.legend = legend
        return legend

    def _on_log_toggled(self, log_y: bool) -> None:
        self.plot.setLogMode(y=log_y)
        self.refresh()  # linear and log axes draw huge values differently (see _drawable)

    def refresh(self) -> None:
        raise NotImplementedError

    def _drawable(self, values: np.ndarray, huge: bool) -> np.ndarray:
        """Values as the curve may get them: on a linear axis, with `huge` values recorded,
        clipped to ±LINEAR_LIMIT (a copy; the buffers and the readout keep the real numbers).
        A log axis takes logarithms first, and those never overflow."""
        if huge and not self.log_check.isChecked():
            return np.clip(values, -LINEAR_LIMIT, LINEAR_LIMIT)
        return values

    def _curve(self, name: str, color) -> pg.PlotDataItem:
        # Pen width 1 and no antialiasing: wide or smoothed lines are slow for long curves.
        return self.plot.plot([], [], name=name, pen=pg.mkPen(color, width=1),
                              antialias=False, connect="finite")

    def _queue(self, row: tuple) -> None:
        """Record one step's row (cheap: no drawing); bounded even when nobody refreshes."""
        self._pending.append(row)
        if len(self._pending) >= PENDING_LIMIT:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._store(np.array(self._pending, dtype=float).T)
            self._pending.clear()

    def _store(self, columns: np.ndarray) -> None:
        """Move (1 + series, k) columns of steps and values into the buffers."""
        raise NotImplementedError

    def point_count(self) -> int:
        return self._buffer.count + len(self._pending)



class LossPlot(StepPlot):
    """Train and test loss against the step, with a crosshair readout."""

    def __init__(self, parent=None):
        super().__init__("loss", log_y=False, parent=parent)
        self.log_check.setToolTip("Logarithmic loss axis: late, small improvements stay visible")
        self.readout.setToolTip("Values at the step under the mouse")
        self._buffer = GrowingColumns(3)  # rows: step, train loss, test loss (NaN if none)
        self.train_curve = self._curve("train", TRAIN_COLOR)
        self.test_curve = self._curve("test", TEST_COLOR)
        self._has_test = False
        self._huge = False  # some |loss| > LINEAR_LIMIT was recorded
        self.vline = pg.InfiniteLine(angle=90, movable=False, pen=CROSSHAIR_PEN)
        self.hline = pg.InfiniteLine(angle=0, movable=False, pen=CROSSHAIR_PEN)
        for line in (self.vline, self.hline):
            line.setVisible(False)
            self.plot.addItem(line, ignoreBounds=True)
        self._mouse_proxy = pg.SignalProxy(
            self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved)
        self.plot.installEventFilter(self)  # the mouse leaving takes the crosshair along

    def eventFilter(self, watched, event) -> bool:
        if watched is self.plot and event.type() == QEvent.Leave:
            self._hide_crosshair()
        return super().eventFilter(watched, event)

    def _hide_crosshair(self) -> None:
        for line in (self.vline, self.hline):
            line.setVisible(False)
        self.readout.setText("")

    def append(self, step: int, train_loss: float, test_loss: float | None) -> None:
        """Record one step (cheap: no drawing). Non-finite losses are stored as gaps."""
        self._queue((step, train_loss, math.nan if test_loss is None else test_loss))

    def extend(self, steps, train_losses, test_losses=None) -> None:
        """Append many steps at once (e.g. a loaded session's history)."""
        steps = np.asarray(steps, dtype=float)
        train = np.asarray(train_losses, dtype=float)
        test = (np.full(len(steps), np.nan) if test_losses is None
                else np.array(test_losses, dtype=float))  # a copy: never mutate the caller's
        self._flush()
        self._store(np.vstack([steps, train, test]))

    def _store(self, columns: np.ndarray) -> None:
        columns[~np.isfinite(columns)] = np.nan  # diverged steps become gaps in the curves
        self._buffer.extend(columns)
        self._has_test = self._has_test or bool(np.isfinite(columns[2]).any())
        self._huge = self._huge or has_huge(columns[1:])

    def refresh(self) -> None:
        """Push the buffers to the curves (the main window's redraw timer calls this)."""
        self._flush()
        steps, train, test = self._buffer.view()
        self.train_curve.setData(steps, self._drawable(train, self._huge))
        if self._has_test:  # a curve of only NaN upsets the range computation
            self.test_curve.setData(steps, self._drawable(test, self._huge))
        else:
            self.test_curve.setData([], [])
        self._show_test_in_legend(self._has_test)

    def _show_test_in_legend(self, show: bool) -> None:
        listed = any(sample.item is self.test_curve for sample, _ in self.legend.items)
        if show and not listed:
            self.legend.addItem(self.test_curve, "test")
        elif listed and not show:
            self.legend.removeItem(self.test_curve)

    def clear(self) -> None:
        self._buffer.clear()
        self._pending.clear()
        self._has_test = self._huge = False
        self._hide_crosshair()
        self.plot.getViewBox().enableAutoRange()  # a new run's axes, not the last one's
        self.refresh()

    def _nearest(self, step: float) -> int | None:
        """Index of the recorded step nearest `step` (None when there is none)."""
        self._flush()
        steps = self._buffer.view()[0]
        if len(steps) == 0 or not np.isfinite(step):
            return None
        i = int(np.searchsorted(steps, step))  # steps[i - 1] < step <= steps[i]
        if i == len(steps) or (i > 0 and step - steps[i - 1] < steps[i] - step):
            i -= 1
        return i

    def readout_at(self, step: float) -> str:
        """"step 1234 · train 0.0412 · test 0.0530" for the recorded step nearest `step`."""
        i = self._nearest(step)
        if i is None:
            return ""
        steps, train, test = self._buffer.view()
        text = f"step {int(steps[i])} · train {format_value(train[i])}"
        if self._has_test:
            text += f" · test {format_value(test[i])}"
        return text

    def _on_mouse_moved(self, event) -> None:
        pos = event[0]
        inside = self.plot.sceneBoundingRect().contains(pos) and self.point_count() > 0
        for line in (self.vline, self.hline):
            line.setVisible(inside)
        if not inside:
            return
        point = self.plot.getViewBox().mapSceneToView(pos)
        i = self._nearest(point.x())
        steps, train, _test = self._buffer.view()
        self.vline.setPos(steps[i])  # on the recorded step and the curve, not the mouse
        y = float(self._drawable(train[i:i + 1], self._huge)[0])
        if self.log_check.isChecked():  # a log axis places items at log10 of the value
            y = math.log10(y) if y > 0 else math.nan
        self.hline.setVisible(math.isfinite(y))
        if math.isfinite(y):
            self.hline.setPos(y)
        self.readout.setText(self.readout_at(point.x()))


def has_huge(values: np.ndarray) -> bool:
    """True when some value is beyond what a linear axis can draw (LINEAR_LIMIT)."""
    return bool((np.abs(values) > LINEAR_LIMIT).any())  # NaN gaps compare False
