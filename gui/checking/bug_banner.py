"""The banner shown while a backprop bug is injected: which mistake, what it does to training,
and the two things to do about it (check the gradients, remove the bug)."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton


class BugBanner(QFrame):
    sigRemove = Signal()
    sigCheck = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("bugBanner")
        # Amber, not the divergence banner's red: a mistake put in on purpose, not an accident.
        self.setStyleSheet("#bugBanner { background:#fff1cc; border:1px solid #d9a93a;"
                           " border-radius:4px; } QLabel { color:#6b4500; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.check_button = QPushButton("Check gradients")
        self.check_button.setToolTip("Open the gradient check: the tensors the bug breaks fail "
                                     "(Ctrl+G)")
        self.remove_button = QPushButton("Remove bug")
        self.remove_button.setToolTip("Back to the correct backward pass (the weights stay)")
        self.check_button.clicked.connect(self.sigCheck.emit)
        self.remove_button.clicked.connect(self.sigRemove.emit)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.check_button)
        row.addWidget(self.remove_button)
        self.hide()

    @property
    def showing(self) -> bool:
        return not self.isHidden()

    def show_bug(self, bug) -> None:
        """bug: an engine.bugs.Bug."""
        self.label.setText(
            f"<b>Bug injected: {html.escape(bug.title)}</b> — {html.escape(bug.description)}. "
            f"<i>Effect:</i> {html.escape(bug.effect)}.")
        self.show()

    def text(self) -> str:
        return self.label.text()
