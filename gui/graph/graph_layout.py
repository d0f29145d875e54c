"""The NumPy half of the node graph (gui/network_graph.py): where neurons and weight edges sit,
what lies under the mouse, which colour and width every node and edge gets, and the hover
texts. Nothing here needs a QPainter, so all of it can be tested without a window."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from gui.common import colors

MODES = ("gradient", "activation", "weight")
TITLES = {"gradient": "mean |∂L/∂z|, |∂L/∂W|", "activation": "mean activation a",
          "weight": "W (edges), b (nodes)"}
SHORT_ACTIVATIONS = {"leaky_relu": "leaky", "softplus": "soft+", "sigmoid": "sigm", "linear": "lin"}
GREY = np.array(colors.NEUTRAL_GREY + (255,), np.uint8)
DIM_ALPHA = 45  # what is not highlighted fades to this alpha
BINS = 64  # colour levels per map for edges (few pens ⇒ fast painting)
AA_MAX_EDGES = 2500  # antialiased lines cost ~5x; denser graphs are drawn without
MAX_STEP = 120.0  # px between neighbouring neurons of a column, at most
MAX_RADIUS = 22.0  # px; bigger nodes look like buttons, not neurons
HEADER_PAD = 6.0  # px kept free between neighbouring column headers
SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def fmt(v: float, digits: int = 4) -> str:
    return f"{float(v):.{digits}g}"


# -- geometry -------------------------------------------------------------------------------
class Layout(NamedTuple):
    sizes: tuple[int, ...]
    node_xy: np.ndarray  # (nodes, 2) centres, column by column
    node_start: np.ndarray  # index of each column's first node, then the node count
    node_layer: np.ndarray  # column of every node
    edge_start: np.ndarray  # index of each weight layer's first edge, then the edge count
    seg: np.ndarray  # (edges, 4) x0, y0, x1, y1 in W.ravel() order per layer
    col_x: np.ndarray
    radius: float
    top: float  # where the nodes' area starts (below the column headers)
    step: float  # vertical distance between neighbouring neurons of a column


def column_name(layer: int, n_layers: int) -> str:
    return "input" if layer == 0 else "output" if layer == n_layers - 1 else f"hidden {layer}"


def header_lefts(col_x, widths, lo: float, hi: float) -> np.ndarray:
    """Left edge of every column header: centred over its column, but kept within lo..hi."""
    widths = np.asarray(widths, float)
    return np.maximum(np.minimum(np.asarray(col_x, float) - widths / 2, hi - widths), lo)


def headers_collide(col_x, widths, lo: float, hi: float, pad: float = HEADER_PAD) -> bool:
    left, widths = header_lefts(col_x, widths, lo, hi), np.asarray(widths, float)
    return bool(np.any(left[1:] < left[:-1] + widths[:-1] + pad))


def fit_headers(names, activations, col_x, lo: float, hi: float,
                measure: Callable[[str], float],
                point_size: float = 9.0) -> tuple[list[list[str]], float]:
    """Column headers (lines per column) and their font size, such that no two headers overlap:
    "name · activation" on one line, else two lines, else abbreviated and shrunk (not below
    6.5 pt), else abbreviated names alone. `measure` gives a text's width at `point_size`."""
    def widths(lines, scale=1.0):
        return [max(measure(t) for t in ls) * scale for ls in lines]

    for lines in ([[f"{n} · {a}" if a else n] for n, a in zip(names, activations)],
                  [[n, a] if a else [n] for n, a in zip(names, activations)]):
        if not headers_collide(col_x, widths(lines), lo, hi):
            return lines, point_size
    short = [n.replace("hidden ", "h").replace("output", "out") for n in names]
    lines = [[n, SHORT_ACTIVATIONS.get(a, a)] if a else [n] for n, a in zip(short, activations)]
    for points in np.arange(point_size, 6.49, -0.5):
        if not headers_collide(col_x, widths(lines, points / point_size), lo, hi):
            return lines, float(points)
    return [[n] for n in short], 6.5


def place_nodes(sizes, width: float, height: float, top: float, left: float, right: float,
                bottom: float = 28.0, max_radius: float = MAX_RADIUS) -> Layout:
    """Columns spread evenly between the `left` and `right` margins, each centred vertically
    between `top` and `height - bottom`; neuron spacing and radius grow with the room."""
    sizes, n_cols = tuple(int(n) for n in sizes), len(sizes)
    avail = max(height - top - bottom, 20.0)
    step = min(avail / max(sizes), MAX_STEP)
    room = max(width - left - right, 10.0)
    r = float(np.clip(min(step * 0.3, room / (n_cols - 1) * 0.2), 2.5, max_radius))
    gap = max(room - 2 * r, 0.0) / (n_cols - 1)
    col_x = left + r + gap * np.arange(n_cols)
    mid = top + avail / 2
    xy = [np.column_stack([np.full(n, x), mid + (np.arange(n) - (n - 1) / 2) * step])
          for x, n in zip(col_x, sizes)]
    seg = np.concatenate([np.column_stack([np.repeat(src, len(dst), 0),
                                           np.tile(dst, (len(src), 1))])
                          for src, dst in zip(xy, xy[1:])])
    return Layout(sizes, np.concatenate(xy), np.concatenate([[0], np.cumsum(sizes)]),
                  np.repeat(np.arange(n_cols), sizes),
                  np.concatenate([[0], np.cumsum(np.multiply(sizes[:-1], sizes[1:]))]),
                  seg, col_x, r, top, step)


def node_name(labels, n_layers: int, layer: int, n: int) -> str:
    return f"input {labels[n]}" if layer == 0 else f"{column_name(layer, n_layers)}, neuron {n + 1}"


def edge_index(layout: Layout, layer: int, i: int, j: int) -> int:
    return int(layout.edge_start[layer - 1]) + i * layout.sizes[layer] + j  # as W.ravel()


# -- hit-testing ----------------------------------------------------------------------------
def segment_distances(seg: np.ndarray, x: float, y: float) -> np.ndarray:
    """Distance from (x, y) to every segment (rows x0, y0, x1, y1)."""
    d = seg[:, 2:] - seg[:, :2]
    rel = np.array([x, y]) - seg[:, :2]
    t = np.clip((rel * d).sum(1) / np.maximum((d * d).sum(1), 1e-12), 0.0, 1.0)
    return np.hypot(*(rel - t[:, None] * d).T)


def node_at(layout: Layout, x: float, y: float) -> tuple[int, int] | None:
    """(layer, neuron) whose circle (plus 2 px) contains (x, y)."""
    d = np.hypot(layout.node_xy[:, 0] - x, layout.node_xy[:, 1] - y)
    k = int(np.argmin(d))
    if d[k] > layout.radius + 2:
        return None
    layer = int(layout.node_layer[k])
    return layer, k - int(layout.node_start[layer])


def edge_at(layout: Layout, x: float, y: float,
            tolerance: float = 4.0) -> tuple[int, int, int] | None:
    """(weight layer, source i, target j) of the edge nearest to (x, y), within `tolerance` px."""
    d = segment_distances(layout.seg, x, y)
    k = int(np.argmin(d))
    if d[k] > tolerance:
        return None
    layer = int(np.searchsorted(layout.edge_start, k, side="right"))
    i, j = divmod(k - int(layout.edge_start[layer - 1]), layout.sizes[layer])
    return layer, i, j


HEAD_LENGTH, HEAD_HALF_WIDTH = 2.0, 0.75  # in head sizes: slim, so the direction reads
FLOW_GAP = 3.0  # head sizes between arrowhead centres: two heads reach 2.67, plus some air
FLOW_SPOTS = (0.55, 0.45, 0.65, 0.35, 0.75, 0.25)  # fractions along an edge, tried in turn


def flow_size(layout: Layout) -> float:
    """The arrowheads' size unit (see HEAD_LENGTH) for the graph's node radius."""
    return float(np.clip(layout.radius * 0.5, 3.0, 9.0))


def flow_arrows(layout: Layout, layer: int, direction: str, size: float,
                count: int = 12) -> list[np.ndarray]:
    """Triangles (3 × 2 points: tip, two back corners; centroid on the edge) on up to `count`
    edges into column `layer`, pointing right for "forward" and left for "backward".

    Edges cross and converge, so at one fixed fraction of every edge the heads pile up. Each
    head takes the first of FLOW_SPOTS on its edge that is FLOW_GAP sizes from every head placed
    before and clear of the nodes; an edge without such a spot gets none (a few heads show the
    direction as well as many). Edges are tried spread over the layer, so the result is
    deterministic and heads are spread over sources and targets alike."""
    if not 1 <= layer < len(layout.sizes):
        return []
    seg = layout.seg[layout.edge_start[layer - 1]:layout.edge_start[layer]]
    if direction == "backward":
        seg = seg[:, [2, 3, 0, 1]]
    spread = np.arange(0, len(seg), max(1, len(seg) // count))
    order = np.r_[spread, np.setdiff1d(np.arange(len(seg)), spread)]
    clear = layout.radius + 1.2 * size  # a head's centre this far from a node stays off it
    centres: list[np.ndarray] = []
    arrows = []
    for x0, y0, x1, y1 in seg[order]:
        if len(arrows) == count:
            break
        vec = np.array([x1 - x0, y1 - y0])
        length = max(float(np.hypot(*vec)), 1e-9)
        d = vec / length
        for t in FLOW_SPOTS:
            c = np.array([x0, y0]) + t * vec
            if min(t, 1 - t) * length >= clear and all(
                    np.hypot(*(c - other)) >= FLOW_GAP * size for other in centres):
                break
        else:
            continue
        centres.append(c)
        tip, back = c + d * size * HEAD_LENGTH * 2 / 3, c - d * size * HEAD_LENGTH / 3
        side = np.array([-d[1], d[0]]) * size * HEAD_HALF_WIDTH
        arrows.append(np.array([tip, back + side, back - side]))
    return arrows


# -- colours --------------------------------------------------------------------------------
class GraphColors(NamedTuple):
    nodes: np.ndarray  # (nodes, 4) uint8 RGBA
    edges: np.ndarray  # (edges, 4) uint8 RGBA
    edge_widths: np.ndarray  # px
    dim_nodes: np.ndarray  # bool: faded by the highlight
    bar: tuple  # (colour map or None, title, lo, hi, log) of the colour bar


def finite_f64(values) -> np.ndarray:
    """Finite values only, in float64: float32 snapshots underflow in range arithmetic (1e-300
    is 0 in float32), and one inf would stretch the range until every other value is lost."""
    values = np.asarray(values, dtype=np.float64).ravel()
    return values[np.isfinite(values)]


def abs_max(*arrays) -> float:
    """Largest finite |value| of the arrays, 1.0 when there is none or it is 0 (a ± range)."""
    finite = np.abs(np.concatenate([finite_f64(a) for a in arrays]))
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def magnitude_range(values: np.ndarray, log: bool) -> tuple[float, float]:
    """0..max, or on a log scale smallest nonzero..max (at most 10 decades); finite values
    only (none: 0..0, which colours everything alike)."""
    finite = finite_f64(values)
    hi = float(finite.max()) if finite.size else 0.0
    if not log:
        return 0.0, hi
    nonzero = finite[finite > 0]
    return max(float(nonzero.min()) if nonzero.size else hi, hi * 1e-10), hi


def bar_midpoint(lo: float, hi: float, log: bool) -> float:
    return 10 ** ((np.log10(lo) + np.log10(hi)) / 2) if log and lo > 0 else (lo + hi) / 2


def binned(values, cmap, lo: float, hi: float, log: bool = False) -> np.ndarray:
    """Like colors.map_values, but with only BINS colours (one pen each when painting)."""
    t = np.round(colors.normalize(values, lo, hi, log) * (BINS - 1)) / (BINS - 1)
    return colors.map_values(t, cmap, 0.0, 1.0)


def graph_colors(layout: Layout, stats, mode: str, log: bool, highlight) -> GraphColors:
    """Colours and widths for the snapshot `stats` (None: all grey) in colour `mode`;
    `highlight` is None or (layer, direction, values) as in NetworkGraph.set_highlight."""
    nodes = np.tile(GREY, (len(layout.node_xy), 1))
    edges = np.tile(GREY, (len(layout.seg), 1))
    bar = (None, TITLES[mode], 0.0, 0.0, False)
    if stats is not None:
        nodes, edges, bar = _data_colors(layout.sizes, stats, mode, log, nodes, edges)
    dim_nodes = np.zeros(len(nodes), bool)
    if highlight is not None:
        dim_nodes, bar = _apply_highlight(layout, highlight, log, nodes, edges, bar)
    # dense graphs: translucent edges, so that the nodes and the strongest edges stay legible
    edges[:, 3] = edges[:, 3] * np.clip(np.sqrt(600 / len(layout.seg)), 0.45, 1.0)
    return GraphColors(nodes, edges, edge_widths(layout.sizes, stats), dim_nodes, bar)


def _data_colors(sizes, st, mode, log, nodes, edges):
    cat = np.concatenate
    if mode == "gradient":
        node_v, edge_v = cat(st.neuron_grads), cat([g.ravel() for g in st.weight_grads])
        lo, hi = magnitude_range(cat([node_v, edge_v]), log)
        cmap = colors.magnitude_colormap()
        nodes = colors.map_values(node_v, cmap, lo, hi, log)
        edges = binned(edge_v, cmap, lo, hi, log)
    else:
        cmap, log = colors.diverging_colormap(), False
        if mode == "activation":
            node_v = cat(st.neuron_activations)
            hi = abs_max(node_v)
            nodes = colors.map_values(node_v, cmap, -hi, hi)
        else:  # weight: edges W, nodes b (inputs have no bias and stay grey)
            w, b = cat([x.ravel() for x in st.weights]), cat(st.biases)
            hi = abs_max(w, b)
            nodes[sizes[0]:] = colors.map_values(b, cmap, -hi, hi)
            edges = binned(w, cmap, -hi, hi)
        lo = -hi
    return nodes, edges, (cmap, TITLES[mode], lo, hi, log)


def _apply_highlight(layout, highlight, log, nodes, edges, bar):
    """Fade all but the highlighted column(s) and edges (in place); an "update" highlight
    colours its weight layer by |ΔW| and takes over the colour bar."""
    layer, direction, values = highlight
    lit_cols = [layer - 1, layer] if direction == "update" else [layer]
    dim_nodes = ~np.isin(layout.node_layer, lit_cols)
    nodes[dim_nodes, 3] = DIM_ALPHA
    lit = np.zeros(len(edges), bool)
    if 1 <= layer < len(layout.sizes):
        lit[layout.edge_start[layer - 1]:layout.edge_start[layer]] = True
    if direction == "update" and values is not None and lit.any():
        v = np.abs(np.asarray(values, float)).ravel()
        lo, hi = magnitude_range(v, log)
        cmap = colors.magnitude_colormap()
        edges[lit] = binned(v, cmap, lo, hi or 1.0, log)
        bar = (cmap, f"|ΔW{str(layer).translate(SUP)}| (this update)", lo, hi, log)
    edges[~lit, 3] = np.minimum(edges[~lit, 3], DIM_ALPHA)
    return dim_nodes, bar


def edge_widths(sizes, stats) -> np.ndarray:
    """Width ∝ |W|, thinner for dense layers so a 32 × 32 block stays see-through."""
    densest = max(a * b for a, b in zip(sizes, sizes[1:]))
    wmax = float(np.clip(40 / np.sqrt(densest), 1.2, 5.0))
    if stats is None:
        return np.full(sum(a * b for a, b in zip(sizes, sizes[1:])), 1.0)
    # float64: in float32 (and all-zero weights, say) 0 / max(0, 1e-300) is 0 / 0 = NaN
    absw = np.abs(np.concatenate([np.asarray(w, np.float64).ravel() for w in stats.weights]))
    finite = np.isfinite(absw)
    top = float(absw[finite].max()) if finite.any() else 0.0
    rel = np.zeros_like(absw)  # all-zero (or all-NaN) weights: all thin
    if top > 0:
        np.divide(absw, top, out=rel, where=finite)
    rel[np.isposinf(absw)] = 1.0  # a diverged weight is as wide as the widest
    widths = 0.5 + (wmax - 0.5) * rel
    # without antialiasing only whole pixels show (and fractional widths paint slowly)
    return widths if len(absw) <= AA_MAX_EDGES else np.maximum(np.round(widths), 1.0)


def pen_groups(rgba: np.ndarray, widths: np.ndarray) -> list[tuple[tuple, float, np.ndarray]]:
    """Edges grouped by (colour, width), as (rgb, width px, edge indices), faint and thin groups
    first so that strong edges are drawn on top. Transparency is pre-blended with the white
    background: opaque pens paint several times faster."""
    a = rgba[:, 3:4] / 255
    rgb = np.round(rgba[:, :3] * a + 255 * (1 - a)).astype(np.int64)
    wq = np.round(widths * 4).astype(np.int64)  # quarter-pixel widths
    keys, first, inverse = np.unique((rgb @ [1 << 16, 1 << 8, 1]) * 64 + wq,
                                     return_index=True, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(keys) + 1))
    groups = [((rgba[k, 3], wq[k]), tuple(rgb[k].tolist()), wq[k] / 4,
               order[bounds[g]:bounds[g + 1]]) for g, k in enumerate(first)]
    groups.sort(key=lambda g: g[0])
    return [g[1:] for g in groups]


# -- read-outs ------------------------------------------------------------------------------
def stats_fit(sizes, stats) -> bool:
    """Whether the snapshot `stats` belongs to a network with these layer sizes."""
    return (stats is not None and len(stats.neuron_grads) == len(sizes)
            and all(g.shape == (n,) for g, n in zip(stats.neuron_grads, sizes))
            and all(w.shape == (a, b) for w, a, b in zip(stats.weights, sizes, sizes[1:])))


def neuron_text(stats, name: str, layer: int, n: int) -> str:
    """Hover text of a neuron: its batch means (and bias) from the snapshot."""
    if stats is None:
        return name
    a, g = fmt(stats.neuron_activations[layer][n]), fmt(stats.neuron_grads[layer][n])
    if layer == 0:
        return f"{name}: mean x = {a}, mean |∂L/∂x| = {g}"
    return f"{name}: mean a = {a}, mean |∂L/∂z| = {g}, b = {fmt(stats.biases[layer - 1][n])}"


def edge_text(stats, source: str, target: str, layer: int, i: int, j: int) -> str:
    """Hover text of weight W⁽layer⁾[i, j]: value and gradient, then where it connects."""
    name = f"W{str(layer).translate(SUP)}[{i + 1}→{j + 1}]"
    route = f"(from {source} to {target})"
    if stats is None:
        return f"{name}\n{route}"
    return (f"{name} = {fmt(stats.weights[layer - 1][i, j])}, "
            f"|∂L/∂W| = {fmt(stats.weight_grads[layer - 1][i, j])}\n{route}")
