"""`python main.py lessons`: the shipped lessons, one a line (name, then title);
`lessons --check [FILE ...]`: validate lesson files, one line each, exit 2 on any bad one."""

from __future__ import annotations

from pathlib import Path

from .files import one_line
from .lesson_registry import describe
from .lessons import load_lesson, shipped_lessons


def add_lessons_parser(sub) -> None:
    p = sub.add_parser("lessons", help="list the guided lessons, or check lesson files")
    p.add_argument("--check", action="store_true",
                   help="validate the given lesson files (all shipped ones when none given)")
    p.add_argument("--registry", action="store_true",
                   help="print the actions, checks, widgets and fields a lesson may name")
    p.add_argument("files", nargs="*", metavar="FILE", help="lesson files, with --check")


def cmd_lessons(args, out) -> int:
    if args.registry:
        out.write("\n".join(describe()) + "\n")
        return 0
    if args.files and not args.check:
        raise ValueError("to validate lesson files, give --check: lessons --check FILE ...")
    if not args.check:
        for path in shipped_lessons():
            lesson = load_lesson(path)
            out.write(f"{lesson.name}  {lesson.title}\n")
        return 0
    paths = [Path(f) for f in args.files] or shipped_lessons()
    bad, names = 0, {}
    for path in paths:
        try:
            lesson = load_lesson(path)
            if lesson.name in names:
                raise ValueError(f"lesson {one_line(path.name)!r}, header: name "
                                 f"{lesson.name!r} is also the name of {names[lesson.name]!r}")
            names[lesson.name] = path.name
            out.write(f"ok  {path.name}: {lesson.name}, {len(lesson.steps)} steps\n")
        except ValueError as e:
            bad += 1
            out.write(f"error: {one_line(str(e), 400)}\n")
    return 2 if bad else 0
