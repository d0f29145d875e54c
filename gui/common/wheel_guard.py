"""Settings that take the mouse wheel only once they have keyboard focus.

Qt gives a combo or spin box the wheel whenever the pointer is over it, so scrolling the sidebar
changed every setting that passed under the mouse (and each change rebuilt the network). With
`guard_wheel`, a wheel over an unfocused box is left unhandled, and Qt passes unhandled wheel
events on to the parents: the scroll area scrolls. Click or tab into a box to wheel its value.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget


class WheelGuard(QObject):
    """Event filter: swallow the wheel for its widget unless that widget has focus."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) \
                and not watched.hasFocus():
            event.ignore()  # unaccepted: Qt offers it to the parent widgets next
            return True  # and the box itself never sees it
        return False


def guard_wheel(widget: QWidget) -> QWidget:
    """Make `widget` (a combo or spin box) take the wheel only when focused; returns it."""
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel must not grant focus
    guard = WheelGuard(widget)  # a child: it lives exactly as long as the widget
    widget.installEventFilter(guard)
    return widget
