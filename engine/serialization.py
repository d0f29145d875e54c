"""Sessions: a spec plus the whole trained state, as versioned JSON.

A format-2 session holds everything a Trainer needs to continue bit-identically: the spec, the
data itself (so a session made from a CSV file opens on a machine without it), the weights, the
optimiser and its state, the batch order and shuffler state, the history and the rewind
checkpoint, and under feedback alignment the fixed feedback matrices. Format 1 (spec, weights
and step) still opens, as a run starting from those weights. Every part is checked when read;
anything malformed is a one-line ValueError in the user's terms, never a KeyError or TypeError
from deep inside.
"""

from __future__ import annotations

import json
import os

import numpy as np

from .datasets import MAX_CLASSES, Dataset
from .feedback import feedback_matrices_json, restore_feedback_matrices
from .files import one_line, read_json, write_text_atomic
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
from .spec import Spec
from .step_stats import Checkpoint
from .trainer import Trainer

SESSION_FORMAT = 2
# Per-parameter optimiser state: "1.W.v" is the velocity of layer 1's W.
SLOTS = {"sgd": (), "momentum": ("v",), "adam": ("m", "v")}
MAX_COUNT = 10**15  # steps, epochs: far beyond any run, well inside NumPy's 64-bit integers
_PARTS = ("format", "kind", "step", "spec", "data", "weights", "optimizer", "batches", "history")
_DAMAGED = (KeyError, TypeError, IndexError, AttributeError, OverflowError)


# -- writing ---------------------------------------------------------------------------------

def session_dict(spec: Spec, weights, biases, step: int = 0) -> dict:
    """A format-1 session (spec, weights, step) from per-layer weight matrices and biases."""
    layers = [{"W": np.asarray(W).tolist(), "b": np.asarray(b).tolist()}
              for W, b in zip(weights, biases, strict=True)]
    return {"format": 1, "kind": "session", "step": step, "spec": spec.to_dict(),
            "weights": layers}


def trainer_session(trainer: Trainer) -> dict:
    """The trainer's whole state as a format-2 session (plain JSON types, no NaN)."""
    opt, data, best = trainer.optimizer, trainer.data, trainer.best
    last = trainer.last_batch
    session = {
        "format": SESSION_FORMAT, "kind": "session", "step": int(trainer.step_count),
        "spec": trainer.spec.to_dict(),
        "data": {"points": data.points.tolist(), "labels": data.labels.tolist(),
                 "task": data.task, "n_classes": int(data.n_classes),
                 "train_idx": data.train_idx.tolist(), "test_idx": data.test_idx.tolist()},
        "weights": [{"W": la.W.tolist(), "b": la.b.tolist()} for la in trainer.network.layers],
        "optimizer": {"name": opt.name, "learning_rate": float(opt.learning_rate),
                      "momentum": float(getattr(opt, "momentum", trainer.spec.momentum)),
                      "t": int(opt.t), "state": _lists(opt.state)},
        "batches": {"epoch": int(trainer.epoch), "order": trainer.order.tolist(),
                    "cursor": int(trainer.cursor), "rng": trainer.batch_rng.bit_generator.state,
                    "last_batch": None if last is None else np.asarray(last).tolist(),
                    "diverged": bool(trainer.diverged)},
        "history": trainer.history.to_dict(),
        "checkpoint": None,
        "start_loss": _finite_or_none(trainer.start_loss),
    }
    if trainer.spec.feedback == "fa":
        session["feedback_matrices"] = feedback_matrices_json(trainer.network)
    if best is not None:
        names = trainer.network.params()
        session["checkpoint"] = {
            "step": int(best.step), "train_loss": float(best.train_loss),
            "params": {k: p.tolist() for k, p in zip(names, best.params, strict=True)},
            "optimizer": best.optimizer_name, "state": _lists(best.optimizer_state),
            "t": int(best.optimizer_t)}
    return session


def _finite_or_none(value) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def _lists(arrays: dict[str, np.ndarray]) -> dict[str, list]:
    return {k: v.tolist() for k, v in arrays.items()}


def session_text(session: dict, path="") -> str:
    """A session as strict, compact JSON (the window writes it through its own QSaveFile)."""
    try:
        return json.dumps(session, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as e:
        raise ValueError(f"cannot write {_file_label(path)!r}: the session holds a "
                         f"value JSON cannot store ({one_line(str(e))})") from None


def save_session(session: dict, path) -> None:
    """Write a session atomically: a failed write (a full disk) leaves the old file as it was."""
    write_text_atomic(path, session_text(session, path))


# -- reading ---------------------------------------------------------------------------------

def load_file(path) -> Trainer:
    """A Trainer from a spec file (a fresh run) or a session file (the saved run, continued)."""
    data = read_json(path, "file")
    if _is_session(data):
        return _named("session", path, _restore, data, path)
    spec = _named("spec", path, Spec.from_dict, data)
    _resolve_csv(spec, path)
    return _named("spec", path, Trainer, spec)


def load_spec_file(path) -> Spec:
    """The spec of a spec or session file (a session's with its current weights)."""
    data = read_json(path, "file")
    spec = _named("session" if _is_session(data) else "spec", path, spec_from_data, data)
    _resolve_csv(spec, path)
    return spec


def spec_from_data(data) -> Spec:
    """A spec from a parsed spec or session object; a session's carries its current weights."""
    if not _is_session(data):
        return Spec.from_dict(data)
    if data.get("format") == 1:
        return _format1_spec(data)
    trainer = _guarded(_restore, data)
    layers = trainer.network.layers
    return trainer.spec.replace(weights=[{"W": la.W.tolist(), "b": la.b.tolist()}
                                         for la in layers])


def trainer_from_session(data, name: str = "") -> Trainer:
    """Rebuild the Trainer a session was saved from; ValueError (one line) if it is malformed.
    `name` (the file) prefixes the message."""
    if name:
        return _named("session", name, _restore, data)
    return _guarded(_restore, data)


def _is_session(data) -> bool:
    return isinstance(data, dict) and data.get("kind") == "session"


def _named(kind: str, path, function, *args):
    """function(*args), its ValueError naming the file once: "session 'x.json': …"."""
    try:
        return _guarded(function, *args)
    except ValueError as e:
        raise ValueError(f"{kind} {_file_label(path)!r}: {e}") from None


def _file_label(path, limit: int = 60) -> str:
    """A file's path on one line; a long one keeps its end, where the file's name is."""
    text = " ".join(os.fspath(path).split())
    return text if len(text) <= limit else "…" + text[-(limit - 1):]


def _guarded(function, *args):
    try:
        return function(*args)
    except ValueError as e:
        raise ValueError(one_line(str(e), 300)) from None
    except _DAMAGED:  # a shape of data no check foresaw: still one line, not a traceback
        raise ValueError("the file is damaged: it is not a session or spec this version can "
                         "read") from None


def _resolve_csv(spec: Spec, path) -> None:
    """A relative CSV path in a file means relative to that file's folder."""
    if spec.csv_path and not os.path.isabs(spec.csv_path):
        folder = os.path.dirname(os.path.abspath(os.fspath(path)))
        spec.csv_path = os.path.join(folder, spec.csv_path)


def _format1_spec(data: dict) -> Spec:
    spec = Spec.from_dict(data.get("spec"))
    spec.weights = data.get("weights")
    return spec.validate()


def _restore(data, path=None) -> Trainer:
    if not _is_session(data):
        raise ValueError('not a session (it needs "kind": "session")')
    version = data.get("format")
    if version == 1:
        spec = _format1_spec(data)
        if path is not None:
            _resolve_csv(spec, path)
        trainer = Trainer(spec)
        trainer.step_count = whole(data.get("step", 0), "the step count", 0, MAX_COUNT)
        trainer.mark_start()  # the first checkpoint is the saved step, not step 0
        return trainer
    if version != SESSION_FORMAT:
        raise ValueError(f"session format {shown(version)} is not supported "
                         f"(this version reads 1 and {SESSION_FORMAT})")
    json_object(data, "a format-2 session", _PARTS,
                optional=("checkpoint", "start_loss", "feedback_matrices"))
    step = whole(data["step"], "the step count", 0, MAX_COUNT)
    spec = Spec.from_dict(data["spec"])
    if path is not None:
        _resolve_csv(spec, path)
    with np.errstate(over="ignore"):  # points beyond float32's range: reported just below
        trainer = Trainer(spec, dataset=_dataset(data["data"]))
    if not np.isfinite(trainer.X).all():
        raise ValueError(f"the data's points are too large for {spec.dtype} inputs")
    _restore_weights(trainer, data["weights"])
    if "feedback_matrices" in data:  # without them, the ones the seed draws (the same ones)
        restore_feedback_matrices(trainer.network, trainer.spec.feedback,
                                  data["feedback_matrices"])
    trainer.optimizer = _optimizer(trainer, data["optimizer"])
    _restore_batches(trainer, data["batches"])
    trainer.step_count = step
    trainer.history = _history(trainer, data["history"], step)
    # Both optional: without them the trainer keeps what it took from its initial state.
    if "checkpoint" in data:
        trainer.best = _checkpoint(trainer, data["checkpoint"], step)
    if "start_loss" in data:
        trainer.start_loss = _start_loss(data["start_loss"])
    return trainer


def _dataset(d) -> Dataset:
    json_object(d, "the data", ("points", "labels", "task", "n_classes", "train_idx", "test_idx"))
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
    return Dataset(points, labels, task, n_classes, train, test)


def _restore_weights(trainer: Trainer, weights) -> None:
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


def _optimizer(trainer: Trainer, d):
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


def _restore_batches(trainer: Trainer, d) -> None:
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


def _history(trainer: Trainer, d, step: int) -> History:
    history = History.from_dict(d)
    layers = len(trainer.network.layers)
    if history.n_layers != layers:
        raise ValueError(f"the history has gradient norms for {history.n_layers} layers, "
                         f"the network has {layers}")
    if history.has_alignment and trainer.spec.feedback != "fa":
        raise ValueError("the history has alignment angles, but the spec trains with backprop")
    if trainer.spec.feedback == "fa":
        history.record_alignment()  # steps recorded without angles read as NaN
    last = int(history.arrays()["step"][-1]) if len(history) else 0
    if last > step:
        raise ValueError(f"the history records {len(history)} steps up to step {last}, but "
                         f"the session is at step {step}")
    return history


def _start_loss(value) -> float | None:
    """The training loss the run started from, the yardstick of divergence (null: none)."""
    if value is not None and not (is_finite(value) and value >= 0):
        raise ValueError(f"the starting loss must be a finite number ≥ 0 or null, "
                         f"got {shown(value)}")
    return None if value is None else float(value)


def _checkpoint(trainer: Trainer, d, step: int) -> Checkpoint | None:
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
