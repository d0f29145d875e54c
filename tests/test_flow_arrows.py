"""The step-through's flow arrows (graph_layout.flow_arrows): arrowheads where edges cross or
converge must not pile on top of each other (issue 13, item 1)."""

import itertools

import numpy as np
import pytest

from engine.presets import load_preset
from engine.trainer import Trainer
from gui.graph import graph_layout

PLAYGROUND = tuple(Trainer(load_preset("playground")).network.sizes)
# Canvas sizes of the graph pane: the step-through at 1280 × 720 leaves it about 430 × 390.
CANVASES = [(430, 390), (800, 450), (600, 300)]


def layout_of(sizes, width, height):
    return graph_layout.place_nodes(sizes, width, height, top=30, left=30, right=30, bottom=64)


def reach(triangle) -> float:
    """How far the head reaches from its centroid."""
    return float(np.hypot(*(triangle - triangle.mean(0)).T).max())


@pytest.mark.parametrize("sizes", [PLAYGROUND, (2, 8, 8, 1), (2, 6, 6, 6, 2)])
@pytest.mark.parametrize("canvas", CANVASES)
@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_arrowheads_never_overlap(sizes, canvas, direction):
    lay = layout_of(sizes, *canvas)
    size = graph_layout.flow_size(lay)
    for layer in range(1, len(sizes)):
        arrows = graph_layout.flow_arrows(lay, layer, direction, size)
        n_edges = sizes[layer - 1] * sizes[layer]
        assert len(arrows) >= min(n_edges, 4), "some arrows show the direction"
        for a, b in itertools.combinations(arrows, 2):
            gap = np.hypot(*(a.mean(0) - b.mean(0)))
            assert gap >= reach(a) + reach(b), (layer, gap)  # the heads cannot touch


@pytest.mark.parametrize("direction, sign", [("forward", 1), ("backward", -1)])
def test_arrowheads_sit_on_their_edges_and_point_along_the_flow(direction, sign):
    lay = layout_of((2, 8, 8, 1), 430, 390)
    size = graph_layout.flow_size(lay)
    seg = lay.seg[lay.edge_start[1]:lay.edge_start[2]]
    for triangle in graph_layout.flow_arrows(lay, 2, direction, size):
        tip, centre = triangle[0], triangle.mean(0)
        assert np.sign(tip[0] - centre[0]) == sign
        assert graph_layout.segment_distances(seg, *centre).min() < 1e-9
        nodes = np.hypot(*(lay.node_xy - centre).T)
        assert nodes.min() >= lay.radius + size  # off every node


def test_arrowheads_are_deterministic():
    lay = layout_of((2, 8, 8, 1), 430, 390)
    a = graph_layout.flow_arrows(lay, 2, "forward", 5.0)
    b = graph_layout.flow_arrows(lay, 2, "forward", 5.0)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))

