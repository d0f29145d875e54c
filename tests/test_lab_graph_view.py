"""The graph lab's op graph: a crossing-free layout for the lesson examples, and the view."""

import pytest
from PySide6.QtCore import Qt

from engine.lab import build, parse
from gui.lab.graph_layout import columns, crossings, layered_layout
from gui.lab.graph_view import LabGraphView

WORKED = "z1 = w1*x + b1; a1 = relu(z1); z2 = w2*a1 + b2; a2 = sigmoid(z2); L = mse(a2, y)"
EXAMPLES = ["(2*x+1)**3", "(w*x+b)**2", "a = sigmoid(w*x + b); L = mse(a, y)", WORKED]


def graph_of(text, value=0.5):
    program = parse(text)
    return build(program, {name: value for name in program.inputs})


@pytest.mark.parametrize("text", EXAMPLES)
def test_examples_have_no_crossings(text):
    graph = graph_of(text)
    pos = layered_layout(graph)
    assert pos.shape == (len(graph.order), 2)
    assert crossings(graph, pos) == 0
    assert len({tuple(p) for p in pos}) == len(graph.order)  # no two nodes on one spot


@pytest.mark.parametrize("text", EXAMPLES + ["x*x + x", "bce(sigmoid(w*x+b), y)"])
def test_edges_go_left_to_right_and_output_is_last(text):
    graph = graph_of(text)
    col = columns(graph)
    index = {id(n): i for i, n in enumerate(graph.order)}
    for i, node in enumerate(graph.order):
        for p in node.parents:
            assert col[index[id(p)]] < col[i]
    assert col[-1] == col.max()


def test_crossings_counts_crossing_pairs():
    graph = graph_of("a*b + c*d")
    pos = layered_layout(graph)
    assert crossings(graph, pos) == 0
    a, c = (graph.index(graph.inputs[n]) for n in "ac")
    swapped = pos.copy()
    swapped[[a, c]] = pos[[c, a]]  # a now feeds the far product, c the near one
    assert crossings(graph, swapped) >= 2


@pytest.fixture
def view(qtbot):
    widget = LabGraphView()
    qtbot.addWidget(widget)
    widget.resize(1024, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("text", EXAMPLES)
def test_paints_every_example(view, text):
    graph = graph_of(text)
    view.set_graph(graph)
    for on in (False, True):
        view.set_show_gradients(on)
        image = view.grab().toImage()
        assert not image.isNull() and image.width() > 0
        assert len({image.pixel(x, y) for x in range(0, image.width(), 16)
                    for y in range(0, image.height(), 16)}) > 3  # something drawn
    assert view.node_count() == len(graph.order)


def test_every_node_is_inside_the_view_and_boxes_do_not_overlap(view):
    view.set_graph(graph_of(WORKED))
    view.set_show_gradients(True)
    area = view.viewport().rect().toRectF()
    rects = [view.node_rect(i) for i in range(view.node_count())]
    for i, r in enumerate(rects):
        assert area.contains(r)
        assert r.width() > 60  # readable at 1024 wide
        for s in rects[i + 1:]:
            assert not r.intersects(s)


def test_click_emits_the_node_index(view, qtbot):
    graph = graph_of(WORKED)
    view.set_graph(graph)
    for i in (0, 5, len(graph.order) - 1):
        centre = view.node_rect(i).center().toPoint()
        with qtbot.waitSignal(view.sigNodeClicked, timeout=1000) as blocker:
            qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=centre)
        assert blocker.args == [i]


def test_click_on_empty_space_emits_nothing(view, qtbot):
    view.set_graph(graph_of("(w*x+b)**2"))
    seen = []
    view.sigNodeClicked.connect(seen.append)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view.viewport().rect().topLeft()
                     + view.viewport().rect().topLeft())
    assert seen == []


def test_highlight_and_gradients_do_not_raise(view):
    graph = graph_of(WORKED)
    view.set_graph(graph)
    z2 = graph.index(graph.named["z2"])
    parents = [graph.index(p) for p in graph.order[z2].parents]
    view.set_highlight(z2, parents)
    view.set_show_gradients(True)
    view.set_highlight(None)
    view.set_show_gradients(False)
    view.set_highlight(0, [])
    assert not view.grab().isNull()


def test_second_graph_replaces_the_first(view):
    view.set_graph(graph_of(WORKED))
    view.set_show_gradients(True)
    count = len(view.scene().items())
    for _ in range(3):
        view.set_graph(graph_of(WORKED))
        view.set_show_gradients(True)
    assert len(view.scene().items()) == count
    small = graph_of("(2*x+1)**3")
    view.set_graph(small)
    assert view.node_count() == len(small.order)
    assert len(view.scene().items()) < count


def test_resize_keeps_the_graph_in_view(view, qtbot):
    view.set_graph(graph_of(WORKED))
    view.set_show_gradients(True)
    for w, h in ((400, 600), (1400, 500), (300, 200)):
        view.resize(w, h)
        qtbot.wait(10)
        area = view.viewport().rect().toRectF().adjusted(-1, -1, 1, 1)
        assert all(area.contains(view.node_rect(i)) for i in range(view.node_count()))
