"""The hidden-layer list of the architecture editor: one short row per layer (neurons,
activation, remove) and an "Add layer" button. It edits plain lists and reports changes with
one signal; the editor turns them into a Spec."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QGridLayout, QLabel, QPushButton, QSizePolicy, QSpinBox, QToolButton, QVBoxLayout,
    QWidget,
)

from engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from engine.spec import MAX_HIDDEN_LAYERS, MAX_NEURONS

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


class LayerRow:
    """The widgets of one hidden layer (they live in the LayerList's grid)."""

    def __init__(self, index: int, neurons: int, activation: str):
        self.label = QLabel()
        self.neurons_spin = QSpinBox()
        self.neurons_spin.setRange(1, MAX_NEURONS)
        self.neurons_spin.setKeyboardTracking(False)  # typing "12" must not rebuild at "1"
        self.neurons_spin.setValue(neurons)
        self.neurons_spin.setSuffix(" n")
        self.neurons_spin.setToolTip(
            f"Neurons in this layer (1–{MAX_NEURONS}). More neurons can bend the decision "
            "boundary in more places, but train slower and can overfit.")
        self.activation_combo = QComboBox()
        for i, name in enumerate(HIDDEN_ACTIVATIONS):
            self.activation_combo.addItem(activation_label(name), name)
            self.activation_combo.setItemData(i, activation_tooltip(name), Qt.ToolTipRole)
        self.activation_combo.setCurrentIndex(HIDDEN_ACTIVATIONS.index(activation))
        self.remove_button = QToolButton()
        self.remove_button.setText("−")
        self.remove_button.setAutoRaise(True)
        self.set_index(index)

    def set_index(self, index: int) -> None:
        self.label.setText(f"Layer {index + 1}")
        self.activation_combo.setToolTip(
            f"Activation of hidden layer {index + 1}. Its derivative multiplies the gradient "
            "flowing back through the layer: sigmoid/tanh saturate (vanishing gradients), "
            "ReLU passes 1 or 0 (dead neurons), linear layers add no expressive power.\n"
            + activation_tooltip(self.activation()))
        self.remove_button.setToolTip(f"Remove hidden layer {index + 1}")

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
        """Rebuild the rows from lists, without emitting."""
        for row in self.rows:
            for w in row.widgets():
                self._grid.removeWidget(w)
                w.deleteLater()
        self.rows = []
        for neurons, activation in zip(hidden, activations):
            self._append_row(neurons, activation)
        self._refresh()

    # ---- user edits -------------------------------------------------------------------------
    def _append_row(self, neurons: int, activation: str) -> None:
        row = LayerRow(len(self.rows), neurons, activation)
        r = len(self.rows)
        for col, w in enumerate(row.widgets()):
            self._grid.addWidget(w, r, col)
        row.neurons_spin.valueChanged.connect(self.sigChanged)
        row.activation_combo.currentIndexChanged.connect(lambda _i, row=row: self._on_act(row))
        row.remove_button.clicked.connect(lambda _c=False, row=row: self._on_remove(row))
        self.rows.append(row)

    def _on_add(self) -> None:
        if len(self.rows) >= MAX_HIDDEN_LAYERS:
            return
        last = self.rows[-1] if self.rows else None
        self._append_row(last.neurons() if last else 4, last.activation() if last else "tanh")
        self._refresh()
        self.sigChanged.emit()

    def _on_remove(self, row: LayerRow) -> None:
        # Rebuild rather than shuffle grid cells: the rows stay in order with no gaps.
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
