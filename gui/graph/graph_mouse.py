"""What the mouse does on the node graph, as a mixin of NetworkGraph: hover read-outs, selecting
a neuron or a weight, editing a weight by clicking it, and the − / + neuron buttons."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QInputDialog, QToolTip

from gui.graph.graph_layout import edge_at, node_at
from gui.graph.layer_buttons import button_at, button_tip


class GraphMouse:
    def text_at(self, pos: QPointF) -> str:
        """The tooltip text for a canvas position ('' over empty space)."""
        button, node, edge = self._item_at(pos)
        if button is not None:
            return button_tip(button, self._sizes, self.editing_enabled)
        return self.neuron_text(*node) if node else self.edge_text(*edge) if edge else ""

    def edit_weight(self, layer: int, i: int, j: int) -> float | None:
        """Ask for a new value of W⁽layer⁾[i, j]; emits sigWeightEdited on OK."""
        if self._stats is None:
            return None
        text = self.edge_text(layer, i, j)  # "W²[1→3] = …\n(from … to …)"
        label = f"{text.split(' = ')[0]} {text.splitlines()[-1]}:"
        current = float(self._stats.weights[layer - 1][i, j])
        # The window parents it: its font (presentation mode's, say) is the one to show.
        value, ok = QInputDialog.getDouble(self.window(), "Edit weight", label, current,
                                           -100.0, 100.0, 4)
        if not ok:
            return None
        self.sigWeightEdited.emit(layer, i, j, float(value))
        return float(value)

    def press_neuron_button(self, layer: int, delta: int) -> bool:
        """As a click on hidden layer `layer`'s − (delta −1) or + (+1) button: emits
        sigNeuronsChanged unless the button cannot act. True if it did."""
        self._ensure_geometry()
        button = next((b for b in self._buttons if (b.layer, b.delta) == (layer, delta)), None)
        if button is None or not button.enabled or not self.editing_enabled:
            return False
        self.sigNeuronsChanged.emit(layer, delta)
        return True

    def _item_at(self, pos):
        """(button, node, edge) under canvas position `pos`, at most one of them not None."""
        self._ensure_geometry()
        button = button_at(self._buttons, pos.x(), pos.y())
        if button is not None:
            return button, None, None
        node = node_at(self._layout, pos.x(), pos.y())
        return None, node, None if node else edge_at(self._layout, pos.x(), pos.y())

    def _hover(self, pos, global_pos):
        button, node, edge = self._item_at(pos) if pos is not None else (None, None, None)
        if node != self._hover_node:
            self.sigNeuronHovered.emit(*(node or (-1, -1)))
        if (button, node, edge) != (self._hover_button, self._hover_node, self._hover_edge):
            self._hover_button, self._hover_node, self._hover_edge = button, node, edge
            self.canvas.update()
        text = self.text_at(pos) if pos is not None else ""
        if text and global_pos is not None:
            QToolTip.showText(global_pos, text, self.canvas)
        else:
            QToolTip.hideText()

    def _click(self, pos):
        button, node, edge = self._item_at(pos)
        if button is not None:
            self.press_neuron_button(button.layer, button.delta)
        elif node is not None:
            self._selected_edge = None
            self.set_selected_neuron(*node)
            self.sigNeuronClicked.emit(*node)
        elif edge is not None:
            self._selected_neuron = None
            self.set_selected_edge(*edge)
            self.sigEdgeClicked.emit(*edge)
            if self.editing_enabled:
                self.edit_weight(*edge)
