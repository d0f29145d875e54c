"""Where the boundary view samples the network (the NumPy half, no Qt): the square input plane
to show, its pixel-centre grid, the x values of a 1-D curve, and the plane's axis names."""

from __future__ import annotations

import numpy as np

from engine.datasets import EXTENT

DEFAULT_NAMES = ("x₁", "x₂")


def plane_bounds(points: np.ndarray) -> tuple[float, float]:
    """(lo, hi) of the square input plane to show: TensorFlow Playground's [-6, 6] for data
    that lives there, else the data's own range plus a margin (the four XOR points in [0, 1]
    would otherwise be a speck in the middle)."""
    points = np.asarray(points, dtype=float)
    lo, hi = float(points.min()), float(points.max())
    if -EXTENT <= lo and hi <= EXTENT and hi - lo >= EXTENT:
        return -EXTENT, EXTENT
    margin = max(0.5, 0.15 * (hi - lo))
    return lo - margin, hi + margin


def grid_points(resolution: int = 100, bounds=(-EXTENT, EXTENT)) -> np.ndarray:
    """(resolution², 2) pixel-centre points covering the square bounds², row-major with y as
    rows: point ``row * resolution + col`` is (x[col], y[row]), rows going from y = lo upward."""
    lo, hi = bounds
    step = (hi - lo) / resolution
    centres = lo + step * (np.arange(resolution) + 0.5)
    xs, ys = np.meshgrid(centres, centres)  # ys varies along rows
    return np.column_stack([xs.ravel(), ys.ravel()])


def line_points(points: np.ndarray, resolution: int = 200) -> np.ndarray:
    """(resolution, 1) evenly spaced x values over the 1-D data range ± a margin."""
    x = np.asarray(points, dtype=float)[:, 0]
    lo, hi = float(np.min(x)), float(np.max(x))
    margin = max(2.5, 0.25 * (hi - lo))
    return np.linspace(lo - margin, hi + margin, resolution)[:, None]


def axis_names(column_names) -> tuple[str, str]:
    """The plane's axis names: the data's own column names where it has them (a CSV header),
    else x₁ and x₂."""
    names = [str(n) for n in column_names or ()][:2]
    return tuple(names + list(DEFAULT_NAMES[len(names):]))
