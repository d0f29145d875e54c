"""Start-up: what the window's first frame does not need is neither imported nor built until
first used, and each deferred part still works the first time it is used. Never timed
(benchmarks/startup_bench.py measures the time)."""

import json
import os
import subprocess
import sys

from PySide6.QtWidgets import QMenu
from window_helpers import ROOT, make_window

# Imported on first use only: the panels, dialogs and modes opened later, and their engines.
DEFERRED = [
    "gui.checking.check_panel", "gui.checking.check_jobs", "gui.checking.element_view",
    "engine.gradcheck", "engine.torch_compare", "engine.torch_export", "torch",
    "gui.lessons.lesson_panel", "gui.lessons.lesson_actions", "gui.lessons.lesson_checks",
    "gui.lessons.highlight", "engine.lessons",
    "gui.stepper.stepper_panel", "gui.stepper.formulas", "engine.chain_rule",
    "gui.lab.graph_view", "gui.lab.lab_controls", "gui.lab.lab_stepper", "engine.lab",
    "engine.lab_trace",
    "numpy.ma",  # NumPy 2.4's np.unique imports it (engine/datasets.py avoids np.unique)
]

# The app's own start (gui.app.run_gui, as main.py calls it) in a fresh interpreter.
STARTUP = """
import json, sys
from gui.app import run_gui
code = run_gui(["--startup-report"])
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}))
"""


def clean_env(tmp_path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name.lower())
    return env


def run(tmp_path, *args) -> list[dict]:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_the_window_starts_without_the_deferred_modules(tmp_path):
    report, result = run(tmp_path, "-c", STARTUP % DEFERRED)
    assert result == {"code": 0, "loaded": []}
    # the report came from a painted window whose first frame had the boundary's heatmap
    assert report["first_paint"] <= report["first_frame"] <= report["complete"]


def test_main_py_startup_report_prints_its_times_and_quits(tmp_path):
    (report,) = run(tmp_path, str(ROOT / "main.py"), "--startup-report")
    assert report["main"] < report["first_paint"] <= report["first_frame"]
    assert report["complete"] is not None and report["modules"] > 0


def test_the_startup_report_flag_is_hidden_from_help():
    from gui.app import build_parser

    assert "--startup-report" not in build_parser().format_help()


def test_the_panels_are_built_on_first_use_and_work(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    assert w.checking._panel is None and w.stepper._panel is None
    assert w.lessons._panel is None and w.lessons.lesson_actions is None
    assert not w.lab._built
    w.checking.check_action.trigger()  # Train > Check gradients…
    assert w.checking.dock.isVisible() and w.checking.panel.results
    w.checking.dock.hide()
    w.step_through_action.trigger()
    qtbot.waitUntil(lambda: w.stepper.trace is not None)
    assert w.stepper.dock.isVisible() and w.stepper.panel.stage_count() > 0
    w.stepper.cancel()


def test_the_lessons_menu_fills_when_first_shown(qtbot, tmp_path):
    from engine.lessons import shipped_lessons

    w = make_window(qtbot, tmp_path)
    menu = next(m for m in w.menuBar().findChildren(QMenu) if m.title() == "&Lessons")
    assert menu.actions() == []  # nothing read yet
    menu.aboutToShow.emit()
    assert len(menu.actions()) == len(shipped_lessons())
    menu.aboutToShow.emit()  # filled once, not twice
    assert len(menu.actions()) == len(shipped_lessons())
    menu.actions()[0].trigger()
    assert w.lessons.dock.isVisible() and w.lessons.lesson is not None


def test_a_bug_chosen_before_the_panel_exists_is_shown_when_it_opens(qtbot, tmp_path):
    from engine.bugs import BUGS

    w = make_window(qtbot, tmp_path)
    name = next(iter(BUGS))
    assert w.checking.choose_bug(name) and w.checking._panel is None
    w.checking.open()
    assert w.checking.panel.bug_combo.currentData() == name


def test_the_lab_is_built_when_first_shown_with_its_keys_state(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    w.show()
    w.modes.setCurrentIndex(1)  # the View menu's Graph lab
    qtbot.waitUntil(lambda: w.lab._built)
    assert w.lab.view.isVisible() and w.lab.graph is not None
    assert all(s.isEnabled() for s in w.lab.shortcuts)  # asked for before it was built
    w.modes.setCurrentIndex(0)
    assert not any(s.isEnabled() for s in w.lab.shortcuts)
