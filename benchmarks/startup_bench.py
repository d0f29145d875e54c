"""Start-up time: process start to the main window's first paint, in fresh processes.

    python benchmarks/startup_bench.py [--repeats 7] [--top 12] [--json]

Each repeat launches `python main.py --startup-report` (the default window; the hidden flag
makes it print when it first painted and quit, see gui/common/startup_report.py) with
QT_QPA_PLATFORM=offscreen (or --platform xcb with DISPLAY set, e.g. under Xvfb) and HOME /
XDG_* pointing at a new temporary folder, so neither the user's settings nor an autosave leaks
in. Times run from just before the launch:
- interpreter: until main.py begins (Python's own start-up and site);
- first paint: until the window's first paint event (its first frame begins);
- first frame: until that frame is painted (the event loop's next turn after it);
- complete: until the end of the first frame that shows the decision boundary's heatmap;
- exit: until the process has ended (closing the window joins the training thread);
- CPU used by the first frame: the process's CPU time (all threads) at the first frame, which
  other load on the machine hardly changes: compare changes by it on a busy machine.
One discarded run first warms the file cache and writes the bytecode caches (__pycache__, as
a user's first start does; PYTHONDONTWRITEBYTECODE is dropped for the children). Medians over
the repeats, and the fastest run (the least disturbed by other load on the machine).

Also measured, each in a fresh process (median over the same repeats), from the launch to the
end of the code: the floor this app stands on — bare `python -c pass`, `import numpy`,
`import PySide6.QtWidgets` + QApplication, `import pyqtgraph` + QApplication — and, from
`python -X importtime main.py --startup-report`, the modules
with the largest cumulative and self import times.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.py"
TIMEOUT = 120

FLOOR = {
    "python -c pass": "pass",
    "import numpy": "import numpy",
    "import PySide6.QtWidgets + QApplication":
        "from PySide6.QtWidgets import QApplication; QApplication([])",
    "import pyqtgraph + QApplication":
        "import pyqtgraph; from PySide6.QtWidgets import QApplication; QApplication([])",
}
TIMES = ("interpreter", "first_paint", "first_frame", "complete", "exit", "cpu_first_frame")
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


PLATFORM = "offscreen"  # --platform: xcb with DISPLAY set (e.g. Xvfb) times a real X server


def clean_env(folder: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM=PLATFORM, HOME=folder)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = os.path.join(folder, name.lower())
    env.pop("PYTHONSTARTUP", None)
    # As a user's runs: the warm-up run writes the bytecode caches and the timed runs load
    # them (with PYTHONDONTWRITEBYTECODE every run compiled this app's ~70 modules, ~140 ms).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def launch_window(python: str, extra: list[str] | None = None) -> tuple[dict, str]:
    """One fresh `main.py --startup-report`: (times in ms from launch, stderr)."""
    with tempfile.TemporaryDirectory() as folder:
        cmd = [python, *(extra or []), str(MAIN), "--startup-report"]
        start = time.time()
        done = subprocess.run(cmd, cwd=ROOT, env=clean_env(folder), capture_output=True,
                              text=True, timeout=TIMEOUT)
        ended = time.time()
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"main.py --startup-report failed ({done.returncode}):\n"
                           f"{done.stdout}{done.stderr}")
    report = json.loads(lines[-1])

    def ms(t):
        return None if t is None else (t - start) * 1000

    return {"interpreter": ms(report["main"]), "first_paint": ms(report["first_paint"]),
            "first_frame": ms(report["first_frame"]), "complete": ms(report["complete"]),
            "exit": ms(ended), "modules": report["modules"],
            "cpu_first_frame": report["cpu_first_frame"] * 1000}, done.stderr


def floor_ms(python: str, code: str) -> float:
    """Launch to the end of `code` (not to the process's exit, which tears Qt down)."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.time()
        done = subprocess.run([python, "-c", f"{code}\nimport time; print(time.time())"],
                              cwd=ROOT, env=clean_env(folder), check=True, capture_output=True,
                              text=True, timeout=TIMEOUT)
        return (float(done.stdout.split()[-1]) - start) * 1000


def parse_importtime(stderr: str) -> list[dict]:
    rows = []
    for m in IMPORT_LINE.finditer(stderr):
        rows.append({"module": m.group(4), "self_ms": int(m.group(1)) / 1000,
                     "cumulative_ms": int(m.group(2)) / 1000,
                     "depth": (len(m.group(3)) - 1) // 2})
    return rows


def summary(runs: list[dict], key: str, how=statistics.median) -> float | None:
    values = [r[key] for r in runs if r[key] is not None]
    return how(values) if values else None


def import_profile(python: str, repeats: int, top: int) -> dict:
    """Per module, the median over the runs of its self and cumulative import times."""
    per_module: dict[str, list[dict]] = {}
    totals = []
    for _ in range(repeats):
        _, stderr = launch_window(python, ["-X", "importtime"])
        rows = parse_importtime(stderr)
        totals.append(sum(r["cumulative_ms"] for r in rows if r["depth"] == 0))
        for r in rows:
            per_module.setdefault(r["module"], []).append(r)
    merged = [{"module": name, "depth": rs[0]["depth"],
               "self_ms": statistics.median(r["self_ms"] for r in rs),
               "cumulative_ms": statistics.median(r["cumulative_ms"] for r in rs)}
              for name, rs in per_module.items()]
    ours = [r for r in merged if r["module"].split(".")[0] in ("gui", "engine")]
    return {
        "total_ms": statistics.median(totals),
        "modules": len(merged),
        "top_cumulative": sorted(merged, key=lambda r: -r["cumulative_ms"])[:top],
        "top_self": sorted(merged, key=lambda r: -r["self_ms"])[:top],
        "top_own_modules": sorted(ours, key=lambda r: -r["cumulative_ms"])[:top],
    }


def main(argv=None) -> int:
    global PLATFORM
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--import-repeats", type=int, default=3,
                        help="runs under -X importtime (0: skip the import profile)")
    parser.add_argument("--top", type=int, default=12, help="import entries to list")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor measurements")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--platform", default=PLATFORM,
                        help="QT_QPA_PLATFORM for the runs (xcb needs DISPLAY, e.g. Xvfb)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    PLATFORM = args.platform

    launch_window(args.python)  # warm the file cache; not counted
    runs = [launch_window(args.python)[0] for _ in range(max(1, args.repeats))]
    result = {
        "repeats": len(runs), "cpus": os.cpu_count(), "platform": PLATFORM,
        "median_ms": {k: summary(runs, k) for k in TIMES},
        "min_ms": {k: summary(runs, k, min) for k in TIMES},
        "runs": runs,
    }
    if not args.no_floor:
        result["floor_ms"] = {label: statistics.median(floor_ms(args.python, code)
                                                       for _ in range(max(1, args.repeats)))
                              for label, code in FLOOR.items()}
    if args.import_repeats > 0:
        result["imports"] = import_profile(args.python, args.import_repeats, args.top)

    if args.json:
        print(json.dumps(result))
        return 0
    print(f"main.py to the window's first paint, {len(runs)} fresh processes "
          f"({result['cpus']} CPUs, QT_QPA_PLATFORM={PLATFORM})")
    print(f"  {'ms from launch':<28}  median  fastest")
    for key, label in zip(TIMES, ("interpreter start-up", "first paint event",
                                  "first frame painted", "boundary heatmap on screen",
                                  "process exit", "CPU used by the first frame")):
        med, low = result["median_ms"][key], result["min_ms"][key]
        print(f"  {label:<28} " + ("—" if med is None else f"{med:7.0f}  {low:7.0f}"))
    print("  first frame per run:         "
          + " ".join(f"{r['first_frame']:.0f}" for r in runs))
    print(f"  modules loaded at first paint {runs[0]['modules']}")
    if "floor_ms" in result:
        print("floor, fresh process each (median):")
        for label, value in result["floor_ms"].items():
            print(f"  {label:<40} {value:7.0f} ms")
    if "imports" in result:
        imp = result["imports"]
        print(f"imports under -X importtime: {imp['total_ms']:.0f} ms, {imp['modules']} modules "
              "(importtime itself adds overhead)")
        for title, key in (("largest cumulative", "top_cumulative"),
                           ("largest self", "top_self"),
                           ("this app's own modules, cumulative", "top_own_modules")):
            print(f"  {title}:")
            for r in imp[key]:
                print(f"    {r['cumulative_ms']:7.1f} cum {r['self_ms']:7.1f} self  "
                      f"{'  ' * r['depth']}{r['module']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
