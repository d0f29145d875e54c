"""Sessions: a spec plus the current weights, as versioned JSON.

A session file loads as a spec whose `weights` are the saved ones, so reopening it rebuilds the
same network; a plain spec file (a preset or a config) loads as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

from .spec import FORMAT, Spec
from .trainer import Trainer


def session_dict(trainer: Trainer) -> dict:
    weights = [{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in trainer.network.layers]
    return {"format": FORMAT, "kind": "session", "step": trainer.step_count,
            "spec": trainer.spec.to_dict(), "weights": weights}


def save_session(trainer: Trainer, path: str) -> None:
    try:
        Path(path).write_text(json.dumps(session_dict(trainer)), encoding="utf-8")
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
