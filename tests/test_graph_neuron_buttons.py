"""The − / + buttons above each hidden column of the node graph: a neuron more or fewer, with
the editor's rebuild and undo."""

import pytest
from PySide6.QtCore import Qt

from engine.spec import MAX_NEURONS, Spec
from gui.graph.layer_buttons import place_buttons
from gui.graph.network_graph import NetworkGraph
from tests.test_main_window import make_window


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


def button(graph, layer, delta):
    graph._ensure_geometry()
    return next(b for b in graph._buttons if (b.layer, b.delta) == (layer, delta))


def click(qtbot, graph, layer, delta):
    centre = button(graph, layer, delta).rect.center().toPoint()
    qtbot.mouseClick(graph.canvas, Qt.LeftButton, pos=centre)


def test_plus_adds_a_neuron_and_undo_brings_the_trained_network_back(qtbot, window):
    window.resize(1280, 720)
    window.show()
    window.sigStep.emit(25)
    qtbot.waitUntil(lambda: window.latest_stats.step == 25)
    assert window.spec.hidden == [4, 2]
    click(qtbot, window.graph, 2, +1)
    qtbot.waitUntil(lambda: window.worker.trainer.network.sizes == [2, 4, 3, 1])
    assert window.spec.hidden == [4, 3]
    assert window.editor.layer_rows[1].neurons_spin.value() == 3  # the editor shows it too
    assert window.graph.node_count() == 2 + 4 + 3 + 1
    assert window.undo_stack.undoText() == "hidden layers"  # as for the editor's own box
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: window.worker.trainer.network.sizes == [2, 4, 2, 1])
    qtbot.waitUntil(lambda: window.latest_stats is not None)
    assert window.latest_stats.step == 25  # its training came back with it
    click(qtbot, window.graph, 1, -1)
    qtbot.waitUntil(lambda: window.worker.trainer.network.sizes == [2, 3, 2, 1])


def test_minus_stops_at_one_neuron_and_plus_at_the_maximum(qtbot):
    graph = NetworkGraph()
    qtbot.addWidget(graph)
    graph.resize(600, 400)
    graph.set_architecture([2, 1, MAX_NEURONS, 1], ["x₁", "x₂"], ["tanh", "tanh", "sigmoid"])
    emitted = []
    graph.sigNeuronsChanged.connect(lambda layer, delta: emitted.append((layer, delta)))
    assert not graph.press_neuron_button(1, -1)
    assert not graph.press_neuron_button(2, +1)
    assert "at least one" in graph.text_at(button(graph, 1, -1).rect.center())
    assert graph.press_neuron_button(1, +1) and graph.press_neuron_button(2, -1)
    assert emitted == [(1, +1), (2, -1)]
    assert "1 → 2" in graph.text_at(button(graph, 1, +1).rect.center())


def test_no_buttons_without_hidden_layers_and_none_while_stepping(qtbot):
    graph = NetworkGraph()
    qtbot.addWidget(graph)
    graph.resize(500, 300)
    graph.set_architecture([2, 1], ["x₁", "x₂"], ["sigmoid"])
    graph._ensure_geometry()
    assert graph._buttons == []
    graph.set_architecture([2, 3, 1], ["x₁", "x₂"], ["tanh", "sigmoid"])
    graph.editing_enabled = False
    emitted = []
    graph.sigNeuronsChanged.connect(lambda *a: emitted.append(a))
    click(qtbot, graph, 1, +1)
    assert emitted == []
    assert "stepped through" in graph.text_at(button(graph, 1, +1).rect.center())


def test_the_step_through_locks_the_buttons(qtbot, window):
    window.open_stepper()
    qtbot.waitUntil(lambda: window.stepper.trace is not None, timeout=5000)
    assert not window.graph.editing_enabled
    assert not window.graph.press_neuron_button(1, +1)
    window.stepper.cancel()
    qtbot.waitUntil(lambda: not window.stepper.active)
    assert window.graph.editing_enabled


@pytest.mark.parametrize("size", [(300, 200), (1024, 400), (1900, 900)])
@pytest.mark.parametrize("hidden", [[4], [8] * 6, [32] * 10])
def test_buttons_sit_between_the_headers_and_the_nodes(qtbot, size, hidden):
    graph = NetworkGraph()
    qtbot.addWidget(graph)
    graph.resize(*size)
    graph.show()
    sizes = [2, *hidden, 1]
    graph.set_architecture(sizes, ["x₁", "x₂"], ["relu"] * len(hidden) + ["sigmoid"])
    graph._ensure_geometry()
    buttons = graph._buttons
    assert len(buttons) == 2 * len(hidden)
    canvas = graph.canvas.rect()
    headers_bottom = max(r.bottom() for r in graph.header_rects())
    first_node_top = min(graph.neuron_position(k, 0).y() for k in range(len(sizes)))
    for b in buttons:
        assert canvas.contains(b.rect.toRect())
        assert b.rect.top() >= headers_bottom
        assert b.rect.bottom() <= first_node_top - graph._layout.radius
    rects = [b.rect for b in buttons]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


def test_buttons_shrink_for_narrow_columns():
    col_x = [10.0, 30.0, 50.0]
    narrow = place_buttons([2, 3, 1], col_x, 5.0)
    assert narrow[0].rect.width() < 16 and not narrow[0].rect.intersects(narrow[1].rect)


def test_spec_from_the_graph_keeps_the_editors_other_fields(qtbot, window):
    """The graph edits through the editor: the learning rate the user set stays."""
    window.apply_spec(Spec(hidden=[3], activations=["relu"], learning_rate=0.2))
    qtbot.waitUntil(lambda: window.worker.trainer.network.sizes == [2, 3, 1])
    window.graph.press_neuron_button(1, +1)
    qtbot.waitUntil(lambda: window.worker.trainer.network.sizes == [2, 4, 1])
    assert window.spec.learning_rate == 0.2 and window.spec.activations == ["relu"]
