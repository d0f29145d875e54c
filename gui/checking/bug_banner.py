"""The banner shown while a backprop bug is injected: which mistake, what it does to training,
and the two things to do about it (check the gradients, remove the bug)."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QPushButton

from gui.common.banner import build_banner

NO_BUG = "None (correct backprop)"  # the bug menu's and the check panel's "no bug" entry


class BugBanner(QFrame):
    sigRemove = Signal()
    sigCheck = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.check_button = QPushButton("Check gradients")
        self.check_button.setToolTip("Open the gradient check: the tensors the bug breaks fail "
                                     "(Ctrl+G)")
        self.remove_button = QPushButton("Remove bug")
        self.remove_button.setToolTip("Back to the correct backward pass (the weights stay)")
        self.check_button.clicked.connect(self.sigCheck.emit)
        self.remove_button.clicked.connect(self.sigRemove.emit)
        # Amber, not the divergence banner's red: a mistake put in on purpose, not an accident;
        # the buttons stacked, as the graph's column is narrow on a small screen.
        self.label = build_banner(self, "bugBanner", "#fff1cc", "#d9a93a", "#6b4500",
                                  [self.check_button, self.remove_button], stacked=True)

    @property
    def showing(self) -> bool:
        return not self.isHidden()

    def show_bug(self, bug) -> None:
        """bug: an engine.bugs.Bug. Which bug and what it does to training; the mistake as
        code is the tooltip (and in the check panel's bug box)."""
        self.label.setText(f"<b>Bug injected: {html.escape(bug.title)}.</b> "
                           f"<i>Effect:</i> {html.escape(bug.effect.rstrip('.'))}.")
        self.label.setToolTip(bug.description.rstrip(".") + ".")
        self.show()

    def text(self) -> str:
        return self.label.text()
