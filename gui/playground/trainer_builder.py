"""Building a Trainer without freezing the window.

A small spec builds in a few milliseconds and is built at once, so a bad one is refused before
the caller returns. Big data (100,000 points, a large CSV) and files take a while: they are
built on a background thread while a progress dialog says what is loading and training goes on
with the old network; only the newest request is adopted, so a later edit supersedes an
earlier one still loading.
"""

from __future__ import annotations

import os
import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog

from engine.spec import Spec

HEAVY_POINTS = 5_000  # more data points than this are loaded in the background
HEAVY_CSV_BYTES = 256 * 1024


def is_heavy(spec: Spec) -> bool:
    """Would building this spec's data take long enough to freeze the window?"""
    if spec.dataset == "csv":
        try:
            return os.path.getsize(spec.csv_path) > HEAVY_CSV_BYTES
        except (OSError, TypeError, ValueError):
            return False  # the build reports the real problem
    if spec.dataset == "given":
        return isinstance(spec.points, list) and len(spec.points) > HEAVY_POINTS
    return isinstance(spec.samples, int) and spec.samples > HEAVY_POINTS


class TrainerBuilder(QObject):
    sigFinished = Signal(int, object, str)  # token, result (None on error), error message
    sigCancelled = Signal()  # the user cancelled a load: the window shows what it has

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._token = 0
        self._pending: dict[int, tuple] = {}  # token -> (on_done, on_error)
        self._threads: list[threading.Thread] = []
        self.progress: QProgressDialog | None = None
        self.sigFinished.connect(self._on_finished, Qt.QueuedConnection)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(self, make, on_done, on_error, background: bool, label: str = "") -> None:
        """Call make(); hand its result to on_done, or a ValueError's message to on_error."""
        self._token += 1
        self._pending.clear()  # whatever is still loading is superseded
        if not background:
            self._close_progress()
            try:
                result = make()
            except ValueError as e:
                on_error(str(e))
                return
            on_done(result)
            return
        token = self._token
        self._pending[token] = (on_done, on_error)
        thread = threading.Thread(target=self._work, args=(token, make), daemon=True,
                                  name="trainer-builder")
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        self._show_progress(label or "Loading…")

    def _work(self, token: int, make) -> None:
        try:
            result, error = make(), ""
        except ValueError as e:
            result, error = None, str(e) or "could not load"
        except MemoryError:
            result, error = None, "not enough memory to load this data"
        except Exception as e:  # a bug: still say so, and never leave the window "busy"
            result, error = None, f"could not load ({type(e).__name__}: {e})"
        try:
            self.sigFinished.emit(token, result, error)
        except RuntimeError:  # the window is gone (closed while this was loading)
            pass

    def _on_finished(self, token: int, result, error: str) -> None:
        callbacks = self._pending.pop(token, None)
        if token == self._token:
            self._close_progress()
        if callbacks is None:
            return  # superseded or cancelled
        on_done, on_error = callbacks
        if error:
            on_error(error)
        else:
            on_done(result)

    def _on_cancel(self) -> None:
        self.cancel()
        self.sigCancelled.emit()

    def cancel(self) -> None:
        """Forget what is loading; the current network stays."""
        self._token += 1
        self._pending.clear()
        self._close_progress()

    def wait(self, timeout: float = 5.0) -> None:
        """Join the loading threads before the window goes away; one still reading a huge
        file after `timeout` is left to finish on its own (daemon; its result is dropped)."""
        self.cancel()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def _show_progress(self, label: str) -> None:
        if self.progress is None:
            self.progress = QProgressDialog(self.window)
            self.progress.setWindowTitle("Loading")
            self.progress.setRange(0, 0)  # busy indicator: the engine reports no fractions
            self.progress.setMinimumDuration(300)  # quick loads never flash a dialog
            self.progress.setAutoReset(False)
            self.progress.canceled.connect(self._on_cancel)
        self.progress.setLabelText(f"{label}\nTraining continues with the current network.")
        self.progress.setValue(0)

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.hide()
