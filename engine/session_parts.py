"""Reading each part of a format-2 session back into a Trainer: the data, the weights, the
optimiser and its state, the batch order and shuffler, the history and the rewind checkpoint.
Every part is checked; anything malformed is a one-line ValueError naming the part."""

from __future__ import annotations

import numpy as np

from .datasets import MAX_CLASSES, Dataset
from .history import History
from .json_values import (
    index_array,
    is_finite,
    is_number,
    json_object,
    number_array,
    shown,
    whole,
)
from .optimizers import make_optimizer
from .step_stats import Checkpoint
from .tables import MAX_NAME
from .trainer import Trainer

# Per-parameter optimiser state: "1.W.v" is the velocity of layer 1's W.
SLOTS = {"sgd": (), "momentum": ("v",), "adam": ("m", "v")}
MAX_COUNT = 10**15  # steps, epochs: far beyond any run, well inside NumPy's 64-bit integers


def read_dataset(d) -> Dataset:
    json_object(d, "the data", ("points", "labels", "task", "n_classes", "train_idx", "test_idx"),
                optional=("columns",))
    points = number_array(d["points"], (None, None), "the data's point list")
    n = len(points)
    if n == 0 or points.shape[1] == 0:
        raise ValueError("the data needs at least one point with one coordinate")
    labels = number_array(d["labels"], (n,), "the data's label list")
    task = d["task"]
    if task not in ("classification", "regression"):
        raise ValueError(f"the data's task must be classification or regression, "
                         f"got {shown(task)}")
    n_classes = whole(d["n_classes"], "the data's number of classes", 0, MAX_CLASSES)
    if task == "regression" and n_classes != 0:
        raise ValueError(f"regression data has no classes (n_classes 0), got {n_classes}")
    if task == "classification":
        if n_classes < 2:
            raise ValueError(f"classification data needs 2 or more classes, got {n_classes}")
        if np.any(labels != np.round(labels)) or labels.min() < 0 or labels.max() >= n_classes:
            raise ValueError(f"class labels must be whole numbers from 0 to {n_classes - 1}")
    train = index_array(d["train_idx"], "the training indices", n)
    test = index_array(d["test_idx"], "the test indices", n)
    if len(train) == 0:
        raise ValueError("the data needs at least one training point")
    if len(np.unique(train)) < len(train) or len(np.unique(test)) < len(test):
        raise ValueError("the training and test indices must name each point at most once")
    if np.intersect1d(train, test).size:
        raise ValueError("a point cannot be in both the training and the test set")
    return Dataset(points, labels, task, n_classes, train, test, _column_names(d, points))


def _column_names(d, points) -> tuple[str, ...] | None:
    """The optional names of the input columns (a CSV header's)."""
    if "columns" not in d:
        return None
    names = d["columns"]
    if (not isinstance(names, list) or len(names) != points.shape[1]
            or not all(isinstance(n, str) and 0 < len(n) <= MAX_NAME for n in names)):
        raise ValueError(f"the data's columns must be {points.shape[1]} names of 1 to "
                         f"{MAX_NAME} characters")
    return tuple(names)


def restore_weights(trainer: Trainer, weights) -> None:
    layers = trainer.network.layers
    if not isinstance(weights, list) or len(weights) != len(layers):
        got = len(weights) if isinstance(weights, list) else shown(weights)
        raise ValueError(f"given weights need {len(layers)} layers (one per layer of the "
                         f"network), got {got}")
    arrays = []
    for i, (layer, w) in enumerate(zip(layers, weights), 1):
        json_object(w, f"layer {i}'s weights", ("W", "b"))
        arrays.append((number_array(w["W"], layer.W.shape, f"layer {i}'s W", trainer.dtype),
                       number_array(w["b"], layer.b.shape, f"layer {i}'s b", trainer.dtype)))
    for layer, (W, b) in zip(layers, arrays):  # in place: the trainer's maps point at these
        layer.W[...] = W
        layer.b[...] = b


def read_optimizer(trainer: Trainer, d):
    json_object(d, "the optimizer", ("name", "learning_rate", "momentum", "t", "state"))
    name = _optimizer_name(d["name"], "the optimizer")
    lr, momentum = d["learning_rate"], d["momentum"]
    if not is_number(lr) or not 0 < lr < float("inf"):
        raise ValueError(f"the optimizer's learning rate must be a positive number, "
                         f"got {shown(lr)}")
    if not is_number(momentum) or not 0 <= momentum <= 1:
        raise ValueError(f"the optimizer's momentum must be between 0 and 1, "
                         f"got {shown(momentum)}")
    optimizer = make_optimizer(name, lr, momentum)
    optimizer.t = whole(d["t"], "the optimizer's step count t", 0, MAX_COUNT)
    optimizer.state = _slots(trainer, name, d["state"], "the optimizer's state")
    return optimizer


def _optimizer_name(name, what: str) -> str:
    if not isinstance(name, str) or name not in SLOTS:
        raise ValueError(f"{what} {shown(name)} is unknown; choose from {', '.join(SLOTS)}")
    return name


def _slots(trainer: Trainer, name: str, state, what: str) -> dict[str, np.ndarray]:
    """Optimiser state arrays: only the slots this optimiser keeps, each its parameter's shape."""
    allowed = {f"{key}.{slot}": (p, f"{slot} of {_label(key)}")
               for key, p in trainer.network.params().items() for slot in SLOTS[name]}
    if not isinstance(state, dict):
        raise ValueError(f"{what} must be a JSON object")
    result = {}
    for key, value in state.items():
        if key not in allowed:
            kept = f"entries like {next(iter(allowed))!r}" if allowed else "none"
            raise ValueError(f"{what} has an unknown entry {shown(key)} ({name} keeps {kept})")
        p, label = allowed[key]
        result[key] = number_array(value, p.shape, f"{what}: the {label}", trainer.dtype)
    return result


def restore_batches(trainer: Trainer, d) -> None:
    parts = ("epoch", "order", "cursor", "rng", "last_batch", "diverged")
    json_object(d, "the batch state", parts)
    n = len(trainer.X_train)
    epoch = whole(d["epoch"], "the epoch count", 0, MAX_COUNT)
    order = index_array(d["order"], "the batch order", n)
    if len(order) != n or not np.array_equal(np.sort(order), np.arange(n)):
        raise ValueError(f"the batch order must list each of the {n} training points once")
    cursor = whole(d["cursor"], "the batch cursor", 0, n)
    last = d["last_batch"]
    if last is not None:
        last = index_array(last, "the last batch", n)
    if not isinstance(d["diverged"], bool):
        raise ValueError(f"'diverged' must be true or false, got {shown(d['diverged'])}")
    _restore_rng(trainer.batch_rng, d["rng"])
    trainer.epoch, trainer.order, trainer.cursor = epoch, order, cursor
    trainer.last_batch, trainer.diverged = last, d["diverged"]


def _restore_rng(rng: np.random.Generator, d) -> None:
    what = "the batch shuffler's random state"
    json_object(d, what, ("bit_generator", "state", "has_uint32", "uinteger"))
    kind = rng.bit_generator.state["bit_generator"]
    if d["bit_generator"] != kind:
        raise ValueError(f"{what} must be {kind}'s, got {shown(d['bit_generator'])}")
    json_object(d["state"], what, ("state", "inc"))
    limits = {"state": 2**128, "inc": 2**128, "has_uint32": 2, "uinteger": 2**32}
    values = {**d["state"], "has_uint32": d["has_uint32"], "uinteger": d["uinteger"]}
    for key, limit in limits.items():
        value = values[key]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < limit:
            raise ValueError(f"{what} is not valid ({key!r} must be a whole number from 0 "
                             f"to 2^{limit.bit_length() - 1} − 1, got {shown(value)})")
    state = {"bit_generator": kind, "state": {"state": values["state"], "inc": values["inc"]},
             "has_uint32": values["has_uint32"], "uinteger": values["uinteger"]}
    try:
        rng.bit_generator.state = state
    except (TypeError, ValueError):
        raise ValueError(f"{what} is not valid") from None


def read_history(trainer: Trainer, d, step: int) -> History:
    history = History.from_dict(d)
    layers = len(trainer.network.layers)
    if history.n_layers != layers:
        raise ValueError(f"the history has gradient norms for {history.n_layers} layers, "
                         f"the network has {layers}")
    if history.has_alignment and trainer.spec.feedback != "fa":
        raise ValueError("the history has alignment angles, but the spec trains with backprop")
    if trainer.spec.feedback == "fa":
        history.record_alignment()  # steps recorded without angles read as NaN
    arrays = history.arrays()
    last = int(arrays["step"][-1]) if len(history) else 0
    if last > step:
        raise ValueError(f"the history records {len(history)} steps up to step {last}, but "
                         f"the session is at step {step}")
    evaluated = int(arrays["eval_step"][-1]) if history.evaluations else 0
    if evaluated > step:
        raise ValueError(f"the history has an evaluation at step {evaluated}, but the session "
                         f"is at step {step}")
    return history


def read_start_loss(value) -> float | None:
    """The training loss the run started from, the yardstick of divergence (null: none)."""
    if value is not None and not (is_finite(value) and value >= 0):
        raise ValueError(f"the starting loss must be a finite number ≥ 0 or null, "
                         f"got {shown(value)}")
    return None if value is None else float(value)


def read_checkpoint(trainer: Trainer, d, step: int) -> Checkpoint | None:
    if d is None:
        return None
    what = "the rewind checkpoint"
    json_object(d, what, ("step", "train_loss", "params", "optimizer", "state", "t"))
    loss = d["train_loss"]
    if not is_finite(loss):
        raise ValueError(f"{what}'s training loss must be a finite number, got {shown(loss)}")
    params = trainer.network.params()
    json_object(d["params"], f"{what}'s parameters", tuple(params))
    arrays = [number_array(d["params"][k], p.shape, f"{what}: {_label(k)}", trainer.dtype)
              for k, p in params.items()]
    name = _optimizer_name(d["optimizer"], f"{what}'s optimizer")
    return Checkpoint(
        step=whole(d["step"], f"{what}'s step", 0, step), train_loss=float(loss),
        params=arrays, optimizer_name=name,
        optimizer_state=_slots(trainer, name, d["state"], f"{what}'s optimizer state"),
        optimizer_t=whole(d["t"], f"{what}'s optimizer step count t", 0, MAX_COUNT))


def _label(key: str) -> str:
    """A parameter's name for people: "2.W" -> "layer 2's W"."""
    layer, name = key.split(".", 1)
    return f"layer {layer}'s {name}"
