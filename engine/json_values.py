"""Checking values read from JSON before anything uses them: whole numbers in a range, objects
with exactly the expected keys, nested lists of finite numbers of a given shape, index lists.

Each check raises ValueError with a one-line message that names the value in the reader's
terms ("layer 2's W needs 4×1 values, got 3") and shows a bad value briefly, as JSON spells it.
"""

from __future__ import annotations

import json
import math
from itertools import chain

import numpy as np

from .files import one_line


def shown(value) -> str:
    """A JSON value, briefly, as the file spells it (never the whole of a long list)."""
    if isinstance(value, str):
        return repr(one_line(value, 30))
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    if value is None or isinstance(value, bool):
        return json.dumps(value)  # null, true, false
    return one_line(repr(value), 30)


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite(value) -> bool:
    try:
        return is_number(value) and math.isfinite(value)
    except OverflowError:  # an integer beyond any float
        return False


def whole(value, what: str, low: int = 0, high: int | None = None) -> int:
    if (not isinstance(value, int) or isinstance(value, bool) or value < low
            or high is not None and value > high):
        limits = f"from {low} to {high}" if high is not None else f"≥ {low}"
        raise ValueError(f"{what} must be a whole number {limits}, got {shown(value)}")
    return value


def json_object(d, what: str, keys, optional=()) -> None:
    """d is a JSON object with exactly these keys (and perhaps the optional ones)."""
    if not isinstance(d, dict):
        raise ValueError(f"{what} must be a JSON object, got {shown(d)}")
    for key in keys:
        if key not in d:
            raise ValueError(f"{what} has no {key!r}")
    unknown = [k for k in d if k not in keys and k not in optional]
    if unknown:
        raise ValueError(f"{what} has an unknown entry {shown(unknown[0])}")


def number_array(value, shape: tuple, what: str, dtype=np.float64) -> np.ndarray:
    """Nested lists of finite numbers of exactly `shape` (None: any length) as an array."""
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list of numbers, got {shown(value)}")
    if len(shape) == 2:
        if not all(isinstance(row, list) for row in value):
            raise ValueError(f"{what} must be a list of rows of numbers")
        rows = len(value) if shape[0] is None else shape[0]
        cols = (len(value[0]) if value else 0) if shape[1] is None else shape[1]
        flat = list(chain.from_iterable(value))
        if len(value) != rows or any(len(row) != cols for row in value):
            if None in shape:
                raise ValueError(f"{what} must be rows of equal length")
            raise ValueError(f"{what} needs {rows}×{cols} values, got {len(flat)}")
    else:
        flat, rows, cols = value, len(value) if shape[0] is None else shape[0], None
        if len(value) != rows:
            raise ValueError(f"{what} needs {rows} values, got {len(value)}")
    if not set(map(type, flat)) <= {int, float}:
        bad = next(v for v in flat if type(v) not in (int, float))
        raise ValueError(f"{what} must hold numbers, got {shown(bad)}")
    try:
        array = np.array(flat, dtype=np.float64)
    except OverflowError:
        raise ValueError(f"{what} holds a number too large for a float") from None
    with np.errstate(over="ignore"):
        array = array.astype(dtype)  # float32 sessions hold float32 values: this cast is exact
    if not np.isfinite(array).all():
        raise ValueError(f"{what} must hold finite numbers")
    return array.reshape((rows,) if cols is None else (rows, cols))


def index_array(value, what: str, limit: int) -> np.ndarray:
    """A list of whole numbers in 0 … limit − 1 as an int64 array."""
    if not isinstance(value, list) or not all(type(v) is int for v in value):
        raise ValueError(f"{what} must be a list of whole numbers")
    if value and (min(value) < 0 or max(value) >= limit):
        bad = min(value) if min(value) < 0 else max(value)
        raise ValueError(f"{what}: {bad} is outside 0 to {limit - 1}")
    return np.array(value, dtype=np.int64)
