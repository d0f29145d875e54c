"""The graph lab's op graph: a crossing-free layout for the lesson examples, and the view."""

import pytest
from PySide6.QtCore import Qt

from engine.lab import build, parse
from gui.lab.graph_layout import columns, crossings, layered_layout
from gui.lab.graph_view import BOX_W, MIN_SCALE, LabGraphView

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


def test_a_graph_that_fits_readably_is_shown_whole(view):
    view.resize(1800, 700)
    view.set_graph(graph_of(WORKED))
    view.set_show_gradients(True)
    assert not view.following()
    area = view.viewport().rect().toRectF()
    rects = [view.node_rect(i) for i in range(view.node_count())]
    for i, r in enumerate(rects):
        assert area.contains(r)
        assert r.width() >= BOX_W * MIN_SCALE - 1
        for s in rects[i + 1:]:
            assert not r.intersects(s)
    assert area.contains(view.mapFromScene(view.colour_bar_rect()).boundingRect().toRectF())


def test_a_graph_too_wide_to_read_whole_follows_the_stage(view):
    """At 1024 px the worked example's nine columns would shrink its text below what a room
    reads: the view keeps a readable scale and keeps the highlighted node in sight."""
    graph = graph_of(WORKED)
    view.set_graph(graph)
    view.set_show_gradients(True)
    assert view.following()
    area = view.viewport().rect().toRectF()
    for i in range(view.node_count()):
        assert view.node_rect(i).width() >= BOX_W * MIN_SCALE - 1  # text never below 14 px
    for i in (0, len(graph.order) // 2, len(graph.order) - 1):
        parents = [graph.index(p) for p in graph.order[i].parents]
        view.set_highlight(i, parents)
        for k in (i, *parents):
            assert area.contains(view.node_rect(k))
        # the colour key moves along: it is on screen wherever the view looks
        bar = view.mapFromScene(view.colour_bar_rect()).boundingRect().toRectF()
        assert area.intersected(bar).width() >= bar.width() * 0.9
    view.resize(2000, 700)
    assert not view.following()


def test_click_emits_the_node_index(view, qtbot):
    graph = graph_of(WORKED)
    view.set_graph(graph)
    area = view.viewport().rect()
    for i in (0, 5, len(graph.order) - 1):
        view.set_highlight(i)  # a followed view brings it into sight
        centre = view.node_rect(i).center().toPoint()
        assert area.contains(centre)
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


def test_resize_fits_the_graph_or_follows_it(view, qtbot):
    graph = graph_of("(w*x+b)**2")
    view.set_graph(graph)
    view.set_show_gradients(True)
    last = len(graph.order) - 1
    view.set_highlight(last, [graph.index(p) for p in graph.order[last].parents])
    seen = []
    for w, h in ((1400, 700), (1000, 500), (400, 600), (300, 200)):
        view.resize(w, h)
        qtbot.wait(10)
        area = view.viewport().rect().toRectF().adjusted(-1, -1, 1, 1)
        if view.following():
            assert area.contains(view.node_rect(last))
        else:
            assert all(area.contains(view.node_rect(i)) for i in range(view.node_count()))
        seen.append(view.following())
    assert seen == [False, False, True, True]
