"""The look of the window's banners (a diverged run, an injected bug): a coloured strip with a
wrapping explanation and its buttons beside it, or stacked where the column is narrow."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout


def build_banner(frame: QFrame, name: str, background: str, border: str, text: str,
                 buttons: list[QPushButton], stacked: bool = False) -> QLabel:
    """Lay `frame` out as a banner and return its label; the frame starts hidden."""
    frame.setObjectName(name)
    frame.setStyleSheet(f"#{name} {{ background:{background}; border:1px solid {border};"
                        f" border-radius:4px; }} QLabel {{ color:{text}; }}")
    label = QLabel()
    label.setWordWrap(True)
    row = QHBoxLayout(frame)
    row.setContentsMargins(8, 4 if stacked else 6, 8, 4 if stacked else 6)
    row.addWidget(label, 1)
    if stacked:
        column = QVBoxLayout()
        column.setSpacing(3)
        for button in buttons:
            column.addWidget(button)
        row.addLayout(column)
    else:
        for button in buttons:
            row.addWidget(button)
    frame.hide()
    return label
