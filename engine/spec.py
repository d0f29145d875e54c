"""The spec: everything that defines a run (architecture, loss, optimiser, data, seed) as one
plain dataclass that round-trips through JSON with a `format` version."""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
from dataclasses import dataclass, field

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from .datasets import ALL_DATASETS, FEATURES
from .feedback import FEEDBACK_MODES
from .files import parse_json, show
from .initializers import INITIALIZERS
from .losses import LOSSES, check_pairing
from .optimizers import OPTIMIZERS, REGULARIZATIONS
from .tables import MAX_COLUMNS, MAX_ROWS

FORMAT = 1
MAX_HIDDEN_LAYERS = 10
MAX_NEURONS = 32
MAX_SPEED = 1e6  # steps per second the window may be asked to pace; 0 = unpaced
MIN_SPEED = 0.1  # slower than a step every ten seconds looks like a hang
MAX_SAMPLES = MAX_ROWS  # generated points
MAX_BATCH = 100_000  # as many as the largest data set
MAX_SEED = 2**31 - 1  # the window shows the seed in a spin box, a 32-bit signed integer


@dataclass
class Spec:
    hidden: list[int] = field(default_factory=lambda: [4, 2])
    activations: list[str] = field(default_factory=lambda: ["tanh", "tanh"])  # one per hidden layer
    output_activation: str = "sigmoid"
    loss: str = "bce"
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])  # [] = raw input columns
    initializer: str = "xavier"
    weights: list[dict] | None = None  # explicit initial [{"W": [[…]], "b": […]}, …]
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    momentum: float = 0.9
    batch_size: int = 10
    regularization: str = "none"
    reg_rate: float = 0.0
    clip_norm: float = 0.0  # global gradient-norm clip; 0 = off
    dataset: str = "circle"
    samples: int = 500
    noise: float = 0.0
    train_fraction: float = 0.5
    classes: int = 3  # for blobs
    points: list | None = None  # for dataset "given"
    labels: list | None = None
    csv_path: str = ""
    label_column: int = -1
    seed: int = 0
    dtype: str = "float64"
    feedback: str = "backprop"  # the error sent down: "backprop" (Wᵀ) or "fa" (fixed random B)
    # The window's pace in training steps per second; 0 = as fast as possible. Training itself
    # (and the CLI) ignores it: it only spaces the steps out so a person can watch them.
    speed: float = 0.0

    def validate(self) -> Spec:
        """Raise ValueError with a one-line message for anything a run (or the window, whose
        spin boxes hold 32-bit integers) cannot use. Whole-number floats such as 4.0 where an
        integer belongs are accepted and stored as the integer; numbers are stored as float."""
        self._check_kinds()
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.hidden)}")
        if len(self.activations) != len(self.hidden):
            raise ValueError(
                f"{len(self.hidden)} hidden layers need {len(self.hidden)} activations, "
                f"got {len(self.activations)}"
            )
        self.hidden = [_integer(f"hidden layer {i}", n, 1, MAX_NEURONS, "neurons")
                       for i, n in enumerate(self.hidden, 1)]
        for name in self.activations:
            _choice("hidden activation", name, HIDDEN_ACTIVATIONS)
        _choice("output activation", self.output_activation, ACTIVATIONS)
        _choice("loss", self.loss, LOSSES)
        check_pairing(self.output_activation, self.loss)
        for i, name in enumerate(self.features):
            _choice("feature", name, FEATURES)
            if name in self.features[:i]:
                raise ValueError(f"feature {name!r} is listed twice")
        _choice("initializer", self.initializer, INITIALIZERS)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("regularization", self.regularization, REGULARIZATIONS)
        _choice("dataset", self.dataset, ALL_DATASETS)
        _choice("dtype", self.dtype, ("float64", "float32"))
        _choice("feedback", self.feedback, FEEDBACK_MODES)
        self.learning_rate = _real("learning rate", self.learning_rate, 0, math.inf,
                                   above_low=True)
        self.momentum = _real("momentum", self.momentum, 0, 1)
        self.reg_rate = _real("regularization rate", self.reg_rate, 0, math.inf)
        self.clip_norm = _real("gradient clip norm", self.clip_norm, 0, math.inf)
        self.speed = _real("speed (steps per second)", self.speed, 0, MAX_SPEED)
        if 0 < self.speed < MIN_SPEED:
            raise ValueError(f"speed must be 0 (as fast as possible) or at least {MIN_SPEED:g} "
                             f"steps per second, got {self.speed:g}")
        self.noise = _real("noise", self.noise, 0, 0.5)
        self.train_fraction = _real("train fraction", self.train_fraction, 0.05, 1)
        self.batch_size = _integer("batch size", self.batch_size, 1, MAX_BATCH)
        self.samples = _integer("samples", self.samples, 4, MAX_SAMPLES)
        self.classes = _integer("blobs", self.classes, 2, 5, "classes")
        self.seed = _integer("seed", self.seed, 0, MAX_SEED)
        self.label_column = _integer("label column", self.label_column, -MAX_COLUMNS,
                                     MAX_COLUMNS - 1)
        if self.weights is not None and len(self.weights) != len(self.hidden) + 1:
            raise ValueError(
                f"given weights need {len(self.hidden) + 1} layers, got {len(self.weights)}"
            )
        return self

    def _check_kinds(self) -> None:
        """Refuse values of the wrong kind (a number for a list, a list for a name), which a
        hand-edited JSON file can easily contain, before anything tries to use them."""
        for what in ("hidden", "activations", "features"):
            if not isinstance(getattr(self, what), list):
                raise ValueError(f"{what} must be a list, got {show(getattr(self, what))}")
        for what in ("output_activation", "loss", "initializer", "optimizer", "regularization",
                     "dataset", "dtype", "csv_path", "feedback"):
            if not isinstance(getattr(self, what), str):
                raise ValueError(
                    f"{what} must be a name (a string), got {show(getattr(self, what))}")
        if len(self.csv_path) > 4096:  # longer than any path the system accepts
            raise ValueError(f"csv_path is too long ({len(self.csv_path)} characters)")
        for name in (*self.activations[:MAX_HIDDEN_LAYERS + 1], *self.features):
            if not isinstance(name, str):
                raise ValueError(f"activations and features must be names, got {show(name)}")
        for what in ("points", "labels", "weights"):
            if getattr(self, what) is not None and not isinstance(getattr(self, what), list):
                raise ValueError(f"{what} must be a list, got {show(getattr(self, what))}")
        if self.weights is not None and len(self.weights) <= MAX_HIDDEN_LAYERS + 1:
            for i, layer in enumerate(self.weights, 1):
                if not isinstance(layer, dict) or not {"W", "b"} <= layer.keys():
                    raise ValueError('given weights need a {"W": …, "b": …} object per layer, '
                                     f"layer {i} is {show(layer)}")
                _check_numbers(layer["W"], 2, f"layer {i}'s W")
                _check_numbers(layer["b"], 1, f"layer {i}'s b")

    def replace(self, **changes) -> Spec:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return {"format": FORMAT, **dataclasses.asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> Spec:
        if not isinstance(data, dict):
            raise ValueError(f"a spec must be a JSON object, got {show(data, 20)}")
        version = data.get("format", FORMAT)
        if isinstance(version, bool) or version != FORMAT:
            raise ValueError(
                f"spec format {show(version, 20)} is not supported (this version reads {FORMAT})")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known - {"format", "name", "description"})
        if unknown:
            names = ", ".join(show(k, 30) for k in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            raise ValueError(f"unknown spec field(s): {names}{more}")
        return cls(**{k: v for k, v in data.items() if k in known}).validate()

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Spec:
        return cls.from_dict(parse_json(text, "spec"))


def _choice(what, value, options):
    if value not in options:
        raise ValueError(f"unknown {what} {show(value)}; choose from {', '.join(options)}")


# numbers.Integral and Real include NumPy's integers and floats (a notebook may pass them) but
# not NumPy's bool; Python's bool is excluded by hand: true is not a batch size.
def _whole(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _integer(what: str, value, low: int, high: int, unit: str = "") -> int:
    """value as an int in [low, high]; 4.0 counts as 4, but 4.5, "4" and true do not."""
    needs = f"{what} needs {low} to {high} {unit}" if unit else \
        f"{what} must be a whole number from {low} to {high}"
    whole = value
    if _number(value) and not _whole(value) and float(value).is_integer():
        whole = int(value)
    if not _whole(whole):
        kind = "not a whole number" if _number(value) else "not a number"
        raise ValueError(f"{needs}; {show(value)} is {kind}")
    if not low <= whole <= high:
        raise ValueError(f"{needs}, got {show(value)}")
    return int(whole)


def _real(what: str, value, low: float, high: float, *, above_low: bool = False) -> float:
    """value as a finite float in [low, high] (or (low, high] with above_low)."""
    if not _number(value):
        raise ValueError(f"{what} must be a number, got {show(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer with hundreds of digits
        number = math.inf
    if math.isinf(high):
        rule = f"a finite number {'above' if above_low else 'of at least'} {low:g}"
    else:
        rule = f"between {low:g} and {high:g}"
    if not math.isfinite(number) or not (low < number if above_low else low <= number) \
            or number > high:
        raise ValueError(f"{what} must be {rule}, got {show(value)}")
    return number


def _check_numbers(values, depth: int, what: str) -> None:
    """values: finite numbers nested `depth` lists deep (a matrix is a list of rows). Catches
    what NumPy would quietly convert (true, "1.5") or fail on (integers with 400 digits); the
    network checks the shape against the architecture."""
    rows = values if depth == 2 else [values]
    if not isinstance(values, list) or not all(isinstance(row, list) for row in rows):
        shape = "a list of numbers" if depth == 1 else "a list of rows of numbers"
        raise ValueError(f"{what} must be {shape}, got {show(values)}")
    for row in rows:
        for value in row:
            if not _number(value):
                raise ValueError(f"{what} must hold numbers, got {show(value)}")
            try:
                finite = math.isfinite(value)
            except OverflowError:
                finite = False
            if not finite:
                raise ValueError(f"{what} must hold finite numbers, got {show(value)}")
