"""Moving through the step-through's stages: Previous/Next buttons with a "stage k of n" label,
Play/Pause on a timer with its speed, and the Left/Right arrow keys.

`StageNavigator` owns these controls and the play timer but no stage state: it asks the panel
it serves (`next_stage()`, `previous_stage()`, `go_to()`, `current_index`, `stage_count()`) and is
told what to show through `show_position()`. The panel places the widgets in its layout.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QStyle


class StageNavigator(QObject):
    """Navigation controls for a StepperPanel (its parent)."""

    def __init__(self, panel):
        super().__init__(panel)
        self._panel = panel
        style = panel.style()
        self.prev_button = QPushButton(style.standardIcon(QStyle.SP_ArrowBack), "Previous")
        self.prev_button.setToolTip("Show the previous stage (Left arrow)")
        self.prev_button.clicked.connect(panel.previous_stage)
        self.next_button = QPushButton(style.standardIcon(QStyle.SP_ArrowForward), "Next")
        self.next_button.setToolTip("Show the next stage (Right arrow)")
        self.next_button.clicked.connect(panel.next_stage)
        self.progress_label = QLabel()
        self.progress_label.setAlignment(Qt.AlignCenter)
        self.progress_label.setToolTip("Where you are in the step")
        self.nav_row = QHBoxLayout()
        self.nav_row.addWidget(self.prev_button)
        self.nav_row.addWidget(self.progress_label, 1)
        self.nav_row.addWidget(self.next_button)

        self.play_button = QPushButton(style.standardIcon(QStyle.SP_MediaPlay), "Play")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Walk through the stages automatically; press again to pause")
        self.play_button.toggled.connect(self._play_toggled)
        self.speed_spin = QDoubleSpinBox()
        self.speed_spin.setRange(0.2, 5.0)
        self.speed_spin.setSingleStep(0.2)
        self.speed_spin.setValue(1.0)
        self.speed_spin.setDecimals(1)
        self.speed_spin.setSuffix(" s per stage")
        self.speed_spin.setToolTip("How long Play shows each stage")
        self.speed_spin.valueChanged.connect(self._speed_changed)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._play_tick)

    def show_position(self, index: int, count: int) -> None:
        """Label and enable the controls for stage `index` of `count` (0: nothing traced)."""
        self.progress_label.setText(f"stage {index + 1} of {count}" if count else "")
        self.prev_button.setEnabled(count > 0 and index > 0)
        self.next_button.setEnabled(count > 0 and index < count - 1)
        self.play_button.setEnabled(count > 0)

    def stop(self) -> None:
        """Pause playing (no-op when not playing)."""
        self.play_button.setChecked(False)

    def watch_keys(self, *widgets) -> None:
        """Let the arrow keys step through the stages while any of `widgets` has focus."""
        for widget in widgets:
            widget.installEventFilter(self)

    def _at_end(self) -> bool:
        return self._panel.current_index >= self._panel.stage_count() - 1

    def _play_toggled(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        self.play_button.setIcon(self._panel.style().standardIcon(
            QStyle.SP_MediaPause if playing else QStyle.SP_MediaPlay))
        if playing:
            if self._at_end():
                self._panel.go_to(0)  # Play at the end starts over
            self.timer.start(int(self.speed_spin.value() * 1000))
        else:
            self.timer.stop()

    def _speed_changed(self, seconds: float) -> None:
        if self.timer.isActive():
            self.timer.start(int(seconds * 1000))

    def _play_tick(self) -> None:
        self._panel.next_stage()
        if self._at_end():
            self.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Left/Right step through the stages, even though the main window binds Right to
        "train one step" (claim the key in ShortcutOverride)."""
        if event.type() in (QEvent.ShortcutOverride, QEvent.KeyPress) and \
                event.modifiers() == Qt.NoModifier and event.key() in (Qt.Key_Left, Qt.Key_Right):
            if event.type() == QEvent.ShortcutOverride:
                event.accept()
                return False
            panel = self._panel
            (panel.previous_stage if event.key() == Qt.Key_Left else panel.next_stage)()
            return True
        return super().eventFilter(watched, event)
