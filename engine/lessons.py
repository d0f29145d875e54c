"""Guided lessons: Markdown files with a small header, parsed into frozen dataclasses and
validated against engine/lesson_registry.py. No Qt here; the format is documented in
resources/lessons/README.md.

Every error is a ValueError of one line naming the file, the step (number and title) and the
field, e.g. "lesson 'x.md', step 3 (“One step by hand”), show: unknown action 'lod_preset'".
"""

from __future__ import annotations

import math
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from .files import one_line, read_text, show_path
from .lab import build, parse
from .lab_cli import parse_values
from .lesson_registry import ACTIONS, CHECKS, FIELDS, MODES, WIDGETS, Entry

MAX_LESSON_BYTES = 1024 * 1024
MAX_STEPS = 50
MAX_STEP_TEXT = 5000  # characters of prose per step
MAX_TITLE = 120
MAX_LINE = 5000  # a field line (show:, task:, hint:)
FIELD_NAMES = ("show", "highlight", "task", "hint")
HEADER_KEYS = ("name", "title", "mode")
NAME_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


@dataclass(frozen=True)
class Action:
    """What "Show me" does: a registry action and its typed arguments."""
    name: str
    args: tuple[tuple[str, object], ...] = ()

    def get(self, key: str, default=None):
        return dict(self.args).get(key, default)


@dataclass(frozen=True)
class Check:
    """A task's test of the app's own state: a registry check and its typed arguments."""
    name: str
    args: tuple[tuple[str, object], ...] = ()

    def get(self, key: str, default=None):
        return dict(self.args).get(key, default)


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    show: Action | None = None
    highlight: str | None = None
    task: Check | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    mode: str
    steps: tuple[Step, ...]
    source: str = "<text>"


def answer_matches(typed: float, expected: float, digits: int) -> bool:
    """A typed answer is right when it is within half a unit of the N-th decimal place of the
    expected number rounded, or cut, to N places: for −0.15352 to 3 places −0.154, −0.153 and
    −0.1535 are right, −0.152 is not; for 150 to 0 places 150 and 150.2 are, 149 is not."""
    if not (math.isfinite(typed) and math.isfinite(expected)):
        return False
    unit = 10.0 ** -digits
    cut = math.trunc(expected / unit) * unit
    slack = 0.5 * unit * (1 + 1e-9)
    return any(abs(typed - c) <= slack for c in (round(expected, digits), cut))


def _lessons_dir() -> Path:
    """resources/lessons in a source checkout; the installed backprop_resources otherwise."""
    source = Path(__file__).resolve().parent.parent / "resources" / "lessons"
    if source.is_dir():
        return source
    try:
        from importlib.resources import files

        return Path(str(files("backprop_resources") / "lessons"))
    except (ImportError, OSError):  # not installed either: no shipped lessons
        return source


LESSON_DIR = _lessons_dir()


def shipped_lessons() -> list[Path]:
    """The shipped lesson files in course order (their file names start with 01-, 02-, …)."""
    return sorted(p for p in LESSON_DIR.glob("*.md") if p.name.lower() != "readme.md")


def lesson_by_name(name: str) -> Lesson:
    """A shipped lesson by its header name (what --lesson takes)."""
    for path in shipped_lessons():
        lesson = load_lesson(path)
        if lesson.name == name:
            return lesson
    names = ", ".join(load_lesson(p).name for p in shipped_lessons())
    raise ValueError(f"unknown lesson {one_line(name)!r}; choose from {names}")


def load_lesson(path: str | os.PathLike) -> Lesson:
    label = Path(path).name
    try:
        size = os.stat(path).st_size
    except (OSError, ValueError):
        size = 0  # read_text says why it cannot be read
    if size > MAX_LESSON_BYTES:
        raise ValueError(f"lesson {one_line(label)!r} is too large ({size / 2**20:.1f} MB; "
                         f"at most {MAX_LESSON_BYTES // 2**20} MB)")
    try:
        text = read_text(path, "lesson")
    except ValueError as e:  # the file's own name, as in every other lesson error
        raise ValueError(str(e).replace(repr(show_path(path)), repr(one_line(label)))) from None
    return parse_lesson(text, label)


def parse_lesson(text: str, source: str = "<text>") -> Lesson:
    where = f"lesson {one_line(source)!r}"
    if len(text.encode("utf-8", "surrogatepass")) > MAX_LESSON_BYTES:
        raise ValueError(f"{where} is larger than {MAX_LESSON_BYTES // 2**20} MB")
    if "\x00" in text:
        raise ValueError(f"{where} holds a NUL character: not a text file")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header, body_start = _header(lines, where)
    name, title, mode = header["name"], header["title"], header.get("mode", "playground")
    if not NAME_RE.match(name) or len(name) > 40:
        raise ValueError(f"{where}, header: name {one_line(name)!r} must be kebab-case "
                         "(lower-case letters, digits and single hyphens, at most 40)")
    if mode not in MODES:
        raise ValueError(f"{where}, header: mode {one_line(mode)!r} must be one of "
                         f"{', '.join(MODES)}")
    _check_title(title, f"{where}, header")
    raw_steps = _split_steps(lines, body_start, where)
    if not raw_steps:
        raise ValueError(f"{where}: no steps (each step starts with a '## Title' line)")
    if len(raw_steps) > MAX_STEPS:
        raise ValueError(f"{where}: {len(raw_steps)} steps; at most {MAX_STEPS}")
    steps, seen, lab = [], {}, None
    for number, (step_title, body) in enumerate(raw_steps, 1):
        at = f"{where}, step {number} (“{one_line(step_title, 50)}”)"
        _check_title(step_title, at)
        if step_title in seen:
            raise ValueError(f"{at}: the same title as step {seen[step_title]}")
        seen[step_title] = number
        step, lab = _step(step_title, body, at, lab)
        steps.append(step)
    return Lesson(name, title, mode, tuple(steps), source)


def _header(lines: list[str], where: str) -> tuple[dict[str, str], int]:
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ValueError(f"{where}: the file is empty")
    if lines[first].strip() != "---":
        raise ValueError(f"{where}, header: the file must start with a '---' line, then "
                         "name: and title: lines, then '---'")
    header = {}
    for i in range(first + 1, len(lines)):
        line = lines[i].strip()
        if line == "---":
            break
        if line.startswith("## "):
            raise ValueError(f"{where}, header: no closing '---' line before the first step")
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in HEADER_KEYS:
            raise ValueError(f"{where}, header line {i + 1}: expected one of "
                             f"{', '.join(k + ':' for k in HEADER_KEYS)}, got "
                             f"{one_line(line, 40)!r}")
        if key in header:
            raise ValueError(f"{where}, header: {key} is given twice")
        header[key] = value.strip()
    else:
        raise ValueError(f"{where}, header: no closing '---' line")
    for key in ("name", "title"):
        if not header.get(key):
            raise ValueError(f"{where}, header: missing {key}:")
    return header, i + 1


def _split_steps(lines: list[str], start: int, where: str) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    fenced = False
    for i in range(start, len(lines)):
        line = lines[i]
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            steps.append((line[3:].strip(), []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"{where}, line {i + 1}: text before the first step "
                             "(start each step with '## Title')")
    return steps


def _check_title(title: str, at: str) -> None:
    if not title.strip():
        raise ValueError(f"{at}: missing title")
    if len(title) > MAX_TITLE:
        raise ValueError(f"{at}: the title is {len(title)} characters; at most {MAX_TITLE}")


def _step(title: str, body: list[str], at: str, lab):
    fields: dict[str, str] = {}
    text_lines = []
    for line in body:
        key, sep, rest = line.partition(":")
        if sep and key in FIELD_NAMES:
            if key in fields:
                raise ValueError(f"{at}, {key}: given twice")
            if len(rest) > MAX_LINE:
                raise ValueError(f"{at}, {key}: {len(rest):,} characters; at most {MAX_LINE:,}")
            fields[key] = rest.strip()
        else:
            text_lines.append(line)
    text = "\n".join(text_lines).strip()
    if not text:
        raise ValueError(f"{at}, text: missing (write what the student reads)")
    if len(text) > MAX_STEP_TEXT:
        raise ValueError(f"{at}, text: {len(text):,} characters; at most {MAX_STEP_TEXT:,}")
    show = task = None
    if "show" in fields:
        name, args = _call(fields["show"], ACTIONS, "action", f"{at}, show")
        if name == "load_lab":
            lab = _lab_names(args, f"{at}, show")
        show = Action(name, args)
    highlight = fields.get("highlight")
    if highlight is not None and highlight not in WIDGETS:
        raise ValueError(f"{at}, highlight: unknown widget {one_line(highlight, 40)!r}"
                         f"{_nearest(highlight, WIDGETS)}")
    if "task" in fields:
        name, args = _call(fields["task"], CHECKS, "check", f"{at}, task")
        _check_lab_name(name, dict(args), lab, f"{at}, task")
        task = Check(name, args)
    hint = fields.get("hint")
    if hint is not None and not hint:
        raise ValueError(f"{at}, hint: empty")
    return Step(title.strip(), text, show, highlight, task, hint), lab


def _call(line: str, table: dict[str, Entry], what: str, at: str):
    try:
        words = shlex.split(line)
    except ValueError as e:
        raise ValueError(f"{at}: {e} (quote values with spaces in \"…\")") from None
    if not words:
        raise ValueError(f"{at}: empty; name an {what}")
    name, rest = words[0], words[1:]
    entry = table.get(name)
    if entry is None:
        raise ValueError(f"{at}: unknown {what} {one_line(name, 40)!r}{_nearest(name, table)}")
    spec = {a.name: a for a in entry.args}
    args: dict[str, object] = {}
    for word in rest:
        key, sep, value = word.partition("=")
        if not sep:
            raise ValueError(f"{at}: {one_line(word, 40)!r} is not key=value")
        if key not in spec:
            known = ", ".join(spec) or "none"
            raise ValueError(f"{at}: {name} has no argument {one_line(key, 30)!r} "
                             f"(its arguments: {known})")
        if key in args:
            raise ValueError(f"{at}: {key}= given twice")
        args[key] = value
    for a in entry.args:
        if a.required and a.name not in args:
            raise ValueError(f"{at}: {name} needs {a.name}=")
    if entry.at_least_one_of and not any(k in args for k in entry.at_least_one_of):
        raise ValueError(f"{at}: {name} needs " + " or ".join(f"{k}=" for k in
                                                               entry.at_least_one_of))
    typed = {}
    for key, value in args.items():
        kind = spec[key].kind
        if kind == "any":  # a field's value: typed by the field named beside it
            kind = FIELDS[args["field"]] if args.get("field") in FIELDS else "str"
        typed[key] = _typed(value, kind, f"{at}: {key}")
    _ranges(name, typed, at)
    return name, tuple((a.name, typed[a.name]) for a in entry.args if a.name in typed)


def _typed(value: str, kind, at: str):
    if isinstance(kind, tuple):
        if value not in kind:
            raise ValueError(f"{at} must be one of {', '.join(kind)}, got "
                             f"{one_line(value, 30)!r}")
        return value
    if kind == "int":
        if not re.fullmatch(r"[+-]?\d{1,9}", value):
            raise ValueError(f"{at} must be a whole number, got {one_line(value, 30)!r}")
        return int(value)
    if kind == "float":
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{at} must be a number, got {one_line(value, 30)!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"{at} must be a finite number, got {one_line(value, 30)!r}")
        return number
    if kind == "bool":
        if value not in ("true", "false"):
            raise ValueError(f"{at} must be true or false, got {one_line(value, 30)!r}")
        return value == "true"
    return value


def _ranges(name: str, args: dict, at: str) -> None:
    positive = {"stage", "steps", "layer", "upper", "lower", "row", "column"}
    for key, value in args.items():
        if key in positive and not 1 <= value <= 100_000:
            raise ValueError(f"{at}: {key} must be between 1 and 100000, got {value}")
    if "digits" in args and not 0 <= args["digits"] <= 10:
        raise ValueError(f"{at}: digits must be between 0 and 10, got {args['digits']}")
    if "tol" in args and not args["tol"] > 0:
        raise ValueError(f"{at}: tol must be > 0, got {args['tol']}")
    if name in ("set_field", "option_set"):
        field, value = args["field"], args["value"]
        if field in ("learning_rate", "lab_learning_rate") and not 0 < value <= 100:
            raise ValueError(f"{at}: value for {field} must be in (0, 100], got {value}")
        if field == "momentum" and not 0 <= value < 1:
            raise ValueError(f"{at}: value for momentum must be in [0, 1), got {value}")
        if field == "batch_size" and not 1 <= value <= 100_000:
            raise ValueError(f"{at}: value for batch_size must be ≥ 1, got {value}")
    if name == "accuracy" and not 0 <= args["at_least"] <= 1:
        raise ValueError(f"{at}: at_least is a fraction between 0 and 1")


def _lab_names(args: tuple, at: str) -> tuple[set[str], set[str]]:
    """The expression of a load_lab, checked: (its inputs, its named lines)."""
    values_text = dict(args)
    try:
        program = parse(values_text["expression"])
    except ValueError as e:
        raise ValueError(f"{at}: expression: {e}") from None
    try:
        values = parse_values(values_text["values"])
    except ValueError as e:
        raise ValueError(f"{at}: values: {str(e).replace('--at', 'values')}") from None
    missing = [n for n in program.inputs if n not in values]
    if missing:
        raise ValueError(f"{at}: values: give {missing[0]!r} a value")
    extra = [n for n in values if n not in program.inputs]
    if extra:
        raise ValueError(f"{at}: values: {extra[0]!r} is not an input of the expression")
    try:
        build(program, values)
    except ValueError as e:
        raise ValueError(f"{at}: expression: {e}") from None
    params = [p.strip() for p in values_text.get("params", "").split(",") if p.strip()]
    for name in params:
        if name not in program.inputs:
            raise ValueError(f"{at}: params: {one_line(name, 30)!r} is not an input of the "
                             "expression")
    return set(program.inputs), {n for n, _, _ in program.lines if n}


def _check_lab_name(check: str, args: dict, lab, at: str) -> None:
    if check not in ("lab_value", "lab_gradient"):
        return
    if lab is None:
        raise ValueError(f"{at}: {check} needs a load_lab in this or an earlier step")
    inputs, named = lab
    name = args["name"]
    allowed = inputs if check == "lab_gradient" else inputs | named
    if name not in allowed:
        raise ValueError(f"{at}: name {one_line(name, 30)!r} is not "
                         f"{'an input' if check == 'lab_gradient' else 'a node'} of the lab's "
                         f"expression (it has {', '.join(sorted(allowed))})")


def _nearest(word: str, names) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(names), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
