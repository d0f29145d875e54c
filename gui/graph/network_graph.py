"""The network as a node graph: neurons in columns, every weight an edge, coloured by the last
step's gradients, activations or weights, with a colour bar, hover read-outs and weight editing.

Geometry (positions, segments) is computed once per size/architecture, colours once per
snapshot/mode change, both in NumPy by gui/graph_layout.py, and drawn by gui/graph_painting.py;
edges are grouped into a few pens and cached in a pixmap, so that a 10 × 32 network paints in
milliseconds and hovering repaints only nodes and labels.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gui.graph import graph_layout, layer_buttons
from gui.graph import graph_painting as painting
from gui.graph.graph_layout import AA_MAX_EDGES, MODES, SUB, column_name, edge_index, fmt
from gui.graph.graph_layout import (
    DIM_ALPHA as DIM_ALPHA,  # re-exported: the tests read it from here
)
from gui.graph.graph_mouse import GraphMouse
from gui.graph.neuron_maps import NeuronMaps
from gui.plots.plot_text import checked_scale

MAPS_MAX_RADIUS = 30.0  # px: a neuron map 44 px across
DENSE_REFRESH_S = 0.25  # 9,000 edges take ~50 ms to draw: dense graphs redraw edges ≤ 4×/s


class _Canvas(QWidget):
    """The painted area; NetworkGraph paints it and answers its mouse events."""

    def __init__(self, graph: NetworkGraph):
        super().__init__(graph)
        self.graph = graph
        self.setMouseTracking(True)
        self.setMinimumSize(260, 180)
        # It paints every pixel (the edge pixmap is opaque): Qt need not paint the window, the
        # splitters and the tab widget underneath at every repaint.
        self.setAttribute(Qt.WA_OpaquePaintEvent)

    def paintEvent(self, event):
        self.graph._paint(self)

    def mouseMoveEvent(self, event):
        self.graph._hover(event.position(), event.globalPosition().toPoint())

    def leaveEvent(self, event):
        self.graph._hover(None, None)

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton:
            self.graph._click(event.position())


class NetworkGraph(GraphMouse, QWidget):
    sigNeuronHovered = Signal(int, int)  # layer (0 = inputs), neuron; (-1, -1) when none
    sigNeuronClicked = Signal(int, int)  # layer, neuron
    sigEdgeClicked = Signal(int, int, int)  # weight layer (1-based), source i, target j
    sigWeightEdited = Signal(int, int, int, float)  # weight layer, i, j, new value
    sigNeuronsChanged = Signal(int, int)  # hidden layer (its column), +1 or −1 neuron
    sigMapsToggled = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        # A click takes the keyboard focus, so Space and → control training again after a
        # spin box had it (those keys type into a spin box).
        self.setFocusPolicy(Qt.ClickFocus)
        self._editing = True  # clicks edit the network (a weight, a layer's neuron count)
        self._text_scale = 1.0
        self.maps = NeuronMaps()
        self._buttons, self._hover_button = [], None
        self._sizes, self._labels, self._activations = [2, 1], ["x₁", "x₂"], [""]
        self._stats = None
        self._mode, self._log = "gradient", False
        self._highlight = None  # (layer, direction, values)
        self._selected_edge = self._selected_neuron = self._hover_node = self._hover_edge = None
        self._geom_size = None  # canvas size the geometry was computed for
        self._colors_dirty = True
        self._edge_pixmap, self._edges_stale, self._edges_urgent = None, True, True
        self._edges_drawn_at = 0.0
        self._edge_timer = QTimer(self, singleShot=True)

        self.mode_combo = QComboBox()
        self.mode_combo.addItems(MODES)
        self.mode_combo.setToolTip(
            "gradient: nodes = mean |∂L/∂z|, edges = |∂L/∂W| (width ∝ |W|)\n"
            "activation: nodes = mean activation over the batch\n"
            "weight: edges = W (blue < 0 < orange), nodes = bias b")
        self.mode_combo.currentTextChanged.connect(self.set_mode)
        self.log_check = QCheckBox("Log scale")
        self.log_check.setToolTip("Colour gradient magnitudes on a log₁₀ scale, so that tiny "
                                  "(vanishing) gradients stay distinguishable")
        self.log_check.toggled.connect(self.set_log_scale)
        self.maps_check = QCheckBox("Neuron maps")
        self.maps_check.setChecked(True)
        self.maps_check.toggled.connect(self.set_maps_visible)
        # The controls may be cut off at the right in a narrow pane rather than widen the
        # window (the step-through panel beside the graph needs the room; View has them too).
        self.controls = QWidget()
        self.controls.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        bar = QHBoxLayout(self.controls)
        bar.setSizeConstraint(QLayout.SetNoConstraint)
        bar.setContentsMargins(4, 2, 4, 2)
        self.mode_label = QLabel("Colour by:")
        for w in (self.mode_label, self.mode_combo, self.log_check, self.maps_check):
            bar.addWidget(w)
        bar.addStretch(1)
        self.controls.setFixedHeight(bar.sizeHint().height())
        self._full_controls_width = bar.sizeHint().width()
        self.canvas = _Canvas(self)
        self.set_maps_available(True)
        self._edge_timer.timeout.connect(self.canvas.update)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.controls)
        box.addWidget(self.canvas, 1)

    def resizeEvent(self, event) -> None:
        """A narrow pane gets short words in the controls rather than words cut in half."""
        super().resizeEvent(event)
        short = self.width() < self._full_controls_width
        self.mode_label.setVisible(not short)
        self.log_check.setText("Log" if short else "Log scale")
        self.maps_check.setText("Maps" if short else "Neuron maps")

    # -- public API -----------------------------------------------------------------------
    def set_architecture(self, sizes, input_labels, activations) -> None:
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"a network needs inputs, outputs and no empty layer, got {sizes}")
        if self._hover_node is not None:
            self.sigNeuronHovered.emit(-1, -1)
        self._sizes = [int(n) for n in sizes]
        labels = list(input_labels)[:self._sizes[0]]
        self._labels = labels + [f"x{k + 1}".translate(SUB) for k in range(len(labels), sizes[0])]
        acts = list(activations)[:len(sizes) - 1]
        self._activations = acts + [""] * (len(sizes) - 1 - len(acts))
        if not graph_layout.stats_fit(self._sizes, self._stats):
            self._stats = None
        self._highlight = self._selected_edge = self._selected_neuron = None
        self._hover_node = self._hover_edge = self._hover_button = self._geom_size = None
        self._changed()

    def set_stats(self, stats) -> None:
        """Keep the snapshot for the next repaint (one that does not fit the drawn architecture,
        e.g. sent just before a rebuild, is ignored)."""
        self._stats = stats if graph_layout.stats_fit(self._sizes, stats) else None
        self._changed(urgent=False)

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown colour mode {mode!r}; choose from {', '.join(MODES)}")
        self._mode = mode
        with QSignalBlocker(self.mode_combo):
            self.mode_combo.setCurrentText(mode)
        self.log_check.setEnabled(mode == "gradient")  # the other modes are signed
        self._changed()

    def set_neuron_outputs(self, outputs) -> None:
        """Every layer's outputs on the boundary view's square grid (inputs first), for the
        neuron maps; None when there is no plane to draw them on."""
        if self.maps.set_outputs(outputs) and self.maps.visible:
            self.canvas.update()

    def set_maps_visible(self, on: bool) -> None:
        self.maps.visible = bool(on)
        with QSignalBlocker(self.maps_check):
            self.maps_check.setChecked(self.maps.visible)
        self._geom_size = None  # the nodes' size depends on it
        self.canvas.update()
        self.sigMapsToggled.emit(self.maps.visible)

    def _maps_shown(self) -> bool:
        return self.maps.visible and self.maps_check.isEnabled()

    def set_maps_available(self, available: bool) -> None:
        """Maps need a plane: two raw inputs (one input draws a curve, more have no plane)."""
        self.maps_check.setEnabled(available)
        self.maps_check.setToolTip(
            "Draw each neuron's output over the input plane inside its node (blue < 0 < orange, "
            "as the decision boundary shows a hovered neuron); the ring keeps the colour chosen "
            "under Colour by" if available else
            "Neuron maps need data with two input columns: there is no input plane to draw")
        self._geom_size = None
        self.canvas.update()

    @property
    def editing_enabled(self) -> bool:
        """Whether clicks edit the network: a weight, or a layer's neuron count."""
        return self._editing

    @editing_enabled.setter
    def editing_enabled(self, on: bool) -> None:
        self._editing = bool(on)
        self.canvas.update()  # the − / + buttons grey out

    def set_text_scale(self, scale: float) -> None:
        """Grow (or shrink) every text of the graph by `scale` (1 = normal); presentation mode."""
        self._text_scale = checked_scale(scale)
        self._geom_size = None
        self.canvas.update()

    def set_log_scale(self, on: bool) -> None:
        self._log = bool(on)
        with QSignalBlocker(self.log_check):
            self.log_check.setChecked(self._log)
        self._changed()

    def set_highlight(self, layer: int | None, direction: str = "forward", values=None) -> None:
        """Light up column `layer` and its incoming edges ("forward"/"backward" flow), or colour
        weight layer `layer` by `values` = |ΔW| ("update"); None clears."""
        if layer is not None and direction not in ("forward", "backward", "update"):
            raise ValueError(f"unknown highlight direction {direction!r}")
        self._highlight = None if layer is None else (int(layer), direction, values)
        self._changed()

    def highlight(self):
        """The current (layer, direction, values) highlight, or None."""
        return self._highlight

    def set_selected_edge(self, layer, i=None, j=None) -> None:
        self._selected_edge = None if layer is None else (int(layer), int(i), int(j))
        self.canvas.update()

    def set_selected_neuron(self, layer, n=None) -> None:
        self._selected_neuron = None if layer is None else (int(layer), int(n))
        self.canvas.update()

    def node_count(self) -> int:
        return sum(self._sizes)

    def edge_count(self) -> int:
        return sum(a * b for a, b in zip(self._sizes, self._sizes[1:]))

    def neuron_position(self, layer: int, neuron: int) -> QPointF:
        self._ensure_geometry()
        return QPointF(*self._layout.node_xy[self._layout.node_start[layer] + neuron])

    def edge_midpoint(self, layer: int, i: int, j: int) -> QPointF:
        self._ensure_geometry()
        x0, y0, x1, y1 = self._layout.seg[edge_index(self._layout, layer, i, j)]
        return QPointF((x0 + x1) / 2, (y0 + y1) / 2)

    def node_colors(self) -> list[QColor]:
        self._ensure_colors()
        return [QColor(*c) for c in self._colors.nodes.tolist()]

    def colorbar_text(self) -> tuple[str, str, str]:
        """(title, bottom label, top label) of the colour bar."""
        self._ensure_colors()
        cmap, title, lo, hi, log = self._colors.bar
        if cmap is None:
            return title, "–", "–"
        return title + (" (log scale)" if log else ""), fmt(lo, 3), fmt(hi, 3)

    def neuron_text(self, layer: int, n: int) -> str:
        return graph_layout.neuron_text(self._stats, self._node_name(layer, n), layer, n)

    def edge_text(self, layer: int, i: int, j: int) -> str:
        return graph_layout.edge_text(self._stats, self._node_name(layer - 1, i),
                                      self._node_name(layer, j), layer, i, j)

    # -- state -> geometry and colours --------------------------------------------------------
    def _changed(self, urgent: bool = True):
        """Recolour at the next paint; only non-urgent changes (new stats) may wait for the
        throttled edge redraw of dense graphs."""
        self._colors_dirty = True
        self._edges_urgent |= urgent
        self.canvas.update()

    def _node_name(self, layer: int, n: int) -> str:
        return graph_layout.node_name(self._labels, len(self._sizes), layer, n)

    def _ensure_geometry(self):
        """Fonts and margins are measured here; graph_layout places the nodes between them:
        input labels on the left, ŷ labels on the right, column headers above and the colour
        bar below (a narrow pane keeps its whole width for the network)."""
        size = (self.canvas.width(), self.canvas.height())
        if self._geom_size == size:
            return
        self._geom_size, (w, h) = size, size
        n_cols = len(self._sizes)
        scale = self._text_scale
        self._font = QFont(self.font())
        self._font.setPointSizeF(9 * scale)
        fm = QFontMetricsF(self._font)
        self._bar_height = 2 * fm.lineSpacing() + 34  # title, bar, tick labels
        left = max(fm.horizontalAdvance(t) for t in self._labels) + 12
        right = fm.horizontalAdvance("ŷ₁₀" if self._sizes[-1] > 9 else "ŷ₉") + 12
        names = [column_name(k, n_cols) for k in range(n_cols)]
        top = fm.lineSpacing() + 14
        buttons = layer_buttons.ROW * scale if n_cols > 2 else 0.0  # the − / + row
        # Pictures need room: nodes may grow a little more while they show neuron maps.
        max_radius = MAPS_MAX_RADIUS if self._maps_shown() else graph_layout.MAX_RADIUS
        for _ in range(3):  # headers need the column positions, which depend on their height
            self._layout = graph_layout.place_nodes(self._sizes, w, h, top, left, right,
                                                    self._bar_height, max_radius)
            self._headers, points = graph_layout.fit_headers(
                names, [""] + self._activations, self._layout.col_x, 4, w - 4,
                fm.horizontalAdvance, self._font.pointSizeF())
            self._header_font = QFont(self._font)
            self._header_font.setPointSizeF(points)
            lines = max(len(header) for header in self._headers)
            headers = lines * QFontMetricsF(self._header_font).lineSpacing() + 6
            if headers + buttons + 8 <= top:
                break
            top = headers + buttons + 8
        self._buttons = layer_buttons.place_buttons(self._sizes, self._layout.col_x.tolist(),
                                                    headers + 3, layer_buttons.SIZE * scale)
        self._hover_button = None
        self._label_font = QFont(self._font)
        self._label_font.setPointSizeF(float(np.clip(self._layout.step * 0.55, 6, 9) * scale))
        self._lines = [QLineF(*s) for s in self._layout.seg.tolist()]
        self._colors_dirty = self._edges_urgent = True

    def _ensure_colors(self):
        self._ensure_geometry()
        if self._colors_dirty:
            self._colors = graph_layout.graph_colors(self._layout, self._stats, self._mode,
                                                     self._log, self._highlight)
            self._edges_stale, self._colors_dirty = True, False

    # -- painting (the drawing itself is in gui/graph_painting.py) ------------------------------
    def _paint(self, canvas):
        self._ensure_colors()
        lay, c = self._layout, self._colors
        p = QPainter(canvas)
        p.drawPixmap(0, 0, self._edges_image(canvas))
        p.setRenderHint(QPainter.Antialiasing)
        painting.draw_marked_edges(p, lay, c, self._lines, self._hover_edge, self._selected_edge)
        if self._highlight is not None and self._highlight[1] != "update":
            painting.draw_flow(p, lay, *self._highlight[:2])
        painting.draw_nodes(p, lay, c, self._hover_node, self._selected_neuron)
        self.maps.draw(p, lay, c.dim_nodes)
        layer_buttons.draw_buttons(p, self._font, self._buttons, self._hover_button,
                                   self._editing)
        painting.draw_headers(p, self._header_font, self.header_rects(), self._headers)
        painting.draw_node_labels(p, self._label_font, lay, self._labels, self._sizes[-1])
        painting.draw_colorbar(p, self._font, c.bar, self.colorbar_text(), self._bar_height,
                               canvas.width(), canvas.height())
        p.end()

    def _edges_image(self, canvas) -> QPixmap:
        """All edges on white, kept until colours or size change (hovering repaints only nodes
        and labels); a dense graph fed new stats keeps its edges until DENSE_REFRESH_S passed."""
        wait = self._edges_drawn_at + DENSE_REFRESH_S - time.monotonic()
        dense = len(self._lines) > AA_MAX_EDGES
        if self._edges_stale and not self._edges_urgent and dense and wait > 0:
            if not self._edge_timer.isActive():
                self._edge_timer.start(int(wait * 1000) + 1)
            return self._edge_pixmap
        if self._edges_stale or self._edges_urgent:
            self._edges_stale = self._edges_urgent = False
            self._edges_drawn_at = time.monotonic()
            dpr = canvas.devicePixelRatioF()
            self._edge_pixmap = QPixmap(canvas.size() * dpr)
            self._edge_pixmap.setDevicePixelRatio(dpr)
            self._edge_pixmap.fill(QColor(255, 255, 255))
            p = QPainter(self._edge_pixmap)
            p.setRenderHint(QPainter.Antialiasing, not dense)
            painting.draw_edges(p, self._lines, self._colors.edges, self._colors.edge_widths)
            p.end()
        return self._edge_pixmap

    def header_rects(self) -> list[QRectF]:
        """Where each column header is drawn (the lines of a header centred on each other)."""
        self._ensure_geometry()
        fm = QFontMetricsF(self._header_font)
        widths = [max(fm.horizontalAdvance(t) for t in lines) for lines in self._headers]
        lefts = graph_layout.header_lefts(self._layout.col_x, widths, 4, self.canvas.width() - 4)
        return [QRectF(x, 6, wd, len(lines) * fm.lineSpacing())
                for x, wd, lines in zip(lefts.tolist(), widths, self._headers)]
