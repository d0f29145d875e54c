"""Colour maps shared by the views: one perceptually uniform map for magnitudes (gradients,
|W|) and one diverging map for signed values (weights, activations, predictions)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

# TF Playground's colours: blue for negative, orange for positive.
NEGATIVE_BLUE = (8, 119, 189)
POSITIVE_ORANGE = (245, 147, 34)
NEUTRAL_GREY = (170, 170, 170)


def magnitude_colormap() -> pg.ColorMap:
    """Viridis: perceptually uniform, readable in greyscale and by colour-blind viewers."""
    return pg.colormap.get("viridis")


def diverging_colormap() -> pg.ColorMap:
    """Blue (negative) ↔ white (zero) ↔ orange (positive)."""
    return pg.ColorMap([0.0, 0.5, 1.0], [NEGATIVE_BLUE, (255, 255, 255), POSITIVE_ORANGE],
                       name="blue-white-orange")


def normalize(values, lo: float, hi: float, log: bool = False) -> np.ndarray:
    """Values as fractions of [lo, hi] clipped to [0, 1]; with log, of [log10 lo, log10 hi]
    (zeros and negatives sit at the bottom). A degenerate range maps everything to 0.5."""
    v = np.asarray(values, dtype=np.float64)
    if log:
        tiny = np.finfo(np.float64).tiny
        lo, hi = np.log10(max(lo, tiny)), np.log10(max(hi, tiny))
        v = np.log10(np.maximum(v, tiny))
    if not hi > lo:
        return np.full(v.shape, 0.5)
    return np.clip((np.nan_to_num(v, nan=lo) - lo) / (hi - lo), 0.0, 1.0)


def map_values(values, cmap: pg.ColorMap, lo: float, hi: float, log: bool = False) -> np.ndarray:
    """RGBA bytes, shape (n, 4), for a flat array of values."""
    t = normalize(np.ravel(values), lo, hi, log)
    rgba = np.asarray(cmap.map(t, mode="byte"), dtype=np.uint8).reshape(len(t), -1)
    if rgba.shape[1] == 3:
        rgba = np.column_stack([rgba, np.full(len(t), 255, np.uint8)])
    return rgba


def lookup_table(cmap: pg.ColorMap, n: int = 256) -> np.ndarray:
    """An (n, 4) uint8 lookup table for ImageItem.setLookupTable (use explicit levels)."""
    return map_values(np.linspace(0.0, 1.0, n), cmap, 0.0, 1.0)

