"""Sessions: a spec plus the current weights, as versioned JSON.

A session file loads as a spec whose `weights` are the saved ones, so reopening it rebuilds the
same network; a plain spec file (a preset or a config) loads as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .spec import FORMAT, Spec
from .trainer import Trainer


def session_dict(spec: Spec, weights, biases, step: int = 0) -> dict:
    """A session from a spec and per-layer weight matrices and bias vectors."""
    layers = [{"W": np.asarray(W).tolist(), "b": np.asarray(b).tolist()}
              for W, b in zip(weights, biases, strict=True)]
    return {"format": FORMAT, "kind": "session", "step": step, "spec": spec.to_dict(),
            "weights": layers}


def trainer_session(trainer: Trainer) -> dict:
    layers = trainer.network.layers
    return session_dict(trainer.spec, [la.W for la in layers], [la.b for la in layers],
                        trainer.step_count)


def save_session(session: dict, path: str) -> None:
    try:
        Path(path).write_text(json.dumps(session), encoding="utf-8")
    except OSError as e:
        raise ValueError(f"cannot write {path!r}: {e.strerror}") from None


def spec_from_data(data) -> Spec:
    """A spec from a parsed spec or session object."""
    if isinstance(data, dict) and data.get("kind") == "session":
        if data.get("format") != FORMAT:
            raise ValueError(f"session format {data.get('format')!r} is not supported")
        spec = Spec.from_dict(data.get("spec"))
        spec.weights = data.get("weights")
        return spec.validate()
    return Spec.from_dict(data)


def load_spec_file(path: str) -> Spec:
    """Read a spec or session JSON file; ValueError with a one-line message otherwise."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ValueError(f"cannot read {path!r}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path!r} is not a text file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path!r} is not valid JSON: {e.msg} at line {e.lineno}") from None
    return spec_from_data(data)
