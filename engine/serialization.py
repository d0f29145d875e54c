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

from .feedback import feedback_matrices_json, restore_feedback_matrices
from .files import one_line, read_json, write_text_atomic
from .json_values import json_object, shown, whole
from .session_parts import (
    MAX_COUNT,
    read_checkpoint,
    read_dataset,
    read_history,
    read_optimizer,
    read_start_loss,
    restore_batches,
    restore_weights,
)
from .spec import Spec
from .trainer import Trainer

SESSION_FORMAT = 2
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
                 "train_idx": data.train_idx.tolist(), "test_idx": data.test_idx.tolist(),
                 **({"columns": list(data.column_names)} if data.column_names else {})},
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
        trainer = Trainer(spec, dataset=read_dataset(data["data"]))
    if not np.isfinite(trainer.X).all():
        raise ValueError(f"the data's points are too large for {spec.dtype} inputs")
    restore_weights(trainer, data["weights"])
    if "feedback_matrices" in data:  # without them, the ones the seed draws (the same ones)
        restore_feedback_matrices(trainer.network, trainer.spec.feedback,
                                  data["feedback_matrices"])
    trainer.optimizer = read_optimizer(trainer, data["optimizer"])
    restore_batches(trainer, data["batches"])
    trainer.step_count = step
    trainer.history = read_history(trainer, data["history"], step)
    # Both optional: without them the trainer keeps what it took from its initial state.
    if "checkpoint" in data:
        trainer.best = read_checkpoint(trainer, data["checkpoint"], step)
    if "start_loss" in data:
        trainer.start_loss = read_start_loss(data["start_loss"])
    return trainer
