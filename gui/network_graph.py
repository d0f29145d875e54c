"""The network as a node graph: neurons in columns, every weight an edge, coloured by the last
step's gradients, activations or weights, with a colour bar, hover read-outs and weight editing.

Geometry (positions, segments) is computed once per size/architecture, colours once per
snapshot/mode change; edges are grouped into a few pens and cached in a pixmap, so that a
10 × 32 network paints in milliseconds and hovering repaints only nodes and labels.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QPen, QPixmap,
                           QPolygonF)
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QInputDialog, QLabel, QToolTip,
                               QVBoxLayout, QWidget)

from . import colors

MODES = ("gradient", "activation", "weight")
TITLES = {"gradient": "mean |∂L/∂z|, |∂L/∂W|", "activation": "mean activation a",
          "weight": "W (edges), b (nodes)"}
SHORT_ACTIVATIONS = {"leaky_relu": "leaky", "softplus": "soft+", "sigmoid": "sigm", "linear": "lin"}
GREY = np.array(colors.NEUTRAL_GREY + (255,), np.uint8)
DIM_ALPHA = 45  # what is not highlighted fades to this alpha
BINS = 64  # colour levels per map for edges (few pens ⇒ fast painting)
AA_MAX_EDGES = 2500  # antialiased lines cost ~5x; denser graphs are drawn without
DENSE_REFRESH_S = 0.25  # 9,000 edges take ~50 ms to draw: dense graphs redraw edges ≤ 4×/s
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _fmt(v: float, digits: int = 4) -> str:
    return f"{float(v):.{digits}g}"


def _magnitude_range(values: np.ndarray, log: bool) -> tuple[float, float]:
    """0..max, or on a log scale smallest nonzero..max (at most 10 decades)."""
    hi = float(values.max())
    if not log:
        return 0.0, hi
    nonzero = values[values > 0]
    return max(float(nonzero.min()) if nonzero.size else hi, hi * 1e-10), hi


def _segment_distances(seg: np.ndarray, x: float, y: float) -> np.ndarray:
    """Distance from (x, y) to every segment (rows x0, y0, x1, y1)."""
    d = seg[:, 2:] - seg[:, :2]
    rel = np.array([x, y]) - seg[:, :2]
    t = np.clip((rel * d).sum(1) / np.maximum((d * d).sum(1), 1e-12), 0.0, 1.0)
    return np.hypot(*(rel - t[:, None] * d).T)


class _Canvas(QWidget):
    """The painted area; geometry, colours and hit-testing live in NetworkGraph."""

    def __init__(self, graph: NetworkGraph):
        super().__init__(graph)
        self.graph = graph
        self.setMouseTracking(True)
        self.setMinimumSize(260, 180)

    def paintEvent(self, event):
        self.graph._paint(self)

    def mouseMoveEvent(self, event):
        self.graph._hover(event.position(), event.globalPosition().toPoint())

    def leaveEvent(self, event):
        self.graph._hover(None, None)

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton:
            self.graph._click(event.position())


class NetworkGraph(QWidget):
    sigNeuronHovered = Signal(int, int)  # layer (0 = inputs), neuron; (-1, -1) when none
    sigNeuronClicked = Signal(int, int)  # layer, neuron
    sigEdgeClicked = Signal(int, int, int)  # weight layer (1-based), source i, target j
    sigWeightEdited = Signal(int, int, int, float)  # weight layer, i, j, new value

    def __init__(self, parent=None):
        super().__init__(parent)
        self.weight_editing_enabled = True
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
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for w in (QLabel("Colour by:"), self.mode_combo, self.log_check):
            bar.addWidget(w)
        bar.addStretch(1)
        self.canvas = _Canvas(self)
        self._edge_timer.timeout.connect(self.canvas.update)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addLayout(bar)
        box.addWidget(self.canvas, 1)

    # -- public API -----------------------------------------------------------------------
    def set_architecture(self, sizes, input_labels, activations) -> None:
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"a network needs inputs, outputs and no empty layer, got {sizes}")
        if self._hover_node is not None:
            self.sigNeuronHovered.emit(-1, -1)
        self._sizes = [int(n) for n in sizes]
        labels = list(input_labels)[:self._sizes[0]]
        self._labels = labels + [f"x{k + 1}".translate(_SUB) for k in range(len(labels), sizes[0])]
        acts = list(activations)[:len(sizes) - 1]
        self._activations = acts + [""] * (len(sizes) - 1 - len(acts))
        if not self._stats_fit(self._stats):
            self._stats = None
        self._highlight = self._selected_edge = self._selected_neuron = None
        self._hover_node = self._hover_edge = self._geom_size = None
        self._changed()

    def set_stats(self, stats) -> None:
        """Keep the snapshot for the next repaint (one that does not fit the drawn architecture,
        e.g. sent just before a rebuild, is ignored)."""
        self._stats = stats if self._stats_fit(stats) else None
        self._changed(urgent=False)

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown colour mode {mode!r}; choose from {', '.join(MODES)}")
        self._mode = mode
        with QSignalBlocker(self.mode_combo):
            self.mode_combo.setCurrentText(mode)
        self.log_check.setEnabled(mode == "gradient")  # the other modes are signed
        self._changed()

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
        return QPointF(*self._node_xy[self._node_start[layer] + neuron])

    def edge_midpoint(self, layer: int, i: int, j: int) -> QPointF:
        self._ensure_geometry()
        x0, y0, x1, y1 = self._seg[self._edge_index(layer, i, j)]
        return QPointF((x0 + x1) / 2, (y0 + y1) / 2)

    def node_colors(self) -> list[QColor]:
        self._ensure_colors()
        return [QColor(*c) for c in self._node_rgba.tolist()]

    def colorbar_text(self) -> tuple[str, str, str]:
        """(title, bottom label, top label) of the colour bar."""
        self._ensure_colors()
        cmap, title, lo, hi, log = self._bar
        if cmap is None:
            return title, "–", "–"
        return title + (" (log scale)" if log else ""), _fmt(lo, 3), _fmt(hi, 3)

    def neuron_text(self, layer: int, n: int) -> str:
        st = self._stats
        name = self._node_name(layer, n)
        if st is None:
            return name
        a, g = _fmt(st.neuron_activations[layer][n]), _fmt(st.neuron_grads[layer][n])
        if layer == 0:
            return f"{name}: mean x = {a}, mean |∂L/∂x| = {g}"
        return f"{name}: mean a = {a}, mean |∂L/∂z| = {g}, b = {_fmt(st.biases[layer - 1][n])}"

    def edge_text(self, layer: int, i: int, j: int) -> str:
        st, name = self._stats, f"W{str(layer).translate(_SUP)}[{i + 1}→{j + 1}]"
        route = f"(from {self._node_name(layer - 1, i)} to {self._node_name(layer, j)})"
        if st is None:
            return f"{name}\n{route}"
        return (f"{name} = {_fmt(st.weights[layer - 1][i, j])}, "
                f"|∂L/∂W| = {_fmt(st.weight_grads[layer - 1][i, j])}\n{route}")

    def text_at(self, pos: QPointF) -> str:
        """The tooltip text for a canvas position ('' over empty space)."""
        node = self._node_at(pos)
        edge = None if node else self._edge_at(pos)
        return self.neuron_text(*node) if node else self.edge_text(*edge) if edge else ""

    def edit_weight(self, layer: int, i: int, j: int) -> float | None:
        """Ask for a new value of W⁽layer⁾[i, j]; emits sigWeightEdited on OK."""
        if self._stats is None:
            return None
        text = self.edge_text(layer, i, j)  # "W²[1→3] = …\n(from … to …)"
        label = f"{text.split(' = ')[0]} {text.splitlines()[-1]}:"
        current = float(self._stats.weights[layer - 1][i, j])
        value, ok = QInputDialog.getDouble(self, "Edit weight", label, current, -100.0, 100.0, 4)
        if not ok:
            return None
        self.sigWeightEdited.emit(layer, i, j, float(value))
        return float(value)

    # -- state -> geometry and colours --------------------------------------------------------
    def _changed(self, urgent: bool = True):
        """Recolour at the next paint; only non-urgent changes (new stats) may wait for the
        throttled edge redraw of dense graphs."""
        self._colors_dirty = True
        self._edges_urgent |= urgent
        self.canvas.update()

    def _stats_fit(self, st) -> bool:
        s = self._sizes
        return (st is not None and len(st.neuron_grads) == len(s)
                and all(g.shape == (n,) for g, n in zip(st.neuron_grads, s))
                and all(w.shape == (a, b) for w, a, b in zip(st.weights, s, s[1:])))

    def _node_name(self, layer: int, n: int) -> str:
        if layer == 0:
            return f"input {self._labels[n]}"
        return f"{self._column_name(layer)}, neuron {n + 1}"

    def _column_name(self, layer: int) -> str:
        last = len(self._sizes) - 1
        return "input" if layer == 0 else "output" if layer == last else f"hidden {layer}"

    def _edge_index(self, layer: int, i: int, j: int) -> int:
        return self._edge_start[layer - 1] + i * self._sizes[layer] + j  # as W.ravel()

    def _ensure_geometry(self):
        size = (self.canvas.width(), self.canvas.height())
        if self._geom_size == size:
            return
        self._geom_size, (w, h) = size, size
        sizes, n_cols = self._sizes, len(self._sizes)
        self._font = QFont(self.font())
        self._font.setPointSizeF(9)
        fm = QFontMetricsF(self._font)
        # right edge: rotated title, bar, tick labels
        self._bar_width = fm.lineSpacing() + 28 + fm.horizontalAdvance("−8.88e-88")
        self._fit_headers((w - self._bar_width - 60) / (n_cols - 1))
        top = len(self._headers[0]) * QFontMetricsF(self._header_font).lineSpacing() + 12
        avail = max(h - top - 28, 20)
        step = min(avail / max(sizes), 56.0)
        self._label_font = QFont(self._font)
        self._label_font.setPointSizeF(float(np.clip(step * 0.55, 6, 9)))
        lfm = QFontMetricsF(self._label_font)
        left = max(lfm.horizontalAdvance(t) for t in self._labels) + 10
        right = self._bar_width + lfm.horizontalAdvance("ŷ₁₀") + 8
        r = float(np.clip(min(step * 0.36, (w - left - right) / (n_cols - 1) * 0.16), 2.5, 16))
        gap = (w - left - right - 2 * r) / (n_cols - 1)
        self._radius, self._top = r, top
        self._col_x = left + r + gap * np.arange(n_cols)
        mid = top + 4 + avail / 2
        xy = [np.column_stack([np.full(n, x), mid + (np.arange(n) - (n - 1) / 2) * step])
              for x, n in zip(self._col_x, sizes)]
        self._node_xy = np.concatenate(xy)
        self._node_start = np.concatenate([[0], np.cumsum(sizes)])
        self._node_layer = np.repeat(np.arange(n_cols), sizes)
        self._edge_start = np.concatenate([[0], np.cumsum(np.multiply(sizes[:-1], sizes[1:]))])
        self._seg = np.concatenate([np.column_stack([np.repeat(src, len(dst), 0),
                                                     np.tile(dst, (len(src), 1))])
                                    for src, dst in zip(xy, xy[1:])])
        self._lines = [QLineF(*s) for s in self._seg.tolist()]
        self._colors_dirty = self._edges_urgent = True

    def _fit_headers(self, room: float):
        """Column headers on one line if they fit, else two, else abbreviated in a smaller font."""
        names = [self._column_name(k) for k in range(len(self._sizes))]
        acts = [""] + self._activations
        self._header_font = QFont(self._font)
        fm = QFontMetricsF(self._font)
        for lines in ([[f"{n} · {a}" if a else n] for n, a in zip(names, acts)],
                      [[n, a] for n, a in zip(names, acts)]):
            if max(fm.horizontalAdvance(t) for ls in lines for t in ls) <= room * 0.95:
                self._headers = lines
                return
        self._headers = [[n.replace("hidden ", "h").replace("output", "out"),
                          SHORT_ACTIVATIONS.get(a, a)] for n, a in zip(names, acts)]
        widest = max(fm.horizontalAdvance(t) for ls in self._headers for t in ls)
        self._header_font.setPointSizeF(max(6.5, 9 * min(1.0, room * 0.95 / widest)))

    def _edge_widths(self, st) -> np.ndarray:
        """Width ∝ |W|, thinner for dense layers so a 32 × 32 block stays see-through."""
        densest = max(a * b for a, b in zip(self._sizes, self._sizes[1:]))
        wmax = float(np.clip(40 / np.sqrt(densest), 1.2, 5.0))
        if st is None:
            return np.full(len(self._seg), 1.0)
        absw = np.concatenate([np.abs(w).ravel() for w in st.weights])
        widths = 0.5 + (wmax - 0.5) * absw / max(absw.max(), 1e-300)
        # without antialiasing only whole pixels show (and fractional widths paint slowly)
        return widths if len(absw) <= AA_MAX_EDGES else np.maximum(np.round(widths), 1.0)

    def _ensure_colors(self):
        self._ensure_geometry()
        if not self._colors_dirty:
            return
        nodes = np.tile(GREY, (len(self._node_xy), 1))
        edges = np.tile(GREY, (len(self._seg), 1))
        self._bar = (None, TITLES[self._mode], 0.0, 0.0, False)
        if self._stats is not None:
            nodes, edges = self._data_colors(self._stats, nodes, edges)
        self._dim_nodes = np.zeros(len(nodes), bool)
        if self._highlight is not None:
            self._apply_highlight(nodes, edges)
        # dense graphs: translucent edges, so that the nodes and the strongest edges stay legible
        edges[:, 3] = edges[:, 3] * np.clip(np.sqrt(600 / len(self._seg)), 0.45, 1.0)
        self._node_rgba = nodes
        self._edge_rgba, self._edge_widths_px = edges, self._edge_widths(self._stats)
        self._edges_stale, self._colors_dirty = True, False

    def _data_colors(self, st, nodes, edges):
        cat = np.concatenate
        if self._mode == "gradient":
            node_v, edge_v = cat(st.neuron_grads), cat([g.ravel() for g in st.weight_grads])
            lo, hi = _magnitude_range(cat([node_v, edge_v]), self._log)
            cmap, log = colors.magnitude_colormap(), self._log
            nodes = colors.map_values(node_v, cmap, lo, hi, log)
            edges = self._binned(edge_v, cmap, lo, hi, log)
        else:
            cmap, log = colors.diverging_colormap(), False
            if self._mode == "activation":
                node_v = cat(st.neuron_activations)
                hi = float(np.abs(node_v).max()) or 1.0
                nodes = colors.map_values(node_v, cmap, -hi, hi)
            else:  # weight: edges W, nodes b (inputs have no bias and stay grey)
                w, b = cat([x.ravel() for x in st.weights]), cat(st.biases)
                hi = float(max(np.abs(w).max(), np.abs(b).max())) or 1.0
                nodes[self._sizes[0]:] = colors.map_values(b, cmap, -hi, hi)
                edges = self._binned(w, cmap, -hi, hi)
            lo = -hi
        self._bar = (cmap, TITLES[self._mode], lo, hi, log)
        return nodes, edges

    @staticmethod
    def _binned(values, cmap, lo, hi, log=False):
        t = np.round(colors.normalize(values, lo, hi, log) * (BINS - 1)) / (BINS - 1)
        return colors.map_values(t, cmap, 0.0, 1.0)

    def _apply_highlight(self, nodes, edges):
        layer, direction, values = self._highlight
        lit_cols = [layer - 1, layer] if direction == "update" else [layer]
        self._dim_nodes = ~np.isin(self._node_layer, lit_cols)
        nodes[self._dim_nodes, 3] = DIM_ALPHA
        lit = np.zeros(len(edges), bool)
        if 1 <= layer < len(self._sizes):
            lit[self._edge_start[layer - 1]:self._edge_start[layer]] = True
        if direction == "update" and values is not None and lit.any():
            v = np.abs(np.asarray(values, float)).ravel()
            lo, hi = _magnitude_range(v, self._log)
            cmap = colors.magnitude_colormap()
            edges[lit] = self._binned(v, cmap, lo, hi or 1.0, self._log)
            title = f"|ΔW{str(layer).translate(_SUP)}| (this update)"
            self._bar = (cmap, title, lo, hi, self._log)
        edges[~lit, 3] = np.minimum(edges[~lit, 3], DIM_ALPHA)

    def _group_edges(self, rgba, widths):
        """One pen per (colour, width) pair, strong edges drawn last. Transparency is pre-blended
        with the white background: opaque pens paint several times faster."""
        a = rgba[:, 3:4] / 255
        rgb = np.round(rgba[:, :3] * a + 255 * (1 - a)).astype(np.int64)
        wq = np.round(widths * 4).astype(np.int64)
        keys, first, inverse = np.unique((rgb @ [1 << 16, 1 << 8, 1]) * 64 + wq,
                                         return_index=True, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(keys) + 1))
        groups = []
        for g, k in enumerate(first):
            pen = QPen(QColor(*rgb[k].tolist()), wq[k] / 4)
            pen.setCapStyle(Qt.FlatCap)
            lines = [self._lines[i] for i in order[bounds[g]:bounds[g + 1]]]
            groups.append(((rgba[k, 3], wq[k]), pen, lines))
        groups.sort(key=lambda g: g[0])
        return [(pen, lines) for _, pen, lines in groups]

    # -- painting ---------------------------------------------------------------------------
    def _paint(self, canvas):
        self._ensure_colors()
        p = QPainter(canvas)
        p.drawPixmap(0, 0, self._edges_image(canvas))
        p.setRenderHint(QPainter.Antialiasing)
        self._paint_marked_edges(p)
        if self._highlight is not None and self._highlight[1] != "update":
            self._paint_flow(p)
        self._paint_nodes(p)
        self._paint_labels(p)
        self._paint_colorbar(p, canvas.width(), canvas.height())
        p.end()

    def _edges_image(self, canvas) -> QPixmap:
        """All edges on white, kept until colours or size change (hovering repaints only nodes
        and labels); a dense graph fed new stats keeps its edges until DENSE_REFRESH_S passed."""
        wait = self._edges_drawn_at + DENSE_REFRESH_S - time.monotonic()
        dense = len(self._seg) > AA_MAX_EDGES
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
            p.setRenderHint(QPainter.Antialiasing, len(self._seg) <= AA_MAX_EDGES)
            for pen, lines in self._group_edges(self._edge_rgba, self._edge_widths_px):
                p.setPen(pen)
                p.drawLines(lines)
            p.end()
        return self._edge_pixmap

    def _paint_marked_edges(self, p):
        """Hovered and selected edges: dark and white halos under the edge's own colour, which
        stand out on every colour map."""
        for edge, halos in ((self._hover_edge, [((0, 0, 0, 90), 4)]),
                            (self._selected_edge, [((0, 0, 0, 255), 6), ((255, 255, 255), 2)])):
            if edge is not None:
                k = self._edge_index(*edge)
                width = float(self._edge_widths_px[k])
                for rgba, extra in halos + [(self._edge_rgba[k, :3].tolist(), 0)]:
                    p.setPen(QPen(QColor(*rgba), width + extra))
                    p.drawLine(self._lines[k])

    def _paint_flow(self, p):
        """Arrowheads on some highlighted edges: right for forward, left for backward."""
        layer, direction, _ = self._highlight
        if not 1 <= layer < len(self._sizes):
            return
        seg = self._seg[self._edge_start[layer - 1]:self._edge_start[layer]]
        if direction == "backward":
            seg = seg[:, [2, 3, 0, 1]]
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(40, 40, 40, 220))
        size = float(np.clip(self._radius * 0.6, 3.0, 7.0))
        for x0, y0, x1, y1 in seg[::max(1, len(seg) // 12)]:  # a dozen show the direction
            vec = np.array([x1 - x0, y1 - y0])
            d = vec / max(np.hypot(*vec), 1e-9)
            tip = np.array([x0, y0]) + 0.55 * vec
            back, side = tip - d * size * 1.6, np.array([-d[1], d[0]]) * size
            p.drawPolygon(QPolygonF([QPointF(*xy) for xy in (tip, back + side, back - side)]))

    def _paint_nodes(self, p):
        r = self._radius
        outline, faint = QPen(QColor(60, 60, 60), 1.0), QPen(QColor(60, 60, 60, DIM_ALPHA), 1.0)
        for (x, y), c, dim in zip(self._node_xy.tolist(), self._node_rgba.tolist(),
                                  self._dim_nodes):
            p.setPen(faint if dim else outline)
            p.setBrush(QColor(*c))
            p.drawEllipse(QPointF(x, y), r, r)
        p.setBrush(Qt.NoBrush)
        for node, pen in ((self._hover_node, QPen(QColor(0, 0, 0, 120), 1.5)),
                          (self._selected_neuron, QPen(QColor(0, 0, 0), 2.5))):
            if node is not None:
                p.setPen(pen)
                p.drawEllipse(self.neuron_position(*node), r + 3, r + 3)

    def _paint_labels(self, p):
        p.setPen(QColor(40, 40, 40))
        p.setFont(self._header_font)
        fm = QFontMetricsF(self._header_font)
        right = self.canvas.width() - self._bar_width
        for x, lines in zip(self._col_x, self._headers):
            for k, text in enumerate(lines):
                tw = fm.horizontalAdvance(text)
                p.drawText(QPointF(min(max(x - tw / 2, 2), right - tw),
                                   6 + fm.ascent() + k * fm.lineSpacing()), text)
        p.setFont(self._label_font)
        lfm = QFontMetricsF(self._label_font)
        r, base = self._radius, (lfm.ascent() - lfm.descent()) / 2
        for (x, y), text in zip(self._node_xy.tolist(), self._labels):
            p.drawText(QPointF(x - r - 5 - lfm.horizontalAdvance(text), y + base), text)
        n_out = self._sizes[-1]
        for n, (x, y) in enumerate(self._node_xy[-n_out:].tolist()):
            index = str(n + 1).translate(_SUB) if n_out > 1 else ""
            p.drawText(QPointF(x + r + 5, y + base), "ŷ" + index)
        if self._stats is None:
            p.setPen(QColor(120, 120, 120))
            p.drawText(QPointF(8, self.canvas.height() - 8), "no training statistics yet")

    def _paint_colorbar(self, p, w, h):
        cmap, _, lo, hi, log = self._bar
        fm = QFontMetricsF(self._font)
        top, bottom = self._top + 8, h - 24
        if bottom - top < 40:
            return
        bar = QRectF(w - self._bar_width + fm.lineSpacing() + 8, top, 12, bottom - top)
        if cmap is None:
            p.setBrush(QColor(*colors.NEUTRAL_GREY))
        else:
            grad = QLinearGradient(bar.bottomLeft(), bar.topLeft())
            stops = np.linspace(0, 1, 17)
            for t, c in zip(stops, colors.map_values(stops, cmap, 0, 1)):
                grad.setColorAt(t, QColor(*c.tolist()))
            p.setBrush(grad)
        p.setPen(QPen(QColor(80, 80, 80), 1))
        p.drawRect(bar)
        p.setFont(self._font)
        p.setPen(QColor(40, 40, 40))
        title, lo_text, hi_text = self.colorbar_text()
        ticks = [(bar.bottom(), lo_text), (bar.top(), hi_text)]
        if cmap is not None:
            mid = 10 ** ((np.log10(lo) + np.log10(hi)) / 2) if log and lo > 0 else (lo + hi) / 2
            ticks.append((bar.center().y(), _fmt(mid, 3)))
        for y, text in ticks:
            p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y))
            p.drawText(QPointF(bar.right() + 5, y + fm.ascent() / 2 - 1), text)
        p.save()  # the title runs up the left side of the bar, as on a plot axis
        p.translate(bar.left() - 6, bar.center().y())
        p.rotate(-90)
        text = fm.elidedText(title, Qt.ElideRight, bar.height())
        p.drawText(QPointF(-fm.horizontalAdvance(text) / 2, 0), text)
        p.restore()

    # -- mouse ------------------------------------------------------------------------------
    def _node_at(self, pos):
        self._ensure_geometry()
        d = np.hypot(self._node_xy[:, 0] - pos.x(), self._node_xy[:, 1] - pos.y())
        k = int(np.argmin(d))
        if d[k] > self._radius + 2:
            return None
        layer = int(self._node_layer[k])
        return layer, k - int(self._node_start[layer])

    def _edge_at(self, pos):
        self._ensure_geometry()
        d = _segment_distances(self._seg, pos.x(), pos.y())
        k = int(np.argmin(d))
        if d[k] > 4.0:
            return None
        layer = int(np.searchsorted(self._edge_start, k, side="right"))
        i, j = divmod(k - int(self._edge_start[layer - 1]), self._sizes[layer])
        return layer, i, j

    def _hover(self, pos, global_pos):
        node = self._node_at(pos) if pos is not None else None
        edge = self._edge_at(pos) if pos is not None and node is None else None
        if node != self._hover_node:
            self.sigNeuronHovered.emit(*(node or (-1, -1)))
        if (node, edge) != (self._hover_node, self._hover_edge):
            self._hover_node, self._hover_edge = node, edge
            self.canvas.update()
        text = self.neuron_text(*node) if node else self.edge_text(*edge) if edge else ""
        if text and global_pos is not None:
            QToolTip.showText(global_pos, text, self.canvas)
        else:
            QToolTip.hideText()

    def _click(self, pos):
        node = self._node_at(pos)
        edge = None if node else self._edge_at(pos)
        if node is not None:
            self._selected_edge = None
            self.set_selected_neuron(*node)
            self.sigNeuronClicked.emit(*node)
        elif edge is not None:
            self._selected_neuron = None
            self.set_selected_edge(*edge)
            self.sigEdgeClicked.emit(*edge)
            if self.weight_editing_enabled:
                self.edit_weight(*edge)
