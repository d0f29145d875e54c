"""The feedback-alignment plot: for every hidden layer, the angle between the update feedback
alignment makes (the error sent down through a fixed random B) and the true gradient (the error
sent down through Wᵀ), against the training step.

0° means FA moves the layer's weights exactly along the true gradient, 90° means no better than
a random direction. The angles are the engine's (StepStats.alignment, History "alignment"); the
output layer's is always 0 (it gets the true error), so it has no curve. Like the other step
plots it keeps every point in a growing buffer and pushes it to curves made once, on refresh().
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from gui.plots.loss_plot import SMOOTHING, GrowingColumns, StepPlot
from gui.plots.plot_text import scaled_font
from gui.plots.step_buffers import PeakLevels, running_mean

ORTHOGONAL = 90.0
TICKS = (0, 30, 60, 90, 120, 150, 180)
TITLE = "Angle: FA update vs true gradient"
NO_HIDDEN = "No hidden layer: the output layer gets the true error, so its angle is always 0°."
BACKPROP = ("Only under feedback alignment: backprop's update is the true gradient (0°). "
            "Choose Gradient signal → feedback alignment in the editor.")


def layer_colors(n_layers: int) -> list:
    """The gradient-norm plot's colours, so that layer 1 looks the same in both plots."""
    cmap = pg.colormap.get("plasma")
    positions = np.linspace(0.0, 0.8, n_layers) if n_layers > 1 else [0.0]
    return [cmap.map(p, mode="qcolor") for p in positions]


class AlignmentPlot(StepPlot):
    """One curve per hidden layer: angle (degrees) between the FA update and ∂L/∂W."""

    def __init__(self, parent=None):
        super().__init__("angle (°)", log_y=False, legend_outside=True, parent=parent,
                         short_y_labels=("angle",))
        self.log_check.hide()  # angles live in [0°, 180°]: a log axis would only distort them
        self.readout.setText(TITLE)
        self.readout.setWordWrap(True)
        self.readout.setToolTip(
            "Feedback alignment sends the error down through a fixed random matrix B instead "
            "of Wᵀ. Each curve is the angle, at every step, between the weight update of one "
            "hidden layer that this gives and the true gradient backprop would use: 0° is the "
            "same direction, 90° no better than random. Below 90° the network still learns.")
        self.plot_widget.setToolTip(self.readout.toolTip())
        left = self.plot.getAxis("left")
        left.setTicks([[(v, f"{v}°") for v in TICKS], [(v, "") for v in range(0, 181, 10)]])
        self.plot.setMouseEnabled(y=False)  # the angle range is fixed; zoom along the steps
        self.plot.enableAutoRange(y=False)
        self._top = ORTHOGONAL
        self.plot.setYRange(0, ORTHOGONAL, padding=0.04)
        self.orthogonal_line = pg.InfiniteLine(
            pos=ORTHOGONAL, angle=0, movable=False,
            pen=pg.mkPen((150, 150, 150), width=1, style=Qt.PenStyle.DashLine),
            label="no better than random", labelOpts={
                "position": 0.98, "anchors": [(1, 1), (1, 1)], "color": "#777"})
        self._set_line_font(1.0)
        self.plot.addItem(self.orthogonal_line, ignoreBounds=True)
        self.note = pg.TextItem("", color="#555", anchor=(0.5, 0.5))
        self.note.setParentItem(self.plot.getViewBox())
        self.curves: list[pg.PlotDataItem] = []
        self._buffer = GrowingColumns(1)
        self._smoothed = GrowingColumns(0)
        self._levels, self._smooth_levels = PeakLevels(), PeakLevels()  # of raw and smoothed
        self._ema = None  # running mean of the angle per layer
        self._feedback = "backprop"
        self.smooth_check = self._add_smooth_check(
            "Show a running average (over about 50 steps): each mini-batch gives a different "
            "angle, and the trend gets lost in the noise. Untick for every raw value.")
        self._note_text = ""
        self.plot.getViewBox().sigResized.connect(self._place_note)

    # -- set-up -------------------------------------------------------------------------------
    def set_network(self, n_layers: int, feedback: str) -> None:
        """Start over for a network of n_layers dense layers and its gradient signal."""
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.legend.clear()
        self._feedback = feedback
        hidden = max(0, n_layers - 1)
        colors = layer_colors(n_layers)[:hidden]
        self.curves = [self._curve(f"layer {i + 1}", color) for i, color in enumerate(colors)]
        self.fit_legend()
        self._buffer = GrowingColumns(1 + hidden)
        self._smoothed = GrowingColumns(hidden)
        self._ema = None
        self._pending.clear()
        self._levels, self._smooth_levels = PeakLevels(), PeakLevels()
        self._drawn = None
        self._set_top(ORTHOGONAL)
        self._show_note()

    @property
    def feedback(self) -> str:
        return self._feedback

    def note_text(self) -> str:
        """The explanation shown across the plot instead of curves ("" when there are curves)."""
        return self._note_text

    # -- data ---------------------------------------------------------------------------------
    def append(self, step: int, alignment) -> None:
        """Record one step's angles (StepStats.alignment; None under backprop: nothing)."""
        if alignment is None or not self.curves:
            return
        self._queue((step, *alignment[:len(self.curves)]))

    def extend(self, steps, alignment) -> None:
        """A history's angles at once: alignment is (steps, layers) with NaN rows where a step
        had none, or None (a backprop run)."""
        if alignment is None or not self.curves or len(steps) == 0:
            return
        angles = np.asarray(alignment, dtype=float).reshape(len(steps), -1)[:, :len(self.curves)]
        self._flush()
        self._store(np.vstack([np.asarray(steps, dtype=float)[None, :], angles.T]))

    def _store(self, columns: np.ndarray) -> None:
        columns[~np.isfinite(columns)] = np.nan  # a diverged step is a gap
        self._buffer.extend(columns)
        self._smoothed.extend(self._smooth(columns[1:]))
        if columns.shape[1] and np.isfinite(columns[1:]).any():
            self._set_top(max(self._top, float(np.nanmax(columns[1:]))))

    def _smooth(self, angles: np.ndarray) -> np.ndarray:
        """Exponential moving average per layer, carried across flushes (NaN skipped)."""
        means, self._ema = running_mean(angles, self._ema, SMOOTHING)
        return means

    def _set_top(self, top: float) -> None:
        """0° to 90° unless an angle beyond 90° was recorded (then up to it)."""
        top = min(180.0, max(ORTHOGONAL, math.ceil(top / 10) * 10))
        if top != self._top:
            self._top = top
            self.plot.setYRange(0, top, padding=0.04)

    def refresh(self) -> None:
        self._flush()
        data = self._buffer.view()
        if self.smooth_check.isChecked():
            self._draw(self.curves, data[0], self._smoothed.view(), self._smooth_levels)
        else:
            self._draw(self.curves, data[0], data[1:], self._levels)
        self._show_note()

    def clear(self) -> None:
        self._buffer.clear()
        self._smoothed.clear()
        self._ema = None
        self._pending.clear()
        self._levels, self._smooth_levels = PeakLevels(), PeakLevels()
        self._drawn = None
        self._set_top(ORTHOGONAL)
        self.refresh()


    def series(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, angles (steps × hidden layers)) as recorded, never smoothed: copies."""
        self._flush()
        data = self._buffer.view()
        return data[0].copy(), data[1:].T.copy()

    def set_text_scale(self, scale: float) -> None:
        super().set_text_scale(scale)
        self._set_line_font(self._text_scale)
        self.note.textItem.setFont(QFont() if self._text_scale == 1 else
                                   scaled_font(self._text_scale))
        self._place_note()

    def _set_line_font(self, scale: float) -> None:
        small = QFont(self.font())  # the 90° line's label: smaller than the axes' text
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.8) * scale)
        self.orthogonal_line.label.setFont(small)

    # -- the note across the plot ---------------------------------------------------------------
    def _show_note(self) -> None:
        text = (BACKPROP if self._feedback != "fa" else NO_HIDDEN if not self.curves
                else "")
        if text != self._note_text:
            self._note_text = text
            self.note.setText(text)
            self.note.setVisible(bool(text))
            self._place_note()

    def _place_note(self, *_) -> None:
        rect = self.plot.getViewBox().boundingRect()
        self.note.setTextWidth(max(120.0, rect.width() - 20))
        self.note.setPos(rect.center())
