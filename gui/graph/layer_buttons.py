"""The − / + buttons above each hidden column of the node graph (TensorFlow Playground has them
too): where they sit, which one is under the mouse, what it says, and how it is drawn. The graph
only reports a click; the window turns it into an edit of the editor's own neuron box, so the
rebuild, its undo and its limits are the editor's."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen

from engine.spec import MAX_NEURONS

SIZE = 16.0  # px a side, at most
GAP = 4.0  # px between a column's two buttons
ROW = SIZE + 6.0  # height the row of buttons takes above the nodes


class LayerButton(NamedTuple):
    layer: int  # the column (hidden layer k is column k)
    delta: int  # +1 adds a neuron, −1 removes one
    rect: QRectF
    enabled: bool


def place_buttons(sizes, col_x, y: float, size: float = SIZE) -> list[LayerButton]:
    """A − and a + for every hidden column, side by side and centred over it, at height y;
    narrow columns get smaller buttons rather than overlapping ones."""
    if len(sizes) < 3:
        return []
    spacing = min(b - a for a, b in zip(col_x, col_x[1:]))
    size = max(min(size, (spacing - 2 * GAP) / 2), 6.0)
    buttons = []
    for layer in range(1, len(sizes) - 1):
        x, n = float(col_x[layer]), int(sizes[layer])
        buttons.append(LayerButton(layer, -1, QRectF(x - GAP / 2 - size, y, size, size), n > 1))
        buttons.append(LayerButton(layer, +1, QRectF(x + GAP / 2, y, size, size),
                                   n < MAX_NEURONS))
    return buttons


def button_at(buttons, x: float, y: float) -> LayerButton | None:
    return next((b for b in buttons if b.rect.adjusted(-1, -1, 1, 1).contains(x, y)), None)


def button_tip(button: LayerButton, sizes, editable: bool) -> str:
    n = int(sizes[button.layer])
    what = "Add a neuron to" if button.delta > 0 else "Remove a neuron from"
    tip = f"{what} hidden layer {button.layer} ({n} → {n + button.delta}): rebuilds the network"
    if not editable:
        return tip + "\n(not while a training step is being stepped through)"
    if not button.enabled:
        return (f"Hidden layer {button.layer} has {n} neuron{'s' * (n != 1)}: "
                f"{'the most a layer can have' if button.delta > 0 else 'it keeps at least one'}")
    return tip + " (Ctrl+Z undoes it)"


def draw_buttons(p, font, buttons, hovered: LayerButton | None, editable: bool) -> None:
    """Rounded squares with − and +; greyed when they cannot act."""
    p.setFont(font)
    for b in buttons:
        active = editable and b.enabled
        hover = active and hovered is not None and hovered[:2] == b[:2]
        p.setPen(QPen(QColor(90, 90, 90) if active else QColor(200, 200, 200), 1.0))
        p.setBrush(QColor(225, 235, 245) if hover else QColor(250, 250, 250))
        p.drawRoundedRect(b.rect, 3, 3)
        p.setPen(QColor(40, 40, 40) if active else QColor(190, 190, 190))
        p.drawText(b.rect, Qt.AlignCenter, "+" if b.delta > 0 else "−")
