"""The step plots' axes and view box, made cheap to redraw while training: grid lines Qt can
fill rather than blend, log-axis labels that stay readable, and an auto-range that moves in
steps rather than at every new point (each range change re-lays out both axes)."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

GRID_Z = -200  # below pyqtgraph's view box (-100), which holds the curves
# The data may shrink to this share of the view before the range tightens again. Well below
# what a new range leaves them (padding ≤ 10 % a side plus the headroom: ≥ 0.7), or the
# range is "tightened" to the same range at every frame, re-laying out the axes each time.
KEEP = 0.5
# Of the data's span, added where the data grow: on the right, and above and below.
HEADROOM_X, HEADROOM_Y = 0.1, 0.05


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
    """An axis whose grid lines are opaque, their colour blended with the white background
    beforehand, and drawn under the curves (StepPlot puts the axes below its view box): Qt's
    raster engine blends a semi-transparent line pixel by pixel (~2 ms for one plot's vertical
    grid, most of its repaint) but fills an opaque one. The same pixels, except that a curve
    crossing a grid line now stays on top of it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._opaque_pens: dict[int, QPen] = {}

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):
        pens = {}  # the ticks of one level share a pen
        for pen, _, _ in tickSpecs:
            if id(pen) not in pens:
                pens[id(pen)] = self._opaque(pen)
        ticks = [(pens[id(pen)], p1, p2) for pen, p1, p2 in tickSpecs]
        super().drawPicture(p, axisSpec, ticks, textSpecs)

    def _opaque(self, pen: QPen) -> QPen:
        color = pen.color()
        if color.alpha() == 255 or pen.brush().style() != Qt.BrushStyle.SolidPattern:
            return pen
        key = color.rgba()
        if key not in self._opaque_pens:
            a = color.alphaF()
            mixed = [round(255 + (c - 255) * a) for c in color.getRgb()[:3]]
            opaque = QPen(pen)
            opaque.setColor(QColor(*mixed))
            self._opaque_pens[key] = opaque
        return self._opaque_pens[key]


class SparseLogAxis(FastGridAxis):
    """In log mode, label only 1, 2 and 5 × 10ᵏ: pyqtgraph labels every minor tick, and
    0.1, 0.09, 0.08, … pile up into an unreadable smear."""

    def logTickStrings(self, values, scale, spacing):
        shift = math.log10(scale) if scale > 0 else math.nan
        return [log_tick_label(float(v) + shift) for v in values]


class FollowingViewBox(pg.ViewBox):
    """A ViewBox whose auto-range follows the data in steps: the range is set again only when
    the data leave it or fill less than KEEP of it, and then with some headroom to grow into, so
    that a plot fed every frame re-lays out its axes only now and then; `fit` (StepPlot calls it
    once the data stop growing) takes the headroom away again. Zooming, panning and the "A"
    button behave as in pyqtgraph's ViewBox."""

    def updateAutoRange(self):
        auto = self.state["autoRange"]
        try:
            if not any(auto):
                return
            bounds = self.childrenBounds()
            ranges = {}
            for ax, key in ((0, "xRange"), (1, "yRange")):
                if auto[ax] is not False and bounds[ax] is not None:
                    target = self._target(ax, *bounds[ax])
                    if target is not None:
                        ranges[key] = target
            if ranges:
                self.setRange(**ranges, padding=0.0, disableAutoRange=False)
        finally:
            self._autoRangeNeedsUpdate = False  # pyqtgraph's flag: done until the data change

    def fit(self) -> None:
        """The exact range pyqtgraph's auto-range gives (once the data stop growing)."""
        super().updateAutoRange()

    def _target(self, ax: int, lo: float, hi: float) -> tuple[float, float] | None:
        """The new range of axis ax for data in lo..hi, or None to keep the current one."""
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return None
        now_lo, now_hi = self.viewRange()[ax]
        fits = now_lo <= lo and hi <= now_hi
        if fits and (hi - lo >= KEEP * (now_hi - now_lo) or hi == lo):
            return None
        pad = self.suggestPadding(ax) * (hi - lo)  # pyqtgraph's own margin (≤ 10 %)
        if ax == 0:  # steps only grow
            return lo - pad, hi + pad + HEADROOM_X * (hi - lo)
        slack = pad + HEADROOM_Y * (hi - lo)
        return lo - slack, hi + slack
