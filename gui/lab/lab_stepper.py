"""The graph lab's strip under the graph: the stages of the forward and backward pass on the
left, Previous / Next / Play through them, and the formula of the stage (or of a clicked node)
with its numbers in large type. It lies below the graph because op graphs are wide."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.lab_trace import LabStage

KIND_MARKS = {"forward": "→", "seed": "1", "backward": "←"}
PLAY_SECONDS = 1.2


class LabStepper(QWidget):
    sigStageChanged = Signal(int)  # index into the stages, -1 for none

    def __init__(self, parent=None):
        super().__init__(parent)
        self.stages: list[LabStage] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        stages = QVBoxLayout()
        stages.addWidget(QLabel("<b>Forward, then backward</b>"))
        self.stage_list = QListWidget()
        self.stage_list.setToolTip("Every operation forward, then ∂L/∂L = 1 and every operation "
                                   "backward. Click one, or use Previous / Next.")
        self.stage_list.currentRowChanged.connect(self._on_row)
        self.stage_list.setMinimumWidth(230)
        self.stage_list.setMaximumWidth(300)
        stages.addWidget(self.stage_list, 1)
        layout.addLayout(stages)
        right = QVBoxLayout()
        row = QHBoxLayout()
        self.previous_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.previous_button.setToolTip("The stage before (←)")
        self.next_button.setToolTip("The next stage (→)")
        self.play_button.setToolTip(f"Walk through the stages, {PLAY_SECONDS:g} s each")
        self.previous_button.clicked.connect(lambda: self.go_to(self.current() - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.current() + 1))
        self.play_button.toggled.connect(self._on_play)
        for button in (self.previous_button, self.next_button, self.play_button):
            row.addWidget(button)
        row.addStretch(1)
        right.addLayout(row)
        self.formula = QLabel()
        self.formula.setWordWrap(True)
        self.formula.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.formula.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.formula.setStyleSheet("font-size: 13pt; background: #f7f7f7; padding: 6px;")
        right.addWidget(self.formula, 1)
        layout.addLayout(right, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(int(PLAY_SECONDS * 1000))
        self.timer.timeout.connect(self._advance)

    def set_stages(self, stages: list[LabStage], keep: int = -1) -> None:
        self.stages = stages
        self.stage_list.blockSignals(True)
        self.stage_list.clear()
        for stage in stages:
            self.stage_list.addItem(f"{KIND_MARKS[stage.kind]}  {stage.title}")
        self.stage_list.blockSignals(False)
        self.go_to(min(keep, len(stages) - 1) if keep >= 0 else -1)

    def current(self) -> int:
        return self.stage_list.currentRow()

    def stage_count(self) -> int:
        return len(self.stages)

    def go_to(self, index: int) -> None:
        if index < -1 or index >= len(self.stages):
            return
        if index == self.current():
            self._on_row(index)
        else:
            self.stage_list.setCurrentRow(index)

    def show_text(self, html: str) -> None:
        self.formula.setText(html)

    def _on_row(self, index: int) -> None:
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.stages) - 1)
        if 0 <= index < len(self.stages):
            s = self.stages[index]
            note = f"<p style='color:#555'>{s.note}</p>" if s.note else ""
            self.formula.setText(f"<b>{s.title}</b><p>{s.formula}</p>"
                                 f"<p><b>{s.numbers.replace('; ', '<br>')}</b></p>{note}")
        else:
            self.formula.setText("Press Next to walk the forward pass, then the backward pass.")
        self.sigStageChanged.emit(index)

    def _on_play(self, on: bool) -> None:
        if on:
            if self.current() >= len(self.stages) - 1:
                self.go_to(0)
            self.timer.start()
        else:
            self.timer.stop()

    def _advance(self) -> None:
        if self.current() >= len(self.stages) - 1:
            self.play_button.setChecked(False)
            return
        self.go_to(self.current() + 1)
