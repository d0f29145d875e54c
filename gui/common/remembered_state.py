"""What the window remembers between runs (QSettings), read defensively.

The settings file is the user's to edit, break or carry between versions: every value is checked
for its type and meaning, and a bad one is dropped with a note for the status bar, so a broken
file can never keep the app from starting.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from engine.spec import Spec

MAX_REMEMBERED_SPEC = 256 * 1024  # bigger specs (given points) live in the autosave instead
MAX_REMEMBERED_POINTS = 2_000  # more given points cannot fit: don't even serialise them
RECENT_LIMIT = 8


class RememberedState:
    def __init__(self, settings: QSettings):
        self.settings = settings
        self.notes: list[tuple[str, str]] = []  # (key, why) of what was dropped

    def _value(self, key: str):
        try:
            value = self.settings.value(key)
        except Exception:  # a value Qt cannot even decode
            value = None
        if value is None and self.settings.contains(key):  # e.g. @Invalid() in the file
            self._drop(key, "unreadable")
        return value

    def _drop(self, key: str, why: str) -> None:
        self.settings.remove(key)
        self.notes.append((key, why))

    def spec(self) -> Spec | None:
        text = self._value("spec")
        if text is None:
            return None
        if not isinstance(text, str):
            self._drop("spec", "not a spec")
            return None
        try:
            return Spec.from_json(text)
        except ValueError as e:
            self._drop("spec", str(e))
            return None

    def remember_spec(self, spec: Spec) -> None:
        points = spec.points if isinstance(spec.points, list) else ()
        text = spec.to_json() if len(points) <= MAX_REMEMBERED_POINTS else ""
        if text and len(text) <= MAX_REMEMBERED_SPEC:
            self.settings.setValue("spec", text)
        else:
            self.settings.remove("spec")

    def forget_spec(self, why: str) -> None:
        self._drop("spec", why)

    def restore_bytes(self, key: str, restore) -> bool:
        """Hand a saved QByteArray (window geometry, splitter state) to restore(), which says
        whether Qt accepted it."""
        value = self._value(key)
        if value is None:
            return False
        if not isinstance(value, (QByteArray, bytes)) or not restore(QByteArray(value)):
            self._drop(key, "not a saved layout")
            return False
        return True

    def recent_files(self) -> list[str]:
        value = self._value("recent")
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]  # QSettings gives a lone entry as a string
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._drop("recent", "not a list of files")
            return []
        return [v for v in value if v][:RECENT_LIMIT]

    def add_recent(self, path: str) -> list[str]:
        files = [path] + [p for p in self.recent_files() if p != path]
        files = files[:RECENT_LIMIT]
        self.settings.setValue("recent", files)
        return files

    def remove_recent(self, path: str) -> None:
        self.settings.setValue("recent", [p for p in self.recent_files() if p != path])

    def take_notes(self) -> tuple[str, str]:
        """(a short line for the status bar, the reasons in full for its tooltip)."""
        notes, self.notes = self.notes, []
        if not notes:
            return "", ""
        keys = ", ".join(dict.fromkeys(key for key, _ in notes))
        return (f"Ignored unreadable settings ({keys}); started with the defaults.",
                "\n".join(f"{key}: {why}" for key, why in notes))

    def show_notes(self, status_bar) -> None:
        """Say in the status bar what was dropped (the reasons in its tooltip while it shows)."""
        note, details = self.take_notes()
        if not note:
            return
        status_bar.showMessage(note, 30000)
        status_bar.setToolTip(details)
        status_bar.messageChanged.connect(
            lambda text: text == note or status_bar.setToolTip(""))
