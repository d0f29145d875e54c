"""Start the window, or render it headlessly to a PNG (--screenshot)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ValueError(message)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1600x1000, not {text!r}") from None
    if not (320 <= w <= 8000 and 240 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"size {text!r} is out of range")
    return w, h


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="backprop-playground",
                description="Open the window; subcommands train, trace, gradcheck and graph run "
                            "headless.")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--preset", help="start from a preset")
    source.add_argument("--config", metavar="FILE", help="start from a spec or session file")
    p.add_argument("--screenshot", metavar="PATH", help="render the window to PNG and exit")
    p.add_argument("--presentation", action="store_true",
                   help="open in presentation mode (F11): large text, the scores large above "
                        "the output; with --screenshot, render it so")
    p.add_argument("--steps", type=int, default=0, help="with --screenshot: train N steps first")
    p.add_argument("--size", type=_size, default=(1600, 1000), help="with --screenshot: WxH")
    p.add_argument("--stage", type=int, default=None,
                   help="with --screenshot: open the step-through panel at stage N (1-based); "
                        "with --graph, the lab's stage N")
    p.add_argument("--graph", metavar="EXPR", default=None,
                   help="open the graph lab with this expression (lines separated by ';')")
    p.add_argument("--at", default="", metavar="NAME=VALUE[,…]",
                   help="with --graph: the inputs' values, e.g. x=2")
    p.add_argument("--check", action="store_true",
                   help="with --screenshot: open the gradient-check panel")
    p.add_argument("--bug", metavar="NAME", default=None,
                   help="with --screenshot: inject this backprop bug (see gradcheck --bug list)")
    p.add_argument("--lesson", metavar="NAME", default=None,
                   help="with --screenshot: open this lesson (see `lessons`) at --lesson-step, "
                        "each step's Show me pressed up to it")
    p.add_argument("--lesson-step", type=int, default=1, metavar="K",
                   help="with --lesson: the step to show (1-based)")
    p.add_argument("--compare", action="store_true",
                   help="with --screenshot: check and compare the gradients with PyTorch")
    # Hidden: print when the window first painted, as JSON, and quit (startup_bench.py).
    p.add_argument("--startup-report", action="store_true", help=argparse.SUPPRESS)
    return p


def run_gui(argv: list[str]) -> int:
    from engine.presets import load_preset
    from engine.serialization import load_file

    try:
        args = build_parser().parse_args(argv)
        if args.steps < 0:
            raise ValueError(f"--steps must be ≥ 0, got {args.steps}")
        if args.graph is not None:  # refused here, in one line, before any window exists
            from engine.lab import build, parse
            from engine.lab_cli import parse_values

            program = parse(args.graph)
            values = parse_values(args.at)
            build(program, {k: v for k, v in values.items() if k in program.inputs})
        if args.bug is not None:  # likewise
            from engine.bugs import BUGS

            if args.bug not in BUGS:
                raise ValueError(f"unknown bug {args.bug!r}; choose from {', '.join(BUGS)}")
        lesson = None
        if args.lesson is not None:  # likewise
            from engine.lessons import lesson_by_name

            lesson = lesson_by_name(args.lesson)
            if not 1 <= args.lesson_step <= len(lesson.steps):
                raise ValueError(f"--lesson-step must be between 1 and {len(lesson.steps)} "
                                 f"for lesson {lesson.name!r}")
        # A Trainer for --config: a session file reopens where it was saved.
        spec = (load_preset(args.preset) if args.preset
                else load_file(args.config) if args.config else None)
    except ValueError as e:
        sys.stderr.write(f"error: {e}\n")
        return 2
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gui.common.platform_check import platform_problem

    problem = platform_problem()
    if problem:  # Qt would abort naming none of them
        sys.stderr.write(f"error: {problem}\n")
        return 2

    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("BackpropPlayground")
    QCoreApplication.setApplicationName("Backprop Playground")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from gui.playground.main_window import MainWindow

    if not args.screenshot:
        from gui.playground.autosave import default_folder

        window = MainWindow(spec, autosave_folder=default_folder(), confirm_close=True)
        if args.config and spec.step_count:  # a session: Save writes back to it
            window.files.path = os.path.abspath(args.config)
            window.remembered.add_recent(window.files.path)
        if args.startup_report:
            from gui.common.startup_report import StartupReport

            window.startup_report = StartupReport(
                app, window, getattr(sys.modules["__main__"], "STARTED", None))
        window.show()
        app.processEvents()  # laid out at its size first: the text size that fits depends on it
        window.presentation_action.setChecked(args.presentation)
        return app.exec()

    # Headless: fresh settings (never the user's), training synchronously in this thread.
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(os.path.join(tmp, "settings.ini"), QSettings.IniFormat)
        window = MainWindow(spec, settings=settings, threaded=False)
        try:
            if lesson is not None:  # set up as a student who pressed every Show me so far
                window.resize(*args.size)
                window.show()
                window.lessons.open_lesson(lesson, args.lesson_step - 1, replay=True)
            return render_screenshot(app, window, args)
        except ValueError as e:
            sys.stderr.write(f"error: {e}\n")
            return 2
        finally:
            window.shutdown()
            window.deleteLater()


def show_lab(window, args) -> None:
    """The graph lab with an expression and its values, at a stage; ValueError (one line)
    for a bad expression, value or stage."""
    from engine.lab import parse
    from engine.lab_cli import parse_values

    program = parse(args.graph)  # the lab would show the error; a screenshot must fail
    lab = window.lab
    window.modes.setCurrentIndex(1)
    lab.controls.editor.setPlainText("\n".join(p.strip() for p in args.graph.split(";")))
    values = parse_values(args.at)
    lab.controls.show_inputs(list(program.inputs), values)
    if not lab.apply():
        raise ValueError(lab.last_error)
    if args.stage is not None:
        if not 1 <= args.stage <= lab.stepper.stage_count():
            raise ValueError(f"--stage must be between 1 and {lab.stepper.stage_count()}")
        lab.stepper.go_to(args.stage - 1)


def render_screenshot(app, window, args) -> int:
    window.resize(*args.size)
    window.show()
    app.processEvents()  # laid out at its size first: the text size that fits depends on it
    window.presentation_action.setChecked(args.presentation)
    if args.steps:
        window.worker.step(args.steps)
    from gui.checking.screenshot import show_checking
    from gui.common.side_dock import grab_with_docks

    if args.check or args.bug is not None or args.compare:
        show_checking(window, args.bug, args.check, args.compare)
    if args.graph is not None:
        show_lab(window, args)
    elif args.stage is not None:
        window.open_stepper()
        panel = window.stepper.panel
        if not 1 <= args.stage <= panel.stage_count():
            raise ValueError(f"--stage must be between 1 and {panel.stage_count()}")
        panel.go_to(args.stage - 1)
    for _ in range(3):  # let layouts settle and the views take the latest snapshot
        app.processEvents()
        window.force_redraw()
        app.processEvents()
    if not grab_with_docks(window).save(args.screenshot):
        raise ValueError(f"cannot write {args.screenshot!r}")
    print(f"wrote {args.screenshot} ({window.width()}x{window.height()})")
    return 0
