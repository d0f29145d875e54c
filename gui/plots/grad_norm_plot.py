"""The per-layer gradient norm ‖∂L/∂W, ∂L/∂b‖ against the training step (log y shows vanishing
gradients at a glance), on loss_plot's StepPlot base."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.plots.loss_plot import (
    NORM_FLOOR,
    SMOOTHING,
    GrowingColumns,
    StepPlot,
    has_huge,
)
from gui.plots.step_buffers import PeakLevels, running_mean


class GradNormPlot(StepPlot):
    """One curve per layer of ‖∂L/∂W, ∂L/∂b‖ against the step; log y shows vanishing gradients."""

    def __init__(self, parent=None):
        super().__init__("‖∂L/∂W, ∂L/∂b‖", log_y=True, legend_outside=True, parent=parent,
                         short_y_labels=("norm",))
        self.log_check.setToolTip(
            "Logarithmic axis: gradients that shrink layer by layer show as separated curves")
        self.readout.setText("gradient norm per layer")
        self.readout.setToolTip("Each curve is one layer's gradient size at every step; "
                                "layers far below the others barely learn")
        self.curves: list[pg.PlotDataItem] = []
        self._buffer = GrowingColumns(1)
        self._smoothed = GrowingColumns(0)
        self._levels, self._smooth_levels = PeakLevels(), PeakLevels()  # of raw and smoothed
        self._ema = None  # running mean of log10 ‖g‖ per layer
        self._huge = False  # some norm > LINEAR_LIMIT was recorded
        self.smooth_check = self._add_smooth_check(
            "Show a running average (over about 50 steps, on the log scale): mini-batch gradients "
            "are noisy and the layers' trends get lost in the noise. Untick for every raw value.")

    def set_layers(self, n: int) -> None:
        """Start over with n layers (after the architecture changed)."""
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.legend.clear()
        # Sampled from a sequential map so layer order reads as a colour order; the map's very
        # light end is skipped so the last layer stays visible on white.
        cmap = pg.colormap.get("plasma")
        positions = np.linspace(0.0, 0.8, n) if n > 1 else [0.0]
        self.curves = [self._curve(f"layer {i + 1}", cmap.map(p, mode="qcolor"))
                       for i, p in enumerate(positions)]
        self.fit_legend()  # deep nets: every entry in view, in more columns
        self._buffer = GrowingColumns(1 + n)
        self._smoothed = GrowingColumns(n)
        self._ema = None
        self._pending.clear()
        self._levels, self._smooth_levels = PeakLevels(), PeakLevels()
        self._drawn = None
        self._huge = False

    def append(self, step: int, norms) -> None:
        if len(norms) != len(self.curves):
            raise ValueError(f"expected {len(self.curves)} gradient norms, got {len(norms)}")
        self._queue((step, *norms))

    def extend(self, steps, norms) -> None:
        """Append many steps at once (a loaded session's history): norms is (steps, layers)."""
        norms = np.asarray(norms, dtype=float).reshape(len(steps), len(self.curves))
        self._flush()
        self._store(np.vstack([np.asarray(steps, dtype=float)[None, :], norms.T]))

    def _store(self, columns: np.ndarray) -> None:
        """Move (1 + layers, k) columns of steps and raw norms into the buffers."""
        columns[1:] = _norms_for_plot(columns[1:])
        self._huge = self._huge or has_huge(columns[1:])
        self._buffer.extend(columns)
        self._smoothed.extend(self._smooth(columns[1:]))

    def _smooth(self, norms: np.ndarray) -> np.ndarray:
        """Exponential moving average of log10 norms, carried across flushes (NaN skipped)."""
        means, self._ema = running_mean(np.log10(norms), self._ema, SMOOTHING)
        return 10.0 ** means

    def refresh(self) -> None:
        self._flush()
        data = self._buffer.view()
        if self.smooth_check.isChecked():
            self._draw(self.curves, data[0], self._smoothed.view(), self._smooth_levels,
                       self._huge)
        else:
            self._draw(self.curves, data[0], data[1:], self._levels, self._huge)

    def clear(self) -> None:
        self._buffer.clear()
        self._smoothed.clear()
        self._ema = None
        self._pending.clear()
        self._levels, self._smooth_levels = PeakLevels(), PeakLevels()
        self._drawn = None
        self._huge = False
        self.refresh()



def _norms_for_plot(norms: np.ndarray) -> np.ndarray:
    """NaN/Inf (and negatives, which no norm can be) become gaps; exact zeros sit at a tiny
    floor so log scale still draws them."""
    clean = np.where(np.isfinite(norms) & (norms >= 0), norms, np.nan)
    return np.where(clean == 0, NORM_FLOOR, clean)
