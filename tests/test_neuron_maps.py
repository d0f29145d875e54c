"""Neuron maps: each node of the graph shows its neuron's output over the input plane, made from
the engine's own layer outputs on the boundary grid (the numbers the boundary view shows)."""

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from engine.presets import load_preset
from engine.spec import Spec
from gui.graph.neuron_maps import THUMB, layer_levels, neuron_images, thumbnails
from gui.playground.graph_editing import MAPS_KEY
from gui.playground.main_window import MainWindow
from gui.plots.boundary_grid import grid_points
from gui.plots.boundary_key import heatmap_lut, overlay_levels
from tests.test_main_window import make_window


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


def test_thumbnails_keep_the_planes_orientation():
    grid = grid_points(100, (-1, 1))
    values = np.column_stack([grid[:, 0], grid[:, 1]])  # x₁ and x₂ themselves
    x_map, y_map = thumbnails(values)
    assert x_map.shape == (THUMB, THUMB)
    assert x_map[0, 0] < x_map[0, -1]  # x grows to the right
    assert y_map[0, 0] > y_map[-1, 0]  # the top row is the top of the plane (y up)
    np.testing.assert_allclose(x_map[0, :4], grid[:4 * 4:4, 0].reshape(4) + 0.03, atol=1e-12)


def test_thumbnails_refuse_outputs_off_a_square_grid():
    with pytest.raises(ValueError, match="square grid"):
        thumbnails(np.zeros((200, 3)))


def test_colours_use_the_levels_and_colours_of_the_boundary_overlay():
    """Sigmoid-like outputs on 0…1, others symmetric around 0 (white is zero), as on hover."""
    values = np.column_stack([np.linspace(0.2, 0.9, 10000), np.linspace(-3, 1, 10000)])
    sigmoid, tanh = neuron_images([values])
    assert sigmoid.width() == sigmoid.height() == THUMB
    lut = heatmap_lut()
    sigmoid_levels, tanh_levels = (overlay_levels(t) for t in thumbnails(values))
    assert sigmoid_levels == (0, 1) and tanh_levels[0] == -tanh_levels[1] < -2.9
    for image, thumb in zip((sigmoid, tanh), thumbnails(values)):
        lo, hi = overlay_levels(thumb)
        corner = thumb[-1, -1]  # bottom right of the picture
        expected = lut[int(round((corner - lo) / (hi - lo) * (len(lut) - 1)))]
        pixel = image.pixelColor(THUMB - 1, THUMB - 1)
        assert (pixel.red(), pixel.green(), pixel.blue()) == tuple(expected[:3])


def test_layer_levels_are_the_overlays_levels_of_each_column():
    v = np.column_stack([np.linspace(0.2, 0.9, 100), np.linspace(-3, 1, 100), np.zeros(100),
                         np.r_[np.nan, np.inf, np.linspace(0, 1, 98)], np.full(100, np.nan),
                         np.r_[-np.inf, np.linspace(-2, 5, 99)]])
    for values in (v, v[:, :3]):  # with and without non-finite values
        lo, hi = layer_levels(values)
        assert list(zip(lo.tolist(), hi.tolist())) == [overlay_levels(c) for c in values.T]


def test_the_maps_are_the_engines_layer_outputs(qtbot, window):
    before = window.latest_outputs
    window.sigStep.emit(40)  # the worker sends the grid's outputs once, after the 40 steps
    qtbot.waitUntil(lambda: window.latest_outputs is not before, timeout=5000)
    window.force_redraw()
    trainer, grid = window.worker.trainer, window.worker.grid
    images = window.graph.maps.images(trainer.network.sizes)
    assert len(images) == window.graph.node_count()
    expected = neuron_images(trainer.neuron_outputs(grid))
    # Hidden layer 1, neuron 3: node 2 + 2 in column order.
    assert images[4] == expected[4]
    assert images[4] != images[5]  # two neurons, two pictures
    # The input x₁'s map is the plane's x coordinate itself: blue on the left, orange right.
    x1 = images[0]
    left, right = x1.pixelColor(0, THUMB // 2), x1.pixelColor(THUMB - 1, THUMB // 2)
    assert left.blue() > left.red() and right.red() > right.blue()


def painted_centre(w, layer, n):
    image = w.graph.canvas.grab().toImage()
    p = w.graph.neuron_position(layer, n)
    return image.pixelColor(int(p.x()), int(p.y()))


def test_the_toggle_switches_the_pictures_and_is_remembered(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    w.resize(1280, 720)
    w.show()
    w.force_redraw()
    qtbot.waitUntil(lambda: w.graph.maps.has_outputs())
    node = w.graph.node_colors()[w.graph._layout.node_start[1]]  # hidden 1, neuron 1
    assert painted_centre(w, 1, 0) != node  # the picture covers the node's middle
    w.maps_action.trigger()
    assert not w.graph.maps_check.isChecked()
    colour = painted_centre(w, 1, 0)
    assert (colour.red(), colour.green(), colour.blue()) == (node.red(), node.green(), node.blue())
    w.graph.maps_check.click()  # the graph's own box and the menu stay in step
    assert w.maps_action.isChecked()
    w.graph.maps_check.click()
    w.close()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    assert str(settings.value(MAPS_KEY)).lower() == "false"
    again = MainWindow(load_preset("playground"), settings=settings)
    qtbot.addWidget(again, before_close_func=lambda widget: widget.shutdown())
    assert not again.maps_action.isChecked() and not again.graph.maps.visible


def test_a_garbled_setting_leaves_the_maps_on(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    settings.setValue(MAPS_KEY, "¿bananas?")
    w = MainWindow(load_preset("playground"), settings=settings)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    assert w.maps_action.isChecked()


@pytest.mark.parametrize("points", [[[0.0], [1.0], [2.0], [3.0]],
                                    [[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 2.0, 0.0],
                                     [3.0, 1.0, 1.0]]])
def test_no_plane_no_maps(qtbot, tmp_path, points):
    """One input draws a curve and three have no plane: the toggle is greyed and says why."""
    spec = Spec(dataset="given", points=points, labels=[0, 1, 0, 1], hidden=[3],
                activations=["tanh"], features=[])
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(spec, settings=settings)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    w.force_redraw()
    assert not w.graph.maps_check.isEnabled()
    assert "two input columns" in w.graph.maps_check.toolTip()
    assert not w.graph.maps.has_outputs()
    assert w.spec.dataset == "given"
    w.graph.canvas.grab()  # paints without a picture


def test_the_maps_box_does_not_widen_the_graph(qtbot):
    """The graph's controls are cut off in a narrow pane rather than widen the window (the
    step-through panel beside it needs the room)."""
    from gui.graph.network_graph import NetworkGraph

    graph = NetworkGraph()
    qtbot.addWidget(graph)
    assert graph.minimumSizeHint().width() <= graph.canvas.minimumWidth()
    graph.resize(600, 400)
    graph.show()
    assert graph.maps_check.isVisible() and graph.controls.height() >= graph.maps_check.height()


def test_a_narrow_graph_gets_short_words_not_cut_ones(qtbot):
    from gui.graph.network_graph import NetworkGraph

    graph = NetworkGraph()
    qtbot.addWidget(graph)
    graph.resize(300, 300)
    graph.show()
    assert graph.maps_check.text() == "Maps" and not graph.mode_label.isVisible()
    assert graph.controls.layout().sizeHint().width() <= 300
    graph.resize(700, 300)
    qtbot.waitUntil(lambda: graph.maps_check.text() == "Neuron maps")
    assert graph.mode_label.isVisible() and graph.log_check.text() == "Log scale"


def test_hovering_keeps_the_pictures_it_has(qtbot, window):
    """The window re-sends the same outputs when the hovered neuron changes: no new pictures."""
    window.force_redraw()
    sizes = window.worker.trainer.network.sizes
    first = window.graph.maps.images(sizes)
    window.graph.sigNeuronHovered.emit(1, 2)
    window.force_redraw()
    assert window.graph.maps.images(sizes) is first
