"""The banner that explains a diverged run and offers the two ways out."""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFrame, QPushButton

from gui.common.banner import build_banner

MAX_SHARE = 0.3  # of the graph's column the explanation may take


class DivergenceBanner(QFrame):
    sigRewind = Signal()
    sigReset = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rewind_button = QPushButton("Rewind")
        self.rewind_button.setToolTip(
            "Go back to the sane weights (and optimiser state) with the lowest training loss seen "
            "so far; then lower the learning rate and press Play")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Start again from the initial weights (R)")
        self.rewind_button.clicked.connect(self.sigRewind.emit)
        self.reset_button.clicked.connect(self.sigReset.emit)
        self.label = build_banner(self, "divergenceBanner", "#fde2e1", "#e0a0a0", "#8a1c1c",
                                  [self.rewind_button, self.reset_button])

    cause = None  # callable () -> str: a likely cause of divergence to name, "" for none
    _full = _short = ""

    @property
    def showing(self) -> bool:
        return not self.isHidden()

    def show_divergence(self, message: str) -> None:
        # The engine's message says what happened and that the step was undone; a feature that
        # knows better (an injected bug) can name the likely cause through `cause`.
        cause = self.cause() if self.cause is not None else ""
        cause = f" <b>Likely cause:</b> {cause}." if cause else ""
        self._full = (f"<b>Training diverged:</b> {message}.{cause} <b>Rewind</b> goes back to "
                      "the best sane weights seen (the initial ones at worst); <b>Reset</b> "
                      "starts over.")
        head = re.split(r"[:;]", message, maxsplit=1)[0]
        self._short = (f"<b>Training diverged:</b> {head}.{cause} Lower the learning rate, then "
                       "<b>Rewind</b> or <b>Reset</b> (the details: hover here).")
        self.label.setToolTip(self._full)
        self.show()
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The whole explanation where it fits in MAX_SHARE of the column, else its short
        form (a narrow column at 1024 px, or large text, had the graph squashed flat)."""
        column = self.parentWidget()
        if not self._full or column is None:
            return
        probe = QTextDocument()  # measured aside: setting the text would re-lay the banner
        probe.setDefaultFont(self.label.font())
        probe.setTextWidth(max(self.label.width(), 50))
        probe.setHtml(self._full)
        text = self._full if probe.size().height() <= column.height() * MAX_SHARE else self._short
        if self.label.text() != text:
            self.label.setText(text)

    def text(self) -> str:
        """The whole explanation (the banner may show its short form)."""
        return self._full
