"""Nothing lost in the window: complete sessions, atomic saves, undo, autosave, settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QSaveFile, QSettings
from PySide6.QtWidgets import QApplication

from engine.presets import load_preset
from engine.trainer import Trainer
from gui.playground.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent


def make_window(qtbot, tmp_path, preset="xor", **kwargs):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(load_preset(preset) if preset else None, settings=settings, **kwargs)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_outputs is not None)
    return w


def train(qtbot, w, steps):
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    target = w.latest_stats.step + steps
    w.sigStep.emit(steps)
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == target)


def weights(w):
    return [W.copy() for W in w.latest_stats.weights] + [b.copy() for b in w.latest_stats.biases]


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def headless(preset, steps):
    t = Trainer(load_preset(preset))
    for _ in range(steps):
        stats = t.step()
    return [W.copy() for W in stats.weights] + [b.copy() for b in stats.biases]


# -- save and reopen ------------------------------------------------------------------------
def test_reopened_session_continues_bit_identically(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    train(qtbot, w, 30)
    path = str(tmp_path / "run.json")
    assert w.files.save_to(path)
    history = w.loss_plot.point_count()
    w.actions.reset.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)
    w.files.open_path(path)
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 30)
    w.force_redraw()
    assert w.loss_plot.point_count() == history == 30
    train(qtbot, w, 1)
    assert same(weights(w), headless("playground", 31))


def test_ctrl_s_right_after_a_rebuild_saves(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = make_window(qtbot, tmp_path)
    w.editor.layer_rows[0].neurons_spin.setValue(3)
    path = str(tmp_path / "fresh.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (path, ""))
    w.files.save()  # what Ctrl+S triggers, with no file yet: asks for one
    session = json.loads(Path(path).read_text(encoding="utf-8"))
    assert session["spec"]["hidden"] == [3]


def test_a_failed_save_leaves_the_old_file_byte_identical(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path)
    path = tmp_path / "run.json"
    train(qtbot, w, 5)
    assert w.files.save_to(str(path))
    old = path.read_bytes()
    train(qtbot, w, 5)
    monkeypatch.setattr(QSaveFile, "write", lambda self, data: -1)  # the disk is full
    assert not w.files.save_to(str(path))
    assert "cannot write" in w.last_error and "\n" not in w.last_error
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("run")] == ["run.json"]


def test_closing_with_unsaved_training_asks(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, confirm_close=True)
    asked = []
    w.files.ask_unsaved = lambda: asked.append(1) or "cancel"
    assert w.close()  # nothing trained yet: closes without asking
    assert not asked
    w = make_window(qtbot, tmp_path, confirm_close=True)
    w.files.ask_unsaved = lambda: asked.append(1) or "cancel"
    train(qtbot, w, 3)
    assert not w.close() and asked == [1] and w.thread.isRunning()
    path = str(tmp_path / "keep.json")
    w.files.ask_unsaved = lambda: "save"
    w.files.path = path
    assert w.close()
    assert json.loads(Path(path).read_text(encoding="utf-8"))["kind"] == "session"


def test_open_recent_lists_and_opens_saved_sessions(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    train(qtbot, w, 7)
    path = str(tmp_path / "recent.json")
    assert w.files.save_to(path)
    w.recent_menu.aboutToShow.emit()
    entries = [a for a in w.recent_menu.actions() if a.isEnabled()]
    assert [a.toolTip() for a in entries] == [os.path.abspath(path)]
    w.actions.reset.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)
    entries[0].trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 7)


def test_a_relative_csv_path_in_a_spec_resolves_against_its_folder(qtbot, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    rows = "\n".join(f"{x},{y},{int(x * y > 0)}" for x, y in
                     np.random.default_rng(0).uniform(-1, 1, (40, 2)))
    (folder / "points.csv").write_text("a,b,label\n" + rows + "\n", encoding="utf-8")
    spec = load_preset("xor").to_dict() | {"dataset": "csv", "csv_path": "points.csv",
                                           "features": []}
    (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    w = make_window(qtbot, tmp_path)
    w.files.open_path(str(folder / "spec.json"))
    qtbot.waitUntil(lambda: w.spec.dataset == "csv" and w.latest_stats is not None)
    assert len(w.dataset.points) == 40


# -- undo -----------------------------------------------------------------------------------
def test_undo_and_redo_bring_back_weights_optimiser_and_history(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    train(qtbot, w, 25)
    before = weights(w)
    w.editor.layer_rows[0].neurons_spin.setValue(6)
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)
    assert w.worker.trainer.network.sizes == [2, 6, 1]
    assert "Ctrl+Z" in w.statusBar().currentMessage()
    train(qtbot, w, 4)
    after = weights(w)
    w.undo_action.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 25)
    assert w.worker.trainer.network.sizes == [2, 4, 1]
    assert same(weights(w), before)
    assert w.editor.layer_rows[0].neurons_spin.value() == 4
    w.force_redraw()
    assert w.loss_plot.point_count() == 25
    assert len(w.worker.trainer.history) == 25
    train(qtbot, w, 1)  # the undone run goes on exactly as it would have
    assert same(weights(w), headless("xor", 26))
    w.redo_action.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 4)
    assert same(weights(w), after)
    assert w.worker.trainer.network.sizes == [2, 6, 1]


@pytest.mark.parametrize("edit", ["dataset", "feature", "activation", "output", "initializer",
                                  "preset", "reset", "remove layer"])
def test_every_rebuild_can_be_undone(qtbot, tmp_path, edit):
    w = make_window(qtbot, tmp_path, "playground")
    train(qtbot, w, 3)
    before, spec = weights(w), w.spec
    e = w.editor
    if edit == "dataset":
        e.dataset_combo.setCurrentIndex((e.dataset_combo.currentIndex() + 1) % 3)
    elif edit == "feature":
        e.feature_checks["x1^2"].setChecked(True)
    elif edit == "activation":
        e.layer_rows[0].activation_combo.setCurrentIndex(0)
    elif edit == "output":
        e.output_combo.setCurrentIndex(e.output_combo.count() - 1)
    elif edit == "initializer":
        e.init_combo.setCurrentIndex((e.init_combo.currentIndex() + 1) % e.init_combo.count())
    elif edit == "preset":
        w.load_preset("vanishing")
    elif edit == "reset":
        w.actions.reset.trigger()
    else:
        e.layer_rows[0].remove_button.click()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)
    assert w.undo_stack.count() == 1
    w.undo_action.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 3)
    assert same(weights(w), before)
    assert w.spec == spec and w.editor.spec() == spec


# -- settings and start-up ------------------------------------------------------------------
BAD_SETTINGS = {
    "spec list": ("spec", [1, 2, 3]),
    "spec garbage": ("spec", "{ not json"),
    "spec huge seed": ("spec", json.dumps(load_preset("xor").to_dict() | {"seed": 2**31})),
    "spec huge batch": ("spec", json.dumps(load_preset("xor").to_dict() | {"batch_size": 2**40})),
    "spec missing csv": ("spec", json.dumps(load_preset("xor").to_dict()
                                            | {"dataset": "csv", "csv_path": "/nope.csv"})),
    "geometry text": ("geometry", "garbage"),
    "geometry bytes": ("geometry", QByteArray(b"\x01\x02garbage")),
    "splitter number": ("splitter", 12),
    "recent dict": ("recent", {"a": 1}),
}


@pytest.mark.parametrize("key,value", BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
def test_bad_settings_start_with_defaults_and_a_note(qtbot, tmp_path, key, value):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    settings.setValue(key, value)
    settings.sync()
    w = make_window(qtbot, tmp_path, preset=None)
    if key == "spec":
        assert w.spec.hidden == load_preset("playground").hidden
    message = w.statusBar().currentMessage()
    assert message.startswith("Ignored unreadable settings (" + key)
    assert w.statusBar().toolTip().startswith(key + ": ")
    w.recent_menu.aboutToShow.emit()  # and the menus still work


@pytest.mark.parametrize("line", ["spec=@Invalid()", "geometry=@ByteArray(garbage)",
                                  "spec=@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x3)",
                                  "recent=@Invalid()"])
def test_a_settings_file_edited_by_hand_starts_with_defaults(qtbot, tmp_path, line):
    (tmp_path / "settings.ini").write_text(f"[General]\n{line}\n", encoding="utf-8")
    w = make_window(qtbot, tmp_path, preset=None)
    assert w.spec.hidden == load_preset("playground").hidden
    assert w.statusBar().currentMessage().startswith("Ignored unreadable settings")


def test_a_constructor_that_fails_leaves_no_thread_running(qtbot, tmp_path, monkeypatch):
    def broken(self, spec):
        raise RuntimeError("boom")

    monkeypatch.setattr(MainWindow, "_install_first", broken)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    with pytest.raises(RuntimeError):
        MainWindow(load_preset("xor"), settings=settings)
    # the autouse fixture fails the test if the training thread is still running


# -- autosave -------------------------------------------------------------------------------
KILLED_RUN = """
import os, signal, sys
sys.path.insert(0, {root!r})
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from engine.presets import load_preset
from gui.playground.main_window import MainWindow
w = MainWindow(load_preset("xor"), settings=QSettings({ini!r}, QSettings.IniFormat),
               autosave_folder={folder!r}, autosave_interval=0.2)
w.show()
w.sigStep.emit(37)
def check():
    w.take_inbox()
    done = w.latest_stats is not None and w.latest_stats.step == 37
    if done and w.autosave.last_saved == (w.generation, w.files.revision):
        os.kill(os.getpid(), signal.SIGKILL)  # no clean exit: as a crash would be
timer = QTimer()
timer.timeout.connect(check)
timer.start(50)
app.exec()
"""


def test_autosave_is_offered_after_a_killed_process(qtbot, tmp_path):
    folder = str(tmp_path / "data")
    script = KILLED_RUN.format(root=str(ROOT), ini=str(tmp_path / "crash.ini"), folder=folder)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == -9, result.stderr
    w = make_window(qtbot, tmp_path, "playground", autosave_folder=folder)
    w.show()
    qtbot.waitUntil(lambda: w.autosave.prompt is not None)
    assert "did not close properly" in w.autosave.prompt.text()
    assert "at training step 37" in w.autosave.prompt.text()
    w.autosave.restore_button.click()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 37)
    assert w.spec.dataset == "xor4"
    assert same(weights(w), headless("xor", 37))
    assert w.files.unsaved  # restored work is not in a file of the user's yet


def test_a_clean_exit_leaves_nothing_to_restore(qtbot, tmp_path):
    folder = str(tmp_path / "data")
    w = make_window(qtbot, tmp_path, autosave_folder=folder, autosave_interval=0.05)
    train(qtbot, w, 5)
    qtbot.waitUntil(lambda: w.autosave.last_saved is not None)
    assert os.path.exists(os.path.join(folder, "autosave.json"))
    w.close()
    assert not os.path.exists(os.path.join(folder, "autosave.json"))
    again = make_window(qtbot, tmp_path, autosave_folder=folder)
    again.show()
    qtbot.wait(50)
    assert again.autosave.prompt is None


# -- big data ---------------------------------------------------------------------------------
def test_big_data_loads_in_the_background_while_the_window_stays_live(qtbot, tmp_path):
    from PySide6.QtCore import QTimer

    rng = np.random.default_rng(1)
    points = rng.uniform(-5, 5, (100_000, 2))
    rows = [f"{x:.6f},{y:.6f},{int(x * y > 0)}" for x, y in points]
    (tmp_path / "big.csv").write_text("x,y,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    spec = load_preset("playground").to_dict() | {"dataset": "csv", "csv_path": "big.csv"}
    (tmp_path / "big.json").write_text(json.dumps(spec), encoding="utf-8")
    w = make_window(qtbot, tmp_path, "playground")
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    w.files.open_path(str(tmp_path / "big.json"))
    assert w.builder.busy and w.builder.progress is not None  # loading, not frozen in here
    assert "Opening big.json" in w.builder.progress.labelText()
    qtbot.waitUntil(lambda: w.spec.dataset == "csv", timeout=30000)
    timer.stop()
    assert ticks  # the event loop kept running while the data loaded
    assert len(w.dataset.points) == 100_000
    assert "3,000 of 50,000 training points" in w.boundary.points_note
    train(qtbot, w, 3)


def test_save_never_overwrites_the_session_a_rebuild_came_from(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = make_window(qtbot, tmp_path, "playground")
    train(qtbot, w, 9)
    session = tmp_path / "circle.json"
    assert w.files.save_to(str(session))
    w.files.open_path(str(session))
    qtbot.waitUntil(lambda: w.undo_stack.count() == 1)
    assert w.files.path == str(session) and "circle.json" in w.windowTitle()
    old = session.read_bytes()
    w.load_preset("xor")
    qtbot.waitUntil(lambda: w.spec.dataset == "xor4")
    train(qtbot, w, 3)
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: asked.append(a) or ("", ""))
    assert not w.files.save()  # asks where (cancelled here) instead of overwriting circle.json
    assert asked and session.read_bytes() == old
    assert "untitled" in w.windowTitle() and w.isWindowModified()
    w.undo_action.trigger()  # back to the opened session: Save writes to it again
    qtbot.waitUntil(lambda: w.spec.dataset == "circle")
    assert w.files.path == str(session)
    assert "Undid" in w.statusBar().currentMessage()


def test_ctrl_z_in_a_focused_number_box_undoes_the_rebuild(qtbot, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    w = make_window(qtbot, tmp_path)
    w.show()
    qtbot.waitExposed(w)
    spin = w.editor.layer_rows[0].neurons_spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.selectAll()
    QTest.keyClicks(spin, "6")
    QTest.keyClick(spin, Qt.Key_Return)
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 6, 1])
    focused = QApplication.focusWidget()
    QTest.keyClick(focused, Qt.Key_Z, Qt.ControlModifier)
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 4, 1])
    QTest.keyClick(QApplication.focusWidget(), Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 6, 1])


def test_an_unwritable_data_folder_turns_autosave_off_but_the_app_starts(qtbot, tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x", encoding="utf-8")
    w = make_window(qtbot, tmp_path, autosave_folder=str(blocked / "data"))
    assert not w.autosave.enabled
    assert "Autosave is off" in w.statusBar().currentMessage()
    train(qtbot, w, 2)
    assert not w.autosave.save_now()


def test_a_second_window_leaves_the_first_ones_autosave_alone(qtbot, tmp_path):
    folder = str(tmp_path / "data")
    first = make_window(qtbot, tmp_path, autosave_folder=folder, autosave_interval=0.05)
    train(qtbot, first, 3)
    qtbot.waitUntil(lambda: first.autosave.last_saved is not None)
    second = make_window(qtbot, tmp_path, autosave_folder=folder)
    assert first.autosave.enabled and not second.autosave.enabled
    second.close()
    assert os.path.exists(os.path.join(folder, "autosave.json"))  # still the first one's


# -- the review's cases: unsaved work is never forgotten ---------------------------------------
def test_undo_brings_back_the_unsaved_state_with_the_network(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, confirm_close=True)
    saved = tmp_path / "b.json"
    train(qtbot, w, 5)
    assert w.files.save_to(str(saved))
    w.actions.reset.trigger()  # network A: trained below, never saved
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)
    train(qtbot, w, 40)
    assert w.files.unsaved
    w.files.open_path(str(saved))
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 5)
    assert not w.files.unsaved and w.files.path == str(saved)
    w.undo_action.trigger()  # A again, with its 40 unsaved steps
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 40)
    assert w.files.unsaved and w.files.path is None
    asked = []
    w.files.ask_unsaved = lambda: asked.append(1) or "cancel"
    assert not w.close() and asked


@pytest.mark.parametrize("change", ["weight", "live", "rewind"])
def test_edits_that_keep_the_step_count_are_unsaved_and_autosaved(qtbot, tmp_path, change):
    folder = str(tmp_path / "data")
    w = make_window(qtbot, tmp_path, autosave_folder=folder, autosave_interval=3600)
    train(qtbot, w, 5)
    assert w.files.save_to(str(tmp_path / "s.json"))
    assert not w.files.unsaved and not w.autosave.save_now()  # all in the user's file
    if change == "weight":
        w.graph.sigWeightEdited.emit(1, 0, 0, 4.2)
        qtbot.waitUntil(lambda: w.latest_stats.weights[0][0, 0] == 4.2)
    elif change == "live":
        w.editor.lr_spin.setValue(0.3)
    else:
        w.sigRewind.emit()
        qtbot.waitUntil(lambda: "Rewound" in w.statusBar().currentMessage())
    assert w.files.unsaved and w.isWindowModified()
    assert w.autosave.save_now()
    assert os.path.exists(os.path.join(folder, "autosave.json"))


def test_a_rebuild_the_worker_cannot_take_changes_nothing(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path)
    train(qtbot, w, 4)
    generation, spec, count = w.generation, w.spec, w.undo_stack.count()

    def silent(function, *args):
        raise ValueError("the training thread did not answer; nothing was changed")

    monkeypatch.setattr(w.worker, "call", silent)
    w.editor.layer_rows[0].neurons_spin.setValue(7)
    assert "did not answer" in w.last_error
    assert (w.generation, w.spec, w.undo_stack.count()) == (generation, spec, count)
    assert w.editor.spec().hidden == [4]  # the editor shows what really trains
    monkeypatch.undo()
    train(qtbot, w, 3)  # the old network still trains, its steps still arrive
    assert w.latest_stats.step == 7 and w.worker.trainer.network.sizes == [2, 4, 1]


def test_the_restore_question_keeps_the_file_on_escape_and_after_restoring(qtbot, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    t = Trainer(load_preset("xor"))
    for _ in range(12):
        t.step()
    from engine.serialization import save_session, trainer_session

    save_session(trainer_session(t), folder / "autosave.json")  # as a killed run leaves it
    w = make_window(qtbot, tmp_path, "playground", autosave_folder=str(folder))
    w.show()
    qtbot.waitUntil(lambda: w.autosave.prompt is not None)
    w.autosave.later_button.click()  # what Esc does
    assert (folder / "autosave-recovered.json").exists()
    w.close()
    again = make_window(qtbot, tmp_path, "playground", autosave_folder=str(folder))
    again.show()
    qtbot.waitUntil(lambda: again.autosave.prompt is not None)  # asked again next time
    again.autosave.restore_button.click()
    qtbot.waitUntil(lambda: again.latest_stats is not None and again.latest_stats.step == 12)
    assert (folder / "autosave.json").exists()  # saved at once, before the recovered one goes
    assert not (folder / "autosave-recovered.json").exists()


def test_a_csv_session_rebuilds_where_its_csv_is_missing(qtbot, tmp_path):
    rows = "\n".join(f"{x},{y},{int(x * y > 0)}" for x, y in
                     np.random.default_rng(2).uniform(-1, 1, (60, 2)))
    (tmp_path / "own.csv").write_text("a,b,label\n" + rows + "\n", encoding="utf-8")
    spec = load_preset("xor").replace(dataset="csv", csv_path=str(tmp_path / "own.csv"),
                                      features=[])
    w = make_window(qtbot, tmp_path)
    assert w.apply_spec(spec)
    train(qtbot, w, 6)
    session = str(tmp_path / "class.json")
    assert w.files.save_to(session)
    os.remove(tmp_path / "own.csv")  # on the student's machine there is no CSV
    w.files.open_path(session)
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.files.path == session)
    w.actions.reset.trigger()  # rebuilds from the session's own data
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)
    assert len(w.dataset.points) == 60 and not w.last_error
    w.editor.layer_rows[0].neurons_spin.setValue(5)
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 5, 1])


def test_a_preset_keeps_its_own_learning_rate(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    w.editor.lr_spin.setValue(0.3)
    w.load_preset("xor")
    qtbot.waitUntil(lambda: w.spec.dataset == "xor4")
    assert w.worker.call(lambda: w.worker.trainer.learning_rate) == \
        load_preset("xor").learning_rate


# -- the second QA pass's cases -------------------------------------------------------------
def test_saving_over_a_file_marks_the_undo_entries_it_held_as_unsaved(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, confirm_close=True)
    w.files.ask_unsaved = lambda: "discard"
    w.editor.layer_rows[0].neurons_spin.setValue(3)  # network X1
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 3, 1])
    train(qtbot, w, 50)
    path = str(tmp_path / "a.json")
    assert w.files.save_to(path)
    w.undo_action.trigger()  # X0
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 4, 1])
    train(qtbot, w, 7)
    assert w.files.save_to(path)  # a.json now holds X0
    w.redo_action.trigger()  # X1 again: its 50 steps are in no file any more
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 3, 1])
    assert w.files.unsaved and w.isWindowModified()


def test_undo_while_a_big_build_loads_drops_the_build(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    w.editor.layer_rows[0].neurons_spin.setValue(3)
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes[1] == 3)
    train(qtbot, w, 9)
    w.apply_spec(w.spec.replace(samples=100_000))  # a background build
    assert w.builder.busy
    w.undo_action.trigger()
    qtbot.waitUntil(lambda: not w.builder.busy)
    qtbot.wait(300)  # the loading thread's result, if any, arrives and must be dropped
    assert w.worker.trainer.network.sizes[1] == 4 and len(w.dataset.points) == 500
    assert w.undo_stack.canRedo()
    w.redo_action.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 9)


def test_a_deferred_recovery_is_kept_when_the_next_run_crashes_too(qtbot, tmp_path):
    from engine.serialization import save_session, trainer_session

    folder = tmp_path / "data"
    folder.mkdir()
    for name, steps in (("autosave-recovered.json", 12), ("autosave.json", 1)):
        t = Trainer(load_preset("xor"))
        for _ in range(steps):
            t.step()
        save_session(trainer_session(t), folder / name)
    w = make_window(qtbot, tmp_path, "playground", autosave_folder=str(folder))
    older = list(folder.glob("autosave-older-*.json"))
    assert len(older) == 1 and json.loads(older[0].read_text())["step"] == 12
    w.show()
    qtbot.waitUntil(lambda: w.autosave.prompt is not None)
    assert "Older autosaves are kept" in w.autosave.prompt.text()


def test_a_second_window_says_its_autosave_is_off(qtbot, tmp_path):
    folder = str(tmp_path / "data")
    make_window(qtbot, tmp_path, autosave_folder=folder)
    second = make_window(qtbot, tmp_path, autosave_folder=folder)
    assert "Autosave is off in this window" in second.statusBar().currentMessage()


def test_closing_also_asks_about_unsaved_networks_undo_can_bring_back(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, confirm_close=True)
    train(qtbot, w, 6)  # never saved
    w.editor.layer_rows[0].neurons_spin.setValue(2)
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 2, 1])
    assert w.files.save_to(str(tmp_path / "now.json"))  # the one on screen is saved
    assert w.files.unsaved_in_history() == 1
    asked = []
    w.files.ask_unsaved = lambda: asked.append(1) or "cancel"
    assert not w.close() and asked
    w.files.ask_unsaved = lambda: "discard"
    assert w.close()
