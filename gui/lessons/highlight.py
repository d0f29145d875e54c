"""A lesson's outline around a widget: a translucent frame drawn over the window, following
the target's geometry, transparent for the mouse so the widget stays usable."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QScrollArea, QWidget

COLOR = QColor(255, 140, 0)
PAD = 3


class Highlight(QWidget):
    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.target = self.action = None
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.NoFocus)
        self.hide()
        self.timer = QTimer(self)  # docks move, splitters drag: follow the target
        self.timer.setInterval(100)
        self.timer.timeout.connect(self.follow)

    def point_at(self, widget, action=None) -> None:
        """Outline widget; with a menu bar and one of its menus' action, only that title."""
        self.target, self.action = widget, action
        if widget is None:
            self.timer.stop()
            self.hide()
            return
        self._scroll_into_view(widget)
        self.timer.start()
        self.follow()

    @staticmethod
    def _scroll_into_view(widget) -> None:
        """A field below the editor's fold is scrolled to, as a finger pointing at it would."""
        parent = widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea) and parent.widget() is not None \
                    and parent.widget().isAncestorOf(widget):
                parent.ensureWidgetVisible(widget, 20, 20)
                return
            parent = parent.parentWidget()

    def follow(self) -> None:
        t = self.target
        if t is None or not shiboken6.isValid(t) or not t.isVisible():
            self.hide()
            return
        host = t.window()  # the main window, or a floating panel (its own window)
        if self.parentWidget() is not host:
            self.setParent(host)
        visible = t.visibleRegion().boundingRect()  # the part a scroll area does not clip
        if self.action is not None and hasattr(t, "actionGeometry"):
            visible = t.actionGeometry(self.action)
        if visible.isEmpty():
            self.hide()
            return
        top_left = t.mapTo(host, visible.topLeft())
        rect = QRect(top_left, visible.size()).adjusted(-PAD, -PAD, PAD, PAD)
        if rect != self.geometry():
            self.setGeometry(rect)
        if not self.isVisible():
            self.show()
        self.raise_()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        fill = QColor(COLOR)
        fill.setAlpha(28)
        p.fillRect(self.rect(), fill)
        pen = QPen(COLOR, 3)
        p.setPen(pen)
        p.drawRoundedRect(self.rect().adjusted(2, 2, -2, -2), 4, 4)
