"""Training in the window against the headless engine, measured side by side in one run.

    python benchmarks/gui_bench.py [--preset NAME] [--seconds 3] [--rounds 3] [--presses 20]
                                   [--size 1600x1000] [--json]

Each round trains the preset headless (Trainer.step in a loop) and then in the real window
(worker thread, reports at 30 Hz, offscreen rendering at --size), and reports:
- steps/s headless and in the window, and their ratio (goal ≥ 0.7);
- frames per second: redraws that pushed news into the views, and plot refreshes (goal ≥ 30);
- the status bar's steps/s against the steps really taken in its last second (goal: within
  10 %);
then Pause is pressed --presses times while playing, and for each press the time until the
worker has stopped (its last step done, "paused" sent) and the window shows it (the status
bar says "paused" and the Play button is back) is measured (goal: ≤ 50 ms, worst case).
Medians over the rounds. Not a test: machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
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


def spin(seconds: float) -> None:
    """A real event loop, as in the app: it sleeps when idle and so leaves the interpreter lock
    to the worker (busy-looping processEvents() would starve it)."""
    from PySide6.QtCore import QEventLoop, QTimer
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def make_window(preset: str, size: tuple[int, int], folder: str):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gui.playground.main_window import MainWindow

    window = MainWindow(load_preset(preset), QSettings(f"{folder}/s.ini", QSettings.IniFormat))
    window.resize(*size)
    window.show()
    while window.latest_stats is None:
        QApplication.processEvents()
    return window


def count_frames(window) -> dict[str, int]:
    """Wrap the window's redraw and the plots' refresh to count the frames that drew news."""
    counts = {"frames": 0, "plot_refreshes": 0}
    redraw, refresh = window.redraw, window.step_plots.refresh

    def counted_redraw():
        if window._dirty or window._inbox:
            counts["frames"] += 1
        redraw()

    def counted_refresh():
        counts["plot_refreshes"] += 1
        refresh()

    window.redraw_timer.timeout.disconnect()
    window.redraw_timer.timeout.connect(counted_redraw)
    window.step_plots.refresh = counted_refresh
    return counts


def window_round(window, seconds: float) -> dict:
    counts = count_frames(window)
    window.actions.play.trigger()
    spin(0.3)  # past the start
    first, start = window.latest_stats.step, time.perf_counter()
    counts.update(frames=0, plot_refreshes=0)
    spin(seconds - 1.0)
    mark_step, mark_time = window.worker.trainer.step_count, time.perf_counter()
    spin(1.0)
    end_step, end_time = window.worker.trainer.step_count, time.perf_counter()
    shown = window.steps_per_second()  # what the status bar says now
    window.redraw()
    steps = window.latest_stats.step - first
    elapsed = time.perf_counter() - start
    window.actions.play.trigger()
    spin(0.2)
    actual_last_second = (end_step - mark_step) / (end_time - mark_time)
    return {"steps_per_s": steps / elapsed, "frames_per_s": counts["frames"] / elapsed,
            "plot_refreshes_per_s": counts["plot_refreshes"] / elapsed,
            "status_bar_steps_per_s": shown, "actual_steps_per_s_last_second": actual_last_second,
            "status_bar_error": abs(shown - actual_last_second) / actual_last_second}


def pause_latencies(window, presses: int) -> list[tuple[float, float]]:
    """Seconds from pressing Pause to the worker having stopped, and to the window showing it,
    per press."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    stopped = []
    window.worker.sigRunning.connect(
        lambda running: stopped.append(time.perf_counter()) if not running else None,
        Qt.DirectConnection)
    latencies = []
    for _ in range(presses):
        window.actions.play.trigger()
        spin(0.25)
        stopped.clear()
        pressed = time.perf_counter()
        window.actions.play.trigger()  # Pause
        shown = None
        while not stopped or shown is None:
            QApplication.processEvents()
            if shown is None and window.status_labels["rate"].text() == "paused" \
                    and not window.actions.play.isChecked():
                shown = time.perf_counter()
            if time.perf_counter() - pressed > 5:
                raise RuntimeError("the worker did not pause within 5 s")
        latencies.append((stopped[0] - pressed, shown - pressed))
        spin(0.05)
    return latencies


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="playground")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--size", default="1600x1000")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.lower().split("x"))

    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive)
    headless, rounds = [], []
    with tempfile.TemporaryDirectory() as folder:
        window = make_window(args.preset, size, folder)
        for _ in range(args.rounds):
            headless.append(headless_rate(args.preset, args.seconds))
            rounds.append(window_round(window, args.seconds))
        latencies = pause_latencies(window, args.presses)
        window.close()
    result = {"preset": args.preset, "size": args.size,
              "headless_steps_per_s": statistics.median(headless)}
    for key in rounds[0]:
        result[key] = statistics.median(r[key] for r in rounds)
    result["window_over_headless"] = result["steps_per_s"] / result["headless_steps_per_s"]
    both = [max(pair) for pair in latencies]
    result["pause_ms_median"] = statistics.median(both) * 1000
    result["pause_ms_worst"] = max(both) * 1000
    result["pause_worker_stopped_ms_worst"] = max(s for s, _ in latencies) * 1000
    result["pause_window_shows_ms_worst"] = max(w for _, w in latencies) * 1000
    if args.json:
        print(json.dumps(result))
        return 0
    r = result
    print(f"{args.preset} at {args.size}, medians of {args.rounds} rounds of {args.seconds:g} s:")
    print(f"  headless {r['headless_steps_per_s']:,.0f} steps/s, in the window "
          f"{r['steps_per_s']:,.0f} steps/s: ratio {r['window_over_headless']:.2f} (goal ≥ 0.7)")
    print(f"  frames {r['frames_per_s']:.1f}/s, plot refreshes {r['plot_refreshes_per_s']:.1f}/s "
          "(goal ≥ 30)")
    print(f"  status bar {r['status_bar_steps_per_s']:,.0f} steps/s against "
          f"{r['actual_steps_per_s_last_second']:,.0f} taken in its last second: "
          f"{r['status_bar_error']:.1%} off (goal ≤ 10 %)")
    print(f"  pause: {r['pause_ms_median']:.1f} ms median, {r['pause_ms_worst']:.1f} ms worst "
          f"over {args.presses} presses (goal ≤ 50 ms worst); worst until the worker stopped "
          f"{r['pause_worker_stopped_ms_worst']:.1f} ms, until the window showed it "
          f"{r['pause_window_shows_ms_worst']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
