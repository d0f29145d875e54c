"""The graph lab's op graph: one rounded box per node, one arrow per parent → child edge.

A box shows the node's name and op, its value and (in backward stages) its gradient, filled by
|∂L/∂node| on viridis with a colour bar beside it; an edge is labelled with the local
derivative ∂child/∂parent. Positions come from graph_layout (no Qt there); every number is the
engine's own (engine/autodiff.py).

The whole graph is fitted in view on every resize, unless that would shrink its text below
what a room can read (MIN_SCALE): then the view keeps that scale and follows the highlighted
node, the colour bar staying in the visible corner, and the graph can be dragged or scrolled.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from engine.lab_trace import name_of

from .graph_layout import layered_layout

BOX_W, BOX_H = 134.0, 86.0  # scene units (px at scale 1)
STEP_X, STEP_Y = 184.0, 124.0  # between neighbouring columns / rows
FONT_PX = 20
EDGE_FONT_PX = 19
LINE_STEP = 25.0
BAR_LONG, BAR_SHORT = 260.0, 22.0  # the colour bar's size in scene units
MARGIN = 16.0
MIN_SCALE = 0.7  # box text at 14 px: below that a projected graph is not read, it is followed
OP_FILL = QColor("#eef2f7")
SOURCE_FILL = QColor("#fff6dc")  # inputs and constants, in forward stages
HIGHLIGHT = QColor("#ff7f0e")
EDGE_COLOUR = QColor("#555555")
VIRIDIS = pg.colormap.get("viridis")
NODE_Z, EDGE_Z, LABEL_Z = 2, 1, 3


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _text_colour(fill: QColor) -> QColor:
    luminance = 0.299 * fill.red() + 0.587 * fill.green() + 0.114 * fill.blue()
    return QColor("black") if luminance > 140 else QColor("white")


def _font(px: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(px)
    font.setBold(bold)
    return font


class _ColourBar(QGraphicsRectItem):
    """The |∂L/∂node| key: a viridis strip from 0 to the largest |grad|, lying below a wide
    graph or standing right of a tall one."""

    def __init__(self, origin: QPointF, horizontal: bool, high: float):
        w, h = (BAR_LONG, BAR_SHORT) if horizontal else (BAR_SHORT, BAR_LONG)
        super().__init__(QRectF(origin.x(), origin.y(), w, h))
        r = self.rect()
        low_end, high_end = (r.topLeft(), r.topRight()) if horizontal else \
            (r.bottomLeft(), r.topLeft())
        gradient = QLinearGradient(low_end, high_end)
        for stop in np.linspace(0.0, 1.0, 9):
            gradient.setColorAt(float(stop), VIRIDIS.map(float(stop), mode="qcolor"))
        self.setBrush(QBrush(gradient))
        self.setPen(QPen(EDGE_COLOUR, 1))
        title = QGraphicsSimpleTextItem("|∂L/∂node|", self)
        title.setFont(_font(EDGE_FONT_PX, bold=True))
        tw, th = title.boundingRect().width(), title.boundingRect().height()
        ends = []
        for text in ("0", _fmt(high)):
            label = QGraphicsSimpleTextItem(text, self)
            label.setFont(_font(EDGE_FONT_PX))
            ends.append((label, label.boundingRect().width(), label.boundingRect().height()))
        (zero, zw, zh), (top, hw, hh) = ends
        if horizontal:  # |∂L/∂node|  0 [strip] max
            title.setPos(r.left() - tw - zw - 20, r.center().y() - th / 2)
            zero.setPos(r.left() - zw - 6, r.center().y() - zh / 2)
            top.setPos(r.right() + 6, r.center().y() - hh / 2)
        else:
            title.setPos(r.left(), r.top() - th - 6 - hh)
            top.setPos(r.right() + 6, r.top())
            zero.setPos(r.right() + 6, r.bottom() - zh)


class LabGraphView(QGraphicsView):
    """The op graph of an engine.lab.Graph; click a node for sigNodeClicked(index)."""

    sigNodeClicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor("white"))
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.setAlignment(Qt.AlignCenter)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setToolTip("")
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.valueChanged.connect(self._keep_bar_in_view)
        self._graph = None
        self._show_gradients = False
        self._highlight: tuple[int | None, tuple[int, ...]] = (None, ())
        self._pending: frozenset[int] = frozenset()  # nodes the forward walk has not reached
        self._boxes: list[QGraphicsPathItem] = []
        self._texts: list[list[QGraphicsSimpleTextItem]] = []
        self._edges: dict[tuple[int, int], list[QGraphicsPathItem]] = {}
        self._bar: _ColourBar | None = None
        self._centres = np.zeros((0, 2))

    # ---- public API --------------------------------------------------------------------
    def set_graph(self, graph) -> None:
        """Draw graph, dropping everything of the previous one (highlight included)."""
        self.scene().clear()
        self._graph, self._highlight, self._pending = graph, (None, ()), frozenset()
        self._boxes, self._texts, self._edges, self._bar = [], [], {}, None
        pos = layered_layout(graph) if graph is not None else np.zeros((0, 2))
        self._centres = pos * [STEP_X, STEP_Y]
        if graph is None:
            return
        index = {id(n): i for i, n in enumerate(graph.order)}
        for i, node in enumerate(graph.order):
            self._add_box(i, node, graph)
        for i, node in enumerate(graph.order):
            for p, local in zip(node.parents, node.local):
                # A constant is never learned: its local derivative is beside the point.
                self._add_edge(index[id(p)], i, None if p.op == "const" else local)
        self._refresh()

    def set_show_gradients(self, on: bool) -> None:
        self._show_gradients = bool(on)
        self._refresh()

    def set_highlight(self, node: int | None, parents=()) -> None:
        self._highlight = (node, tuple(parents))
        self._refresh()

    def set_pending(self, nodes) -> None:
        """Nodes not computed yet in the forward walk: their value shows as "?"."""
        self._pending = frozenset(nodes)
        self._refresh()

    def node_rect(self, i: int) -> QRectF:
        """Node i's box in viewport coordinates (what a mouse click there hits)."""
        box = self._boxes[i]
        return self.mapFromScene(box.sceneBoundingRect()).boundingRect().toRectF()

    def node_count(self) -> int:
        return len(self._boxes)

    def colour_bar_rect(self) -> QRectF:
        """The |∂L/∂node| key with its labels, in scene coordinates (empty when hidden)."""
        if self._bar is None:
            return QRectF()
        return self._bar.sceneBoundingRect().united(
            self._bar.mapRectToScene(self._bar.childrenBoundingRect()))

    def following(self) -> bool:
        """True when the graph is too wide to be read whole and the view follows the stage."""
        return self._fit_scale() < MIN_SCALE

    # ---- building ----------------------------------------------------------------------
    def _add_box(self, i: int, node, graph) -> None:
        cx, cy = self._centres[i]
        rect = QRectF(cx - BOX_W / 2, cy - BOX_H / 2, BOX_W, BOX_H)
        source = node.op in ("input", "const")
        path = QPainterPath()
        radius = 26.0 if source else 10.0  # sources are pill-like, operations rounded boxes
        path.addRoundedRect(rect, radius, radius)
        box = QGraphicsPathItem(path)
        box.setZValue(NODE_Z)
        box.setData(0, i)
        self.scene().addItem(box)
        name = name_of(graph, node)
        head = name if source else f"{name}  {node.op}"
        if node.op == "const":
            head = f"const {name}"
        lines = [head, f"value {_fmt(node.value)}", f"grad {_fmt(node.grad)}"]
        texts = []
        for k, line in enumerate(lines):
            text = QGraphicsSimpleTextItem(line, box)
            text.setFont(_font(FONT_PX, bold=k == 0))
            texts.append(text)
        widest = max(t.boundingRect().width() for t in texts)
        scale = min(1.0, (BOX_W - 18) / widest) if widest else 1.0  # shrink, never clip
        for k, text in enumerate(texts):
            w, h = text.boundingRect().width(), text.boundingRect().height()
            text.setScale(scale)
            text.setPos(cx - w * scale / 2, rect.top() + 6 + k * LINE_STEP + h * (1 - scale) / 2)
        self._boxes.append(box)
        self._texts.append(texts)

    def _add_edge(self, parent: int, child: int, local: float | None) -> None:
        (px, py), (cx, cy) = self._centres[parent], self._centres[child]
        start = QPointF(px + BOX_W / 2, py)
        end = QPointF(cx - BOX_W / 2, cy)
        line = QPainterPath(start)
        line.lineTo(end)
        shaft = QGraphicsPathItem(line)
        angle = math.atan2(end.y() - start.y(), end.x() - start.x())
        head = QPolygonF([end] + [end - QPointF(12 * math.cos(angle + s), 12 * math.sin(angle + s))
                                  for s in (0.4, -0.4)])
        arrow_path = QPainterPath()
        arrow_path.addPolygon(head)
        arrow_path.closeSubpath()
        arrow = QGraphicsPathItem(arrow_path)
        for item in (shaft, arrow):
            item.setZValue(EDGE_Z)
            self.scene().addItem(item)
        self._edges.setdefault((parent, child), []).extend([shaft, arrow])
        if local is None:
            return
        label = QGraphicsSimpleTextItem(_fmt(local))
        label.setFont(_font(EDGE_FONT_PX))
        w, h = label.boundingRect().width(), label.boundingRect().height()
        t = 0.5  # halfway along, where edges into one box are still apart
        mid = start + (end - start) * t
        back = QGraphicsRectItem(QRectF(mid.x() - w / 2 - 3, mid.y() - h / 2, w + 6, h))
        back.setBrush(QColor(255, 255, 255, 230))
        back.setPen(QPen(Qt.NoPen))
        back.setZValue(LABEL_Z)
        label.setParentItem(back)
        label.setPos(mid.x() - w / 2, mid.y() - h / 2)
        back.setToolTip(f"local derivative ∂child/∂parent = {local:.6g}")
        self.scene().addItem(back)

    # ---- styling -----------------------------------------------------------------------
    def _refresh(self) -> None:
        graph = self._graph
        if graph is None:
            return
        # A constant's gradient exists but nobody learns it: neither shown nor coloured.
        grads = np.array([0.0 if n.op == "const" else abs(n.grad) for n in graph.order])
        high = float(grads.max()) if grads.size else 0.0
        node, parents = self._highlight
        for i, (box, texts) in enumerate(zip(self._boxes, self._texts)):
            source = graph.order[i].op in ("input", "const")
            constant = graph.order[i].op == "const"
            if self._show_gradients and not constant:
                fill = VIRIDIS.map(grads[i] / high if high > 0 else 0.0, mode="qcolor")
            else:
                fill = SOURCE_FILL if source else OP_FILL
            box.setBrush(fill)
            pen = QPen(QColor("#222222"), 2.0)
            if graph.order[i].op == "const":
                pen.setStyle(Qt.DashLine)
            if i == node:
                pen = QPen(HIGHLIGHT, 6.0)
            box.setPen(pen)
            colour = _text_colour(fill)
            for text in texts:
                text.setBrush(colour)
            texts[2].setVisible(self._show_gradients and not constant)
            texts[1].setText("value ?" if i in self._pending
                             else f"value {_fmt(graph.order[i].value)}")
            tip = f"{texts[0].text()}\n" + ("not computed yet" if i in self._pending
                                            else f"value = {graph.order[i].value:.10g}")
            if self._show_gradients and not constant:
                tip += f"\n∂{name_of(graph, graph.output)}/∂{name_of(graph, graph.order[i])} = " \
                       f"{graph.order[i].grad:.10g}"
            box.setToolTip(tip + "\nClick for its chain-rule product")
        for (p, c), items in self._edges.items():
            lit = c == node and p in parents
            colour = HIGHLIGHT if lit else EDGE_COLOUR
            items[0].setPen(QPen(colour, 4.0 if lit else 1.8))
            for arrow in items[1:]:
                arrow.setPen(QPen(colour, 1.0))
                arrow.setBrush(colour)
        self._place_bar(high)

    def _place_bar(self, high: float) -> None:
        if self._bar is not None:
            self.scene().removeItem(self._bar)
            self._bar = None
        if self._show_gradients and len(self._centres):
            graph = self._graph_rect()
            view = max(1, self.viewport().width()) / max(1, self.viewport().height())
            # A wide graph (or a followed one, which is wider than the view) has room below.
            horizontal = self.following() or graph.width() / graph.height() > view
            if horizontal:
                origin = QPointF(graph.right() - BAR_LONG - 70, graph.bottom() + 30)
            else:
                origin = QPointF(graph.right() + 30, graph.center().y() - BAR_LONG / 2)
            self._bar = _ColourBar(origin, horizontal, high)
            self.scene().addItem(self._bar)
        self._fit()

    def _graph_rect(self) -> QRectF:
        left = self._centres[:, 0].min() - BOX_W / 2 - MARGIN
        top = self._centres[:, 1].min() - BOX_H / 2 - MARGIN
        right = self._centres[:, 0].max() + BOX_W / 2 + MARGIN
        bottom = self._centres[:, 1].max() + BOX_H / 2 + MARGIN
        return QRectF(left, top, right - left, bottom - top)

    def _content_rect(self) -> QRectF:
        rect = self._graph_rect()
        if self._bar is not None:
            rect = rect.united(self.colour_bar_rect().adjusted(-8, -8, 8, 8))
        return rect

    def _fit_scale(self) -> float:
        if not len(self._centres):
            return 1.0
        rect = self._graph_rect()
        if self._show_gradients:  # the colour bar's row below it
            rect.setBottom(rect.bottom() + 30 + BAR_SHORT + 40)
        return min(max(1, self.viewport().width()) / rect.width(),
                   max(1, self.viewport().height()) / rect.height())

    def _fit(self) -> None:
        if not self._boxes:
            return
        rect = self._content_rect()
        self.setSceneRect(rect)
        if not self.following():
            self.fitInView(rect, Qt.KeepAspectRatio)
            return
        self.resetTransform()
        self.scale(MIN_SCALE, MIN_SCALE)
        self.centerOn(self._focus())
        self._keep_bar_in_view()

    def _focus(self) -> QPointF:
        """Where a followed view looks: the highlighted node with the nodes it reads from, the
        inputs before the first stage."""
        node, parents = self._highlight
        if node is None:
            left = self._graph_rect().left()
            return QPointF(left + self.viewport().width() / MIN_SCALE / 2,
                           self._graph_rect().center().y())
        points = self._centres[[node, *parents]]
        return QPointF(float(points[:, 0].mean()), float(self._graph_rect().center().y()))

    def _keep_bar_in_view(self, *_args) -> None:
        """In a followed view the colour bar moves along so that the key is always on screen."""
        if self._bar is None or not self.following():
            return
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        shift = min(visible.right(), self._graph_rect().right()) - 70 - BAR_LONG \
            - self._bar.rect().left()
        self._bar.moveBy(shift - self._bar.pos().x(), 0)

    # ---- Qt events ---------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._bar is not None:
            self._place_bar(max(0.0 if n.op == "const" else abs(n.grad)
                                for n in self._graph.order))  # below or beside
        else:
            self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            for item in self.items(event.position().toPoint()):
                while item is not None and item.data(0) is None:
                    item = item.parentItem()
                if isinstance(item, QGraphicsItem) and item.data(0) is not None:
                    self.sigNodeClicked.emit(int(item.data(0)))
                    return
        super().mousePressEvent(event)

    def wheelEvent(self, event) -> None:
        if self.following():  # the wheel moves along a followed graph
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - event.angleDelta().y() - event.angleDelta().x())
            event.accept()
        else:  # a fitted graph is all there: the wheel scrolls whatever holds the view
            event.ignore()
