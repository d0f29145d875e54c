"""Where the graph lab's nodes sit: a left-to-right layered layout with few edge crossings.

Pure Python + NumPy (no Qt), so it is tested without a window. An operation's column is the
longest path to it from any input or constant; an input or constant sits one column left of
the first operation that uses it (so `w2` in a deep expression is drawn beside its product,
not in column 0 with a long edge across the picture). Rows inside a column are ordered by the
barycentre heuristic, with a dummy node on every column an edge skips. Coordinates are in unit
steps: x is the column, y the row (0 at the top, growing downwards).
"""

from __future__ import annotations

import numpy as np

SWEEPS = 8  # down-and-up barycentre passes; a handful settles every lesson example


def _indices(graph) -> tuple[list[list[int]], dict[int, int]]:
    index = {id(n): i for i, n in enumerate(graph.order)}
    parents = [[index[id(p)] for p in n.parents] for n in graph.order]
    return parents, index


def columns(graph) -> np.ndarray:
    """The column of every node, in graph.order order; the output is in the last one."""
    parents, _ = _indices(graph)
    n = len(graph.order)
    col = np.zeros(n, int)
    for i in range(n):  # graph.order is topological, so parents are already placed
        if parents[i]:
            col[i] = 1 + max(col[p] for p in parents[i])
    children: list[list[int]] = [[] for _ in range(n)]
    for i, ps in enumerate(parents):
        for p in ps:
            children[p].append(i)
    for i in range(n):
        if not parents[i] and children[i]:  # an input or constant: just left of its first use
            col[i] = max(0, min(col[c] for c in children[i]) - 1)
    if n:
        col[n - 1] = col.max()  # the output ends the picture, even if an input sits beside it
    return col


def _segments(graph, col: np.ndarray) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """Layers of vertex ids (real nodes first, then dummies) and the unit-span edges."""
    parents, _ = _indices(graph)
    n = len(col)
    layer_of = list(col)
    edges = []
    for child, ps in enumerate(parents):
        for p in ps:
            prev = p
            for c in range(col[p] + 1, col[child]):
                layer_of.append(c)  # a dummy vertex where the edge crosses column c
                edges.append((prev, len(layer_of) - 1))
                prev = len(layer_of) - 1
            edges.append((prev, child))
    layers: list[list[int]] = [[] for _ in range(int(col.max()) + 1 if n else 0)]
    for v, c in enumerate(layer_of):
        layers[c].append(v)
    return layers, edges


def _layer_crossings(order: list[list[int]], edges) -> int:
    rank = {v: r for layer in order for r, v in enumerate(layer)}
    layer_of = {v: c for c, layer in enumerate(order) for v in layer}
    total = 0
    by_layer: dict[int, list[tuple[int, int]]] = {}
    for a, b in edges:
        by_layer.setdefault(layer_of[a], []).append((rank[a], rank[b]))
    for pairs in by_layer.values():
        for i in range(len(pairs)):
            for j in range(i + 1, len(pairs)):
                (a1, b1), (a2, b2) = pairs[i], pairs[j]
                if (a1 - a2) * (b1 - b2) < 0:
                    total += 1
    return total


def _sweep(order: list[list[int]], edges, downwards: bool) -> list[list[int]]:
    up: dict[int, list[int]] = {}
    down: dict[int, list[int]] = {}
    for a, b in edges:
        down.setdefault(a, []).append(b)
        up.setdefault(b, []).append(a)
    order = [list(layer) for layer in order]
    steps = range(1, len(order)) if downwards else range(len(order) - 2, -1, -1)
    for c in steps:
        fixed = order[c - 1] if downwards else order[c + 1]
        rank = {v: r for r, v in enumerate(fixed)}
        neighbours = up if downwards else down
        current = {v: r for r, v in enumerate(order[c])}

        def key(v, rank=rank, neighbours=neighbours, current=current):
            ranks = [rank[u] for u in neighbours.get(v, ())]
            return (sum(ranks) / len(ranks)) if ranks else current[v]

        order[c].sort(key=lambda v: (key(v), current[v]))
    return order


def layered_layout(graph) -> np.ndarray:
    """(n, 2) float positions (column, row) in graph.order order."""
    n = len(graph.order)
    if n == 0:
        return np.zeros((0, 2))
    col = columns(graph)
    order, edges = _segments(graph, col)
    best, best_count = order, _layer_crossings(order, edges)
    for sweep in range(SWEEPS):
        order = _sweep(order, edges, downwards=sweep % 2 == 0)
        count = _layer_crossings(order, edges)
        if count < best_count:
            best, best_count = order, count
        if best_count == 0:
            break
    pos = np.zeros((n, 2))
    for c, layer in enumerate(best):
        offset = (len(layer) - 1) / 2.0  # every column centred on row 0
        for r, v in enumerate(layer):  # a dummy keeps its row free for the edge through it
            if v < n:
                pos[v] = (c, r - offset)
    return pos - [0.0, pos[:, 1].min()]


def _cross(p, q, r) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _segments_cross(a, b, c, d) -> bool:
    d1, d2 = _cross(c, d, a), _cross(c, d, b)
    d3, d4 = _cross(a, b, c), _cross(a, b, d)
    return d1 * d2 < 0 and d3 * d4 < 0


def crossings(graph, positions) -> int:
    """How many pairs of straight edges (parent → child) cross, not counting shared ends."""
    parents, _ = _indices(graph)
    pos = np.asarray(positions, float)
    edges = [(p, c) for c, ps in enumerate(parents) for p in ps]
    total = 0
    for i in range(len(edges)):
        for j in range(i + 1, len(edges)):
            (a, b), (c, d) = edges[i], edges[j]
            if len({a, b, c, d}) < 4:
                continue
            if _segments_cross(pos[a], pos[b], pos[c], pos[d]):
                total += 1
    return total
