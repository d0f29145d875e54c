"""A save on a really full disk (a tiny tmpfs) leaves the previous file byte-identical, in the
engine and in the window. Skipped where mounting is not allowed; the patched-writer tests in
test_engine_sessions.py and test_window_sessions.py cover the same path everywhere."""

import json
import shutil
import subprocess

import pytest
from PySide6.QtCore import QSettings

from engine.files import write_text_atomic
from engine.presets import load_preset
from engine.serialization import trainer_session
from engine.trainer import Trainer


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    if not shutil.which("mount"):
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], capture_output=True)


def fill(folder, leave: int) -> None:
    """Fill the file system, leaving about `leave` bytes free."""
    free = shutil.disk_usage(folder).free
    (folder / "filler").write_bytes(b"\0" * max(free - leave, 0))


def session_text(preset: str, steps: int) -> str:
    t = Trainer(load_preset(preset))
    for _ in range(steps):
        t.step()
    return json.dumps(trainer_session(t))


def test_engine_save_on_a_full_disk_keeps_the_old_file(tiny_disk):
    path = tiny_disk / "run.json"
    write_text_atomic(path, session_text("worked-example", 1))
    old = path.read_bytes()
    fill(tiny_disk, 4096)
    with pytest.raises(ValueError, match="cannot write") as error:
        write_text_atomic(path, session_text("xor", 200))
    assert "\n" not in str(error.value)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler", "run.json"]


def test_window_save_on_a_full_disk_keeps_the_old_file(qtbot, tmp_path, tiny_disk):
    from gui.playground.main_window import MainWindow

    w = MainWindow(load_preset("worked-example"),
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    path = tiny_disk / "run.json"
    assert w.files.save_to(str(path))
    old = path.read_bytes()
    fill(tiny_disk, 1024)
    w.sigStep.emit(300)  # a longer history: the new file no longer fits
    qtbot.waitUntil(lambda: w.latest_stats.step == 300)
    assert not w.files.save_to(str(path))
    assert "cannot write" in w.last_error
    assert path.read_bytes() == old
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler", "run.json"]
