"""The architecture section of the editor and the small widgets the editor is built from.

`ArchitectureBox` holds the hidden-layer list (one short row per layer: neurons, activation,
remove, plus "Add layer"), the output-activation/loss pair and the initialiser. The pairs offered
depend on the task (regression, binary, multi-class), so only consistent ones can be chosen.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from engine.datasets import data_task
from engine.initializers import INITIALIZER_LABELS, INITIALIZERS
from engine.losses import LOSS_LABELS, LOSSES
from engine.spec import MAX_HIDDEN_LAYERS, MAX_NEURONS, Spec
from gui.common.wheel_guard import guard_wheel

SPIN_WIDTH = 84
ACTIVATION_LABELS = {
    "linear": "linear", "relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU",
    "sigmoid": "sigmoid", "tanh": "tanh", "softplus": "softplus", "swish": "swish",
    "softmax": "softmax",
}


def activation_label(name: str) -> str:
    return ACTIVATION_LABELS.get(name, name)


def activation_tooltip(name: str) -> str:
    act = ACTIVATIONS[name]
    return f"{activation_label(name)}: f(z) = {act.formula},  f′(z) = {act.derivative_formula}"


FIXED_DATASETS = ("given", "csv")  # not generators: offered only when a spec carries them
LOSS_ORDER = ("bce", "ce", "mse")  # the first valid pair is the default for a task
LOSS_SHORT = {"mse": "MSE"}


def output_loss_pairs(task: str) -> list[tuple[str, str]]:
    """(output activation, loss) pairs that fit a task: regression, multiclass, binary or any."""
    names = sorted(LOSSES, key=lambda n: LOSS_ORDER.index(n) if n in LOSS_ORDER else 99)
    allowed = {"regression": {"mse"}, "multiclass": {"ce"}}.get(task, set(names))
    return [(act, n) for n in names if n in allowed for act in LOSSES[n].output_activations]


def pair_label(activation: str, loss: str) -> str:
    return f"{activation_label(activation)} + {LOSS_SHORT.get(loss, LOSS_LABELS.get(loss, loss))}"


_given_task: list = [None, None]  # [labels list, task] of the last "given" dataset asked about


def task_of(spec: Spec) -> str:
    """regression, multiclass or binary: what the spec's data will be (the engine decides)."""
    if spec.dataset == "given" and _given_task[0] is spec.labels is not None:
        return _given_task[1]  # the engine checks 100,000 given labels one by one: ~80 ms
    task, classes = data_task(spec.dataset, spec.labels, spec.csv_path, spec.label_column,
                              spec.classes)
    task = "regression" if task == "regression" else "multiclass" if classes > 2 else "binary"
    if spec.dataset == "given":
        # The same list object means the same labels: copies of a spec share it and nobody
        # edits it in place (see architecture_editor.CARRIED_FIELDS). Holding it keeps its
        # identity from being reused by another list.
        _given_task[:] = [spec.labels, task]
    return task


class CompactDoubleSpinBox(QDoubleSpinBox):
    """Shows 0.03 rather than 0.03000; with a ladder, the arrows walk through fixed values."""

    def __init__(self, minimum, maximum, decimals, step=None, ladder=(), parent=None):
        super().__init__(parent)
        self._ladder = tuple(ladder)
        self.setDecimals(decimals)
        self.setRange(minimum, maximum)
        if step is not None:
            self.setSingleStep(step)
        self.setKeyboardTracking(False)  # typing "0.05" must not act at "0.0"
        self.setFixedWidth(SPIN_WIDTH)
        guard_wheel(self)  # scrolling the sidebar must not change the value

    def textFromValue(self, value: float) -> str:
        locale = self.locale()
        text = locale.toString(value, "f", self.decimals())
        point = locale.decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text

    def stepBy(self, steps: int) -> None:
        if not self._ladder:
            return super().stepBy(steps)
        value = self.value()
        for _ in range(abs(steps)):
            if steps > 0:
                higher = [v for v in self._ladder if v > value * (1 + 1e-9)]
                value = higher[0] if higher else self.maximum()
            else:
                lower = [v for v in self._ladder if v < value * (1 - 1e-9)]
                value = lower[-1] if lower else self.minimum()
        self.setValue(value)


def spin_box(minimum, maximum, step=1, suffix="", tip=""):
    spin = QSpinBox()
    spin.setRange(minimum, maximum)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)
    spin.setFixedWidth(SPIN_WIDTH)
    spin.setToolTip(tip)
    return guard_wheel(spin)


def choice_combo(items: dict[str, str], tip: str) -> QComboBox:
    combo = QComboBox()
    for key, label in items.items():
        combo.addItem(label, key)
    combo.setToolTip(tip)
    return guard_wheel(narrow_combo(combo))


def narrow_combo(combo: QComboBox) -> QComboBox:
    """Let a combo shrink below its longest entry so the panel stays about 300 px wide."""
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    return combo


def form_layout(group: QGroupBox) -> QFormLayout:
    form = QFormLayout(group)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
    form.setHorizontalSpacing(8)
    form.setVerticalSpacing(5)
    return form


def hbox(*widgets) -> QHBoxLayout:
    box = QHBoxLayout()
    box.setSpacing(6)
    for w in widgets:
        box.addWidget(w)
    box.addStretch(1)
    return box


def show_value(spin, value) -> None:
    """Show a value even when a loaded spec lies outside the spin's usual range."""
    spin.setRange(min(spin.minimum(), value), max(spin.maximum(), value))
    spin.setValue(value)


def select_data(combo: QComboBox, data) -> None:
    for i in range(combo.count()):
        if combo.itemData(i) == data:
            combo.setCurrentIndex(i)
            return


class LayerRow:
    """The widgets of one hidden layer (they live in the LayerList's grid).

    They are created as children of `parent` (the LayerList): a widget without a parent is a
    window of its own, and one shown even briefly steals the focus from the main window."""

    def __init__(self, parent: QWidget, index: int, neurons: int, activation: str):
        self.label = QLabel(parent)
        self.neurons_spin = guard_wheel(QSpinBox(parent))
        self.neurons_spin.setRange(1, MAX_NEURONS)
        self.neurons_spin.setKeyboardTracking(False)  # typing "12" must not rebuild at "1"
        self.neurons_spin.setValue(neurons)
        self.neurons_spin.setFixedWidth(52)
        self.neurons_spin.setToolTip(
            f"Neurons in this layer (1–{MAX_NEURONS}). More neurons can bend the decision "
            "boundary in more places, but train slower and can overfit.")
        self.activation_combo = guard_wheel(QComboBox(parent))
        self.activation_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.activation_combo.setMinimumContentsLength(6)
        for i, name in enumerate(HIDDEN_ACTIVATIONS):
            self.activation_combo.addItem(activation_label(name), name)
            self.activation_combo.setItemData(i, activation_tooltip(name), Qt.ToolTipRole)
        self.activation_combo.setCurrentIndex(HIDDEN_ACTIVATIONS.index(activation))
        self.remove_button = QToolButton(parent)
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setFixedSize(22, 22)
        self.set_index(index)

    def set_index(self, index: int) -> None:
        self.label.setText(f"Layer {index + 1}")
        self.activation_combo.setToolTip(
            f"Activation of hidden layer {index + 1}. Its derivative multiplies the gradient "
            "flowing back through the layer: sigmoid/tanh saturate (vanishing gradients), "
            "ReLU passes 1 or 0 (dead neurons), linear layers add no expressive power.\n"
            + activation_tooltip(self.activation()))
        self.remove_button.setToolTip(f"Remove hidden layer {index + 1}")

    def show_layer(self, neurons: int, activation: str) -> None:
        """Show other values without emitting (the list reuses rows when it is refilled)."""
        with QSignalBlocker(self.neurons_spin), QSignalBlocker(self.activation_combo):
            self.neurons_spin.setValue(neurons)
            self.activation_combo.setCurrentIndex(HIDDEN_ACTIVATIONS.index(activation))

    def neurons(self) -> int:
        return self.neurons_spin.value()

    def activation(self) -> str:
        return self.activation_combo.currentData()

    def widgets(self):
        return (self.label, self.neurons_spin, self.activation_combo, self.remove_button)


class LayerList(QWidget):
    """Rows of hidden layers plus an "Add layer" button. `sigChanged` fires on user edits only."""

    sigChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[LayerRow] = []
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(3)
        self._grid.setColumnStretch(2, 1)
        self._header = []
        for col, text in ((1, "neurons"), (2, "activation")):
            label = QLabel(f"<small>{text}</small>")
            label.setEnabled(False)  # greyed: a caption, not a control
            self._grid.addWidget(label, 0, col)
            self._header.append(label)
        self._empty_label = QLabel("No hidden layers: the inputs feed the output directly "
                                   "(a linear model).")
        self._empty_label.setWordWrap(True)
        self._empty_label.setEnabled(False)
        self.add_layer_button = QPushButton("+  Add layer")
        self.add_layer_button.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Fixed)
        self.add_layer_button.setToolTip(
            f"Append a hidden layer (copying the last one's size and activation), up to "
            f"{MAX_HIDDEN_LAYERS}. Depth lets the network compose features, but very deep "
            "sigmoid/tanh stacks suffer from vanishing gradients.")
        self.add_layer_button.clicked.connect(self._on_add)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._grid)
        layout.addWidget(self._empty_label)
        layout.addWidget(self.add_layer_button)

    # ---- model side -------------------------------------------------------------------------
    def layers(self) -> tuple[list[int], list[str]]:
        return [r.neurons() for r in self.rows], [r.activation() for r in self.rows]

    def set_layers(self, hidden: list[int], activations: list[str]) -> None:
        """Show the layers from lists, without emitting. Existing rows are reused (a focused
        box keeps its focus); only surplus rows are removed and missing ones added."""
        layers = list(zip(hidden, activations))
        for row, (neurons, activation) in zip(self.rows, layers):
            row.show_layer(neurons, activation)
        while len(self.rows) > len(layers):
            self._drop_row(self.rows.pop())
        for neurons, activation in layers[len(self.rows):]:
            self._append_row(neurons, activation)
        self._refresh()

    # ---- user edits -------------------------------------------------------------------------
    def _append_row(self, neurons: int, activation: str) -> None:
        row = LayerRow(self, len(self.rows), neurons, activation)
        r = len(self.rows) + 1  # grid row 0 holds the captions
        for col, w in enumerate(row.widgets()):
            self._grid.addWidget(w, r, col)
        row.neurons_spin.valueChanged.connect(self.sigChanged)
        row.activation_combo.currentIndexChanged.connect(lambda _i, row=row: self._on_act(row))
        row.remove_button.clicked.connect(lambda _c=False, row=row: self._on_remove(row))
        self.rows.append(row)

    def _drop_row(self, row: LayerRow) -> None:
        for w in row.widgets():
            self._grid.removeWidget(w)
            # Hidden, but still a child: reparenting to None would make it a window, which a
            # pending "show when laid out" call then opens. Qt deletes it once the current
            # signal (maybe this row's own remove button) has returned.
            w.hide()
            w.deleteLater()

    def _on_add(self) -> None:
        if len(self.rows) >= MAX_HIDDEN_LAYERS:
            return
        last = self.rows[-1] if self.rows else None
        self._append_row(last.neurons() if last else 4, last.activation() if last else "tanh")
        self._refresh()
        self.sigChanged.emit()

    def _on_remove(self, row: LayerRow) -> None:
        # Shift the values up and drop the last row, rather than shuffle grid cells: the rows
        # stay in order with no gaps.
        hidden, activations = self.layers()
        i = self.rows.index(row)
        del hidden[i], activations[i]
        self.set_layers(hidden, activations)
        self.sigChanged.emit()

    def _on_act(self, row: LayerRow) -> None:
        row.set_index(self.rows.index(row))  # refresh the formula in the tooltip
        self.sigChanged.emit()

    def _refresh(self) -> None:
        for i, row in enumerate(self.rows):
            row.set_index(i)
        full = len(self.rows) >= MAX_HIDDEN_LAYERS
        self.add_layer_button.setEnabled(not full)
        self.add_layer_button.setText(f"Maximum of {MAX_HIDDEN_LAYERS} layers" if full
                                      else "+  Add layer")
        self._empty_label.setVisible(not self.rows)
        for label in self._header:
            label.setVisible(bool(self.rows))


class ArchitectureBox(QGroupBox):
    """Hidden layers, output/loss pair and initialiser. The editor connects to the widgets."""

    def __init__(self, parent=None):
        super().__init__("Architecture", parent)
        box = QVBoxLayout(self)
        box.setSpacing(6)
        self.layer_list = LayerList()
        self.layer_list.setToolTip("Hidden layers, from the input side to the output side.")
        box.addWidget(self.layer_list)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.WrapAllRows)  # full width for "sigmoid + binary …"
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(3)
        self.output_combo = guard_wheel(narrow_combo(QComboBox()))
        self.output_combo.setToolTip(
            "Output activation and loss, offered only in pairs whose gradient makes sense: "
            "sigmoid + binary cross-entropy and softmax + cross-entropy give the simple error "
            "signal ŷ − y; MSE is for regression (or to see how slowly it trains a saturated "
            "sigmoid). Multi-class data needs softmax, regression needs MSE.")
        form.addRow("Output / loss", self.output_combo)
        self.init_combo = choice_combo(
            {k: INITIALIZER_LABELS.get(k, k) for k in INITIALIZERS},
            "How the weights start. Glorot/Xavier suits tanh and sigmoid, He suits ReLU; "
            "all zeros makes every neuron in a layer learn the same thing (symmetry is never "
            "broken).")
        form.addRow("Initialiser", self.init_combo)
        box.addLayout(form)
        self.weights_note = QLabel("Starts from the spec's explicit weights. Changing the "
                                   "data or the network replaces them with random ones.")
        self.weights_note.setWordWrap(True)
        self.weights_note.setEnabled(False)  # greyed: a remark, not a control
        box.addWidget(self.weights_note)

    def show_spec(self, spec: Spec) -> None:
        """Fill every widget from a spec (the caller guards against echoed signals)."""
        self.layer_list.set_layers(spec.hidden, spec.activations)
        self.show_output_pairs(spec)
        select_data(self.init_combo, spec.initializer)
        self.weights_note.setVisible(spec.weights is not None)

    def show_output_pairs(self, spec: Spec) -> None:
        """Offer the pairs valid for the spec's task, plus a loaded inconsistent one (truthful)."""
        pairs = output_loss_pairs(task_of(spec))
        current = (spec.output_activation, spec.loss)
        if current not in pairs:
            pairs.append(current)
        self.output_combo.clear()
        for activation, loss in pairs:
            self.output_combo.addItem(pair_label(activation, loss), f"{activation}|{loss}")
        select_data(self.output_combo, "|".join(current))

    def output_pair(self) -> tuple[str, str] | None:
        data = self.output_combo.currentData()
        return tuple(data.split("|")) if data else None
