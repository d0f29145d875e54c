"""Named presets: specs stored as JSON in resources/presets/."""

from __future__ import annotations

import json
from pathlib import Path

from .spec import Spec


def _preset_dir() -> Path:
    """resources/presets in a source checkout; the installed backprop_resources otherwise."""
    source = Path(__file__).resolve().parent.parent / "resources" / "presets"
    if source.is_dir():
        return source
    from importlib.resources import files

    return Path(str(files("backprop_resources") / "presets"))


PRESET_DIR = _preset_dir()


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.json"))


def preset_description(name: str) -> str:
    if name not in preset_names():
        return ""
    return json.loads((PRESET_DIR / f"{name}.json").read_text(encoding="utf-8")).get(
        "description", "")


def load_preset(name: str) -> Spec:
    path = PRESET_DIR / f"{name}.json"
    if name not in preset_names():  # a name, never a path ("../x" would read any file)
        raise ValueError(f"unknown preset {name!r}; choose from {', '.join(preset_names())}")
    return Spec.from_json(path.read_text(encoding="utf-8"))
