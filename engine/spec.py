"""The spec: everything that defines a run (architecture, loss, optimiser, data, seed) as one
plain dataclass that round-trips through JSON with a `format` version."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from .datasets import ALL_DATASETS, FEATURES
from .initializers import INITIALIZERS
from .losses import check_pairing
from .optimizers import OPTIMIZERS, REGULARIZATIONS

FORMAT = 1
MAX_HIDDEN_LAYERS = 10
MAX_NEURONS = 32


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

    def validate(self) -> Spec:
        """Raise ValueError with a one-line message for anything a run cannot use."""
        self._check_kinds()
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.hidden)}")
        if len(self.activations) != len(self.hidden):
            raise ValueError(
                f"{len(self.hidden)} hidden layers need {len(self.hidden)} activations, "
                f"got {len(self.activations)}"
            )
        for n in self.hidden:
            if not _whole(n) or not 1 <= n <= MAX_NEURONS:
                raise ValueError(f"a hidden layer needs 1 to {MAX_NEURONS} neurons, got {n!r}")
        for name in self.activations:
            if name not in HIDDEN_ACTIVATIONS:
                raise ValueError(
                    f"unknown hidden activation {name!r}; "
                    f"choose from {', '.join(HIDDEN_ACTIVATIONS)}"
                )
        if self.output_activation not in ACTIVATIONS:
            raise ValueError(f"unknown output activation {self.output_activation!r}")
        check_pairing(self.output_activation, self.loss)
        for name in self.features:
            if name not in FEATURES:
                raise ValueError(f"unknown feature {name!r}; choose from {', '.join(FEATURES)}")
        _choice("initializer", self.initializer, INITIALIZERS)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("regularization", self.regularization, REGULARIZATIONS)
        _choice("dataset", self.dataset, ALL_DATASETS)
        _choice("dtype", self.dtype, ("float64", "float32"))
        _positive("learning rate", self.learning_rate)
        _in_range("momentum", self.momentum, 0, 1)
        _in_range("regularization rate", self.reg_rate, 0, float("inf"))
        _in_range("gradient clip norm", self.clip_norm, 0, float("inf"))
        _in_range("noise", self.noise, 0, 0.5)
        _in_range("train fraction", self.train_fraction, 0.05, 1)
        if not _whole(self.batch_size) or self.batch_size < 1:
            raise ValueError(f"batch size must be a whole number ≥ 1, got {self.batch_size!r}")
        if not _whole(self.samples) or not 4 <= self.samples <= 100_000:
            raise ValueError(f"samples must be between 4 and 100000, got {self.samples!r}")
        if not _whole(self.classes) or not 2 <= self.classes <= 5:
            raise ValueError(f"blobs need 2 to 5 classes, got {self.classes!r}")
        if not _whole(self.seed) or self.seed < 0:
            raise ValueError(f"seed must be a whole number ≥ 0, got {self.seed!r}")
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
                raise ValueError(f"{what} must be a list, got {getattr(self, what)!r}")
        for what in ("output_activation", "loss", "initializer", "optimizer", "regularization",
                     "dataset", "dtype", "csv_path"):
            if not isinstance(getattr(self, what), str):
                raise ValueError(f"{what} must be a name (a string), got {getattr(self, what)!r}")
        for name in (*self.activations, *self.features):
            if not isinstance(name, str):
                raise ValueError(f"activations and features must be names, got {name!r}")
        if not _whole(self.label_column):
            raise ValueError(f"label column must be a whole number, got {self.label_column!r}")
        for what in ("points", "labels", "weights"):
            if getattr(self, what) is not None and not isinstance(getattr(self, what), list):
                raise ValueError(f"{what} must be a list, got {getattr(self, what)!r}")
        for layer in self.weights or []:
            if not isinstance(layer, dict) or not {"W", "b"} <= layer.keys():
                raise ValueError('given weights need a {"W": …, "b": …} object per layer')

    def replace(self, **changes) -> Spec:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return {"format": FORMAT, **dataclasses.asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> Spec:
        if not isinstance(data, dict):
            raise ValueError("a spec must be a JSON object")
        version = data.get("format", FORMAT)
        if version != FORMAT:
            raise ValueError(
                f"spec format {version!r} is not supported (this version reads {FORMAT})")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known - {"format", "name", "description"})
        if unknown:
            raise ValueError(f"unknown spec field(s): {', '.join(unknown)}")
        try:
            spec = cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as e:
            raise ValueError(f"bad spec: {e}") from None
        return spec.validate()

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Spec:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"malformed JSON: {e.msg} at line {e.lineno}") from None
        return cls.from_dict(data)


def _choice(what, value, options):
    if value not in options:
        raise ValueError(f"unknown {what} {value!r}; choose from {', '.join(options)}")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _positive(what, value):
    if not _number(value) or not value > 0 or value == float("inf"):
        raise ValueError(f"{what} must be a positive number, got {value!r}")


def _in_range(what, value, low, high):
    if not _number(value) or not low <= value <= high:
        raise ValueError(f"{what} must be between {low} and {high}, got {value!r}")
