"""Train and test loss against the training step (LossPlot), on step_plot's StepPlot base; the
per-layer gradient norm is in grad_norm_plot.py, the feedback-alignment angle in
alignment_plot.py."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt

from gui.plots.step_axes import log_tick_label as log_tick_label  # the tests read it here
from gui.plots.step_buffers import GrowingColumns as GrowingColumns
from gui.plots.step_buffers import PeakLevels
from gui.plots.step_plot import EMPTY_STEPS as EMPTY_STEPS
from gui.plots.step_plot import LINEAR_LIMIT, StepPlot
from gui.plots.step_plot import NORM_FLOOR as NORM_FLOOR
from gui.plots.step_plot import SMOOTHING as SMOOTHING

TRAIN_COLOR = (8, 119, 189)
TEST_COLOR = (230, 120, 20)
CROSSHAIR_PEN = pg.mkPen((120, 120, 120), width=1, style=Qt.PenStyle.DashLine)


def format_value(value: float) -> str:
    if not np.isfinite(value):
        return "—"
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.4f}"
    return f"{value:.3g}"


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
        # The mouse leaving takes the crosshair along. Qt tells the widget under the mouse,
        # the view's viewport, not the plot item inside it.
        self._viewport = self.plot_widget.viewport()
        self._viewport.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self._viewport and event.type() == QEvent.Leave:
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
            self.legend.addItem(self.test_curve, "test set")  # at the legend's text size
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
        inside = (self.plot.getViewBox().sceneBoundingRect().contains(pos)
                  and self.point_count() > 0)
        if not inside:  # over an axis or the legend: nothing to read there
            self._hide_crosshair()
            return
        self.vline.setVisible(True)
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
