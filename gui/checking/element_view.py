"""The per-element view of one checked tensor: a heatmap of how much each element disagrees
(analytic from backprop vs numeric from central differences), elements skipped at a kink and
elements not sampled drawn apart, the worst element outlined, and its numbers spelled out."""

from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsRectItem,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from gui.checking.check_rows import (
    COMPARED,
    NOT_SAMPLED,
    SKIPPED,
    element_kinds,
    element_name,
    element_shares,
    fmt_difference,
    fmt_threshold,
    fmt_value,
    layer_and_kind,
    tensor_label,
    worst_elements,
)
from gui.common.colors import map_values

# Share of the disagreement on a log scale: pale green (agrees) … green at the threshold, then
# orange … dark red (disagrees as much as it agrees).
LOG_FLOOR = -16.0  # log10 of the smallest share told apart (float64's resolution)
PALE_GREEN, GREEN = (225, 243, 228), (46, 150, 80)
ORANGE, DARK_RED = (250, 176, 110), (170, 20, 20)
SKIPPED_GREY, NOT_SAMPLED_WHITE = (150, 150, 150), (250, 250, 250)
WORST_PEN = (20, 20, 20)
MAX_PLOT_HEIGHT = 320  # beyond this the cells only get bigger
MAX_TICKS = 12
MAX_GRID_CELLS = 2500  # neuron numbers on the axes up to this many rows/columns


def share_colormap(threshold: float) -> pg.ColorMap:
    t = (math.log10(threshold) - LOG_FLOOR) / -LOG_FLOOR
    return pg.ColorMap([0.0, t, min(t + 1e-6, 1.0), 1.0], [PALE_GREEN, GREEN, ORANGE, DARK_RED])


def _swatch(rgb, text: str, hollow: bool = False) -> str:
    colour = "#888888" if hollow else "#{:02x}{:02x}{:02x}".format(*rgb)
    return f"<span style='color:{colour}'>{'□' if hollow else '■'}</span>&nbsp;{text}"


def _cell_lines(rows: int, columns: int) -> QPainterPath:
    """Lines between the cells (none when there are too many to see)."""
    path = QPainterPath()
    if rows * columns > MAX_GRID_CELLS:
        return path
    for r in range(1, rows):
        path.moveTo(0, r)
        path.lineTo(columns, r)
    for c in range(1, columns):
        path.moveTo(c, 0)
        path.lineTo(c, rows)
    return path


class ElementView(QWidget):
    """Show one GradcheckResult element by element (set_result), at a threshold."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None
        self.threshold = 1e-7
        self.worst: list = []
        self.title = QLabel("Select a tensor above to see its elements.")
        self.title.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(160)  # axes, labels and cells without overlap
        self.plot.setMaximumHeight(MAX_PLOT_HEIGHT)
        self.plot.getViewBox().invertY(True)
        self.plot.getViewBox().setAspectLocked(True)
        self.plot.setToolTip("One cell per element: its share |aᵢ − nᵢ| / (‖a‖ + ‖n‖) of the "
                             "tensor's relative difference. Hover a cell for its numbers.")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.marker = QGraphicsRectItem()
        pen = QPen(pg.mkColor(*WORST_PEN))
        pen.setWidthF(3)
        pen.setCosmetic(True)
        self.marker.setPen(pen)
        self.marker.setZValue(10)
        self.marker.hide()
        self.plot.addItem(self.marker)
        self.grid = QGraphicsPathItem()  # thin lines between cells, so each one reads apart
        grid_pen = QPen(pg.mkColor(255, 255, 255))
        grid_pen.setCosmetic(True)
        self.grid.setPen(grid_pen)
        self.grid.setZValue(5)
        self.plot.addItem(self.grid)
        self.plot.scene().sigMouseMoved.connect(self._hovered)
        self.key = QLabel()
        self.key.setWordWrap(True)
        self.key.setStyleSheet("color:#444")
        self.hover_label = QLabel(" ")
        self.hover_label.setStyleSheet("color:#444")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.key)
        layout.addWidget(self.hover_label)
        layout.addWidget(self.details)
        layout.addStretch(0)
        self.clear()

    def clear(self) -> None:
        self.result = None
        self.worst = []
        self.image.clear()
        self.marker.hide()
        self.grid.setPath(QPainterPath())
        self.title.setText("Select a tensor above to see its elements.")
        self.key.setText("")
        self.details.setText("")
        self.hover_label.setText(" ")

    def set_result(self, result, threshold: float) -> None:
        self.result, self.threshold = result, threshold
        shape = result.analytic.shape
        rows, columns = (shape if len(shape) == 2 else (1, int(np.prod(shape))))
        kinds = element_kinds(result).reshape(rows, columns)
        shares = element_shares(result).reshape(rows, columns)
        with np.errstate(divide="ignore"):
            logs = np.log10(np.where(kinds == COMPARED, shares, 1.0))
        # The shares add up in squares to the tensor's difference: n cells each below t/√n keep
        # the tensor below t, so a failed tensor always shows at least one cell above that.
        cell_limit = threshold / math.sqrt(max(result.checked, 1))
        rgba = map_values(logs, share_colormap(cell_limit), LOG_FLOOR, 0.0).reshape(
            rows, columns, 4)
        rgba[kinds == SKIPPED, :3] = SKIPPED_GREY
        rgba[kinds == NOT_SAMPLED, :3] = NOT_SAMPLED_WHITE
        self.image.setImage(rgba, autoLevels=False)
        self.image.setRect(QRectF(0, 0, columns, rows))
        self.grid.setPath(_cell_lines(rows, columns))
        self._label_axes(result.name, rows, columns)
        self.worst = worst_elements(result)
        if self.worst:
            index = self.worst[0][0]
            row, column = (index if len(index) == 2 else (0, index[0]))
            self.marker.setRect(QRectF(column, row, 1, 1))
            self.marker.show()
        else:
            self.marker.hide()
        # As tall as the cells need at this width (square cells), within bounds.
        width = max(self.plot.width(), 200)
        self.plot.setMaximumHeight(int(min(MAX_PLOT_HEIGHT,
                                           max(90, (width - 60) * rows / columns + 60))))
        self.plot.getViewBox().autoRange(padding=0.02)
        self.title.setText(f"<b>{tensor_label(result.name, shape)}</b>, element by element"
                           + (" (the outlined cell is the worst):" if self.worst else ":"))
        self.key.setText("Cell: its share |aᵢ − nᵢ| / (‖a‖ + ‖n‖), log scale: " + "  ".join([
            _swatch(GREEN, f"below {fmt_threshold(threshold)}"
                    + (f"/√{result.checked}" if result.checked > 1 else "")),
            _swatch(ORANGE, "above"),
            _swatch(SKIPPED_GREY, "skipped at a kink"),
            _swatch(NOT_SAMPLED_WHITE, "not sampled", hollow=True)]))
        self.details.setText(self._details_html())
        self.hover_label.setText("Hover a cell for its numbers.")

    def _label_axes(self, name: str, rows: int, columns: int) -> None:
        layer, kind = layer_and_kind(name)
        left, bottom = self.plot.getAxis("left"), self.plot.getAxis("bottom")
        if kind == "W":
            left.setLabel(f"from neuron (layer {layer - 1})")
            bottom.setLabel(f"to neuron (layer {layer})")
        else:
            left.setLabel("")
            bottom.setLabel(f"neuron (layer {layer})")
        for axis, count in ((left, rows), (bottom, columns)):
            if count <= MAX_TICKS and not (axis is left and kind != "W"):
                axis.setTicks([[(i + 0.5, str(i + 1)) for i in range(count)], []])
            else:
                axis.setTicks(None)
            axis.setStyle(showValues=not (axis is left and kind != "W"))

    def _details_html(self) -> str:
        r = self.result
        if not self.worst:
            note = r.note(self.threshold) or "no element was compared"  # the engine's reason
            return f"<i>Not checked: {html.escape(note.rstrip('.'))}.</i>"
        lines = ["<table cellspacing=0 cellpadding=2><tr><th align=left>element</th>"
                 "<th align=right>analytic (backprop)</th><th align=right>numeric</th>"
                 "<th align=right>share</th></tr>"]
        for k, (index, analytic, numeric, share) in enumerate(self.worst):
            style = " style='font-weight:bold'" if k == 0 else ""
            lines.append(f"<tr{style}><td>{element_name(r.name, index)}</td>"
                         f"<td align=right>{fmt_value(analytic)}</td>"
                         f"<td align=right>{fmt_value(numeric)}</td>"
                         f"<td align=right>{fmt_difference(share)}</td></tr>")
        lines.append("</table>")
        return "".join(lines)

    def _hovered(self, scene_pos) -> None:
        if self.result is None:
            return
        point = self.plot.getViewBox().mapSceneToView(scene_pos)
        text = self.element_text(int(math.floor(point.y())), int(math.floor(point.x())))
        self.hover_label.setText(text or "Hover a cell for its numbers.")

    def element_text(self, row: int, column: int) -> str:
        """One element's numbers, by its cell ('' outside the tensor)."""
        r = self.result
        shape = r.analytic.shape
        if len(shape) == 2:
            index = (row, column)
        else:
            index = (column,) if row == 0 else (-1,)
        if not all(0 <= i < n for i, n in zip(index, shape)):
            return ""
        kind = element_kinds(r)[index]
        head = f"{element_name(r.name, index)}: analytic {fmt_value(float(r.analytic[index]))}"
        if kind == SKIPPED:
            return head + ", skipped (±ε crosses a kink)"
        if kind == NOT_SAMPLED:
            return head + ", not sampled"
        share = element_shares(r)[index]
        return (f"{head}, numeric {fmt_value(float(r.numeric[index]))}, "
                f"share {fmt_difference(float(share))}")
