"""Where a side panel (the step-through, the gradient check) goes: docked on the right when
the window has room for it beside its own views, else floating over the window's right part.
A 1024×640 projector has no room for both side by side, and docking anyway would push the
window wider than the screen, its buttons out of reach."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QDockWidget

MIN_VIEWS_WIDTH = 880  # px the sidebar, graph and boundary keep beside a docked panel: their
#   minimum sizes alone would let a docked panel squeeze the graph to a strip


def place_side_dock(window, dock, width: int, height: int) -> None:
    """`width` is the panel's at the application's text size: larger text (presentation
    mode's) asks for proportionally more, where the views beside it leave the room."""
    views = max(window.centralWidget().minimumSizeHint().width(), MIN_VIEWS_WIDTH)
    room = window.width() - views
    wanted = round(width * max(1.0, dock.font().pointSizeF() / QApplication.font().pointSizeF()))
    if room < width:  # over the right part, leaving the graph at least half the window
        float_over(window, dock, min(wanted, max(width, window.width() // 2)), height)
    else:
        dock.setFloating(False)
        window.resizeDocks([dock], [min(wanted, room)], Qt.Horizontal)


def float_over(window, dock, width: int, height: int) -> None:
    """The panel floating over the window's right part, inside its frame."""
    dock.setFloating(True)
    frame = window.frameGeometry()
    border = 8  # the floating panel's own frame, kept inside the window's
    w = min(width + 40, frame.width() - border)
    h = min(height, frame.height() - 40 - border)
    dock.resize(w, h)
    dock.move(frame.right() - w - border, frame.top() + 40)


def grab_with_docks(window) -> QPixmap:
    """The window as a screen shows it: each floating panel is its own window, drawn over the
    main one where it stands, with a title strip as a window manager would add."""
    image = window.grab()
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible() and d.isFloating()]
    if not docks:
        return image
    painter = QPainter(image)
    title = painter.fontMetrics().height() + 8
    for dock in docks:
        offset = dock.frameGeometry().topLeft() - window.frameGeometry().topLeft()
        panel = dock.grab()
        frame = QRect(offset.x() - 1, offset.y() - title - 1, panel.width() + 1,
                      panel.height() + title + 1)
        painter.fillRect(frame, QColor("#dcdcdc"))
        painter.setPen(QColor("#333333"))
        painter.drawText(frame.adjusted(8, 0, 0, -panel.height()), Qt.AlignVCenter,
                         dock.windowTitle())
        painter.drawPixmap(offset, panel)
        painter.setPen(QColor("#888888"))
        painter.drawRect(frame)
    painter.end()
    return image
