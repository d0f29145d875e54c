"""Training throughput in the window against the headless engine, measured in one run.

Runs the `playground` preset (or --preset) headless (Trainer.step in a loop) and in the real
window (worker thread, per-step signals, 30 Hz redraw, offscreen), a few rounds each, and prints
the median steps/s of both and their ratio. Not a test: machines here are shared and noisy.

    python benchmarks/gui_bench.py [--preset NAME] [--seconds 2] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from engine.presets import load_preset  # noqa: E402
from engine.trainer import Trainer  # noqa: E402


def headless_rate(preset: str, seconds: float) -> float:
    trainer = Trainer(load_preset(preset))
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.step()
        steps += 1
    return steps / (time.perf_counter() - start)


def window_rate(app, preset: str, seconds: float, tmp: str) -> tuple[float, float]:
    """(measured steps/s, the figure the status bar showed at the end)."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from gui.playground.main_window import MainWindow

    window = MainWindow(load_preset(preset), QSettings(f"{tmp}/s.ini", QSettings.IniFormat))
    window.resize(1600, 1000)
    window.show()
    while window.latest_stats is None:
        app.processEvents()
    window.actions.play.trigger()
    start = time.perf_counter()
    first = window.latest_stats.step
    # A real event loop, as in the app: it sleeps when idle and so leaves the interpreter lock
    # to the worker (busy-looping processEvents() here would starve it and halve the figure).
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    steps = window.latest_stats.step - first
    elapsed = time.perf_counter() - start
    shown = window.steps_per_second()
    window.close()
    return steps / elapsed, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="playground")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import tempfile

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    headless, in_window, shown = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            headless.append(headless_rate(args.preset, args.seconds))
            rate, status = window_rate(app, args.preset, args.seconds, tmp)
            in_window.append(rate)
            shown.append(status)
    result = {"preset": args.preset, "headless_steps_per_s": statistics.median(headless),
              "window_steps_per_s": statistics.median(in_window),
              "status_bar_steps_per_s": statistics.median(shown)}
    result["window_over_headless"] = result["window_steps_per_s"] / result["headless_steps_per_s"]
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.preset}: headless {result['headless_steps_per_s']:,.0f} steps/s, "
              f"in the window {result['window_steps_per_s']:,.0f} steps/s "
              f"(status bar showed {result['status_bar_steps_per_s']:,.0f}); "
              f"ratio {result['window_over_headless']:.2f} (medians of {args.rounds} rounds)")


if __name__ == "__main__":
    main()
