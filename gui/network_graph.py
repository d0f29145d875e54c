"""The network as a node graph: neurons in columns, every weight an edge, coloured by the last
step's gradients, activations or weights, with a colour bar, hover read-outs and weight editing.

Geometry (positions, segments) is computed once per size/architecture; colours once per
snapshot/mode change, grouped into a few pens so that a 10 × 32 network paints quickly.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QPen, QPixmap,
                           QPolygonF)
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QInputDialog, QLabel, QToolTip,
                               QVBoxLayout, QWidget)

from . import colors

MODES = ("gradient", "activation", "weight")
GREY = np.array(colors.NEUTRAL_GREY + (255,), np.uint8)
DIM_ALPHA = 45  # what is not highlighted fades to this alpha
BINS = 64  # colour levels per map for edges (few pens ⇒ fast painting)
AA_MAX_EDGES = 2500  # antialiased lines cost ~5x; denser graphs are drawn without
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _fmt(v: float, digits: int = 4) -> str:
    return f"{float(v):.{digits}g}"


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
        self._selected_edge = self._selected_neuron = None
        self._hover_node = self._hover_edge = None
        self._geom_size = None  # canvas size the geometry was computed for
        self._colors_dirty = True

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
        bar.addWidget(QLabel("Colour by:"))
        bar.addWidget(self.mode_combo)
        bar.addWidget(self.log_check)
        bar.addStretch(1)
        self.canvas = _Canvas(self)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addLayout(bar)
        box.addWidget(self.canvas, 1)

    # -- public API -----------------------------------------------------------------------
    def set_architecture(self, sizes, input_labels, activations) -> None:
        self._sizes = [int(n) for n in sizes]
        n_in = self._sizes[0]
        labels = list(input_labels)[:n_in]
        self._labels = labels + [f"x{k + 1}".translate(_SUB) for k in range(len(labels), n_in)]
        acts = list(activations)[:len(sizes) - 1]
        self._activations = acts + [""] * (len(sizes) - 1 - len(acts))
        if not self._stats_fit(self._stats):
            self._stats = None
        self._highlight = self._selected_edge = self._selected_neuron = None
        self._hover_node = self._hover_edge = None
        self._geom_size = None
        self._changed()

    def set_stats(self, stats) -> None:
        """Keep the snapshot for the next repaint (one that does not fit the drawn architecture,
        e.g. sent just before a rebuild, is ignored)."""
        self._stats = stats if self._stats_fit(stats) else None
        self._changed()

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
        x, y = self._node_xy[self._node_start[layer] + neuron]
        return QPointF(x, y)

    def edge_midpoint(self, layer: int, i: int, j: int) -> QPointF:
        self._ensure_geometry()
        x0, y0, x1, y1 = self._seg[self._edge_start[layer - 1] + i * self._sizes[layer] + j]
        return QPointF((x0 + x1) / 2, (y0 + y1) / 2)

    def node_colors(self) -> list[QColor]:
        self._ensure_colors()
        return [QColor(*map(int, c)) for c in self._node_rgba]

    def colorbar_text(self) -> tuple[str, str, str]:
        """(title, bottom label, top label) of the colour bar."""
        self._ensure_colors()
        title, lo, hi, log = self._bar[1:]
        if self._bar[0] is None:
            return title, "–", "–"
        return title + (" (log scale)" if log else ""), _fmt(lo, 3), _fmt(hi, 3)

    def neuron_text(self, layer: int, n: int) -> str:
        st = self._stats
        if layer == 0:
            name = f"input {self._labels[n]}"
            if st is None:
                return name
            return (f"{name}: mean x = {_fmt(st.neuron_activations[0][n])}, "
                    f"mean |∂L/∂x| = {_fmt(st.neuron_grads[0][n])}")
        name = f"{self._column_name(layer)}, neuron {n + 1}"
        if st is None:
            return name
        return (f"{name}: mean a = {_fmt(st.neuron_activations[layer][n])}, "
                f"mean |∂L/∂z| = {_fmt(st.neuron_grads[layer][n])}, "
                f"b = {_fmt(st.biases[layer - 1][n])}")

    def edge_text(self, layer: int, i: int, j: int) -> str:
        st, name = self._stats, self._edge_name(layer, i, j)
        if st is None:
            return f"{name}\n{self._edge_route(layer, i, j)}"
        return (f"{name} = {_fmt(st.weights[layer - 1][i, j])}, "
                f"|∂L/∂W| = {_fmt(st.weight_grads[layer - 1][i, j])}\n{self._edge_route(layer, i, j)}")

    def text_at(self, pos: QPointF) -> str:
        """The tooltip text for a canvas position ('' over empty space)."""
        node = self._node_at(pos)
        edge = None if node else self._edge_at(pos)
        return self.neuron_text(*node) if node else self.edge_text(*edge) if edge else ""

    def edit_weight(self, layer: int, i: int, j: int) -> float | None:
        """Ask for a new value of W⁽layer⁾[i, j]; emits sigWeightEdited on OK."""
        if self._stats is None:
            return None
        current = float(self._stats.weights[layer - 1][i, j])
        label = f"{self._edge_name(layer, i, j)} {self._edge_route(layer, i, j)}:"
        value, ok = QInputDialog.getDouble(self, "Edit weight", label, current, -100.0, 100.0, 4)
        if not ok:
            return None
        self.sigWeightEdited.emit(layer, i, j, float(value))
        return float(value)

    # -- state -> geometry and colours --------------------------------------------------------
    def _changed(self):
        self._colors_dirty = True
        self.canvas.update()

    def _stats_fit(self, st) -> bool:
        s = self._sizes
        return (st is not None and len(st.neuron_grads) == len(s)
                and all(g.shape == (n,) for g, n in zip(st.neuron_grads, s))
                and all(w.shape == (a, b) for w, a, b in zip(st.weights, s, s[1:])))

    @staticmethod
    def _edge_name(layer: int, i: int, j: int) -> str:
        return f"W{str(layer).translate(_SUP)}[{i + 1}→{j + 1}]"

    def _edge_route(self, layer: int, i: int, j: int) -> str:
        src = f"input {self._labels[i]}" if layer == 1 else f"{self._column_name(layer - 1)} n{i + 1}"
        return f"(from {src} to {self._column_name(layer)} n{j + 1})"

    def _column_name(self, layer: int) -> str:
        return "input" if layer == 0 else "output" if layer == len(self._sizes) - 1 \
            else f"hidden {layer}"

    def _ensure_geometry(self):
        size = (self.canvas.width(), self.canvas.height())
        if self._geom_size == size:
            return
        self._geom_size = size
        w, h = size
        sizes, n_cols = self._sizes, len(self._sizes)
        self._font = QFont(self.font())
        self._font.setPointSizeF(9)
        fm = QFontMetricsF(self._font)
        # right edge: rotated title, bar, tick labels
        self._bar_width = fm.lineSpacing() + 28 + fm.horizontalAdvance("−8.88e-88")
        self._headers = self._fit_headers(fm, (w - self._bar_width - 60) / max(n_cols - 1, 1))
        top = len(self._headers[0]) * fm.lineSpacing() + 12
        avail = max(h - top - 28, 20)
        step = min(avail / max(sizes), 56.0)
        label_font = QFont(self._font)
        label_font.setPointSizeF(float(np.clip(step * 0.55, 6, 9)))
        self._label_font = label_font
        lfm = QFontMetricsF(label_font)
        left = max(lfm.horizontalAdvance(t) for t in self._labels) + 10
        right = self._bar_width + lfm.horizontalAdvance("ŷ₁₀") + 8
        gap = (w - left - right) / (n_cols - 1)
        r = float(np.clip(min(step * 0.36, gap * 0.16), 2.5, 16))
        gap = (w - left - right - 2 * r) / (n_cols - 1)
        self._radius, self._top = r, top
        self._col_x = left + r + gap * np.arange(n_cols)
        mid = top + 4 + avail / 2
        xy = [np.column_stack([np.full(n, x), mid + (np.arange(n) - (n - 1) / 2) * step])
              for x, n in zip(self._col_x, sizes)]
        self._node_xy = np.concatenate(xy)
        self._node_start = np.concatenate([[0], np.cumsum(sizes)])
        self._node_layer = np.repeat(np.arange(n_cols), sizes)
        segs, self._edge_start = [], [0]
        for a, b in zip(xy, xy[1:]):  # edge k of a layer = i * fan_out + j, like W.ravel()
            segs.append(np.column_stack([np.repeat(a, len(b), axis=0), np.tile(b, (len(a), 1))]))
            self._edge_start.append(self._edge_start[-1] + len(a) * len(b))
        self._seg = np.concatenate(segs)
        self._lines = [QLineF(*s) for s in self._seg.tolist()]
        self._colors_dirty = True

    def _fit_headers(self, fm, room):
        """Column headers, one line when they fit, else two lines, else abbreviated."""
        names = [self._column_name(k) for k in range(len(self._sizes))]
        acts = [""] + self._activations
        one = [[f"{n} · {a}" if a else n] for n, a in zip(names, acts)]
        two = [[n, a] for n, a in zip(names, acts)]
        short = [[n.replace("hidden ", "h").replace("output", "out"), a[:7]] for n, a in zip(names, acts)]
        for lines in (one, two):
            if max(fm.horizontalAdvance(t) for ls in lines for t in ls) <= room * 0.95:
                return lines
        return short

    def _edge_widths(self, st) -> np.ndarray:
        """Width ∝ |W|, thinner for dense layers so a 32 × 32 block stays see-through."""
        densest = max(a * b for a, b in zip(self._sizes, self._sizes[1:]))
        wmax = float(np.clip(40 / np.sqrt(densest), 1.2, 5.0))
        if st is None:
            return np.full(len(self._seg), min(1.0, wmax))
        absw = np.concatenate([np.abs(w).ravel() for w in st.weights])
        top = absw.max()
        widths = 0.5 + (wmax - 0.5) * (absw / top if top > 0 else absw)
        # without antialiasing only whole pixels show (and fractional widths paint slowly)
        return widths if len(absw) <= AA_MAX_EDGES else np.maximum(np.round(widths), 1.0)

    def _ensure_colors(self):
        self._ensure_geometry()
        if not self._colors_dirty:
            return
        st = self._stats
        n_nodes, n_edges = len(self._node_xy), len(self._seg)
        nodes = np.tile(GREY, (n_nodes, 1))
        edges = np.tile(GREY, (n_edges, 1))
        self._bar = (None, {"gradient": "mean |∂L/∂z|, |∂L/∂W|", "activation": "mean activation a",
                            "weight": "W (edges), b (nodes)"}[self._mode], 0.0, 0.0, False)
        if st is not None:
            nodes, edges = self._data_colors(st, nodes, edges)
        edges[:, 3] = (edges[:, 3] * np.clip(np.sqrt(600 / n_edges), 0.45, 1.0)).astype(np.uint8)
        widths = self._edge_widths(st)
        self._dim_nodes = np.zeros(n_nodes, bool)
        if self._highlight is not None:
            edges = self._apply_highlight(nodes, edges)
        self._node_rgba = nodes
        self._edge_groups = self._group_edges(edges, widths)
        self._edge_pixmap = None
        self._colors_dirty = False

    def _data_colors(self, st, nodes, edges):
        cat = np.concatenate
        if self._mode == "gradient":
            node_v, edge_v = cat(st.neuron_grads), cat([g.ravel() for g in st.weight_grads])
            hi = float(max(node_v.max(), edge_v.max()))
            lo = 0.0
            if self._log:
                allv = cat([node_v, edge_v])
                pos = allv[allv > 0]
                lo = max(float(pos.min()) if len(pos) else hi * 1e-6, hi * 1e-10)
            cmap, log = colors.magnitude_colormap(), self._log
            nodes = colors.map_values(node_v, cmap, lo, hi, log)
            edges = self._binned(edge_v, cmap, lo, hi, log)
        elif self._mode == "activation":
            node_v = cat(st.neuron_activations)
            hi = float(np.abs(node_v).max()) or 1.0
            lo, cmap, log = -hi, colors.diverging_colormap(), False
            nodes = colors.map_values(node_v, cmap, lo, hi)
        else:
            w, b = cat([x.ravel() for x in st.weights]), cat(st.biases)
            hi = float(max(np.abs(w).max(), np.abs(b).max())) or 1.0
            lo, cmap, log = -hi, colors.diverging_colormap(), False
            nodes[self._sizes[0]:] = colors.map_values(b, cmap, lo, hi)
            edges = self._binned(w, cmap, lo, hi)
        self._bar = (cmap, self._bar[1], lo, hi, log)
        return nodes, edges

    @staticmethod
    def _binned(values, cmap, lo, hi, log=False):
        t = np.round(colors.normalize(values, lo, hi, log) * (BINS - 1)) / (BINS - 1)
        return colors.map_values(t, cmap, 0.0, 1.0)

    def _apply_highlight(self, nodes, edges):
        layer, direction, values = self._highlight
        lit_cols = {layer - 1, layer} if direction == "update" else {layer}
        self._dim_nodes = ~np.isin(self._node_layer, list(lit_cols))
        nodes[self._dim_nodes, 3] = DIM_ALPHA
        lit = np.zeros(len(edges), bool)
        if 1 <= layer < len(self._sizes):
            lit[self._edge_start[layer - 1]:self._edge_start[layer]] = True
        if direction == "update" and values is not None and lit.any():
            v = np.abs(np.asarray(values, float)).ravel()
            hi = float(v.max()) or 1.0
            lo = max(float(v[v > 0].min()) if (v > 0).any() else hi, hi * 1e-10) if self._log else 0.0
            cmap = colors.magnitude_colormap()
            edges[lit] = self._binned(v, cmap, lo, hi, self._log)
            self._bar = (cmap, f"|ΔW{str(layer).translate(_SUP)}| (this update)", lo, hi, self._log)
        edges[lit, 3] = 255
        edges[~lit, 3] = np.minimum(edges[~lit, 3], DIM_ALPHA)
        return edges

    def _group_edges(self, rgba, widths):
        """One pen per (colour, width) pair; strong edges are drawn last, on top. Transparency
        is pre-blended with the white background: opaque pens paint many times faster."""
        a = rgba[:, 3:4].astype(np.float64) / 255
        rgb = np.round(rgba[:, :3] * a + 255 * (1 - a)).astype(np.int64)
        wq = np.round(widths * 4).astype(np.int64)
        key = (rgb @ np.array([1 << 16, 1 << 8, 1])) * 64 + wq
        keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(keys) + 1))
        groups = []
        for g, k in enumerate(first):
            pen = QPen(QColor(*map(int, rgb[k])), wq[k] / 4)
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
        """All edges on a white background, kept until colours or size change (hover repaints
        then cost only the nodes and labels)."""
        if self._edge_pixmap is None:
            dpr = canvas.devicePixelRatioF()
            self._edge_pixmap = QPixmap(canvas.size() * dpr)
            self._edge_pixmap.setDevicePixelRatio(dpr)
            self._edge_pixmap.fill(QColor(255, 255, 255))
            p = QPainter(self._edge_pixmap)
            p.setRenderHint(QPainter.Antialiasing, len(self._seg) <= AA_MAX_EDGES)
            for pen, lines in self._edge_groups:
                p.setPen(pen)
                p.drawLines(lines)
            p.end()
        return self._edge_pixmap

    def _paint_marked_edges(self, p):
        for edge, alpha in ((self._hover_edge, 90), (self._selected_edge, 200)):
            if edge is None:
                continue
            layer, i, j = edge
            k = self._edge_start[layer - 1] + i * self._sizes[layer] + j
            p.setPen(QPen(QColor(0, 0, 0, alpha), 3.5))
            p.drawLine(self._lines[k])

    def _paint_flow(self, p):
        """Chevrons along the highlighted edges: right for forward, left for backward."""
        layer, direction, _ = self._highlight
        if not 1 <= layer < len(self._sizes):
            return
        seg = self._seg[self._edge_start[layer - 1]:self._edge_start[layer]]
        if direction == "backward":
            seg = seg[:, [2, 3, 0, 1]]
        stride = max(1, len(seg) // 48)  # a few dozen arrows are enough to show the direction
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(40, 40, 40, 210))
        size = max(3.0, min(7.0, self._radius * 0.6))
        for x0, y0, x1, y1 in seg[::stride]:
            d = np.array([x1 - x0, y1 - y0]) / max(np.hypot(x1 - x0, y1 - y0), 1e-9)
            tip = np.array([x0, y0]) + 0.55 * np.array([x1 - x0, y1 - y0])
            back, side = tip - d * size * 1.6, np.array([-d[1], d[0]]) * size
            p.drawPolygon(QPolygonF([QPointF(*tip), QPointF(*(back + side)), QPointF(*(back - side))]))

    def _paint_nodes(self, p):
        r = self._radius
        outline = QPen(QColor(60, 60, 60), 1.0)
        faint = QPen(QColor(60, 60, 60, DIM_ALPHA), 1.0)
        for (x, y), c, dim in zip(self._node_xy.tolist(), self._node_rgba.tolist(), self._dim_nodes):
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
        fm = QFontMetricsF(self._font)
        p.setPen(QColor(40, 40, 40))
        p.setFont(self._font)
        w = self.canvas.width() - self._bar_width
        for x, lines in zip(self._col_x, self._headers):
            for k, text in enumerate(lines):
                tw = fm.horizontalAdvance(text)
                left = float(np.clip(x - tw / 2, 2, w - tw))
                p.drawText(QPointF(left, 6 + fm.ascent() + k * fm.lineSpacing()), text)
        p.setFont(self._label_font)
        lfm = QFontMetricsF(self._label_font)
        r, base = self._radius, lfm.ascent() / 2 - lfm.descent() / 2
        for n, text in enumerate(self._labels):
            x, y = self._node_xy[n]
            p.drawText(QPointF(x - r - 5 - lfm.horizontalAdvance(text), y + base), text)
        n_out = self._sizes[-1]
        for n in range(n_out):
            x, y = self._node_xy[self._node_start[-2] + n]
            text = "ŷ" + (str(n + 1).translate(_SUB) if n_out > 1 else "")
            p.drawText(QPointF(x + r + 5, y + base), text)
        if self._stats is None:
            p.setPen(QColor(120, 120, 120))
            p.drawText(QPointF(8, self.canvas.height() - 8), "no training statistics yet")

    def _paint_colorbar(self, p, w, h):
        cmap, title, lo, hi, log = self._bar
        fm = QFontMetricsF(self._font)
        top, bottom = self._top + 8, h - 24
        if bottom - top < 40:
            return
        bar = QRectF(w - self._bar_width + fm.lineSpacing() + 8, top, 12, bottom - top)
        if cmap is None:
            p.setBrush(QColor(*colors.NEUTRAL_GREY))
        else:
            grad = QLinearGradient(bar.bottomLeft(), bar.topLeft())
            for t in np.linspace(0, 1, 17):
                grad.setColorAt(t, QColor(*map(int, colors.map_values([t], cmap, 0, 1)[0])))
            p.setBrush(grad)
        p.setPen(QPen(QColor(80, 80, 80), 1))
        p.drawRect(bar)
        p.setFont(self._font)
        p.setPen(QColor(40, 40, 40))
        title_text, lo_text, hi_text = self.colorbar_text()
        ticks = [(bar.bottom(), lo_text), (bar.top(), hi_text)]
        if cmap is not None:
            mid = 10 ** ((np.log10(lo) + np.log10(hi)) / 2) if log else (lo + hi) / 2
            ticks.append((bar.center().y(), _fmt(mid, 3)))
        for y, text in ticks:
            p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y))
            p.drawText(QPointF(bar.right() + 5, y + fm.ascent() / 2 - 1), text)
        p.save()  # the title runs up the left side of the bar, as on a plot axis
        p.translate(bar.left() - 6, bar.center().y())
        p.rotate(-90)
        text = fm.elidedText(title_text, Qt.ElideRight, bar.height())
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
        i, j = divmod(k - self._edge_start[layer - 1], self._sizes[layer])
        return layer, int(i), int(j)

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
        if node is not None:
            self._selected_edge = None
            self.set_selected_neuron(*node)
            self.sigNeuronClicked.emit(*node)
            return
        edge = self._edge_at(pos)
        if edge is not None:
            self._selected_neuron = None
            self.set_selected_edge(*edge)
            self.sigEdgeClicked.emit(*edge)
            if self.weight_editing_enabled:
                self.edit_weight(*edge)
