"""Starting the window: broken settings, a constructor that fails, and autosave with crash
recovery."""

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QByteArray, QSettings
from window_helpers import ROOT, headless, make_window, same, train, weights

from engine.presets import load_preset
from engine.trainer import Trainer
from gui.playground.main_window import MainWindow

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
