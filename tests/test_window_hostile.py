"""The hostile corpus (tests/hostile_corpus.py) through the window: each file opened from
File > Open is refused with one clear line in a dialog, and nothing on screen or in training
changes; and through the window's own --config option: exit 2, one line."""

import numpy as np
from hostile_corpus import HOSTILE, hostile_cases
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from engine.presets import load_preset
from gui.app import run_gui
from gui.playground.main_window import MainWindow


def test_every_hostile_file_is_refused_by_the_window_and_changes_nothing(qtbot, tmp_path):
    w = MainWindow(load_preset("xor"),
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    w.sigStep.emit(5)
    qtbot.waitUntil(lambda: w.latest_stats.step == 5)
    weights = [W.copy() for W in w.worker.trainer.network.params().values()]
    generation, spec, undo = w.generation, w.spec, w.undo_stack.count()
    cases = hostile_cases(tmp_path)
    assert len(cases) >= 40
    for path, expected in cases:
        w.last_error = ""
        w.files.open_path(str(path))
        qtbot.waitUntil(lambda: w.last_error != "" and not w.builder.busy, timeout=20000)
        message = w.last_error
        assert expected in message.lower(), (path.name, message)
        assert "\n" not in message and "Traceback" not in message, path.name
        boxes = [b for b in w.findChildren(QMessageBox) if b.isVisible()]
        assert boxes and boxes[-1].text().lower() == message.lower(), path.name
        for box in boxes:
            box.close()
        assert w.generation == generation and w.spec is spec, path.name
        assert w.undo_stack.count() == undo, path.name
    assert w.latest_stats.step == 5
    after = list(w.worker.trainer.network.params().values())
    assert all(np.array_equal(a, b) for a, b in zip(weights, after))


def test_hostile_files_given_to_the_window_exit_2_with_one_line(tmp_path, capsys):
    for path, expected in hostile_cases(tmp_path):
        assert run_gui(["--config", str(path)]) == 2, path.name
        err = capsys.readouterr().err
        assert err.startswith("error:") and err.count("\n") == 1, (path.name, err)
        assert expected in err.lower(), (path.name, err)


def test_every_hostile_csv_chosen_with_load_csv_is_refused_in_a_dialog(qtbot, tmp_path):
    w = MainWindow(load_preset("xor"),
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    generation, spec = w.generation, w.spec
    csv_files = sorted(HOSTILE.glob("*.csv"))
    assert len(csv_files) >= 10
    refused = 0
    for path in csv_files:
        w.last_error = ""
        w.editor.choose_csv = lambda p=path: str(p)
        w.editor.csv_button.click()
        qtbot.wait(5)
        qtbot.waitUntil(lambda: not w.builder.busy)
        if w.generation != generation:  # a readable CSV that only a spec pairing rules out
            w.undo_action.trigger()
            qtbot.waitUntil(lambda g=generation, s=spec: w.generation != g and w.spec == s)
            generation, spec = w.generation, w.spec
            continue
        refused += 1
        assert w.last_error and "\n" not in w.last_error, path.name
        assert w.spec is spec and w.editor.spec() == spec, path.name
    assert refused >= 10
