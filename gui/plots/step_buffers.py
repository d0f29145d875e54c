"""The NumPy half of the step plots (no Qt): growing column buffers, and min/max summaries of
them at coarser and coarser resolutions, so that a curve of a million steps is drawn from a few
thousand points and a new step costs O(1) to summarise, not O(history) to redraw.

pyqtgraph's own peak downsampling and clip-to-view redo their work over the whole history on
every refresh (and clip-to-view does nothing while the view follows the data), which at 10⁶
steps cost more than the frame budget. PeakLevels keeps the same picture, each block's
maximum and minimum, for blocks of 4, 16, 64, … steps, updated as steps arrive.
"""

from __future__ import annotations

import math

import numpy as np

FACTOR = 4  # steps per block grow by this from one level to the next
PAIRS_PER_PIXEL = 1  # min/max pairs drawn per pixel column at least (up to FACTOR times as many)


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


def _blocks(reduce, values: np.ndarray) -> np.ndarray:
    """reduce (np.fmin or np.fmax: NaN only where a whole block is NaN) over consecutive
    blocks of FACTOR columns; a last, shorter block is padded with NaN."""
    rows, n = values.shape
    m = -(-n // FACTOR)
    padded = np.full((rows, m * FACTOR), np.nan)
    padded[:, :n] = values
    return reduce.reduce(padded.reshape(rows, m, FACTOR), axis=2)


class PeakLevels:
    """For each level k = 1, 2, …: the minimum and the maximum of every block of FACTOR**k
    consecutive columns of a (series, n) buffer that only grows."""

    def __init__(self):
        self._lo: list[GrowingColumns] = []
        self._hi: list[GrowingColumns] = []
        self.count = 0  # columns summarised so far

    def clear(self) -> None:
        self._lo.clear()
        self._hi.clear()
        self.count = 0

    def levels(self) -> int:
        return len(self._lo)

    def update(self, values: np.ndarray) -> None:
        """Summarise the columns added since the last call; each level's last block, which
        may have been partial, is recomputed (a few columns per level)."""
        if values.shape[1] < self.count or (self._lo and len(self._lo[0].view()) != len(values)):
            self.clear()  # a different buffer: start over
        start, lo, hi, size = self.count, values, values, values.shape[1]
        level = 0
        while size > FACTOR:
            if level == len(self._lo):  # the data grew past this level's first block
                self._lo.append(GrowingColumns(len(values)))
                self._hi.append(GrowingColumns(len(values)))
            low, high = self._lo[level], self._hi[level]
            first = min(start // FACTOR, low.count)  # the first block with new columns
            low.count = high.count = first
            low.extend(_blocks(np.fmin, lo[:, first * FACTOR:size]))
            high.extend(_blocks(np.fmax, hi[:, first * FACTOR:size]))
            lo, hi, start, size = low.view(), high.view(), first, low.count
            level += 1
        self.count = values.shape[1]

    def window(self, steps: np.ndarray, values: np.ndarray, i0: int, i1: int,
               pixels: float) -> tuple[np.ndarray, np.ndarray]:
        """(x, (series, m) y) to draw columns i0:i1 of (steps, values) on `pixels` pixel
        columns: the columns themselves when there are few, else each block's maximum and
        minimum at its centre step, at least PAIRS_PER_PIXEL blocks per pixel. One column
        (block) beyond each end is kept, so the curve runs to the edges of the view."""
        n = values.shape[1]
        level = self._level_for((i1 - i0) / (PAIRS_PER_PIXEL * max(pixels, 1.0)))
        if level == 0:
            a, b = max(0, i0 - 1), min(n, i1 + 1)
            return steps[a:b], values[:, a:b]
        size = FACTOR ** level
        lo, hi = self._lo[level - 1].view(), self._hi[level - 1].view()
        j0, j1 = max(0, i0 // size - 1), min(lo.shape[1], -(-i1 // size) + 1)
        centres = np.minimum(np.arange(j0, j1) * size + size // 2, n - 1)
        x = steps[centres]
        x[0], x[-1] = steps[j0 * size], steps[min(j1 * size, n) - 1]  # the ends exactly
        y = np.empty((len(values), 2 * (j1 - j0)))
        y[:, 0::2], y[:, 1::2] = hi[:, j0:j1], lo[:, j0:j1]
        return np.repeat(x, 2), y

    def _level_for(self, block: float) -> int:
        """The coarsest level whose blocks are at most `block` columns long."""
        level = 0
        while level < len(self._lo) and FACTOR ** (level + 1) <= block:
            level += 1
        return level


def running_mean(x: np.ndarray, start, weight: float) -> tuple[np.ndarray, np.ndarray]:
    """The exponential moving average m_t = m_(t-1) + weight (x_t - m_(t-1)) along the columns
    of (series, k) x, going on from `start` ((series,); None or NaN: from a series' first
    value); a non-finite x_t leaves the mean as it was. Returns (the means (series, k), the
    last mean). Plain floats, a series at a time: a NumPy call per step cost ~4 µs a step, and
    the result must not depend on how the steps were split into calls."""
    out = np.empty(x.shape)
    last = []
    for row, values in enumerate(x.tolist()):
        m = math.nan if start is None else float(start[row])
        means = []
        for v in values:
            if m != m:  # no mean yet (NaN): it starts here
                m = v
            elif v - v == 0:  # finite
                m = m + weight * (v - m)
            means.append(m)
        out[row] = means
        last.append(m)
    return out, np.array(last)
