"""The lesson panel's widgets: the lesson and step titles, the step's text, progress, Back /
Next, Show me, Hint, Restart, and the task line with its answer box or "Which bug?" choice.
It shows a step; gui/lessons/lesson_link.py decides which and checks its task."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.bugs import BUGS
from gui.common.text_scale import title_font

DONE = "#1a7f37"
TASKS = {  # what the task line asks, by check
    "training_loss": "train until the training loss is where the text says",
    "accuracy": "train until the training accuracy is where the text says",
    "steps_trained": "train the network",
    "lab_value": "get the graph lab's value the text asks for",
    "lab_gradient": "get the graph lab's gradient the text asks for",
    "answer": "type your answer in the box below",
    "stage_reached": "walk the step-through to the stage the text names",
    "check_result": "run the gradient check",
    "bug_found": "pick the bug you think it is below",
    "grad_norm_ratio": "train and compare the layers' gradient norms",
    "alignment_angle": "train until the alignment angle is small",
    "option_set": "set the field the text names",
    "torch_result": "compare with PyTorch",
}


class LessonPanel(QWidget):
    sigBack = Signal()
    sigNext = Signal()
    sigShow = Signal()
    sigRestart = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._task_text = ""
        self.lesson_title = QLabel()
        self.lesson_title.setWordWrap(True)
        self.step_title = QLabel()
        self.step_title.setWordWrap(True)
        self.step_title.setFont(title_font())
        self.progress = QLabel()
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.task = QLabel()
        self.task.setWordWrap(True)
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("your answer, e.g. 0.125")
        self.bug_combo = QComboBox()
        self.bug_combo.addItem("Which bug?", None)
        for name, bug in BUGS.items():
            self.bug_combo.addItem(bug.title, name)
        self.hint_button = QPushButton("Hint")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.hide()
        self.show_button = QPushButton("Show me")
        self.back_button = QPushButton("◀ Back")
        self.next_button = QPushButton("Next ▶")
        self.restart_button = QPushButton("Restart")
        self.restart_button.setToolTip("Back to the lesson's first step")

        top = QHBoxLayout()
        top.addWidget(self.lesson_title, 1)
        top.addWidget(self.progress)
        actions = QHBoxLayout()
        actions.addWidget(self.show_button)
        actions.addWidget(self.hint_button)
        actions.addStretch(1)
        actions.addWidget(self.restart_button)
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.step_title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.task)
        layout.addWidget(self.answer)
        layout.addWidget(self.bug_combo)
        layout.addLayout(actions)
        layout.addWidget(self.hint)
        layout.addLayout(nav)

        self.back_button.clicked.connect(self.sigBack)
        self.next_button.clicked.connect(self.sigNext)
        self.show_button.clicked.connect(self.sigShow)
        self.restart_button.clicked.connect(self.sigRestart)
        self.hint_button.clicked.connect(self.reveal_hint)

    def show_step(self, lesson, index: int) -> None:
        step = lesson.steps[index]
        n = len(lesson.steps)
        self.lesson_title.setText(lesson.title)
        self.progress.setText(f"step {index + 1} of {n}")
        self.step_title.setText(step.title)
        self.text.setMarkdown(step.text)
        self.answer.clear()
        self.bug_combo.setCurrentIndex(0)
        task = step.task
        self.answer.setVisible(task is not None and task.name == "answer")
        self.bug_combo.setVisible(task is not None and task.name == "bug_found")
        self.task.setVisible(task is not None)
        self._task_text = TASKS.get(task.name, "do what the text asks") if task else ""
        self.hint.setText(f"Hint: {step.hint}" if step.hint else "")
        self.hint.hide()
        self.hint_button.setEnabled(bool(step.hint))
        self.show_button.setEnabled(step.show is not None)
        self.back_button.setEnabled(index > 0)
        self.next_button.setText("Finish" if index == n - 1 else "Next ▶")
        self.set_done(False)

    def reveal_hint(self) -> None:
        self.hint.setVisible(bool(self.hint.text()))

    def set_done(self, done: bool) -> None:
        if done:
            self.task.setText(f"<span style='color:{DONE}'><b>✓ done</b></span> — "
                              "press Next when you are ready.")
        else:
            self.task.setText(f"<b>Task:</b> {self._task_text} (this line turns green when "
                              "it is done).")

    def typed_answer(self) -> float | None:
        text = self.answer.text().strip().replace("−", "-").replace(",", ".")
        try:
            return float(text)
        except ValueError:
            return None

    def chosen_bug(self) -> str | None:
        return self.bug_combo.currentData()

    def set_text_scale(self, scale: float) -> None:
        """Presentation mode: the step's title keeps a quarter above the (scaled) text."""
        self.step_title.setFont(title_font(scale))
