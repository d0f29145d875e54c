"""Step-through mode: the glue between the window, the worker's trace and the stepper panel.

Opening the mode pauses training and asks the worker to trace the next step on a copy of the
trainer; nothing changes until Finish, which makes the worker take that very step for real
(bit-identical to the trace, as the tests check). While the mode is open the editor and the
training actions are disabled, so the trace on screen always belongs to the network on screen.

The panel, its dock and the formula modules behind them are built and imported on first use
(see `panel`): the window's first frame does not need them.
"""

from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDockWidget

from gui.common.lazy_panel import LazyPanel
from gui.common.side_dock import place_side_dock

DOCK_WIDTH, DOCK_HEIGHT = 460, 760  # beside the views; the floating panel's largest height

DIRECTIONS = {"forward": "forward", "loss": "forward", "backward": "backward", "update": "update"}


class StepperMode(LazyPanel, QObject):
    sigRequestTrace = Signal(object)  # None (next mini-batch) or training-set indices
    sigApplyStep = Signal(object)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._panel = self._dock = None  # built on first use: see panel
        self._folded = None  # the top splitter's sizes while the sidebar is folded away
        self.trace = None
        self.trace_indices = None
        self.sample: int | None = None  # training-set index, or None for the mini-batch
        self.active = False

        worker = window.worker
        self.sigRequestTrace.connect(worker.request_trace)
        self.sigApplyStep.connect(worker.apply_traced_step)
        worker.sigTrace.connect(self._on_trace)
        # Escape leaves the mode as Cancel does (nothing changes), wherever the focus is.
        self.escape = QShortcut(QKeySequence(Qt.Key_Escape), window, activated=self.cancel)
        self.escape.setEnabled(False)
        window.graph.sigEdgeClicked.connect(self._on_edge_clicked)
        window.graph.sigNeuronClicked.connect(self._on_neuron_clicked)
        window.boundary.sigPointClicked.connect(self._on_point_clicked)

    # -- the panel, built on first use --------------------------------------------------------
    def _build_panel(self) -> None:
        from gui.stepper.stepper_panel import StepperPanel

        self._panel = panel = StepperPanel()
        self._dock = dock = QDockWidget("Step through", self.window)
        dock.setObjectName("stepperDock")
        dock.setWidget(panel)
        dock.setAllowedAreas(Qt.RightDockWidgetArea | Qt.BottomDockWidgetArea)
        dock.setMinimumWidth(DOCK_WIDTH)
        self.window.addDockWidget(Qt.RightDockWidgetArea, dock)
        dock.hide()
        panel.sigStageChanged.connect(self._on_stage)
        panel.sigFinish.connect(self.finish)
        panel.sigCancel.connect(self.cancel)
        panel.sigSampleChanged.connect(self.choose_sample)
        dock.visibilityChanged.connect(self._on_dock_visibility)

    # -- entering and leaving ------------------------------------------------------------------
    def open(self) -> None:
        if self.active:
            return
        self.active = True
        self.panel.restart()  # a new step is walked from its first stage
        self.escape.setEnabled(True)
        self._lock_window(True)
        self.window.sigSetRunning.emit(False)
        place_side_dock(self.window, self.dock, DOCK_WIDTH, DOCK_HEIGHT)
        self._fold_sidebar()
        self.dock.show()
        self.dock.raise_()
        # The keys (→ ← Space) walk the stages at once: the panel takes the focus, and a
        # floating one, a window of its own, becomes the active window.
        if self.dock.isFloating():
            self.dock.activateWindow()
        self.panel.stage_list.setFocus()
        self.sigRequestTrace.emit(self._indices())

    def finish(self) -> None:
        """Take the step on screen for real and leave the mode."""
        if self.active and self.trace is not None:
            self.sigApplyStep.emit(self.trace_indices)
        self._close()

    def cancel(self) -> None:
        self._close()

    def _close(self) -> None:
        if not self.active:
            return
        self.active = False
        self.escape.setEnabled(False)
        self.trace = None
        self.sample = None  # a sample index of this network's data means nothing to the next
        self._lock_window(False)
        self._unfold_sidebar()
        self.window.graph.set_highlight(None)
        self.window.graph.set_selected_edge(None)
        self.window.boundary.select_point(None)
        self.dock.hide()
        # Not the editor's first spin box, which unlocking would hand the focus to: there a
        # digit would edit the network and Space would do nothing.
        self.window.graph.setFocus(Qt.OtherFocusReason)
        self.window.force_redraw()

    def _on_dock_visibility(self, visible: bool) -> None:
        if not shiboken6.isValid(self.window):
            return  # the window is being destroyed
        if not visible and self.active and not self.window.isHidden():
            self.cancel()  # closing the dock with its ✕ leaves without applying

    def _fold_sidebar(self) -> None:
        """A floating panel covers the window's right part: while stepping, the sidebar
        (locked anyway) gives its room to the graph, so that the layers each stage is about
        stay in view beside the panel."""
        top = self.window.top_splitter
        sizes = top.sizes()
        self._folded = None
        if self.dock.isFloating() and sizes[0] > 0:
            self._folded = sizes
            top.setSizes([0, sizes[0] + sizes[1], *sizes[2:]])

    def _unfold_sidebar(self) -> None:
        top = self.window.top_splitter
        if self._folded is not None and top.sizes()[0] == 0:  # not moved meanwhile
            top.setSizes(self._folded)
        self._folded = None

    def _lock_window(self, locked: bool) -> None:
        w = self.window
        w.editor.setEnabled(not locked)
        for action in (w.actions.play, w.actions.step, w.actions.epoch, w.actions.reset,
                       w.actions.regenerate):
            action.setEnabled(not locked)
        w.graph.editing_enabled = not locked
        w.step_through_action.setEnabled(not locked)

    # -- the trace -------------------------------------------------------------------------------
    def _indices(self):
        return None if self.sample is None else [self.sample]

    def choose_sample(self, sample) -> None:
        """None traces the next mini-batch; an int traces that one training sample."""
        self.sample = sample
        if self.active:
            self.sigRequestTrace.emit(self._indices())
        points_index = None
        if sample is not None and self.window.dataset is not None:
            points_index = int(self.window.dataset.train_idx[sample])
        self.window.boundary.select_point(points_index)

    def _on_trace(self, generation: int, trace) -> None:
        if not self.active or generation != self.window.generation:
            return
        if self.sample is not None and list(trace.batch) != [self.sample]:
            return  # an older request's trace; the one for the chosen sample is on its way
        self.trace = trace
        self.trace_indices = self._indices()  # what Finish applies: exactly what is shown
        self.panel.set_trace(trace, self.sample, len(self.window.dataset.train_idx))
        self.window.graph.set_stats(trace.stats)  # colour by the values this step computes
        self._on_stage(self.panel.current_index)

    def _on_stage(self, index: int) -> None:
        if self.trace is None or not 0 <= index < len(self.trace.stages):
            return
        stage = self.trace.stages[index]
        layer = stage.layer if stage.layer is not None else len(self.trace.stats.weights)
        values = None
        if stage.kind == "update":
            values = np.abs(stage.get("W_new") - stage.get("W"))
        self.window.graph.set_highlight(layer, DIRECTIONS[stage.kind], values)

    # -- clicks in the other views -----------------------------------------------------------
    def _on_edge_clicked(self, layer: int, i: int, j: int) -> None:
        if self.active:
            self.panel.set_selection(("weight", layer, i, j))

    def _on_neuron_clicked(self, layer: int, neuron: int) -> None:
        if self.active:
            self.panel.set_selection(("neuron", layer, neuron))

    def _on_point_clicked(self, index: int) -> None:
        """A click on a data point picks it as the sample to trace (training points only)."""
        data = self.window.dataset
        if not self.active or data is None:
            return
        position = np.searchsorted(data.train_idx, index)
        if position >= len(data.train_idx) or data.train_idx[position] != index:
            self.window.statusBar().showMessage(
                "That is a test point: the network never trains on it. Pick a filled (training) "
                "point.", 6000)
            return
        self.choose_sample(int(position))  # the new trace brings the panel's selector along
