"""Keep single-key shortcuts (Space, R, G, ←, →) from firing while a widget uses that key.

Qt asks the focused widget first with a ShortcutOverride event; accepting it hands the key to
the widget. Text fields and spin boxes already claim printable keys, but a combo box would
lose "g" (jump to "gaussians") to Regenerate, and a check box its Space to Play.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QTextEdit,
)

GUARDED_KEYS = {Qt.Key_Space, Qt.Key_R, Qt.Key_G, Qt.Key_Left, Qt.Key_Right}


def _claims(widget: QObject, key: int) -> bool:
    """Does this widget use the (unmodified) key itself?"""
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QTextEdit, QComboBox)):
        return True
    if isinstance(widget, QAbstractItemView):
        return key in (Qt.Key_Left, Qt.Key_Right, Qt.Key_Space)
    if isinstance(widget, QAbstractButton):
        return key == Qt.Key_Space
    return False


class TypingGuard(QObject):
    """An application event filter; `scope` limits it to one window's widgets."""

    def __init__(self, scope):
        super().__init__(scope)
        self.scope = scope

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.ShortcutOverride
                and event.modifiers() in (Qt.NoModifier, Qt.KeypadModifier)
                and event.key() in GUARDED_KEYS
                and _claims(watched, event.key())
                and self.scope.isAncestorOf(watched)):
            event.accept()
            return True
        return False
