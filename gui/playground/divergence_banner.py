"""The banner that explains a diverged run and offers the two ways out."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QPushButton

from gui.common.banner import build_banner


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

    @property
    def showing(self) -> bool:
        return not self.isHidden()

    def show_divergence(self, message: str) -> None:
        # The engine's message says what happened and that the step was undone; a feature that
        # knows better (an injected bug) can name the likely cause through `cause`.
        cause = self.cause() if self.cause is not None else ""
        cause = f" <b>Likely cause:</b> {cause}." if cause else ""
        self.label.setText(
            f"<b>Training diverged:</b> {message}.{cause} <b>Rewind</b> goes back to the best "
            "sane weights seen (the initial ones at worst); <b>Reset</b> starts over.")
        self.show()

    def text(self) -> str:
        return self.label.text()
