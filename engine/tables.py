"""Data a person supplies: a CSV file, or "points" and "labels" lists in a spec.

Both are checked value by value, so a mistake is reported where it is, counted from 1 as a
person counts (row 5, column 2; given point 3), in the file's terms rather than NumPy's.
"""

from __future__ import annotations

import math

import numpy as np

from .files import one_line, read_text, show, show_path

MAX_ROWS = 100_000  # data points in a CSV file or a "given" list (as for generated samples)
MAX_COLUMNS = 100  # CSV columns, label included: 100,000 × 100 numbers is 80 MB already


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def given_points(points, labels):
    """Points (n, d) and labels (n,) from the spec's lists, checked value by value so that a
    mistake is reported where it is (1-based, as a person counts)."""
    if points is None or labels is None:
        raise ValueError('dataset "given" needs "points" and "labels"')
    points = points.tolist() if isinstance(points, np.ndarray) else points
    if not isinstance(points, list) or not points:
        raise ValueError('dataset "given" needs "points": a list of points, each a list of '
                         "numbers")
    if len(points) > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS} given points, got {len(points)}")
    flat = not isinstance(points[0], list)  # [1, 2, 3]: one number per point
    width = 1 if flat else len(points[0])
    if not 1 <= width <= MAX_COLUMNS - 1:
        raise ValueError(f"a given point needs 1 to {MAX_COLUMNS - 1} numbers, got {width}")
    for i, row in enumerate(points, 1):
        if flat and isinstance(row, list):
            raise ValueError(f"given point {i} is a list, the points above are single numbers")
        if not flat and (not isinstance(row, list) or len(row) != width):
            count = f"has {_count(len(row), 'number')}" if isinstance(row, list) else \
                f"is {show(row)}"
            raise ValueError(f"given point {i} {count}, the points above have {width}")
    X = np.array([[_given_number(v, f"given point {i}") for v in ([row] if flat else row)]
                  for i, row in enumerate(points, 1)])
    y = given_values(labels, "given label")
    if len(y) != len(X):
        raise ValueError(f'dataset "given" needs one label per point: got '
                         f"{_count(len(X), 'point')} and {_count(len(y), 'label')}")
    return X, y


def given_values(values, what: str) -> np.ndarray:
    """A flat list of finite numbers as a float array."""
    values = values.tolist() if isinstance(values, np.ndarray) else values
    if not isinstance(values, list):
        raise ValueError(f"{what}s must be a list of numbers, got {show(values)}")
    if len(values) > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS} {what}s, got {len(values)}")
    return np.array([_given_number(v, f"{what} {i}") for i, v in enumerate(values, 1)],
                    dtype=float)


def _given_number(value, where: str) -> float:
    # JSON's true/false and "1.5" are not numbers here, though Python would convert them.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}: {show(value)} is not a number")
    try:
        number = float(value)
    except OverflowError:  # an integer with hundreds of digits
        raise ValueError(f"{where}: {show(value)} is too large") from None
    if not math.isfinite(number):
        raise ValueError(f"{where}: {show(value)} is not a finite number")
    return number


# -- CSV -------------------------------------------------------------------------------------

def load_csv(path: str, label_column: int = -1):
    """Numbers separated by commas, one point per row, with an optional header row; the label
    is column label_column (counted from 0, as in the spec; -1, the default, is the last).
    ValueError with the file, 1-based row and column and what is wrong, otherwise."""
    return load_csv_named(path, label_column)[:2]


def load_csv_named(path: str, label_column: int = -1):
    """(X, y, the input columns' names from the header row or None without one)."""
    name = f"CSV {show_path(path)!r}"
    text = read_text(path, "CSV")
    table = parse_csv(text, name)
    width = table.shape[1]
    if not -width <= label_column < width:
        raise ValueError(f"{name} has {width} columns, so there is no label column "
                         f"{label_column} (label_column counts from 0; -1 is the last column)")
    y = table[:, label_column]
    X = np.delete(table, label_column % width, axis=1)
    header = _cells(next(line for line in text.splitlines() if line.strip()))
    names = None
    if not any(_is_number(cell) for cell in header):  # parse_csv's rule for a header row
        del header[label_column % width]
        names = tuple(one_line(cell.strip(), MAX_NAME) or f"x{i + 1}"
                      for i, cell in enumerate(header))
    return X, y, names


def parse_csv(text: str, name: str = "CSV") -> np.ndarray:
    """The table of numbers in a CSV text (BOM already removed by read_text).

    Blank lines are skipped (spreadsheets often end with some); rows are numbered as lines of
    the file, so "row 5" is the fifth line whether or not there is a header. The first row is
    a header when none of its cells is a number.
    """
    rows = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not rows:
        raise ValueError(f"{name} is empty")
    width = len(_cells(rows[0][1]))
    if width > MAX_COLUMNS:
        raise ValueError(f"{name}: row {rows[0][0]} has {width} columns; at most {MAX_COLUMNS}")
    if not any(_is_number(cell) for cell in _cells(rows[0][1])):
        rows = rows[1:]
        if not rows:
            raise ValueError(f"{name} has a header row but no data rows")
    if len(rows) > MAX_ROWS:
        raise ValueError(f"{name} has {len(rows)} data rows; at most {MAX_ROWS}")
    if width < 2:
        raise ValueError(f"{name} has only one column; it needs at least one input column "
                         f"and a label column{_separator_hint(rows[0][1])}")
    cells = [_cells(line) for _, line in rows]
    lengths = list(map(len, cells))
    if lengths.count(width) != len(lengths):
        i = next(i for i, count in enumerate(lengths) if count != width)
        raise ValueError(f"{name}: row {rows[i][0]} has {lengths[i]} columns, the rows above "
                         f"have {width}{_separator_hint(rows[i][1])}")
    try:
        table = np.array(cells, dtype=float)
    except ValueError:
        table = None
    bad = (np.argwhere(~np.isfinite(table))[:1].tolist() if table is not None
           else [_first_non_number(cells)])
    if bad:
        i, j = bad[0]
        if i < 0:  # NumPy refused a cell that Python reads as a number
            raise ValueError(f"{name} holds a value that is not a plain number")
        cell = one_line(cells[i][j].strip(), 30)
        what = "is not a finite number" if table is not None else "is not a number"
        where = f"row {rows[i][0]}, column {j + 1}"
        if not cell:
            raise ValueError(f"{name}: {where} is empty")
        raise ValueError(f"{name}: {where}: {cell!r} {what}{_separator_hint(cells[i][j])}")
    return table


MAX_NAME = 24  # characters of a column name shown on the network graph


def _cells(line: str) -> list[str]:
    """A row's cells; spreadsheets may quote every one ("0","1.5"): the quotes go."""
    cells = line.split(",")
    return [c.strip().strip('"') for c in cells] if '"' in line else cells


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def _first_non_number(cells: list[list[str]]) -> tuple[int, int]:
    for i, row in enumerate(cells):
        for j, cell in enumerate(row):
            if not _is_number(cell):
                return i, j
    return -1, -1


def _separator_hint(text: str) -> str:
    for mark, name in ((";", "semicolons"), ("\t", "tabs")):
        if mark in text:
            return f" (the values seem to be separated by {name}; use commas)"
    return ""
