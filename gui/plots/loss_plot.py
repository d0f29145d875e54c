"""Live plots against the training step: the base they share (StepPlot, with its growing
buffers and axis helpers) and train/test loss (LossPlot); the per-layer gradient norm is in
grad_norm_plot.py, the feedback-alignment angle in alignment_plot.py.

They keep every point in growing NumPy buffers (append is O(1) amortised, called once per step)
and push them to curves created once, in refresh(), which the main window calls on a timer.
A curve gets only what its view can show: the visible steps, and beyond a few per pixel the
maximum and minimum of blocks of them (step_buffers.PeakLevels, kept up to date as steps
arrive), so that a million steps redraw as fast as a thousand.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gui.plots.step_axes import GRID_Z, FastGridAxis, FollowingViewBox, SparseLogAxis
from gui.plots.step_axes import log_tick_label as log_tick_label  # the tests read it here
from gui.plots.step_buffers import GrowingColumns, PeakLevels

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
EMPTY_STEPS = 100  # the step axis of a plot with fewer than two steps
FIT_AFTER_MS = 1000  # no new steps for this long: the range fits the data exactly again
FALLBACK_PIXELS = 2000  # plot width assumed before the plot is laid out


def format_value(value: float) -> str:
    if not np.isfinite(value):
        return "—"
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.4f}"
    return f"{value:.3g}"


class StepPlot(QWidget):
    """A PlotWidget with a "Log y" checkbox and a readout line above it: the base of the
    loss, gradient-norm and alignment plots."""

    def __init__(self, y_label: str, log_y: bool, legend_outside: bool = False, parent=None):
        super().__init__(parent)
        # Steps appended since the last refresh: a list append is ~20x cheaper than writing
        # into NumPy, so rows wait here and _flush moves them over into the subclass's buffers.
        self._pending: list[tuple] = []
        self.plot_widget = pg.PlotWidget(
            background="w", viewBox=FollowingViewBox(),
            axisItems={"left": SparseLogAxis("left"), "bottom": FastGridAxis("bottom")})
        self.plot = self.plot_widget.getPlotItem()
        for name in ("bottom", "left"):
            axis = self.plot.getAxis(name)
            axis.setTextPen("#333")
            axis.setPen("#999")
            axis.setZValue(GRID_Z)  # its opaque grid lines under the curves (FastGridAxis)
        for name in ("bottom", "left", "top", "right"):
            # "loss (x0.001)" confuses more than it helps; and on the hidden top and right
            # axes the prefix check re-set their label's HTML at every range change.
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        self.plot.setLabel("bottom", "step", color="#333")
        self.plot.setLabel("left", y_label, color="#333")
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self._drawn = None  # what the curves show now (see _draw)
        self._view_changing = False
        self._fit_timer = QTimer(self, singleShot=True, interval=FIT_AFTER_MS)
        self._fit_timer.timeout.connect(self._fit_view)
        view = self.plot.getViewBox()
        view.sigXRangeChanged.connect(self._on_view_changed)  # zoomed or panned along the steps
        view.sigResized.connect(self._on_view_changed)  # more or fewer pixels per step
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

    def _add_smooth_check(self, tip: str) -> QCheckBox:
        """The "Smooth" box beside "Log y" (the gradient-norm and alignment plots)."""
        check = QCheckBox("Smooth")
        check.setChecked(True)
        check.setToolTip(tip)
        check.toggled.connect(self.refresh)
        self.layout().itemAt(0).layout().insertWidget(1, check)
        return check

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

    def _fit_view(self) -> None:
        """Fit the range to the data exactly: the headroom the range keeps while the data grow
        (FollowingViewBox) is of no use once they stopped."""
        view = self.plot.getViewBox()
        if any(view.autoRangeEnabled()) and self.point_count() >= 2:  # else see _show_start
            view.fit()

    def _on_view_changed(self, *_) -> None:
        if self._drawn is not None and not self._view_changing:
            self._view_changing = True  # a refresh of our own, not a caller's: no fit
            try:
                self.refresh()  # redraws only when another slice or resolution is needed
            finally:
                self._view_changing = False

    def _visible(self, steps: np.ndarray) -> tuple[int, int]:
        """Index range of the steps in view (all of them while the view follows the data)."""
        view = self.plot.getViewBox()
        if view.autoRangeEnabled()[0] or len(steps) == 0:
            return 0, len(steps)
        lo, hi = view.viewRange()[0]
        return int(np.searchsorted(steps, lo)), int(np.searchsorted(steps, hi, side="right"))

    def _draw(self, curves, steps: np.ndarray, values: np.ndarray, levels: PeakLevels,
              huge: bool = False) -> None:
        """Give each curve what its view can show of one row of (series, n) values (levels:
        their summaries, brought up to date here); nothing is redone when that did not change.
        The range follows the data now rather than in the next paint: changed there, it made
        the scene paint the curves a second time."""
        levels.update(values)
        view = self.plot.getViewBox()
        i0, i1 = self._visible(steps)
        pixels = view.width() if view.width() > 0 else FALLBACK_PIXELS  # not laid out yet
        key = (tuple(curves), id(levels), levels.count, i0, i1, int(pixels),
               self.log_check.isChecked(), huge)
        if key == self._drawn:
            if not self._view_changing:
                self._fit_view()  # asked again with nothing new: training has stopped
            return
        self._drawn = key
        self._fit_timer.start()
        x, ys = levels.window(steps, values, i0, i1, pixels)
        for curve, y in zip(curves, ys):
            curve.setData(x, self._drawable(y, huge))
        if self._show_start(view, len(steps)):
            return
        if any(view.autoRangeEnabled()):
            view.updateAutoRange()
        view.updateMatrix()  # the new range's transform, before the scene collects what moved

    def _show_start(self, view, count: int) -> bool:
        """Before a run has two steps, a plain start: steps 0 to EMPTY_STEPS and no legend
        over an empty plot (auto-range would spread one point or none over -0.5…0.5 with odd
        ticks). The range stays automatic, so the data take over from the second step. True
        while that is so."""
        self.legend.setVisible(count > 0)
        if count >= 2 or not view.autoRangeEnabled()[0]:
            return False
        ranges = {"xRange": (0, EMPTY_STEPS)}
        if count == 0 and view.autoRangeEnabled()[1]:  # one point keeps the range around it
            ranges["yRange"] = (-2, 0) if self.log_check.isChecked() else (0, 1)
        view.setRange(**ranges, padding=0.02, disableAutoRange=False)
        return True

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
        self.plot_widget.setToolTip(
            "The loss on the whole training set and on the test set, evaluated at the weights of "
            "the step each point is drawn at (while training, each time the window redraws). "
            "The noisier loss of each step's own mini-batch is in the status bar's tooltip.")
        self.log_check.setToolTip("Logarithmic loss axis: late, small improvements stay visible")
        self.readout.setToolTip("Values at the step under the mouse")
        self._buffer = GrowingColumns(3)  # rows: step, train loss, test loss (NaN if none)
        self._levels = PeakLevels()  # of the train and test rows
        self.train_curve = self._curve("train set", TRAIN_COLOR)  # whole sets, not a batch
        self.test_curve = self._curve("test set", TEST_COLOR)
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
        data = self._buffer.view()
        # A curve of only NaN upsets the range computation: no test curve without test data.
        curves = [self.train_curve, self.test_curve][:2 if self._has_test else 1]
        if not self._has_test and self.test_curve.xData is not None \
                and len(self.test_curve.xData):
            self.test_curve.setData([], [])
        self._draw(curves, data[0], data[1:], self._levels, self._huge)
        self._show_test_in_legend(self._has_test)

    def _show_test_in_legend(self, show: bool) -> None:
        listed = any(sample.item is self.test_curve for sample, _ in self.legend.items)
        if show and not listed:
            self.legend.addItem(self.test_curve, "test set")
        elif listed and not show:
            self.legend.removeItem(self.test_curve)

    def clear(self) -> None:
        self._buffer.clear()
        self._levels.clear()
        self._pending.clear()
        self._has_test = self._huge = False
        self._drawn = None
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
