"""The graph lab's left column: the expression editor with the lessons' examples, the inputs
table (value, and whether gradient descent may change it), a gradient-descent step, and the
numeric check switch. It only shows and collects; gui/lab/lab_mode.py computes."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.common.wheel_guard import guard_wheel
from gui.playground.layer_list import CompactDoubleSpinBox

# The lessons' examples, in their order: (button, expression, input values, parameters).
EXAMPLES = [
    ("Chain rule", "(2*x + 1)**3", {"x": 2.0}, ()),
    ("(w·x + b)²", "L = (w*x + b)**2", {"w": 0.5, "x": 2.0, "b": 0.1}, ("w", "b")),
    ("One neuron", "z = w*x + b\na = sigmoid(z)\nL = mse(a, y)",
     {"w": 0.5, "x": 1.5, "b": 0.0, "y": 1.0}, ("w", "b")),
    ("Worked example", "z1 = w1*x + b1\na1 = relu(z1)\nz2 = w2*a1 + b2\na2 = sigmoid(z2)\n"
     "L = mse(a2, y)", {"x": 2.0, "w1": 0.5, "b1": 0.1, "w2": 0.8, "b2": 0.2, "y": 1.0},
     ("w1", "b1", "w2", "b2")),
]


class LabControls(QWidget):
    sigApply = Signal()  # the expression or an input value changed: rebuild the graph
    sigStep = Signal()  # one gradient-descent step on the parameters
    sigNumericCheck = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        box = QGroupBox("Expression")
        grid = QVBoxLayout(box)
        self.editor = QPlainTextEdit()
        self.editor.setToolTip(
            "One operation per line is fine: z = w*x + b, then a = sigmoid(z), then "
            "L = mse(a, y). Functions: exp log sqrt tanh sigmoid relu sin cos abs, and the "
            "losses mse(a, y), bce(a, y). Ctrl+Return applies.")
        self.editor.setFixedHeight(96)
        grid.addWidget(self.editor)
        self.apply_button = QPushButton("Apply  (Ctrl+Return)")
        self.apply_button.clicked.connect(self.sigApply)
        QShortcut(QKeySequence("Ctrl+Return"), self.editor, activated=self.sigApply.emit)
        grid.addWidget(self.apply_button)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error_label.hide()
        grid.addWidget(self.error_label)
        examples = QGridLayout()
        self.example_buttons = []
        for i, (label, text, _values, _params) in enumerate(EXAMPLES):
            button = QPushButton(label)
            button.setToolTip(text.replace("\n", "; "))
            button.clicked.connect(lambda _=False, k=i: self.load_example(k))
            examples.addWidget(button, i // 2, i % 2)
            self.example_buttons.append(button)
        grid.addLayout(examples)
        layout.addWidget(box)

        inputs = QGroupBox("Inputs")
        column = QVBoxLayout(inputs)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["input", "value", "learned"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setToolTip("Double-click a value to change it. Learned inputs are the "
                              "parameters a gradient step changes (w ← w − η·∂L/∂w).")
        self.table.itemChanged.connect(self._on_item)
        column.addWidget(self.table)
        row = QGridLayout()
        row.addWidget(QLabel("η"), 0, 0)
        self.lr_spin = guard_wheel(CompactDoubleSpinBox(0.0001, 100.0, 4, step=0.05))
        self.lr_spin.setValue(0.1)
        self.lr_spin.setToolTip("Learning rate of the gradient step")
        row.addWidget(self.lr_spin, 0, 1)
        self.step_button = QPushButton("Gradient step")
        self.step_button.setToolTip("Take one step w ← w − η·∂L/∂w on every learned input")
        self.step_button.clicked.connect(self.sigStep)
        row.addWidget(self.step_button, 0, 2)
        column.addLayout(row)
        self.check_box = QCheckBox("Numeric check (central differences)")
        self.check_box.setToolTip("Show (f(x+h) − f(x−h)) / 2h beside each input's gradient")
        self.check_box.toggled.connect(self.sigNumericCheck)
        column.addWidget(self.check_box)
        layout.addWidget(inputs, 1)

    # -- model side ---------------------------------------------------------------------------
    def expression(self) -> str:
        return self.editor.toPlainText()

    def load_example(self, k: int) -> None:
        _label, text, values, params = EXAMPLES[k]
        self.editor.setPlainText(text)
        self.show_inputs(list(values), values, params)
        self.sigApply.emit()

    def values(self) -> dict[str, float]:
        result = {}
        for r in range(self.table.rowCount()):
            name = self.table.item(r, 0).text()
            try:
                result[name] = float(self.table.item(r, 1).text())
            except ValueError:
                pass  # the engine says the input needs a value
        return result

    def parameters(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())
                if self.table.item(r, 2).checkState() == Qt.Checked]

    def show_inputs(self, names, values: dict[str, float], params=None) -> None:
        """One row per input, keeping values (and learned marks) already typed for a name."""
        current = [self.table.item(r, 0).text() for r in range(self.table.rowCount())]
        if list(names) == current and not values and params is None:
            return  # nothing to change (and the table may be inside its own itemChanged)
        old_values, old_params = self.values(), set(self.parameters())
        learned = set(params) if params is not None else old_params
        self._filling = True
        try:
            self.table.setRowCount(len(names))
            for r, name in enumerate(names):
                item = QTableWidgetItem(name)
                item.setFlags(Qt.ItemIsEnabled)
                self.table.setItem(r, 0, item)
                value = values.get(name, old_values.get(name, 1.0))
                self.table.setItem(r, 1, QTableWidgetItem(f"{value:.6g}"))
                check = QTableWidgetItem()
                check.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
                default = name not in ("x", "y")
                check.setCheckState(Qt.Checked if (name in learned if params is not None or
                                                   name in old_values else default)
                                    else Qt.Unchecked)
                self.table.setItem(r, 2, check)
        finally:
            self._filling = False

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _on_item(self, item) -> None:
        if not self._filling and item.column() == 1:
            # After the edit has finished: applying may rebuild the table's rows.
            QTimer.singleShot(0, self.sigApply.emit)
