"""File > Open, Save, Save as, Open recent, and asking before unsaved training is closed.

Sessions are the engine's complete ones (engine/serialization.py): spec, weights, optimiser
state, step, history and the data itself. Saving takes a copy of the trainer between two steps
from the worker and writes it through QSaveFile, so a failed write (a full disk) leaves the old
file as it was. Opening loads in the background (trainer_builder) and is undoable.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QIODevice, QSaveFile
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.files import check_writable, one_line, show_path
from engine.serialization import load_file, session_text, trainer_session

FILE_FILTER = "Sessions and specs (*.json);;All files (*)"


def write_atomically(path: str, write) -> None:
    """write(device) into a QSaveFile at path; ValueError (one line) if anything fails."""
    check_writable(path)
    f = QSaveFile(path)
    if not f.open(QIODevice.WriteOnly):
        raise ValueError(f"cannot write {show_path(path)!r}: {f.errorString()}")
    try:
        ok = write(f)
    except Exception:
        f.cancelWriting()
        f.commit()
        raise
    error = "" if ok else f.errorString()  # why the write failed, before cancelling
    if not ok:
        f.cancelWriting()
    committed = f.commit()
    if not committed or not ok:
        reason = error or f.errorString() or "write failed"
        raise ValueError(f"cannot write {show_path(path)!r}: {reason}; the old file is unchanged")


def write_text(path: str, text: str) -> None:
    data = text.encode("utf-8")
    write_atomically(path, lambda f: f.write(data) == len(data))


class SessionFiles:
    """Which file the network on screen belongs to, and whether it has unsaved training.

    The path goes with the trainer: a rebuild starts without one (so Save asks rather than
    overwrite the session it came from), and undo brings the old path back with the old
    trainer (see undo_commands.RebuildCommand)."""

    def __init__(self, window):
        self.window = window
        self._path: str | None = None
        self._unsaved = False
        self.revision = 0  # counts changes to the network on screen (autosave compares it)

    def touch(self) -> None:
        """The network on screen changed: a step, an edited weight, a live setting, a rewind."""
        self.revision += 1
        self.unsaved = True

    @property
    def path(self) -> str | None:
        """The session file Save writes to, if the network on screen came from or went to one."""
        return self._path

    @path.setter
    def path(self, path: str | None) -> None:
        self._path = path
        self._show()

    @property
    def unsaved(self) -> bool:
        """Training happened since the last save or open."""
        return self._unsaved

    @unsaved.setter
    def unsaved(self, unsaved: bool) -> None:
        if unsaved != self._unsaved:
            self._unsaved = unsaved
            self._show()

    def _show(self) -> None:
        """The window title names the file, with * while there is unsaved training."""
        name = one_line(Path(self._path).name) if self._path else "untitled"
        self.window.setWindowTitle(f"{name}[*] — Backprop Playground")
        self.window.setWindowModified(self._unsaved)

    # -- opening --------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session or spec",
                                              self._folder(), FILE_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str, on_done=None) -> None:
        """Load a session or spec in the background; on success it replaces the network
        (undoable), on failure a dialog explains and nothing changes. on_done, if given, is
        called instead of the usual bookkeeping (recent files, the path Save writes to)."""
        name = Path(path).name
        window = self.window

        def done(trainer):
            what = f"open {one_line(name)}"
            if on_done is not None:
                if window.adopt_trainer(trainer, what, unsaved=True):
                    on_done()
                return
            # Save writes back to a session; a spec (or preset) is never overwritten by one.
            session = os.path.abspath(path) if trainer.step_count else None
            if window.adopt_trainer(trainer, what, path=session):
                window.remembered.add_recent(os.path.abspath(path))

        def failed(message):
            if not os.path.exists(path):
                window.remembered.remove_recent(os.path.abspath(path))
            window.show_error(message)

        window.builder.run(lambda: load_file(path), done, failed, background=True,
                           label=f"Opening {one_line(name)}…")

    # -- saving ---------------------------------------------------------------------------------
    def save(self) -> bool:
        return self.save_to(self.path) if self.path else self.save_as()

    def save_as(self) -> bool:
        suggested = self.path or os.path.join(self._folder(), "session.json")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session", suggested,
                                              "JSON files (*.json)")
        return self.save_to(path) if path else False

    def save_to(self, path: str) -> bool:
        """Write the current trainer's complete session; False (and a dialog) on failure."""
        window = self.window
        try:
            trainer = window.worker.call(window.worker.snapshot)
            if trainer is None:
                raise ValueError("there is no network to save yet")
            write_text(path, session_text(trainer_session(trainer), path))
        except ValueError as e:
            window.show_error(str(e))
            return False
        self.path = os.path.abspath(path)
        self.unsaved = False
        # Any other network (in the undo history) that belonged to this file is not in it now.
        stack = window.undo_stack
        for i in range(stack.count()):
            command = stack.command(i)
            if getattr(command, "path", None) == self.path:
                command.unsaved = True
        window.remembered.add_recent(self.path)
        if window.autosave is not None:
            window.autosave.saved_elsewhere()
        window.statusBar().showMessage(
            f"Saved {show_path(path)} (step {trainer.step_count:,}).", 5000)
        return True

    # -- closing --------------------------------------------------------------------------------
    def unsaved_in_history(self) -> int:
        """How many networks Edit > Undo / Redo could bring back hold unsaved training."""
        stack = self.window.undo_stack
        return sum(bool(getattr(stack.command(i), "unsaved", False))
                   for i in range(stack.count()))

    def ask_unsaved(self) -> str:
        """"save", "discard" or "cancel" (tests replace this method)."""
        where = f" to {one_line(Path(self.path).name)}" if self.path else ""
        if self.unsaved:
            text = ("This network has trained since it was last saved. Save the session"
                    f"{where} before closing?")
        else:
            text = "The network on screen is saved."
        others = self.unsaved_in_history()
        if others:
            text += (f"\n\n{others} other network{'s' if others > 1 else ''} in Edit > Undo "
                     "also hold unsaved training; Cancel, then Undo to bring one back and save it.")
        buttons = (QMessageBox.Save if self.unsaved else QMessageBox.NoButton) \
            | QMessageBox.Discard | QMessageBox.Cancel
        box = QMessageBox(QMessageBox.Question, "Unsaved training", text, buttons, self.window)
        box.setDefaultButton(QMessageBox.Save if self.unsaved else QMessageBox.Cancel)
        answer = box.exec()
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def may_close(self) -> bool:
        """True when closing loses nothing, or the user saved or chose to discard."""
        if not self.unsaved and not self.unsaved_in_history():
            return True
        answer = self.ask_unsaved()
        return answer == "discard" or (answer == "save" and self.save())

    def _folder(self) -> str:
        return os.path.dirname(self.path) if self.path else ""
