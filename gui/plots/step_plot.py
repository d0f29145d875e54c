"""The base of the live plots against the training step (StepPlot): a PlotWidget with a "Log y"
box and a readout line, growing buffers pushed to curves on refresh(), and axes and a view box
made cheap to redraw (step_axes.py). The loss plot is in loss_plot.py, the per-layer gradient
norm in grad_norm_plot.py, the feedback-alignment angle in alignment_plot.py.

They keep every point in growing NumPy buffers (append is O(1) amortised, called once per step)
and push them to curves created once, in refresh(), which the main window calls on a timer.
A curve gets only what its view can show: the visible steps, and beyond a few per pixel the
maximum and minimum of blocks of them (step_buffers.PeakLevels, kept up to date as steps
arrive), so that a million steps redraw as fast as a thousand.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from gui.plots import step_legend
from gui.plots.plot_text import checked_scale, scale_axes, scale_title, set_axis_label
from gui.plots.step_axes import GRID_Z, FastGridAxis, FollowingViewBox, SparseLogAxis
from gui.plots.step_buffers import PeakLevels

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


class StepPlot(QWidget):
    """A PlotWidget with a "Log y" checkbox and a readout line above it: the base of the
    loss, gradient-norm and alignment plots."""

    def __init__(self, y_label: str, log_y: bool, legend_outside: bool = False, parent=None,
                 short_y_labels: tuple[str, ...] = ()):
        super().__init__(parent)
        self._y_labels = (y_label, *short_y_labels)  # the shorter ones for short plots
        self._text_scale = 1.0
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
        set_axis_label(self.plot, "bottom", "step")
        set_axis_label(self.plot, "left", y_label)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self._drawn = None  # what the curves show now (see _draw)
        self._view_changing = False
        self._fit_timer = QTimer(self, singleShot=True, interval=FIT_AFTER_MS)
        self._fit_timer.timeout.connect(self._fit_view)
        view = self.plot.getViewBox()
        view.sigXRangeChanged.connect(self._on_view_changed)  # zoomed or panned along the steps
        view.sigResized.connect(self._on_view_changed)  # more or fewer pixels per step
        # Above the view box, or right of it so that many curves never hide behind it.
        self._legend_top = not legend_outside
        self.legend = step_legend.make_legend(self.plot, top=self._legend_top)
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

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_legend()  # the layout has given plot_widget its new size before this

    def fit_legend(self) -> None:
        """Lay the legend out for the plot's height (after a resize, new entries or another
        text scale), and shorten the left label when the plot is too short for it."""
        height = self.plot_widget.height() - 2  # pyqtgraph's layout margins
        room = height - self.plot.getAxis("bottom").minimumHeight()  # the left axis' length
        if self._legend_top:
            step_legend.fit_top(self.plot, self.legend)
            room -= step_legend.row_height(self.legend)
        else:
            step_legend.fit_side(self.legend, height, self.plot_widget.width())
        step_legend.fit_left_label(self.plot, self._y_labels, room, self._text_scale)

    def set_text_scale(self, scale: float) -> None:
        """Scale the axes' ticks and labels, the legend and the title above the plot
        (presentation mode); 1.0 is the normal look. The check boxes beside the title keep
        their size: a row of them at 3× would be wider than a projector's window."""
        self._text_scale = scale = checked_scale(scale)
        scale_axes(self.plot, scale)
        step_legend.set_label_size(self.legend, scale)
        top = self.layout().itemAt(0).layout()
        for i in range(top.count()):
            widget = top.itemAt(i).widget()
            if isinstance(widget, QLabel):
                scale_title(widget, scale)
        self.fit_legend()

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
