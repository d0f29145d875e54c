"""Sessions in the window: save and reopen bit-identically, atomic saves, the file Save writes
to, and never closing on unsaved training without asking."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSaveFile
from window_helpers import headless, make_window, same, train, weights

from engine.presets import load_preset


def test_reopened_session_continues_bit_identically(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    train(qtbot, w, 30)
    path = str(tmp_path / "run.json")
    assert w.files.save_to(path)
    evaluated = w.loss_plot.point_count()  # whole-set losses (each report's), not every step
    w.actions.reset.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)
    w.files.open_path(path)
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 30)
    w.force_redraw()
    assert w.loss_plot.point_count() == evaluated >= 2
    assert w.grad_plot.point_count() == 30
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
