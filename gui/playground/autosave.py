"""Autosave and crash recovery.

While the window is open, the session is written (atomically) to the user's data folder about
once a minute when it has changed. A clean exit deletes the file; finding one at start-up means
the last run crashed or was killed, and the window offers to restore it. A lock file tells a
crashed run from a second window that is still open (whose autosave must not be taken over).
"""

from __future__ import annotations

import os
import re
import time

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer
from PySide6.QtWidgets import QMessageBox

from engine.serialization import session_text, trainer_session
from gui.playground.session_files import write_text

INTERVAL_SECONDS = 60
FILE_NAME = "autosave.json"
RECOVERED_NAME = "autosave-recovered.json"  # a crashed run's file, kept until the user decides


def _saved_step(path: str) -> int | None:
    """The step a session file was saved at, read from its first bytes (sessions begin with
    format, kind and step), without parsing a file that may hold 100,000 points."""
    try:
        with open(path, "rb") as f:
            head = f.read(200).decode("utf-8", "replace")
    except OSError:
        return None
    found = re.search(r'"step":\s*(\d{1,12})', head)
    return int(found.group(1)) if found else None


def default_folder() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)


class Autosave(QObject):
    def __init__(self, window, folder: str, interval: float = INTERVAL_SECONDS):
        super().__init__(window)
        self.window = window
        self.folder = folder
        self.path = os.path.join(folder, FILE_NAME)
        self.recovered = os.path.join(folder, RECOVERED_NAME)
        self.last_saved = None  # (generation, step) of the last autosave
        self.prompt: QMessageBox | None = None
        self._lock = QLockFile(os.path.join(folder, "autosave.lock"))
        self._lock.setStaleLockTime(0)  # only a dead process's lock is stale
        self.timer = QTimer(self)
        self.timer.setInterval(int(interval * 1000))
        self.timer.timeout.connect(self.save_now)
        self.enabled = False  # also when another window of this app holds the lock
        try:
            os.makedirs(folder, exist_ok=True)
            if self._lock.tryLock(0):
                self.enabled = True
                if os.path.exists(self.path):  # before the first autosave overwrites it
                    os.replace(self.path, self.recovered)
        except OSError as e:  # a read-only home: the app still starts, without autosave
            window.statusBar().showMessage(f"Autosave is off: {e.strerror or e}", 15000)
        if self.enabled:
            self.timer.start()

    def save_now(self) -> bool:
        """Write the session if it changed since the last autosave; True when written."""
        window = self.window
        stats = window.latest_stats
        if not self.enabled or stats is None or window.builder.busy:
            return False
        mark = (window.generation, stats.step)
        if mark == self.last_saved or (stats.step == 0 and self.last_saved is None):
            return False  # nothing new (an untrained start is not worth restoring)
        try:
            trainer = window.worker.call(window.worker.snapshot)
            if trainer is None:
                return False
            write_text(self.path, session_text(trainer_session(trainer), self.path))
        except ValueError as e:
            window.statusBar().showMessage(f"Autosave failed: {e}", 8000)
            return False
        self.last_saved = mark
        return True

    def offer_restore(self) -> None:
        """If the last run did not end cleanly, ask (without blocking) whether to restore."""
        if not (self.enabled and os.path.exists(self.recovered)):
            return
        when = time.strftime("%H:%M on %d %b", time.localtime(os.path.getmtime(self.recovered)))
        step = _saved_step(self.recovered)
        at = f" (at training step {step:,})" if step is not None else ""
        box = QMessageBox(QMessageBox.Question, "Restore the last session?",
                          "Backprop Playground did not close properly last time. Restore the "
                          f"session autosaved at {when}{at}?", QMessageBox.NoButton, self.window)
        self.restore_button = box.addButton("Restore", QMessageBox.AcceptRole)
        self.discard_button = box.addButton("Discard", QMessageBox.RejectRole)
        box.buttonClicked.connect(self._answered)
        self.prompt = box
        box.open()

    def _answered(self, button) -> None:
        self.prompt = None
        if button is self.restore_button:
            self.window.files.open_path(self.recovered, on_done=self._restored)
        else:
            self.discard_recovered()

    def _restored(self) -> None:
        files = self.window.files
        files.path = None  # Save asks where: the autosave is not the user's file
        files.unsaved = True
        self.discard_recovered()  # it lives on in memory and in the next autosave
        self.window.statusBar().showMessage("Restored the autosaved session.", 8000)

    def discard_recovered(self) -> None:
        try:
            os.remove(self.recovered)
        except OSError:
            pass

    def finish(self) -> None:
        """A clean exit: nothing to recover next time."""
        self.timer.stop()
        if self.enabled:
            try:
                os.remove(self.path)
            except OSError:
                pass
            self._lock.unlock()
            self.enabled = False
