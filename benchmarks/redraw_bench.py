"""What one redraw of the window costs: new data pushed into the views, then the repaint it causes.

Builds the real MainWindow (playground preset or --preset) at 1600×1000, offscreen, with no
training thread running, and times frames. One frame:
- the loss and gradient-norm plots get --steps-per-frame new steps (`extend`) and `refresh()`;
- the network graph gets a new StepStats (`set_stats`), the boundary view new outputs on its grid
  (`show_outputs`), both precomputed with a Trainer before the clock starts;
- `QApplication.processEvents()` until nothing is left to paint: the scene's queued dirty-item
  pass, the layout requests and the window's UpdateRequest, which paints the dirty widgets into
  the offscreen backing store, as a real event loop would (`window.repaint()` would instead
  repaint every widget, the idle editor too). A paint counter on each view checks that each one
  really painted in every frame.

Cases: (a) a normal run (--history steps, a few thousand) and (b) a million steps of history in
both step plots. Reports the median and 90th-percentile ms per frame and the fps they imply.
Not a test: machines here are shared and noisy; nothing is asserted.

    python benchmarks/redraw_bench.py [--frames 60] [--repeats 3] [--profile] [--json]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from engine.presets import load_preset  # noqa: E402
from engine.trainer import Trainer  # noqa: E402

SIZE = (1600, 1000)
VARIANTS = 8  # distinct snapshots cycled through, so every frame really changes something
VIEWS = ("plots", "graph", "boundary")  # what a frame feeds: step plots, network graph, boundary


def synthetic_history(start: int, n: int, layers: int, rng) -> tuple:
    """n steps from `start` of a falling, noisy loss and gradient norms per layer."""
    steps = np.arange(start, start + n, dtype=float)
    trend = 0.7 * np.exp(-steps / 3e5) + 0.05
    train = trend * (1 + 0.05 * rng.standard_normal(n))
    test = train * 1.05
    norms = 0.1 * np.exp(rng.standard_normal((n, layers)) * 0.3)
    return steps, train, test, norms


def snapshots(preset: str, count: int) -> list:
    """(StepStats, outputs on the boundary grid) for `count` moments of a short training run."""
    from gui.playground.window_layout import trainer_view

    trainer = Trainer(load_preset(preset))
    grid = trainer_view(trainer).grid
    shots = []
    for _ in range(count):
        for _ in range(25):
            trainer.step()
        shots.append((trainer.current_stats(), trainer.neuron_outputs(grid)))
    return shots


class Views:
    """The window's views that redraw, and a count of the paint events each one gets."""

    def __init__(self, window):
        from PySide6.QtCore import QEvent, QObject

        self.window = window
        self.targets = {"loss": window.loss_plot.plot_widget.viewport(),
                        "grad": window.grad_plot.plot_widget.viewport(),
                        "graph": window.graph.canvas,
                        "boundary": window.boundary.plot_widget.viewport()}
        self.counts = dict.fromkeys(self.targets, 0)
        views = self

        class Counter(QObject):
            def eventFilter(self, watched, event):
                if event.type() == QEvent.Paint:
                    for name, target in views.targets.items():
                        if watched is target:
                            views.counts[name] += 1
                return False

        self._counter = Counter()
        for target in self.targets.values():
            target.installEventFilter(self._counter)


def build_window(app, preset: str, tmp: str):
    from PySide6.QtCore import QSettings

    from gui.playground.main_window import MainWindow

    window = MainWindow(load_preset(preset), QSettings(f"{tmp}/s.ini", QSettings.IniFormat))
    window.resize(*SIZE)
    window.show()
    while window.latest_stats is None:  # the worker's first snapshot
        app.processEvents()
    window.redraw_timer.stop()  # the frames below are the only redraws
    settle(app)
    return window


def settle(app) -> None:
    """Process events until a pass finds nothing more to do (the paint happens in here)."""
    for _ in range(3):
        app.processEvents()


class Frames:
    """Pushes frame after frame of new data into one window's views."""

    def __init__(self, app, window, shots, history: int, per_frame: int, seed: int = 0):
        self.app, self.window, self.shots, self.per_frame = app, window, shots, per_frame
        self.rng = np.random.default_rng(seed)
        self.layers = len(window.grad_plot.curves)
        self.step, self.index = 1, 0
        window.loss_plot.clear()
        window.grad_plot.clear()
        self._add(history)
        self.push()
        settle(app)

    def _add(self, n: int) -> None:
        steps, train, test, norms = synthetic_history(self.step, n, self.layers, self.rng)
        self.window.loss_plot.extend(steps, train, test)
        self.window.grad_plot.extend(steps, norms)
        self.step += n

    def push(self, views=VIEWS) -> None:
        """One frame's new data for the named views, through their public methods."""
        w = self.window
        if "plots" in views:
            self._add(self.per_frame)
            w.loss_plot.refresh()
            w.grad_plot.refresh()
        stats, outputs = self.shots[self.index % len(self.shots)]
        self.index += 1
        if "graph" in views:
            w.graph.set_stats(stats)
        if "boundary" in views:
            w.boundary.show_outputs(outputs, -1, -1)

    def frame(self, views=VIEWS) -> tuple[float, float]:
        """(wall-clock ms, GUI-thread CPU ms) for one frame: the push and the paint it causes.
        CPU time is what the frame takes from training and is less disturbed by other load."""
        start, cpu = time.perf_counter(), time.thread_time()
        self.push(views)
        settle(self.app)
        return (time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000


def measure(app, window, shots, history: int, args) -> dict:
    views = Views(window)
    times, cpu = [], []
    for _ in range(args.repeats):
        frames = Frames(app, window, shots, history, args.steps_per_frame)
        for name in views.counts:
            views.counts[name] = 0
        for _ in range(args.frames):
            wall, thread = frames.frame()
            times.append(wall)
            cpu.append(thread)
    n = args.frames * args.repeats
    median = statistics.median(times)
    p90 = float(np.percentile(times, 90))
    return {"history_steps": history, "frames": n, "median_ms": median, "p90_ms": p90,
            "fps_median": 1000 / median, "fps_p90": 1000 / p90,
            "cpu_median_ms": statistics.median(cpu), "cpu_p90_ms": float(np.percentile(cpu, 90)),
            "paints_per_frame": {k: v / args.frames for k, v in views.counts.items()},
            "points_in_loss_plot": window.loss_plot.point_count()}


def breakdown(app, window, shots, history: int, args) -> dict:
    """Median GUI-thread CPU ms of a frame that feeds one view only, for each view."""
    out = {}
    for view in VIEWS:
        frames = Frames(app, window, shots, history, args.steps_per_frame)
        out[view] = statistics.median(frames.frame((view,))[1] for _ in range(args.frames))
    return out


def profile(app, window, shots, history: int, args, top: int) -> str:
    """The top cumulative costs of a few frames (one profile over them, per frame)."""
    frames = Frames(app, window, shots, history, args.steps_per_frame)
    frames.frame()  # warm
    profiler = cProfile.Profile()
    count = 5
    profiler.enable()
    for _ in range(count):
        frames.frame()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    return f"(cumulative over {count} frames)\n" + out.getvalue()


def report(name: str, r: dict) -> None:
    paints = ", ".join(f"{k} {v:.2f}" for k, v in r["paints_per_frame"].items())
    alone = ", ".join(f"{k} {v:.1f}" for k, v in r["cpu_ms_per_view"].items())
    print(f"{name}: {r['history_steps']:,} steps of history: median {r['median_ms']:.1f} ms, "
          f"p90 {r['p90_ms']:.1f} ms per frame -> {r['fps_median']:.0f} fps "
          f"(p90 {r['fps_p90']:.0f}); GUI-thread CPU median {r['cpu_median_ms']:.1f} ms, "
          f"p90 {r['cpu_p90_ms']:.1f} ms; paints per frame: {paints}")
    print(f"  CPU ms of a frame that feeds one view only: {alone}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="playground")
    parser.add_argument("--frames", type=int, default=60, help="frames per repetition")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--history", type=int, default=3000, help="steps in the normal case")
    parser.add_argument("--huge", type=int, default=1_000_000, help="steps in the big case")
    parser.add_argument("--steps-per-frame", type=int, default=130,
                        help="new steps per frame (the preset trains ~4,000 steps/s)")
    parser.add_argument("--profile", action="store_true", help="print the top cumulative costs")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    shots = snapshots(args.preset, VARIANTS)
    result = {"preset": args.preset, "size": "x".join(map(str, SIZE)),
              "steps_per_frame": args.steps_per_frame}
    with tempfile.TemporaryDirectory() as tmp:
        window = build_window(app, args.preset, tmp)
        try:
            for name, history in (("normal", args.history), ("huge", args.huge)):
                result[name] = measure(app, window, shots, history, args)
                result[name]["cpu_ms_per_view"] = breakdown(app, window, shots, history, args)
                if args.profile:
                    result[f"{name}_profile"] = profile(app, window, shots, history, args,
                                                        args.top)
        finally:
            window.close()
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.preset} at {result['size']}, {args.steps_per_frame} new steps per frame, "
          f"medians over {args.repeats} × {args.frames} frames, no training thread:")
    for name in ("normal", "huge"):
        report(name, result[name])
        if args.profile:
            print(result[f"{name}_profile"])
    print("Notes: the paint is what QApplication.processEvents() does until idle (the window's "
          "UpdateRequest paints the dirty widgets into the offscreen backing store); 'paints per "
          "frame' counts each view's paint events, 1.00 = it painted once per frame. A frame "
          "under 33 ms allows 30 fps; every ms of GUI-thread CPU is also a ms the training "
          "thread waits for the interpreter lock.")


if __name__ == "__main__":
    main()
