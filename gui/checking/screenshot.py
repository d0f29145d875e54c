"""The checking tools in headless screenshots (main.py --screenshot --check/--bug/--compare):
put the window in the state asked for, and grab it with a floating panel drawn where it stands."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap


def show_checking(window, bug: str | None, check: bool, compare: bool) -> None:
    """For screenshots: inject `bug`, open the panel, compare with PyTorch; ValueError (one
    line) for an unknown or inapplicable bug, or torch missing."""
    from engine.bugs import BUGS

    link = window.checking
    if bug is not None:
        if bug not in BUGS:
            raise ValueError(f"unknown bug {bug!r}; choose from {', '.join(BUGS)}")
        if not link.choose_bug(bug):
            raise ValueError(window.statusBar().currentMessage())
    if check or compare:
        link.open()
    if compare:
        missing = link.torch_missing()
        if missing:
            raise ValueError(missing)
        link.compare()


def grab_with_panel(window) -> QPixmap:
    """The window as a screen shows it: a floating check panel is its own window, drawn over
    the main one where it stands, with a title strip as a window manager would add."""
    image = window.grab()
    link = getattr(window, "checking", None)
    dock = link.dock if link is not None else None
    if dock is None or not (dock.isVisible() and dock.isFloating()):
        return image
    painter = QPainter(image)
    offset = dock.frameGeometry().topLeft() - window.frameGeometry().topLeft()
    title = painter.fontMetrics().height() + 8
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
