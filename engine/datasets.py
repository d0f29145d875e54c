"""Seeded 2-D datasets (TensorFlow Playground's shapes and a few more), data sets from a CSV
file or given points (read and checked in engine/tables.py), the one rule for class labels, and
the input-feature expansion x1, x2, x1², x2², x1·x2, sin x1, sin x2.

Points live in the square [-6, 6]², as in TensorFlow Playground. Labels are class indices
(0/1 or 0..k−1) for classification and real numbers for regression.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np

from .tables import given_points, given_values, load_csv, load_csv_named

EXTENT = 6.0  # points and the decision-boundary grid cover [-EXTENT, EXTENT]²
MAX_CLASSES = 20  # a CSV label column with more distinct values is read as regression


@dataclass(frozen=True)
class Dataset:
    points: np.ndarray  # (n, d) raw inputs before feature expansion
    labels: np.ndarray  # (n,) class indices or regression targets
    task: str  # "classification" or "regression"
    n_classes: int  # 0 for regression
    train_idx: np.ndarray
    test_idx: np.ndarray
    column_names: tuple[str, ...] | None = None  # a CSV header's names of the input columns

    @property
    def input_dim(self) -> int:
        return self.points.shape[1]


def _circle(rng, n, noise):
    radius = 5.0
    inner = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, inner),
                        rng.uniform(radius * 0.7, radius, n - inner)])
    angle = rng.uniform(0, 2 * np.pi, n)
    points = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    points += rng.uniform(-radius, radius, (n, 2)) * noise
    labels = (np.hypot(points[:, 0], points[:, 1]) < radius * 0.6).astype(float)
    return points, labels


def _xor(rng, n, noise):
    points = rng.uniform(-5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)  # keep a margin around the axes
    labels = (points[:, 0] * points[:, 1] > 0).astype(float)
    points += rng.uniform(-5, 5, (n, 2)) * noise
    return points, labels


def _gaussian(rng, n, noise):
    std = 0.5 + 3.5 * noise / 0.5
    half = n // 2
    pos = rng.normal(2, std, (half, 2))
    neg = rng.normal(-2, std, (n - half, 2))
    return np.vstack([pos, neg]), np.concatenate([np.ones(half), np.zeros(n - half)])


def _spiral(rng, n, noise):
    half = n // 2
    points, labels = [], []
    for label, delta, count in ((1.0, 0.0, half), (0.0, np.pi, n - half)):
        t = np.arange(count) / count
        r = t * 5
        angle = 1.75 * t * 2 * np.pi + delta
        xy = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
        points.append(xy + rng.uniform(-1, 1, (count, 2)) * noise * 2)
        labels.append(np.full(count, label))
    return np.vstack(points), np.concatenate(labels)


def _moons(rng, n, noise):
    half = n // 2
    upper = rng.uniform(0, np.pi, half)
    lower = rng.uniform(0, np.pi, n - half)
    points = np.vstack([
        np.column_stack([np.cos(upper), np.sin(upper)]),
        np.column_stack([1 - np.cos(lower), 0.5 - np.sin(lower)]),
    ])
    points = (points - [0.5, 0.25]) * 3.2
    points += rng.normal(0, 1, (n, 2)) * noise * 1.5
    return points, np.concatenate([np.zeros(half), np.ones(n - half)])


def _blobs(rng, n, noise, classes):
    labels = np.arange(n) % classes
    angle = 2 * np.pi * labels / classes + np.pi / 2
    centers = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    return centers + rng.normal(0, 0.6 + 3 * noise, (n, 2)), labels.astype(float)


def _regress_plane(rng, n, noise):
    points = rng.uniform(-EXTENT, EXTENT, (n, 2))
    labels = (points[:, 0] + points[:, 1]) / (2 * EXTENT)
    return points, labels + rng.uniform(-1, 1, n) * noise


def _regress_gaussian(rng, n, noise):
    points = rng.uniform(-EXTENT, EXTENT, (n, 2))
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    labels = np.zeros(n)
    for cx, cy, sign in bumps:
        labels += sign * np.exp(-((points[:, 0] - cx) ** 2 + (points[:, 1] - cy) ** 2) / 2)
    return points, labels + rng.uniform(-1, 1, n) * noise


def _xor4(rng, n, noise):
    # The seed notebook's four XOR points, fixed: n and noise do not apply.
    points = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return points, np.array([0.0, 1.0, 1.0, 0.0])


GENERATORS = {
    "circle": _circle, "xor": _xor, "gaussian": _gaussian, "spiral": _spiral, "moons": _moons,
    "blobs": _blobs, "xor4": _xor4, "regress-plane": _regress_plane,
    "regress-gaussian": _regress_gaussian,
}
REGRESSION = {"regress-plane", "regress-gaussian"}
DATASET_LABELS = {
    "circle": "circle", "xor": "XOR (quadrants)", "gaussian": "two gaussians",
    "spiral": "spiral", "moons": "moons", "blobs": "blobs (3–5 classes)",
    "xor4": "XOR, 4 points", "regress-plane": "regression: plane",
    "regress-gaussian": "regression: gaussians", "given": "given points", "csv": "CSV file",
}
ALL_DATASETS = [*GENERATORS, "given", "csv"]


def split(rng: np.random.Generator, n: int, train_fraction: float):
    """Shuffled train/test indices; at least one training point."""
    order = rng.permutation(n)
    n_train = max(1, min(n, int(round(n * train_fraction))))
    return np.sort(order[:n_train]), np.sort(order[n_train:])


def make_dataset(name: str, *, samples=500, noise=0.0, train_fraction=0.5, classes=3, seed=0,
                 points=None, labels=None, csv_path="", label_column=-1) -> Dataset:
    """Build a dataset by name; "given" takes points/labels, "csv" reads csv_path."""
    rng = np.random.default_rng(seed)
    names = None
    if name == "given":
        X, y = given_points(points, labels)
        task = label_task(y, allow_many=False)
    elif name == "csv":
        X, y, names = load_csv_named(csv_path, label_column)
        task = label_task(y)
    elif name in GENERATORS:
        if not 0 <= noise <= 0.5:
            raise ValueError(f"noise must be between 0 and 0.5, got {noise}")
        gen = GENERATORS[name]
        X, y = gen(rng, samples, noise, classes) if name == "blobs" else gen(rng, samples, noise)
        task = "regression" if name in REGRESSION else "classification"
    else:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(ALL_DATASETS)}")
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"dataset {name!r} needs as many labels as points (got {len(X)} and {len(y)})")
    n_classes = class_count(y) if task == "classification" else 0
    if name in ("xor4", "given"):
        train_idx, test_idx = np.arange(len(X)), np.arange(0)  # tiny sets: train on all
    else:
        train_idx, test_idx = split(rng, len(X), train_fraction)
    return Dataset(X, y, task, n_classes, train_idx, test_idx, names)


def label_task(y: np.ndarray, allow_many: bool = True) -> str:
    """"classification" for whole-number labels (few distinct values), else "regression"."""
    y = np.asarray(y, dtype=float)
    many = allow_many and len(_distinct(y)) > MAX_CLASSES
    return "regression" if np.any(y != np.round(y)) or many else "classification"


def class_count(y: np.ndarray) -> int:
    """The number of classes k of whole-number labels; ValueError unless they fit the rule.

    One rule for every data set (CSV, given points): the labels are the class numbers
    0 … k−1 and every one of the k classes occurs, so that no output (and no colour) stands
    for a class without a single example, which usually means 1-based labels. k is at least
    2, so labels that are all 0 or all 1 (the worked example trains on one point, y = 1) are
    a binary set in which one class does not occur: a single sigmoid output serves both.
    """
    found = _distinct(y)
    k = max(2, int(found[-1]) + 1)
    shown = _list(found)
    rule = "class labels must be whole numbers 0 to k−1 with every class present"
    if found[0] < 0:
        raise ValueError(f"{rule}; found {shown}, which includes a negative label")
    if k > MAX_CLASSES:
        raise ValueError(f"at most {MAX_CLASSES} classes (labels 0 to {MAX_CLASSES - 1}); "
                         f"found labels up to {found[-1]:g}")
    present = set(found.tolist())
    missing = np.array([c for c in range(k) if c not in present])  # k ≤ MAX_CLASSES
    if len(missing) and not (len(found) == 1 and k == 2):
        absent = f"class {_list(missing)} has" if len(missing) == 1 else \
            f"classes {_list(missing)} have"
        raise ValueError(f"{rule}; found {shown}, so {absent} no example")
    return k


def _distinct(y: np.ndarray) -> np.ndarray:
    """The distinct values of y, sorted (np.unique(y), with each NaN kept: NaN labels are
    never classes). Not np.unique itself: NumPy 2.4's imports numpy.ma the first time it is
    called, ~10 ms of the window's start-up."""
    values = np.sort(np.asarray(y, dtype=float).ravel())
    if values.size < 2:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _list(values: np.ndarray, limit: int = 6) -> str:
    text = ", ".join(f"{v:g}" for v in values[:limit])
    return text + (", …" if len(values) > limit else "")


def data_task(name: str, labels=None, csv_path: str = "", label_column: int = -1,
              classes: int = 3) -> tuple[str, int]:
    """(task, number of classes) a dataset will have, without building it: the editor uses it
    to offer only output/loss pairs that fit. Unreadable files and labels that break the class
    rule count as binary here; building the dataset reports the real error."""
    if name in REGRESSION:
        return "regression", 0
    if name == "blobs":
        return "classification", classes
    if name == "csv":
        if not isinstance(csv_path, str) or not isinstance(label_column, int):
            return "classification", 2  # not a spec yet: validation will say why
        return _csv_task(csv_path, label_column, _file_version(csv_path))
    if name == "given":
        try:
            return _task_of_labels(given_values(labels, "given label"), allow_many=False)
        except ValueError:
            return "classification", 2
    return "classification", 2


def _task_of_labels(y, allow_many: bool) -> tuple[str, int]:
    task = label_task(y, allow_many=allow_many)
    return task, (class_count(y) if task == "classification" else 0)


def _file_version(path) -> tuple | None:
    """What changes when a file is rewritten (size, modification time), or None."""
    try:
        info = os.stat(path)
    except (OSError, TypeError, ValueError):
        return None
    return info.st_size, info.st_mtime_ns


@functools.lru_cache(maxsize=8)
def _csv_task(csv_path, label_column, version) -> tuple[str, int]:
    """data_task for a CSV, remembered per file version: the editor asks on every edit, and
    reading 100,000 rows each time would make the window stutter."""
    try:
        return _task_of_labels(load_csv(csv_path, label_column)[1], allow_many=True)
    except ValueError:
        return "classification", 2


FEATURES = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1^2": lambda p: p[:, 0] ** 2,
    "x2^2": lambda p: p[:, 1] ** 2,
    "x1*x2": lambda p: p[:, 0] * p[:, 1],
    "sin(x1)": lambda p: np.sin(p[:, 0]),
    "sin(x2)": lambda p: np.sin(p[:, 1]),
}
FEATURE_LABELS = {
    "x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁·x₂",
    "sin(x1)": "sin x₁", "sin(x2)": "sin x₂",
}


def expand_features(points: np.ndarray, names: list[str] | None, dtype=np.float64) -> np.ndarray:
    """Network inputs from raw points; names None passes the raw columns through."""
    if not names:
        return np.ascontiguousarray(points, dtype=dtype)
    if points.shape[1] != 2:
        raise ValueError(f"input features x1, x2, x1², … need 2-D points, these have "
                         f"{points.shape[1]} coordinate(s); use \"features\": [] to feed "
                         "them in as they are")
    for name in names:
        if name not in FEATURES:
            raise ValueError(f"unknown feature {name!r}; choose from {', '.join(FEATURES)}")
    return np.column_stack([FEATURES[name](points) for name in names]).astype(dtype)
