"""The headless command line: train, trace, gradcheck. No Qt here.

Bad input (unknown preset, unreadable or malformed file, invalid numbers) prints one line on
stderr and exits with code 2. A run that diverges exits with 1; Ctrl+C during `train` stops
between two steps, prints the summary of what was trained and exits with 130 (128 + SIGINT,
as shells report it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time

import numpy as np

from .feedback import FEEDBACK_LABELS, FEEDBACK_MODES
from .files import check_writable, one_line
from .gradcheck_cli import add_gradcheck_options, run_gradcheck
from .lab_cli import add_graph_parser, cmd_graph
from .lessons_cli import add_lessons_parser, cmd_lessons
from .presets import load_preset, preset_names
from .serialization import load_file, save_session, trainer_session
from .torch_cli import add_export_parser, cmd_export_torch
from .trace import trace
from .trainer import Trainer

EXIT_INTERRUPTED = 130


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit 2, as for every other bad input
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="backprop-playground",
        description="Backprop Playground: with no command, opens the window.",
        epilog="window options: [--preset NAME | --config FILE] [--presentation] "
               "[--screenshot PATH [--steps N] [--size WxH] [--stage K] [--graph EXPR --at N=V,…] "
               "[--check] [--bug NAME] [--compare] [--lesson NAME --lesson-step K]]; "
               "--screenshot renders the window to a PNG headlessly (K opens the step-through "
               "panel at stage K); --presentation opens it in presentation mode (F11)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def source(p, required=True):
        group = p.add_mutually_exclusive_group(required=required)
        group.add_argument("--preset", help=f"one of: {', '.join(preset_names())}")
        group.add_argument("--config", metavar="FILE",
                           help="a spec or session JSON file (a session continues where it was)")
        p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("train", help="train headlessly and report the loss")
    source(p)
    p.add_argument("--steps", type=int, default=1000, help="mini-batch steps (default 1000)")
    p.add_argument("--save", metavar="PATH", help="write the final state as a session file")
    p.add_argument("--feedback", choices=FEEDBACK_MODES,
                   help="the error sent down: backprop (through Wᵀ) or fa, feedback alignment "
                        "(through a fixed random B); overrides the spec's")
    p = sub.add_parser("trace", help="print the stages of one training step")
    source(p)
    p = sub.add_parser("gradcheck", help="compare backprop with central differences")
    source(p, required=False)  # not for --bug list
    add_gradcheck_options(p)
    add_graph_parser(sub)
    add_export_parser(sub)
    add_lessons_parser(sub)
    return parser


def load_trainer(args) -> Trainer:
    if args.preset:
        spec = load_preset(args.preset)
        spec.dtype = "float64" if args.command == "gradcheck" else spec.dtype
        return Trainer(spec)
    trainer = load_file(args.config)  # a session keeps its weights, optimiser state and step
    if args.command == "gradcheck" and trainer.dtype != np.float64:
        # Central differences need float64: the same weights and data in double precision.
        weights = [{"W": la.W.tolist(), "b": la.b.tolist()} for la in trainer.network.layers]
        single, trainer = trainer, Trainer(trainer.spec.replace(dtype="float64", weights=weights),
                                           dataset=trainer.data)
        trainer.last_batch = single.last_batch  # checked on the session's last mini-batch
    return trainer


def cmd_train(args, out) -> int:
    if args.steps < 1:
        raise UsageError(f"--steps must be ≥ 1, got {args.steps}")
    if args.save:
        check_writable(args.save)  # before training, not after it
    trainer = _with_feedback(load_trainer(args), args.feedback)
    show_bar = out.isatty() and not args.json
    start = time.perf_counter()
    every = max(1, args.steps // 200)  # whole-set evaluations: the curve a session keeps
    with _interrupt_between_steps() as stop:
        for i in range(1, args.steps + 1):
            step = trainer.step()
            if step.diverged or stop.is_set():
                break
            if i % every == 0 or i == args.steps:
                evaluated = trainer.stats()
                if evaluated.diverged:  # grown on the whole set, though no batch showed it
                    break
                loss = evaluated.train_loss
                if show_bar:
                    done = int(30 * i / args.steps)
                    out.write(f"\r[{'#' * done}{'.' * (30 - done)}] step {i}/{args.steps} "
                              f"loss {_loss_text(loss, 4)}")
                    out.flush()
        elapsed = time.perf_counter() - start
        final = trainer.stats()
        return _finish_train(args, out, trainer, final, i, elapsed, show_bar,
                             stop.is_set() and i < args.steps and not final.diverged)


def _with_feedback(trainer: Trainer, feedback: str | None) -> Trainer:
    """--feedback: a spec (or a session not yet trained) is rebuilt with that gradient signal,
    from the same weights and data; a trained session keeps the one it was trained with."""
    if feedback is None or feedback == trainer.spec.feedback:
        return trainer
    if trainer.step_count or len(trainer.history):
        raise UsageError(f"--feedback {feedback}: this session was trained with "
                         f"{trainer.spec.feedback} for {trainer.step_count} steps; another "
                         "gradient signal is a new run (leave --feedback out)")
    rebuilt = Trainer(trainer.spec.replace(feedback=feedback), dataset=trainer.data)
    for p, current in zip(rebuilt.network.params().values(), trainer.network.params().values()):
        p[...] = current  # the same starting weights (a session's may have been edited)
    rebuilt.mark_start()
    return rebuilt


def _finish_train(args, out, trainer, stats, steps, elapsed, show_bar, interrupted) -> int:
    """The summary of a train run (and its --save), however it ended."""
    if show_bar:
        out.write("\n")
    result = {"step": stats.step, "epoch": stats.epoch, "loss": stats.train_loss,
              "test_loss": stats.test_loss, "accuracy": stats.accuracy,
              "test_accuracy": stats.test_accuracy, "rmse": stats.rmse, "r2": stats.r2,
              "test_rmse": stats.test_rmse, "test_r2": stats.test_r2,
              "diverged": stats.diverged,
              "interrupted": interrupted,
              "steps_per_second": steps / elapsed if elapsed > 0 else None,
              "feedback": trainer.spec.feedback,  # and under FA the last step's angles
              "alignment": None if stats.alignment is None else list(stats.alignment)}
    if args.save:
        save_session(trainer_session(trainer), args.save)
    if args.json:
        out.write(_json(result) + "\n")
    else:
        if stats.rmse is not None:  # regression: how far off, and how much is explained
            r2 = "n/a" if stats.r2 is None else f"{stats.r2:.4f}"
            score = f"rmse {_loss_text(stats.rmse, 4)}  r2 {r2}"
        else:
            score = "accuracy " + ("n/a" if stats.accuracy is None else f"{stats.accuracy:.1%}")
        out.write(f"step {stats.step}  epoch {stats.epoch}  loss {_loss_text(stats.train_loss)}  "
                  f"{score}\n")
        if stats.alignment is not None:
            angles = ", ".join(f"{a:.1f}°" for a in stats.alignment)
            out.write(f"{FEEDBACK_LABELS['fa']}: the last step's angle to the true gradient, "
                      f"per layer: {angles}\n")
        if stats.diverged:
            out.write(f"diverged: {stats.message}\n")
        if interrupted:
            out.write(f"interrupted at step {stats.step}\n")
    return EXIT_INTERRUPTED if interrupted else 1 if stats.diverged else 0


def _loss_text(loss: float, places: int = 6) -> str:
    """Fixed decimals for a loss a person reads; a diverged one (1e300) in exponent form, not
    three hundred digits."""
    return f"{loss:.{places}f}" if abs(loss) < 1e6 else f"{loss:.{places}g}"


def _json(data) -> str:
    """Strict JSON: NaN and ±Infinity (a diverged loss or gradient) are written as null."""
    def plain(value):
        if isinstance(value, float):
            return value if np.isfinite(value) else None
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value
    return json.dumps(plain(data), allow_nan=False)


@contextlib.contextmanager
def _interrupt_between_steps():
    """Ctrl+C sets the yielded flag instead of raising inside a step (which could stop an
    update halfway); the loop checks it between steps, then the summary and --save run.
    Pressing it again changes nothing: raising then would lose the whole run, and the current
    step ends within moments. Signal handlers can only be set from the main thread; elsewhere
    nothing changes."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum, frame):
        stop.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _fmt(value: np.ndarray, limit: int = 6) -> str:
    flat = np.asarray(value, dtype=float).ravel()
    text = ", ".join(f"{v:.4f}" for v in flat[:limit])
    if flat.size > limit:
        text += f", … ({flat.size} values)"
    return text if flat.size == 1 else f"[{text}]"


def cmd_trace(args, out) -> int:
    result = trace(load_trainer(args))
    code = 1 if result.rolled_back else 0  # as for train: the step diverged
    if args.json:
        out.write(_json(result.to_dict()) + "\n")
        return code
    out.write(f"one training step on {len(result.batch)} sample(s)\n")
    if result.rolled_back:
        out.write(f"this step diverged and was rolled back: {result.stats.message}\n")
    for stage in result.stages:
        out.write(f"\n{stage.title}\n")
        for q in stage.quantities:
            formula = f" = {q.formula}" if q.formula else ""
            out.write(f"  {q.symbol + formula:<40} = {_fmt(q.value)}\n")
        if stage.note:
            out.write(f"  ({stage.note})\n")
    return code


def cmd_gradcheck(args, out) -> int:
    return run_gradcheck(args, out, load_trainer)


COMMANDS = {"train": cmd_train, "trace": cmd_trace, "gradcheck": cmd_gradcheck,
            "graph": cmd_graph, "export-torch": cmd_export_torch, "lessons": cmd_lessons}


def run(argv: list[str], out=sys.stdout, err=sys.stderr) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args, out)
    except (UsageError, ValueError) as e:
        # The last guard: whatever a message quotes (a name with a newline), it stays one line.
        err.write(f"error: {one_line(str(e), 400)}\n")
        return 2
    except MemoryError:
        err.write("error: not enough memory for this input\n")
        return 2
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        try:
            sys.stdout = open(os.devnull, "w")  # so the flush at exit does not complain
        except OSError:
            pass
        return 0
    except KeyboardInterrupt:  # while loading, before any step
        err.write("error: interrupted\n")
        return EXIT_INTERRUPTED
