"""The node graph: counts, colours per mode, colour bar, hover/click hit-testing, weight editing,
highlight and the dense 10 × 32 case. Snapshots come from a real engine Trainer."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QInputDialog

from engine.spec import Spec
from engine.trainer import Trainer
from gui.graph.network_graph import DIM_ALPHA, NetworkGraph

PLAYGROUND = [2, 4, 2, 1]


def run(spec: Spec, steps: int = 3):
    trainer = Trainer(spec)
    for _ in range(steps):
        trainer.step()
    return trainer.stats()


@pytest.fixture(scope="module")
def playground_stats():
    return run(Spec(), steps=20)


def make_graph(qtbot, sizes=PLAYGROUND, stats=None, size=(800, 450)):
    graph = NetworkGraph()
    qtbot.addWidget(graph)
    graph.resize(*size)
    activations = ["tanh"] * (len(sizes) - 2) + ["sigmoid"]
    graph.set_architecture(sizes, ["x₁", "x₂"][:sizes[0]], activations)
    if stats is not None:
        graph.set_stats(stats)
    graph.show()
    qtbot.waitExposed(graph)
    return graph


def rgba(colors):
    return [c.getRgb() for c in colors]


@pytest.mark.parametrize("sizes, nodes, edges", [
    ([2, 4, 2, 1], 9, 18), ([1, 1, 1], 3, 2), ([2, 3], 5, 6), ([2] + [32] * 10 + [1], 323, 9312)])
def test_counts(qtbot, sizes, nodes, edges):
    graph = make_graph(qtbot, sizes)
    assert (graph.node_count(), graph.edge_count()) == (nodes, edges)
    assert len(graph.node_colors()) == nodes


def test_empty_state_is_grey_and_stats_recolour(qtbot, playground_stats):
    graph = make_graph(qtbot)
    empty = rgba(graph.node_colors())
    assert len(set(empty)) == 1  # every node the same neutral grey
    assert graph.colorbar_text()[1:] == ("–", "–")
    graph.set_stats(playground_stats)
    coloured = rgba(graph.node_colors())
    assert coloured != empty and len(set(coloured)) > 2
    title, lo, hi = graph.colorbar_text()
    assert "∂L/∂z" in title and lo == "0"
    assert float(hi) == pytest.approx(max(max(g.max() for g in playground_stats.neuron_grads),
                                          max(g.max() for g in playground_stats.weight_grads)),
                                      rel=1e-2)


def test_stats_for_another_architecture_are_ignored(qtbot, playground_stats):
    graph = make_graph(qtbot, [2, 3, 1], stats=playground_stats)
    assert graph.colorbar_text()[1] == "–"
    graph.grab()  # paints without indexing errors


def test_mode_switch_changes_colours(qtbot, playground_stats):
    graph = make_graph(qtbot, stats=playground_stats)
    gradient = rgba(graph.node_colors())
    graph.mode_combo.setCurrentText("activation")
    activation = rgba(graph.node_colors())
    assert activation != gradient and "activation" in graph.colorbar_text()[0]
    lo, hi = map(float, graph.colorbar_text()[1:])
    assert lo == -hi  # diverging maps are symmetric around zero
    graph.set_mode("weight")
    assert graph.mode_combo.currentText() == "weight"
    weight = rgba(graph.node_colors())
    assert weight != activation
    assert weight[0] == weight[1]  # inputs have no bias: neutral
    assert not graph.log_check.isEnabled()
    with pytest.raises(ValueError):
        graph.set_mode("rainbow")


def test_log_scale_changes_colour_bar(qtbot, playground_stats):
    graph = make_graph(qtbot, stats=playground_stats)
    linear = graph.colorbar_text()
    before = rgba(graph.node_colors())
    graph.log_check.setChecked(True)
    log = graph.colorbar_text()
    assert "log" in log[0] and "log" not in linear[0]
    assert log[1] != linear[1] and float(log[1]) > 0  # the bottom is the smallest nonzero value
    assert rgba(graph.node_colors()) != before
    graph.set_log_scale(False)
    assert graph.colorbar_text() == linear and not graph.log_check.isChecked()


def test_hover_node_emits_indices_and_shows_numbers(qtbot, playground_stats):
    graph = make_graph(qtbot, stats=playground_stats)
    seen = []
    graph.sigNeuronHovered.connect(lambda layer, n: seen.append((layer, n)))
    pos = graph.neuron_position(1, 2)
    qtbot.mouseMove(graph.canvas, pos.toPoint())
    qtbot.waitUntil(lambda: seen == [(1, 2)])
    text = graph.text_at(pos)
    assert text.startswith("hidden 1, neuron 3")
    for value in (playground_stats.neuron_activations[1][2], playground_stats.neuron_grads[1][2],
                  playground_stats.biases[0][2]):
        assert f"{value:.4g}" in text
    assert "mean x =" in graph.text_at(graph.neuron_position(0, 1))
    qtbot.mouseMove(graph.canvas, graph.canvas.rect().bottomLeft() + QPointF(5, -5).toPoint())
    qtbot.waitUntil(lambda: seen[-1] == (-1, -1))


def test_edge_text_and_hit_test(qtbot, playground_stats):
    graph = make_graph(qtbot, stats=playground_stats)
    text = graph.text_at(graph.edge_midpoint(2, 3, 1))
    assert text.startswith("W²[4→2] = ")
    assert f"{playground_stats.weights[1][3, 1]:.4g}" in text
    assert f"{playground_stats.weight_grads[1][3, 1]:.4g}" in text
    assert graph.text_at(QPointF(3, 3)) == ""


@pytest.mark.parametrize("edge", [(1, 0, 0), (3, 1, 0)])
def test_click_edge_edits_weight(qtbot, playground_stats, monkeypatch, edge):
    graph = make_graph(qtbot, stats=playground_stats)
    asked = []

    def fake_get_double(parent, title, label, value, lo, hi, decimals):
        asked.append((title, label, value, lo, hi, decimals))
        return 1.5, True

    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(fake_get_double))
    clicked, edited = [], []
    graph.sigEdgeClicked.connect(lambda *a: clicked.append(a))
    graph.sigWeightEdited.connect(lambda *a: edited.append(a))
    qtbot.mouseClick(graph.canvas, Qt.LeftButton, pos=graph.edge_midpoint(*edge).toPoint())
    assert clicked == [edge] and edited == [(*edge, 1.5)]
    layer, i, j = edge
    title, label, value, lo, hi, decimals = asked[0]
    assert title == "Edit weight" and label.startswith(f"W{'¹²³'[layer - 1]}[{i + 1}→{j + 1}]")
    assert value == pytest.approx(playground_stats.weights[layer - 1][i, j])
    assert (lo, hi, decimals) == (-100, 100, 4)


def test_weight_editing_can_be_disabled_or_cancelled(qtbot, playground_stats, monkeypatch):
    graph = make_graph(qtbot, stats=playground_stats)
    answers = []
    monkeypatch.setattr(QInputDialog, "getDouble",
                        staticmethod(lambda *a: answers.append(a) or (2.0, False)))
    edited, clicked = [], []
    graph.sigWeightEdited.connect(lambda *a: edited.append(a))
    graph.sigEdgeClicked.connect(lambda *a: clicked.append(a))
    assert graph.edit_weight(3, 0, 0) is None and len(answers) == 1  # cancelled
    graph.editing_enabled = False
    qtbot.mouseClick(graph.canvas, Qt.LeftButton, pos=graph.edge_midpoint(3, 0, 0).toPoint())
    assert clicked == [(3, 0, 0)] and len(answers) == 1 and edited == []


def test_click_neuron(qtbot, playground_stats):
    graph = make_graph(qtbot, stats=playground_stats)
    with qtbot.waitSignal(graph.sigNeuronClicked) as blocker:
        qtbot.mouseClick(graph.canvas, Qt.LeftButton, pos=graph.neuron_position(3, 0).toPoint())
    assert blocker.args == [3, 0]
    assert graph._selected_neuron == (3, 0)


def test_highlight_dims_the_rest(qtbot, playground_stats):
    graph = make_graph(qtbot, stats=playground_stats)
    normal = graph.node_colors()
    for direction in ("forward", "backward"):
        graph.set_highlight(2, direction)
        alphas = [c.alpha() for c in graph.node_colors()]
        assert alphas == [DIM_ALPHA] * 6 + [255] * 2 + [DIM_ALPHA]  # only column 2 (hidden 2) lit
        graph.grab()
    delta = np.arange(8.0).reshape(2, 4) * 1e-3
    graph.set_highlight(1, "update", delta)
    title, _, top = graph.colorbar_text()
    assert title.startswith("|ΔW¹|") and float(top) == 0.007
    graph.grab()
    graph.set_selected_edge(1, 0, 3)
    graph.set_highlight(None, "forward")
    assert rgba(graph.node_colors()) == rgba(normal)
    graph.grab()
    with pytest.raises(ValueError):
        graph.set_highlight(1, "sideways")


def test_widest_and_smallest_networks_render(qtbot):
    spec = Spec(hidden=[32] * 10, activations=["relu"] * 10)
    stats = run(spec, steps=1)
    graph = make_graph(qtbot, [2] + [32] * 10 + [1], stats=stats, size=(900, 600))
    graph.set_log_scale(True)
    graph.set_highlight(5, "backward")
    assert not graph.grab().isNull()
    # every node sits inside the canvas and nodes of a column do not overlap
    assert graph.neuron_position(1, 31).y() < graph.canvas.height()
    gap = graph.neuron_position(1, 1).y() - graph.neuron_position(1, 0).y()
    assert gap > 2 * graph._layout.radius
    # new stats arriving quickly: edges are redrawn at most a few times a second, but always
    # catch up with the last snapshot
    graph.set_stats(run(spec, steps=2))
    graph.canvas.repaint()
    qtbot.waitUntil(lambda: not graph._edges_stale, timeout=2000)
    with pytest.raises(ValueError):
        graph.set_architecture([2], ["x₁", "x₂"], [])
    tiny = make_graph(qtbot, [1, 1, 1], stats=run(Spec(hidden=[1], activations=["tanh"],
                                                        features=["x1"])), size=(300, 200))
    assert not tiny.grab().isNull()


@pytest.mark.parametrize("sizes, size", [
    (PLAYGROUND, (430, 600)), (PLAYGROUND, (260, 400)), ([2] + [8] * 6 + [1], (370, 540)),
    ([2] + [8] * 6 + [1], (700, 600)), ([2] + [32] * 10 + [1], (280, 300)),
    ([1, 1, 1], (300, 250))])
def test_network_fills_the_canvas_and_headers_never_overlap(qtbot, sizes, size):
    graph = NetworkGraph()
    qtbot.addWidget(graph)
    graph.resize(*size)
    graph.set_architecture(sizes, ["x₁", "x₂"][:sizes[0]],
                           ["leaky_relu"] * (len(sizes) - 2) + ["softplus"])
    graph.show()
    qtbot.waitExposed(graph)
    w, h = graph.canvas.width(), graph.canvas.height()
    rects = graph.header_rects()
    for a, b in zip(rects, rects[1:]):
        assert a.right() < b.left()
    assert rects[0].left() >= 0 and rects[-1].right() <= w
    lay = graph._layout
    assert rects[0].bottom() < lay.node_xy[:, 1].min() - lay.radius  # headers above the nodes
    # columns spread over the whole width (input labels and ŷ on the sides)...
    assert lay.col_x[0] - lay.radius < 0.15 * w and lay.col_x[-1] + lay.radius > 0.85 * w
    # ... and the drawing is centred vertically between the headers and the colour bar
    ys = lay.node_xy[:, 1]
    bar_top = h - graph._bar_height
    assert ys.max() + lay.radius < bar_top
    assert (ys.min() + ys.max()) / 2 == pytest.approx((lay.top + bar_top) / 2)
    assert not graph.grab().isNull()


def test_nodes_grow_with_the_room(qtbot):
    small = make_graph(qtbot, size=(300, 260))
    large = make_graph(qtbot, size=(700, 600))
    assert large.header_rects()[-1].height() == small.header_rects()[-1].height() / 2  # 1 line
    assert small._layout.radius < large._layout.radius == 30  # room for a neuron map
    large.set_maps_visible(False)
    large._ensure_geometry()
    assert large._layout.radius == 22  # plain nodes stay neuron-sized
    large.set_maps_visible(True)
    gap = large.neuron_position(1, 1).y() - large.neuron_position(1, 0).y()
    assert gap > small.neuron_position(1, 1).y() - small.neuron_position(1, 0).y()


def test_colour_helpers():
    from gui.common import colors

    lut = colors.lookup_table(colors.diverging_colormap())
    assert lut.shape == (256, 4) and lut.dtype == np.uint8
    assert tuple(lut[0, :3]) == colors.NEGATIVE_BLUE
    assert tuple(lut[-1, :3]) == colors.POSITIVE_ORANGE
    values = np.array([0.0, 1e-6, 1e-3, 1.0])
    linear = colors.map_values(values, colors.magnitude_colormap(), 0.0, 1.0)
    log = colors.map_values(values, colors.magnitude_colormap(), 1e-6, 1.0, log=True)
    assert linear.shape == log.shape == (4, 4) and linear.dtype == np.uint8
    assert (linear[0] == linear[1]).all()  # on a linear scale 1e-6 looks like 0 ...
    np.testing.assert_allclose(colors.normalize(values, 1e-6, 1.0, log=True), [0, 0, 0.5, 1])
    assert (log[0] == log[1]).all() and not (log[1] == log[2]).all()  # ... not on a log scale
    assert colors.normalize([3.0], 2.0, 2.0).tolist() == [0.5]  # degenerate range


# -- graph_layout: the NumPy half, tested without a widget ------------------------------------
def test_layout_places_nodes_and_hit_tests_round_trip():
    from gui.graph import graph_layout as gl

    lay = gl.place_nodes(PLAYGROUND, 800, 400, top=30, left=40, right=120, bottom=50)
    assert lay.node_xy.shape == (9, 2) and lay.seg.shape == (18, 4)
    assert lay.node_start.tolist() == [0, 2, 6, 8, 9] and lay.edge_start.tolist() == [0, 8, 16, 18]
    assert lay.col_x[0] - lay.radius == 40 and lay.col_x[-1] + lay.radius == 800 - 120
    np.testing.assert_allclose(np.diff(lay.col_x), (800 - 160 - 2 * lay.radius) / 3)  # even
    for layer in range(len(PLAYGROUND)):  # every column is centred between top and bottom
        ys = lay.node_xy[lay.node_start[layer]:lay.node_start[layer + 1], 1]
        assert ys.mean() == pytest.approx(30 + (400 - 30 - 50) / 2)
    # more room: bigger nodes and spacing, up to a limit
    small = gl.place_nodes(PLAYGROUND, 300, 200, top=30, left=20, right=20, bottom=50)
    huge = gl.place_nodes(PLAYGROUND, 3000, 3000, top=30, left=20, right=20, bottom=50)
    assert small.radius < lay.radius <= huge.radius == gl.MAX_RADIUS
    assert small.step < lay.step < huge.step == gl.MAX_STEP
    for layer, n in enumerate(PLAYGROUND):
        for k in range(n):
            assert gl.node_at(lay, *lay.node_xy[lay.node_start[layer] + k]) == (layer, k)
    for layer in (1, 2, 3):
        for i in range(PLAYGROUND[layer - 1]):
            for j in range(PLAYGROUND[layer]):
                x0, y0, x1, y1 = lay.seg[gl.edge_index(lay, layer, i, j)]
                # an edge runs from source neuron i to target neuron j, as W[i, j]
                assert gl.node_at(lay, x0, y0) == (layer - 1, i)
                assert gl.node_at(lay, x1, y1) == (layer, j)
                # (not the midpoint: crossing edges x₁→h₂ and x₂→h₁ share it)
                assert gl.edge_at(lay, x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0)) == (layer, i, j)
    assert gl.node_at(lay, 2, 2) is None and gl.edge_at(lay, 2, 2) is None
    seg = np.array([[0.0, 0.0, 10.0, 0.0]])
    np.testing.assert_allclose([gl.segment_distances(seg, *p)[0] for p in
                                [(5, 3), (-4, 3), (13, -4)]], [3, 5, 5])


def test_layout_colours_headers_and_pen_groups(playground_stats):
    from gui.graph import graph_layout as gl

    lay = gl.place_nodes(PLAYGROUND, 600, 300, top=30, left=30, right=100)
    empty = gl.graph_colors(lay, None, "gradient", False, None)
    assert (empty.nodes == gl.GREY).all() and empty.bar[0] is None
    lit = gl.graph_colors(lay, playground_stats, "weight", False, (1, "forward", None))
    assert lit.dim_nodes.tolist() == [True] * 2 + [False] * 4 + [True] * 3
    assert (lit.edges[8:, 3] <= gl.DIM_ALPHA).all() and (lit.edges[:8, 3] > gl.DIM_ALPHA).all()
    assert lit.nodes[:2, :3].tolist() == [list(gl.GREY[:3])] * 2  # inputs have no bias
    assert lit.bar[2:4] == (-lit.bar[3], lit.bar[3])  # weights: symmetric diverging scale
    # every edge lands in exactly one pen group, faint groups first
    groups = gl.pen_groups(lit.edges, lit.edge_widths)
    assert sorted(np.concatenate([g[2] for g in groups]).tolist()) == list(range(18))
    for _rgb, width, indices in groups:  # one width per pen, a quarter-pixel rounding of |W|'s
        np.testing.assert_allclose(lit.edge_widths[indices], width, atol=0.125)
    assert gl.stats_fit(PLAYGROUND, playground_stats)
    assert not gl.stats_fit([2, 3, 1], playground_stats) and not gl.stats_fit(PLAYGROUND, None)
    names, acts = ["input", "hidden 1", "output"], ["", "leaky_relu", "sigmoid"]

    def fit(spacing):  # measure = len: one px per character, plus HEADER_PAD = 6 px between
        return gl.fit_headers(names, acts, [0, spacing, 2 * spacing], -99, 99, len)

    assert fit(30) == ([["input"], ["hidden 1 · leaky_relu"], ["output · sigmoid"]], 9.0)
    assert fit(20) == ([["input"], ["hidden 1", "leaky_relu"], ["output", "sigmoid"]], 9.0)
    assert fit(11) == ([["input"], ["h1", "leaky"], ["out", "sigm"]], 9.0)
    assert fit(10.5) == ([["input"], ["h1", "leaky"], ["out", "sigm"]], 8.0)  # shrunk to fit
    assert fit(4) == ([["input"], ["h1"], ["out"]], 6.5)  # last resort
    # headers stay inside lo..hi, even if that moves them off their column's centre
    np.testing.assert_allclose(gl.header_lefts([0, 50, 100], [20, 20, 30], 0, 110), [0, 40, 80])
    assert gl.headers_collide([0, 20], [20, 20], 0, 100)  # 6 px padding required
    assert not gl.headers_collide([0, 26], [20, 20], -100, 100)
