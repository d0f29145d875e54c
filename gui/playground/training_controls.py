"""Training actions (play/pause, step, step epoch, reset, regenerate). The same QActions sit in
the menu bar and the toolbar, so a shortcut, a menu entry and a button can never disagree."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget


class TrainingActions(QObject):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        style = parent.style()

        def action(text, icon, shortcut, tip):
            a = QAction(style.standardIcon(icon), text, parent)
            a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(Qt.WindowShortcut)
            a.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
            a.setStatusTip(tip)
            parent.addAction(a)
            return a

        self.play = action("&Play", QStyle.SP_MediaPlay, "Space",
                           "Train continuously; press again to pause")
        self.play.setCheckable(True)
        self.step = action("&Step", QStyle.SP_MediaSeekForward, "Right",
                           "Train on one mini-batch")
        self.epoch = action("Step &epoch", QStyle.SP_MediaSkipForward, "Ctrl+Right",
                            "Train until the current pass over the training set is complete")
        self.reset = action("&Reset", QStyle.SP_BrowserReload, "R",
                            "Back to the starting weights and clear the plots "
                            "(same data, same seed)")
        self.regenerate = action("Re&generate data", QStyle.SP_DialogResetButton, "G",
                                 "Draw a new dataset with a new seed and rebuild the network")
        self.step_through = action(
            "Step &through one step…", QStyle.SP_FileDialogDetailedView, "Ctrl+T",
            "Pause and walk the next training step stage by stage, with every formula and number")

    def set_playing(self, playing: bool) -> None:
        """Reflect the worker's state without re-triggering the action."""
        self.play.blockSignals(True)
        self.play.setChecked(playing)
        self.play.blockSignals(False)
        style = self.parent().style()
        self.play.setText("&Pause" if playing else "&Play")
        self.play.setIcon(style.standardIcon(QStyle.SP_MediaPause if playing
                                             else QStyle.SP_MediaPlay))
