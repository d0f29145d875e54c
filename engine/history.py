"""The record of training, one row per step taken: step number, batch loss, training and test
loss, every layer's gradient norm and, under feedback alignment, every layer's angle between
its update and the true gradient.

Rows go into NumPy buffers that double when full, so appending (every step) costs a few
scalar writes and the whole record can be plotted or saved without converting a list.
In JSON, NaN (no test set, a diverged step) is written as null and ±∞ as "Infinity" /
"-Infinity", which keeps the file standard JSON.

The record is bounded (MAX_ROWS): a run longer than that keeps every 2nd, then every 4th, …
step, evenly over the whole run, so a session of millions of steps stays a few megabytes and
reopens; the plots look the same at any screen's resolution.
"""

from __future__ import annotations

import math

import numpy as np

FIELDS = ("batch_loss", "train_loss", "test_loss")  # the per-step losses, one value each
INITIAL_CAPACITY = 256
MAX_ROWS = 100_000  # rows kept at most (a multiple of 2: thinning halves it)
_NON_FINITE = {"Infinity": math.inf, "-Infinity": -math.inf}


class History:
    def __init__(self, n_layers: int, *, alignment: bool = False):
        if not isinstance(n_layers, int) or isinstance(n_layers, bool) or n_layers < 1:
            raise ValueError(f"a history needs a whole number of layers ≥ 1, got {n_layers!r}")
        self.n_layers = n_layers
        self.stride = 1  # every stride-th step is kept (doubles when the record is full)
        self._n = 0
        self._step = np.zeros(INITIAL_CAPACITY, dtype=np.int64)
        self._losses = np.zeros((INITIAL_CAPACITY, len(FIELDS)))
        self._grad_norms = np.zeros((INITIAL_CAPACITY, n_layers))
        self._alignment: np.ndarray | None = None  # (capacity, layers) under feedback alignment
        if alignment:
            self.record_alignment()

    @property
    def has_alignment(self) -> bool:
        """True when the record has alignment angles (a feedback-alignment run)."""
        return self._alignment is not None

    def record_alignment(self) -> None:
        """Start an alignment column; steps recorded before have none (NaN)."""
        if self._alignment is None:
            self._alignment = np.full((len(self._step), self.n_layers), math.nan)

    def _buffers(self) -> tuple[str, ...]:
        names = ("_step", "_losses", "_grad_norms")
        return (*names, "_alignment") if self.has_alignment else names

    def __len__(self) -> int:
        return self._n

    def append(self, stats) -> None:
        """Record one engine.trainer.StepStats (a test loss of None is stored as NaN)."""
        if stats.step % self.stride:
            return  # a long run: between two kept steps
        n = self._n
        while n >= MAX_ROWS:
            n = self._thin()
        if n == len(self._step):
            self._grow(min(2 * n, MAX_ROWS))
        self._step[n] = stats.step
        row = self._losses[n]
        row[0] = _float(stats.batch_loss)
        row[1] = _float(stats.train_loss)
        row[2] = _float(stats.test_loss)
        self._grad_norms[n] = stats.grad_norms
        alignment = getattr(stats, "alignment", None)
        if alignment is not None:
            self.record_alignment()
        if self._alignment is not None:
            self._alignment[n] = math.nan if alignment is None else alignment
        self._n = n + 1

    def _thin(self) -> int:
        """Keep the rows whose step is a multiple of twice the stride; returns the new count."""
        self.stride *= 2
        keep = np.flatnonzero(self._step[:self._n] % self.stride == 0)
        for name in self._buffers():
            a = getattr(self, name)
            a[:len(keep)] = a[keep]
        self._n = len(keep)
        return self._n

    def _grow(self, capacity: int) -> None:
        n = self._n
        for name in self._buffers():
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            new[:n] = old[:n]
            setattr(self, name, new)

    def arrays(self) -> dict[str, np.ndarray]:
        """Read-only copies: "step" (n,), one (n,) array per loss, "grad_norms" (n, layers),
        and under feedback alignment "alignment" (n, layers) in degrees, NaN rows where none."""
        n = self._n
        result = {"step": self._step[:n].copy()}
        for i, name in enumerate(FIELDS):
            result[name] = self._losses[:n, i].copy()
        result["grad_norms"] = self._grad_norms[:n].copy()
        if self._alignment is not None:
            result["alignment"] = self._alignment[:n].copy()
        for a in result.values():
            a.flags.writeable = False
        return result

    def copy(self) -> History:
        other = History(self.n_layers, alignment=self.has_alignment)
        other.stride = self.stride
        other._grow(max(INITIAL_CAPACITY, self._n))
        for name in self._buffers():
            getattr(other, name)[:self._n] = getattr(self, name)[:self._n]
        other._n = self._n
        return other

    def __eq__(self, other) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        mine, theirs = self.arrays(), other.arrays()
        return self.n_layers == other.n_layers and mine.keys() == theirs.keys() and all(
            np.array_equal(mine[k], theirs[k], equal_nan=k != "step") for k in mine)

    # -- JSON ---------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        arrays = self.arrays()
        result = {"layers": self.n_layers, "stride": self.stride, "step": arrays["step"].tolist()}
        for name in (*FIELDS, "grad_norms", "alignment"):
            if name in arrays:
                result[name] = _encode(arrays[name])
        return result

    @classmethod
    def from_dict(cls, d) -> History:
        """The inverse of to_dict; ValueError with a one-line message for anything malformed."""
        if not isinstance(d, dict):
            raise ValueError("the history must be a JSON object")
        missing = [k for k in ("layers", "step", *FIELDS, "grad_norms") if k not in d]
        if missing:
            raise ValueError(f"the history has no {missing[0]!r}")
        unknown = sorted(set(d) - {"layers", "stride", "step", *FIELDS, "grad_norms",
                                   "alignment"})
        if unknown:
            raise ValueError(f"the history has an unknown entry {unknown[0]!r}")
        layers = d["layers"]
        if not _whole(layers) or layers < 1:
            raise ValueError(f"the history's layer count must be a whole number ≥ 1, "
                             f"got {layers!r}")
        steps = d["step"]
        if not isinstance(steps, list) or not all(map(_whole, steps)):
            raise ValueError("the history's steps must be a list of whole numbers")
        n = len(steps)
        try:
            step = np.array(steps, dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
        except OverflowError:
            raise ValueError("the history's steps must be whole numbers below 2⁶³") from None
        if n and (step[0] < 1 or np.any(np.diff(step) <= 0)):
            raise ValueError("the history's steps must count up from 1 or more")
        stride = d.get("stride", 1)  # optional: files from before the record was bounded
        if not _whole(stride) or not 1 <= stride <= 2**62:
            raise ValueError(f"the history's stride must be a whole number ≥ 1, got {stride!r}")
        history = cls(layers, alignment="alignment" in d)  # optional: feedback alignment only
        history.stride = stride
        history._grow(max(INITIAL_CAPACITY, n))
        history._step[:n] = step
        for i, name in enumerate(FIELDS):
            history._losses[:n, i] = _decode(d[name], n, f"the history's {name}")
        history._grad_norms[:n] = _rows(d["grad_norms"], n, layers, "grad_norms")
        if "alignment" in d:
            history._alignment[:n] = _rows(d["alignment"], n, layers, "alignment")
        history._n = n
        return history


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _float(value) -> float:
    return math.nan if value is None else value


def _rows(rows, n: int, layers: int, name: str) -> np.ndarray:
    """An (n, layers) array from n JSON rows of `layers` values each."""
    if not isinstance(rows, list) or len(rows) != n:
        raise ValueError(f"the history's {name} need {n} rows, one per step")
    for row in rows:
        if not isinstance(row, list) or len(row) != layers:
            raise ValueError(f"each row of the history's {name} needs {layers} values")
    flat = [v for row in rows for v in row]
    return _decode(flat, n * layers, f"the history's {name}").reshape(n, layers)


def _encode(a: np.ndarray) -> list:
    """a.tolist() with NaN as None and ±∞ as strings (standard JSON has neither)."""
    values = a.tolist()
    bad = np.argwhere(~np.isfinite(a))
    for index in bad:
        x = a[tuple(index)]
        text = None if np.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
        if a.ndim == 1:
            values[index[0]] = text
        else:
            values[index[0]][index[1]] = text
    return values


def _decode(values, n: int, what: str) -> np.ndarray:
    """The inverse of _encode for a flat list of n values; ValueError unless numbers."""
    if not isinstance(values, list) or len(values) != n:
        raise ValueError(f"{what} needs {n} values, one per step")
    kinds = set(map(type, values))
    try:
        if kinds <= {float, int}:  # the usual case: every value a number
            return np.array(values, dtype=np.float64).reshape(n)
    except OverflowError:
        raise ValueError(f"{what} holds a number too large for a float") from None
    out = np.empty(n)
    for i, v in enumerate(values):
        if v is None:
            out[i] = math.nan
        elif isinstance(v, str) and v in _NON_FINITE:
            out[i] = _NON_FINITE[v]
        elif isinstance(v, float) or _whole(v) and abs(v) < 2**1023:
            out[i] = v
        else:
            raise ValueError(f"{what} must hold numbers, got {str(v)[:20]!r}")
    return out
