"""QPainter drawing of the node graph's parts: edges, hover/selection halos, flow arrows, nodes,
column headers, node labels and the colour bar.

Stateless functions: NetworkGraph owns the geometry (graph_layout.Layout), the colours
(graph_layout.GraphColors), the fonts and the edge-pixmap cache and hands them in; nothing here
places a node or derives a colour from data.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QLinearGradient, QPen, QPolygonF

from gui.common import colors
from gui.graph import graph_layout
from gui.graph.graph_layout import DIM_ALPHA, SUB, edge_index, fmt


def draw_edges(p, lines, edge_rgba, widths) -> None:
    """Every edge, batched into one drawLines call per (colour, width) pen."""
    for rgb, width, indices in graph_layout.pen_groups(edge_rgba, widths):
        pen = QPen(QColor(*rgb), width)
        pen.setCapStyle(Qt.FlatCap)
        p.setPen(pen)
        p.drawLines([lines[i] for i in indices])


def draw_marked_edges(p, layout, graph_colors, lines, hovered, selected) -> None:
    """Hovered and selected edges: dark and white halos under the edge's own colour, which
    stand out on every colour map."""
    for edge, halos in ((hovered, [((0, 0, 0, 90), 4)]),
                        (selected, [((0, 0, 0, 255), 6), ((255, 255, 255), 2)])):
        if edge is not None:
            k = edge_index(layout, *edge)
            width = float(graph_colors.edge_widths[k])
            for rgba, extra in halos + [(graph_colors.edges[k, :3].tolist(), 0)]:
                p.setPen(QPen(QColor(*rgba), width + extra))
                p.drawLine(lines[k])


def draw_flow(p, layout, layer: int, direction: str) -> None:
    """Arrowheads on some highlighted edges (apart, see flow_arrows): right for forward, left
    for backward."""
    p.setPen(QPen(QColor(255, 255, 255), 1.0))  # a white rim parts a head from dark edges
    p.setBrush(QColor(40, 40, 40))
    size = graph_layout.flow_size(layout)
    for triangle in graph_layout.flow_arrows(layout, layer, direction, size):
        p.drawPolygon(QPolygonF([QPointF(*xy) for xy in triangle.tolist()]))


def draw_nodes(p, layout, graph_colors, hovered, selected) -> None:
    """Filled circles (faint outline when dimmed), plus rings round the hovered and the
    selected neuron, each given as (layer, neuron) or None."""
    r, c = layout.radius, graph_colors
    outline, faint = QPen(QColor(60, 60, 60), 1.0), QPen(QColor(60, 60, 60, DIM_ALPHA), 1.0)
    for (x, y), rgba, dim in zip(layout.node_xy.tolist(), c.nodes.tolist(), c.dim_nodes):
        p.setPen(faint if dim else outline)
        p.setBrush(QColor(*rgba))
        p.drawEllipse(QPointF(x, y), r, r)
    p.setBrush(Qt.NoBrush)
    for node, pen in ((hovered, QPen(QColor(0, 0, 0, 120), 1.5)),
                      (selected, QPen(QColor(0, 0, 0), 2.5))):
        if node is not None:
            p.setPen(pen)
            x, y = layout.node_xy[layout.node_start[node[0]] + node[1]]
            p.drawEllipse(QPointF(x, y), r + 3, r + 3)


def draw_headers(p, font, rects, headers) -> None:
    """Column headers, each a list of lines centred in its rect."""
    p.setPen(QColor(40, 40, 40))
    p.setFont(font)
    fm = QFontMetricsF(font)
    for rect, lines in zip(rects, headers):
        for k, text in enumerate(lines):
            x = rect.center().x() - fm.horizontalAdvance(text) / 2
            p.drawText(QPointF(x, rect.top() + fm.ascent() + k * fm.lineSpacing()), text)


def draw_node_labels(p, font, layout, input_labels, n_out: int) -> None:
    """Input names left of the first column, ŷ₁ … ŷₙ right of the last."""
    p.setPen(QColor(40, 40, 40))
    p.setFont(font)
    fm = QFontMetricsF(font)
    r, base = layout.radius, (fm.ascent() - fm.descent()) / 2
    xy = layout.node_xy
    for (x, y), text in zip(xy.tolist(), input_labels):
        p.drawText(QPointF(x - r - 6 - fm.horizontalAdvance(text), y + base), text)
    for n, (x, y) in enumerate(xy[-n_out:].tolist()):
        index = str(n + 1).translate(SUB) if n_out > 1 else ""
        p.drawText(QPointF(x + r + 6, y + base), "ŷ" + index)


def draw_colorbar(p, font, bar_spec, texts, bar_height: float, w: float, h: float) -> None:
    """A horizontal colour bar along the bottom `bar_height` px of a w × h canvas: title above,
    tick labels below. `bar_spec` is GraphColors.bar, `texts` (title, low, high) as shown."""
    cmap, _, lo, hi, log = bar_spec
    fm = QFontMetricsF(font)
    label_room = fm.horizontalAdvance("−8.88e-88") + 8  # centred end labels must fit
    length = min(w - label_room - 16, 420.0)
    if length < 40:
        return
    top = h - bar_height + fm.lineSpacing() + 12
    bar = QRectF((w - length) / 2, top, length, 10)
    if cmap is None:
        p.setBrush(QColor(*colors.NEUTRAL_GREY))
    else:
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        stops = np.linspace(0, 1, 17)
        for t, c in zip(stops, colors.map_values(stops, cmap, 0, 1)):
            grad.setColorAt(t, QColor(*c.tolist()))
        p.setBrush(grad)
    p.setPen(QPen(QColor(80, 80, 80), 1))
    p.drawRect(bar)
    p.setFont(font)
    p.setPen(QColor(40, 40, 40))
    title, lo_text, hi_text = texts
    title = fm.elidedText(title, Qt.ElideRight, w - 12)
    p.drawText(QPointF((w - fm.horizontalAdvance(title)) / 2, bar.top() - 5 - fm.descent()),
               title)
    baseline = bar.bottom() + 5 + fm.ascent()
    if cmap is None:
        p.setPen(QColor(120, 120, 120))
        text = "no training statistics yet"
        p.drawText(QPointF((w - fm.horizontalAdvance(text)) / 2, baseline), text)
        return
    mid = fmt(graph_layout.bar_midpoint(lo, hi, log), 3)
    for x, text in ((bar.left(), lo_text), (bar.center().x(), mid), (bar.right(), hi_text)):
        p.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + 3))
        p.drawText(QPointF(x - fm.horizontalAdvance(text) / 2, baseline), text)
