"""The node graph's own controls in the window: View > Neuron maps (remembered), the neuron
maps fed from the worker's layer outputs, and the graph's − / + buttons turned into edits of
the editor's neuron boxes, so that they rebuild and undo exactly as the editor does."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

MAPS_KEY = "view/neuronMaps"


def install_graph_editing(window) -> QAction:
    """Adds View > Neuron maps and connects the graph's buttons; returns the action."""
    graph = window.graph
    action = QAction("Neuron &maps", window, checkable=True)
    action.setShortcut(QKeySequence("Ctrl+Shift+M"))
    action.setStatusTip("Draw each neuron's output over the input plane inside its node")
    action.setChecked(_remembered(window.settings))
    graph.set_maps_visible(action.isChecked())
    action.toggled.connect(graph.set_maps_visible)
    graph.sigMapsToggled.connect(action.setChecked)
    graph.sigMapsToggled.connect(lambda on: window.settings.setValue(MAPS_KEY, bool(on)))
    window.view_menu.addSeparator()
    window.view_menu.addAction(action)
    graph.sigNeuronsChanged.connect(lambda layer, delta: change_neurons(window, layer, delta))
    return action


def _remembered(settings) -> bool:
    """On unless switched off; anything but a clear "false" in the file counts as on."""
    try:
        value = settings.value(MAPS_KEY, True)
    except Exception:  # a value Qt cannot even decode (a hand-edited file): the default
        return True
    return str(value).strip().lower() not in ("false", "0", "no", "off")


def change_neurons(window, layer: int, delta: int) -> None:
    """One neuron more or fewer in hidden layer `layer`, through the editor's own box."""
    rows = window.editor.layer_rows
    if not window.editor.isEnabled() or not 1 <= layer <= len(rows):
        return
    spin = rows[layer - 1].neurons_spin
    spin.setValue(spin.value() + delta)  # clamped to the box's range, like its arrows


def show_network_maps(window, data_dim: int) -> None:
    """A new network: maps only over a plane (two raw input columns), none until its outputs."""
    window.graph.set_maps_available(data_dim == 2)
    window.graph.set_neuron_outputs(None)


def plane_outputs(window):
    """The latest layer outputs when they lie on a plane's square grid, else None."""
    if window.dataset is None or window.dataset.input_dim != 2:
        return None
    return window.latest_outputs
