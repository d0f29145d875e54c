"""Keep single-key shortcuts (Space, R, G, ←, →) from firing while a widget uses that key.

Qt asks the focused widget first with a ShortcutOverride event; accepting it hands the key to
the widget. Text fields and spin boxes already claim printable keys, but a combo box would
lose "g" (jump to "gaussians") to Regenerate, and a check box its Space to Play.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)

GUARDED_KEYS = {Qt.Key_Space, Qt.Key_R, Qt.Key_G, Qt.Key_Left, Qt.Key_Right}
WINDOW_KEYS = (QKeySequence.Undo, QKeySequence.Redo)  # always the window's, even in a spin box
SHORTCUT_OVERRIDE = QEvent.Type.ShortcutOverride


def _claims(widget: QObject, key: int) -> bool:
    """Does this widget use the (unmodified) key itself?"""
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QComboBox)):
        return True
    if isinstance(widget, QAbstractItemView):
        return key in (Qt.Key_Left, Qt.Key_Right, Qt.Key_Space)
    if isinstance(widget, QAbstractButton):
        return key == Qt.Key_Space
    return False


def _in_number_box(widget: QObject) -> bool:
    """A spin box, or the line edit inside one."""
    return isinstance(widget, QAbstractSpinBox) or (
        isinstance(widget, QLineEdit) and isinstance(widget.parent(), QAbstractSpinBox))


class TypingGuard(QObject):
    """An application event filter; `scope` limits it to one window's widgets."""

    def __init__(self, scope):
        super().__init__(scope)
        self.scope = scope

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of the application passes here (thousands while the window starts):
        # one type() call and a compare for all but ShortcutOverride.
        if event.type() != SHORTCUT_OVERRIDE:
            return False
        if (any(event.matches(k) for k in WINDOW_KEYS)
                and _in_number_box(watched)
                and self.scope.isAncestorOf(watched)):
            # A spin box's text undo would swallow Ctrl+Z; its value is committed on Return
            # anyway, so undo means the window's: bring back the network before the edit.
            event.ignore()
            return True
        if (event.modifiers() in (Qt.NoModifier, Qt.KeypadModifier)
                and event.key() in GUARDED_KEYS
                and _claims(watched, event.key())
                and self.scope.isAncestorOf(watched)):
            event.accept()
            return True
        return False
