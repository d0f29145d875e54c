"""Autosave and crash recovery.

While the window is open, the session is written (atomically, on a background thread, from a
copy the worker makes between two steps) to the user's data folder about once a minute when it
has unsaved changes. A clean exit deletes the file; finding one at start-up means
the last run crashed or was killed, and the window offers to restore it. A lock file tells a
crashed run from a second window that is still open (whose autosave must not be taken over).
"""

from __future__ import annotations

import os
import re
import threading
import time

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from engine.files import write_text_atomic
from engine.serialization import session_text, trainer_session

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
    sigFailed = Signal(str)  # from the autosave thread: why a write failed

    def __init__(self, window, folder: str, interval: float = INTERVAL_SECONDS):
        super().__init__(window)
        self.window = window
        self.folder = folder
        self.path = os.path.join(folder, FILE_NAME)
        self.recovered = os.path.join(folder, RECOVERED_NAME)
        self.last_saved = None  # (generation, revision) of the last autosave
        self.prompt: QMessageBox | None = None
        self.offered = False
        self._lock = QLockFile(os.path.join(folder, "autosave.lock"))
        self._lock.setStaleLockTime(0)  # only a dead process's lock is stale
        self.timer = QTimer(self)
        self.timer.setInterval(int(interval * 1000))
        self.timer.timeout.connect(lambda: self.save_now(wait=False))
        self._writer: threading.Thread | None = None
        self.sigFailed.connect(self._failed)
        self.enabled = False  # also when another window of this app holds the lock
        try:
            os.makedirs(folder, exist_ok=True)
            if self._lock.tryLock(0):
                self.enabled = True
                self._keep_crashed_run()
            else:
                window.statusBar().showMessage(
                    "Autosave is off in this window: another Backprop Playground window is "
                    "using it. Save with Ctrl+S.", 15000)
        except OSError as e:  # a read-only home: the app still starts, without autosave
            window.statusBar().showMessage(f"Autosave is off: {e.strerror or e}", 15000)
        if self.enabled:
            self.timer.start()

    def _keep_crashed_run(self) -> None:
        """A crashed run's autosave becomes the recovered file, before the first autosave of
        this run overwrites it. A recovered file still waiting for an answer ("Ask next time")
        is older: it is kept beside it under a name of its own, never overwritten."""
        if not os.path.exists(self.path):
            return
        if os.path.exists(self.recovered):
            stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(os.path.getmtime(self.recovered)))
            os.replace(self.recovered, os.path.join(self.folder, f"autosave-older-{stamp}.json"))
        os.replace(self.path, self.recovered)

    def save_now(self, wait: bool = True) -> bool:
        """Write the session if it changed since the last autosave; True when written (or,
        with wait=False as the timer calls it, being written on a background thread, so a
        big session never stalls the window)."""
        window = self.window
        if not self.enabled or window.latest_stats is None or window.builder.busy:
            return False
        mark = (window.generation, window.files.revision)
        if mark == self.last_saved or not window.files.unsaved or self._busy():
            return False  # nothing new, nothing that is not in a file already, or writing
        try:
            trainer = window.worker.call(window.worker.snapshot)  # a copy: this thread's own
        except ValueError as e:
            self._failed(str(e))
            return False
        if trainer is None:
            return False
        self._writer = threading.Thread(target=self._write, args=(trainer, mark), daemon=True,
                                        name="autosave")
        self._writer.start()
        if wait:
            self._writer.join()
            return self.last_saved == mark
        return True

    def _busy(self) -> bool:
        return self._writer is not None and self._writer.is_alive()

    def _write(self, trainer, mark) -> None:
        """On the autosave thread: plain Python and files, no Qt but the signals."""
        try:
            write_text_atomic(self.path, session_text(trainer_session(trainer), self.path))
        except ValueError as e:
            self.sigFailed.emit(str(e))
            return
        self.last_saved = mark

    def _failed(self, message: str) -> None:
        self.window.statusBar().showMessage(f"Autosave failed: {message}", 8000)

    def saved_elsewhere(self) -> None:
        """The user saved the session to a file of their own: no autosave to restore now."""
        self._join()
        if self.enabled:
            self._remove(self.path)
            self.last_saved = None

    def offer_restore(self) -> None:
        """If the last run did not end cleanly, ask (without blocking) whether to restore;
        once per window. Closing the question (Esc) keeps the file for the next start."""
        if self.offered or not (self.enabled and os.path.exists(self.recovered)):
            return
        self.offered = True
        when = time.strftime("%H:%M on %d %b", time.localtime(os.path.getmtime(self.recovered)))
        step = _saved_step(self.recovered)
        at = f" (at training step {step:,})" if step is not None else ""
        older = any(name.startswith("autosave-older-") for name in os.listdir(self.folder))
        kept = f"\n\nOlder autosaves are kept in {self.folder}." if older else ""
        box = QMessageBox(QMessageBox.Question, "Restore the last session?",
                          "Backprop Playground did not close properly last time. Restore the "
                          f"session autosaved at {when}{at}?{kept}", QMessageBox.NoButton,
                          self.window)
        self.restore_button = box.addButton("Restore", QMessageBox.AcceptRole)
        self.discard_button = box.addButton("Discard", QMessageBox.DestructiveRole)
        self.later_button = box.addButton("Ask next time", QMessageBox.RejectRole)
        box.setEscapeButton(self.later_button)
        box.buttonClicked.connect(self._answered)
        self.prompt = box
        box.open()

    def _answered(self, button) -> None:
        self.prompt = None
        if button is self.restore_button:
            self.window.files.open_path(self.recovered, on_done=self._restored)
        elif button is self.discard_button:
            self.discard_recovered()

    def _restored(self) -> None:
        """Opened (unsaved, with no file of the user's): autosave it at once, and only then
        drop the recovered file, so a second crash still finds it somewhere."""
        window = self.window
        window.take_inbox()
        if self.save_now():
            self.discard_recovered()
        window.statusBar().showMessage("Restored the autosaved session.", 8000)

    def _join(self) -> None:
        if self._writer is not None:
            self._writer.join()

    def discard_recovered(self) -> None:
        self._remove(self.recovered)

    @staticmethod
    def _remove(path: str) -> None:
        try:
            os.remove(path)
        except OSError:
            pass

    def finish(self) -> None:
        """A clean exit: nothing to recover next time."""
        self.timer.stop()
        self._join()  # a write still going would leave a file to restore next time
        if self.enabled:
            self._remove(self.path)
            self._lock.unlock()
            self.enabled = False
