"""The record of training: one row per step taken (step number, batch loss, every layer's
gradient norm and, under feedback alignment, every layer's angle between its update and the
true gradient), and the evaluations (the loss on the whole training and test sets), which are
taken when someone reads them (the window's redraws, a CLI report) rather than at every step.

Rows go into NumPy buffers that double when full, so appending (every step) costs a few
scalar writes and the whole record can be plotted or saved without converting a list.
In JSON, NaN (no test set, a diverged step) is written as null and ±∞ as "Infinity" /
"-Infinity", which keeps the file standard JSON.

The record is bounded (MAX_ROWS): a run longer than that keeps every 2nd, then every 4th, …
step, evenly over the whole run, and every 2nd evaluation, so a session of millions of steps
stays a few megabytes and reopens; the plots look the same at any screen's resolution.
"""

from __future__ import annotations

import math

import numpy as np

EVALUATED = ("train_loss", "test_loss")  # the whole-set losses, one value per evaluation
INITIAL_CAPACITY = 256
MAX_ROWS = 100_000  # rows kept at most (a multiple of 2: thinning halves it)
MAX_LAYERS = 1000  # far above any network's; a bigger count in a file is damage
_NON_FINITE = {"Infinity": math.inf, "-Infinity": -math.inf}


class History:
    def __init__(self, n_layers: int, *, alignment: bool = False):
        if not isinstance(n_layers, int) or isinstance(n_layers, bool) or n_layers < 1:
            raise ValueError(f"a history needs a whole number of layers ≥ 1, got {n_layers!r}")
        self.n_layers = n_layers
        self.stride = 1  # every stride-th step is kept (doubles when the record is full)
        self._n = 0
        self._step = np.zeros(INITIAL_CAPACITY, dtype=np.int64)
        self._batch_loss = np.zeros(INITIAL_CAPACITY)
        self._grad_norms = np.zeros((INITIAL_CAPACITY, n_layers))
        self._alignment: np.ndarray | None = None  # (capacity, layers) under feedback alignment
        if alignment:
            self.record_alignment()
        # Evaluations: (step, train loss, test loss) rows, steps non-decreasing.
        self._eval_n = 0
        self._eval = np.zeros((INITIAL_CAPACITY, 3))

    @property
    def has_alignment(self) -> bool:
        """True when the record has alignment angles (a feedback-alignment run)."""
        return self._alignment is not None

    def record_alignment(self) -> None:
        """Start an alignment column; steps recorded before have none (NaN)."""
        if self._alignment is None:
            self._alignment = np.full((len(self._step), self.n_layers), math.nan)

    def _buffers(self) -> tuple[str, ...]:
        names = ("_step", "_batch_loss", "_grad_norms")
        return (*names, "_alignment") if self.has_alignment else names

    def __len__(self) -> int:
        return self._n

    @property
    def evaluations(self) -> int:
        return self._eval_n

    def append(self, result) -> None:
        """Record one step (an engine StepResult or StepStats: step, batch_loss, grad_norms,
        alignment). Called at every step, so it does as little as it can."""
        step = result.step
        if step % self.stride:
            return  # a long run: between two kept steps
        n = self._n
        if n == len(self._step) or n >= MAX_ROWS:
            n = self._make_room()
        self._step[n] = step
        self._batch_loss[n] = result.batch_loss
        self._grad_norms[n] = result.grad_norms
        alignment = result.alignment
        if alignment is not None and self._alignment is None:
            self.record_alignment()
        if self._alignment is not None:
            self._alignment[n] = math.nan if alignment is None else alignment
        self._n = n + 1

    def _make_room(self) -> int:
        """Thin a full record, or grow its buffers; returns the row to write."""
        n = self._n
        while n >= MAX_ROWS:
            n = self._thin()
        if n == len(self._step):
            self._grow(min(2 * n, MAX_ROWS))
        return n

    def record_evaluation(self, step: int, train_loss: float, test_loss: float | None) -> None:
        """The whole-set losses at a step (None: no test set). A second evaluation at the same
        step (after an edited weight, say) replaces the first."""
        n = self._eval_n
        if n and self._eval[n - 1, 0] == step:
            n -= 1
        elif n >= MAX_ROWS:
            kept = self._eval[0:n:2]  # every 2nd evaluation, the first (the start) kept
            n = len(kept)
            self._eval[:n] = kept
        if n == len(self._eval):
            grown = np.zeros((min(2 * n, MAX_ROWS), 3))
            grown[:n] = self._eval[:n]
            self._eval = grown
        self._eval[n] = (step, _float(train_loss), _float(test_loss))
        self._eval_n = n + 1

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
        """Read-only copies: per step "step" (n,), "batch_loss" (n,), "grad_norms" (n, layers)
        and under feedback alignment "alignment" (n, layers) in degrees, NaN rows where none;
        per evaluation "eval_step" (k,), "train_loss" (k,), "test_loss" (k,), NaN without a
        test set."""
        n, k = self._n, self._eval_n
        result = {"step": self._step[:n].copy(), "batch_loss": self._batch_loss[:n].copy(),
                  "grad_norms": self._grad_norms[:n].copy()}
        if self._alignment is not None:
            result["alignment"] = self._alignment[:n].copy()
        result["eval_step"] = self._eval[:k, 0].astype(np.int64)
        for i, name in enumerate(EVALUATED, 1):
            result[name] = self._eval[:k, i].copy()
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
        other._eval, other._eval_n = self._eval.copy(), self._eval_n
        return other

    def __eq__(self, other) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        mine, theirs = self.arrays(), other.arrays()
        return self.n_layers == other.n_layers and mine.keys() == theirs.keys() and all(
            np.array_equal(mine[k], theirs[k], equal_nan="step" not in k) for k in mine)

    # -- JSON ---------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        arrays = self.arrays()
        result = {"layers": self.n_layers, "stride": self.stride, "step": arrays["step"].tolist()}
        for name in ("batch_loss", "grad_norms", "alignment"):
            if name in arrays:
                result[name] = _encode(arrays[name])
        result["evaluations"] = {"step": arrays["eval_step"].tolist(),
                                 **{name: _encode(arrays[name]) for name in EVALUATED}}
        return result

    @classmethod
    def from_dict(cls, d) -> History:
        """The inverse of to_dict; ValueError with a one-line message for anything malformed.
        Files from before evaluations were separate have a train and test loss in every row:
        those rows become the evaluations."""
        if not isinstance(d, dict):
            raise ValueError("the history must be a JSON object")
        per_row = "evaluations" not in d
        required = ("layers", "step", "batch_loss", "grad_norms", *(EVALUATED if per_row else ()))
        missing = [k for k in required if k not in d]
        if missing:
            raise ValueError(f"the history has no {missing[0]!r}")
        known = {"layers", "stride", "step", "batch_loss", "grad_norms", "alignment",
                 *(EVALUATED if per_row else ("evaluations",))}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"the history has an unknown entry {unknown[0]!r}")
        layers = d["layers"]
        if not _whole(layers) or not 1 <= layers <= MAX_LAYERS:
            raise ValueError(f"the history's layer count must be a whole number from 1 to "
                             f"{MAX_LAYERS}, got {str(layers)[:20]}")
        step = _steps(d["step"], "the history's steps", first=1)
        n = len(step)
        stride = d.get("stride", 1)  # optional: files from before the record was bounded
        if not _whole(stride) or not 1 <= stride <= 2**62:
            raise ValueError(f"the history's stride must be a whole number ≥ 1, got {stride!r}")
        history = cls(layers, alignment="alignment" in d)  # optional: feedback alignment only
        history.stride = stride
        history._grow(max(INITIAL_CAPACITY, n))
        history._step[:n] = step
        history._batch_loss[:n] = _decode(d["batch_loss"], n, "the history's batch_loss")
        history._grad_norms[:n] = _rows(d["grad_norms"], n, layers, "grad_norms")
        if "alignment" in d:
            history._alignment[:n] = _rows(d["alignment"], n, layers, "alignment")
        history._n = n
        evaluations = d if per_row else d["evaluations"]
        if not isinstance(evaluations, dict):
            raise ValueError("the history's evaluations must be a JSON object")
        extra = sorted(set(evaluations) - {"step", *EVALUATED}) if not per_row else []
        if extra or not per_row and not {"step", *EVALUATED} <= set(evaluations):
            raise ValueError("the history's evaluations need exactly step, train_loss and "
                             "test_loss")
        steps = step if per_row else _steps(evaluations["step"], "the evaluations' steps", 0)
        if len(steps) and steps[-1] > 2**53:  # they are kept beside the losses, as floats
            raise ValueError("the evaluations' steps must be below 2⁵³")
        k = len(steps)
        history._eval = np.zeros((max(INITIAL_CAPACITY, k), 3))
        history._eval[:k, 0] = steps
        for i, name in enumerate(EVALUATED, 1):
            history._eval[:k, i] = _decode(evaluations[name], k, f"the history's {name}")
        history._eval_n = k
        return history


def _steps(values, what: str, first: int) -> np.ndarray:
    """Whole numbers ≥ first, increasing; ValueError otherwise."""
    if not isinstance(values, list) or not all(map(_whole, values)):
        raise ValueError(f"{what} must be a list of whole numbers")
    try:
        steps = np.array(values, dtype=np.int64) if values else np.zeros(0, dtype=np.int64)
    except OverflowError:
        raise ValueError(f"{what} must be whole numbers below 2⁶³") from None
    if len(steps) and (steps[0] < first or np.any(np.diff(steps) <= 0)):
        raise ValueError(f"{what} must count up from {first} or more")
    return steps


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
