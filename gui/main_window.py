"""The playground window: editor and controls on the left, the node graph in the centre, the
decision boundary on the right, loss and gradient-norm plots below.

The window owns no numbers of its own: it builds a Trainer from the editor's spec (so a bad
spec is refused before anything changes), hands it to the worker thread, and redraws from the
latest snapshot the worker sent, on a timer rather than per step.
"""

from __future__ import annotations

import copy
import time
from collections import deque

from PySide6.QtCore import QSettings, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from pyqtgraph.util.garbage_collector import GarbageCollector

from engine.datasets import FEATURE_LABELS
from engine.presets import load_preset
from engine.spec import Spec
from engine.trainer import Trainer

from .architecture_editor import ArchitectureEditor
from .boundary_view import BoundaryView, grid_points, line_points, plane_bounds
from .divergence_banner import DivergenceBanner
from .loss_plot import GradNormPlot, LossPlot
from .menus import build_menus
from .network_graph import NetworkGraph
from .stepper_mode import StepperMode
from .training_controls import TrainingActions, TrainingControls
from .training_status import TrainingStatus
from .typing_guard import TypingGuard
from .worker import TrainingWorker

REDRAW_HZ = 30
PLOT_HZ = 5


class MainWindow(QMainWindow):
    # Commands to the worker; queued across threads, applied between steps.
    sigInstall = Signal(int, object, object)
    sigSetRunning = Signal(bool)
    sigStep = Signal(int)
    sigStepEpoch = Signal()
    sigLive = Signal(str, object)
    sigSetParameter = Signal(int, str, object, float)
    sigStopWorker = Signal()
    sigRewind = Signal()

    def __init__(self, spec: Spec | None = None, settings: QSettings | None = None,
                 threaded: bool = True):
        super().__init__()
        self.setWindowTitle("Backprop Playground")
        self.settings = settings if settings is not None else QSettings()
        self.spec: Spec | None = None
        self.generation = 0
        self.latest_stats = None
        self.latest_outputs = None
        self.dataset = None
        self.playing = False
        self.last_error = ""
        self.hovered_neuron = (-1, -1)
        self._dirty = set()  # which views have news: "stats", "outputs", "hover"
        self._last_plot_refresh = 0.0
        self._last_plotted_step = 0
        self._inbox: deque = deque()  # (generation, StepStats) from the worker, in order

        self.actions = TrainingActions(self)
        self.step_through_action = self.actions.step_through
        self._build_layout()
        self.status = TrainingStatus(self.statusBar())
        self.status_labels = self.status.labels
        self._start_worker(threaded)
        self.stepper = StepperMode(self)
        build_menus(self)
        self._wire()

        # Cyclic garbage collected in the worker thread would run Qt destructors there, which
        # can deadlock with this thread: collect only here, on a timer (pyqtgraph's helper).
        self._collector = GarbageCollector(interval=1.0)
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(1000 // REDRAW_HZ)
        self.redraw_timer.timeout.connect(self.redraw)
        self.redraw_timer.start()

        self.typing_guard = TypingGuard(self)
        QApplication.instance().installEventFilter(self.typing_guard)
        self._restore_geometry()
        if not self.apply_spec(spec or self._remembered_spec() or load_preset("playground")):
            self.apply_spec(load_preset("playground"))

    # -- construction -----------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.editor = ArchitectureEditor()
        self.controls = TrainingControls(self.actions)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(self.controls)
        left_layout.addWidget(self.editor)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(left.sizeHint().width() + 24)

        self.graph = NetworkGraph()
        self.banner = DivergenceBanner()
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.graph, 1)

        self.boundary = BoundaryView()
        self.loss_plot = LossPlot()
        self.grad_plot = GradNormPlot()

        top = QSplitter(Qt.Horizontal)
        top.addWidget(scroll)
        top.addWidget(centre)
        top.addWidget(self.boundary)
        top.setStretchFactor(1, 5)
        top.setStretchFactor(2, 4)
        top.setSizes([340, 620, 480])
        bottom = QSplitter(Qt.Horizontal)
        bottom.addWidget(self.loss_plot)
        bottom.addWidget(self.grad_plot)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setObjectName("mainSplitter")
        self.setCentralWidget(self.splitter)

    def _start_worker(self, threaded: bool) -> None:
        self.worker = TrainingWorker()
        self.thread = None
        if threaded:
            self.thread = QThread()
            self.thread.setObjectName("training")
            self.worker.moveToThread(self.thread)
            self.thread.finished.connect(self.worker.deleteLater)
            self.thread.start()
        w = self.worker
        self.sigInstall.connect(w.install)
        self.sigSetRunning.connect(w.set_running)
        self.sigStep.connect(w.step)
        self.sigStepEpoch.connect(w.step_epoch)
        self.sigLive.connect(w.set_live)
        self.sigSetParameter.connect(w.set_parameter)
        self.sigStopWorker.connect(w.stop)
        self.sigRewind.connect(w.rewind)
        # Snapshots arrive hundreds of times a second. Waking this thread for each one costs
        # the worker a third of its speed (the two share the interpreter lock), so a direct
        # connection drops them into a deque from the worker's thread (append is atomic) and
        # the redraw timer takes them all at once.
        inbox = self._inbox
        w.sigStep.connect(lambda generation, stats: inbox.append((generation, stats)),
                          Qt.DirectConnection)
        w.sigBoundary.connect(self.on_boundary)
        w.sigRunning.connect(self.on_running)
        w.sigDiverged.connect(self.on_diverged)
        w.sigError.connect(self.show_error)
        w.sigRewound.connect(self.on_rewound)

    def _wire(self) -> None:
        a = self.actions
        a.play.toggled.connect(self.set_playing)
        a.step.triggered.connect(lambda: self.sigStep.emit(1))
        a.epoch.triggered.connect(self.sigStepEpoch.emit)
        a.reset.triggered.connect(self.reset)
        a.regenerate.triggered.connect(self.regenerate)
        a.step_through.triggered.connect(self.open_stepper)
        self.editor.sigSpecChanged.connect(self.apply_spec)
        self.editor.sigLiveChanged.connect(self.apply_live)
        self.graph.sigWeightEdited.connect(
            lambda layer, i, j, value: self.sigSetParameter.emit(layer, "W", (i, j), value))
        self.graph.sigNeuronHovered.connect(self.on_neuron_hovered)
        self.banner.sigRewind.connect(self.sigRewind.emit)
        self.banner.sigReset.connect(self.reset)

    # -- commands -----------------------------------------------------------------------------
    def apply_spec(self, spec: Spec) -> bool:
        """Rebuild from spec; on a bad spec explain why and leave everything as it was."""
        try:
            trainer = Trainer(spec)  # it takes a private copy of the spec
        except ValueError as e:
            self.show_error(str(e))
            if self.spec is not None:
                self.editor.set_spec(self.spec)
            return False
        self.stepper.cancel()  # a trace of the old network would no longer match
        self.spec = copy.deepcopy(trainer.spec)  # the GUI's own copy: the worker edits trainer.spec
        self.generation += 1
        self.dataset = trainer.data
        self.latest_stats = self.latest_outputs = None
        self.banner.hide()
        self.editor.set_spec(self.spec)
        sizes = trainer.network.sizes
        labels = ([FEATURE_LABELS[f] for f in self.spec.features] if self.spec.features
                  else [f"x{i + 1}" for i in range(sizes[0])])
        self.graph.set_architecture(sizes, labels, [*self.spec.activations,
                                                    self.spec.output_activation])
        d = trainer.data
        self.boundary.set_data(d.points, d.labels, d.train_idx, d.test_idx, d.task, d.n_classes)
        grid = None
        if d.input_dim == 1:
            grid = line_points(d.points)
        elif d.input_dim == 2:
            grid = grid_points(bounds=plane_bounds(d.points))
        self.loss_plot.clear()
        self.grad_plot.clear()
        self.grad_plot.set_layers(len(sizes) - 1)
        # Full-batch gradients are exact, not noisy: smoothing would only add lag.
        self.grad_plot.smooth_check.setChecked(self.spec.batch_size < len(d.train_idx))
        self.status.clear()
        self._last_plotted_step = 0
        self.settings.setValue("spec", self.spec.to_json())
        # From here on the trainer belongs to the worker thread; this one never touches it.
        self.sigInstall.emit(self.generation, trainer, grid)
        return True

    def apply_live(self, name: str, value) -> None:
        setattr(self.spec, name, value)
        self.settings.setValue("spec", self.spec.to_json())
        self.sigLive.emit(name, value)

    def set_playing(self, playing: bool) -> None:
        self.sigSetRunning.emit(playing)

    def reset(self) -> None:
        """Back to the starting weights (the spec's own, or the seed's initialisation)."""
        self.apply_spec(self.spec)

    def regenerate(self) -> None:
        """New data with a new seed: the editor's Regenerate, so both behave the same."""
        self.editor.regenerate_button.click()

    def load_preset(self, name: str) -> None:
        self.apply_spec(load_preset(name))

    def open_stepper(self) -> None:
        """Pause and walk the next training step stage by stage (Ctrl+T)."""
        self.stepper.open()

    def show_error(self, message: str) -> None:
        self.last_error = message
        self.statusBar().showMessage(message, 8000)
        box = QMessageBox(QMessageBox.Warning, "Backprop Playground", message,
                          QMessageBox.Ok, self)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()  # window-modal but non-blocking: training state is untouched

    # -- worker events ---------------------------------------------------------------------
    def on_step(self, generation: int, stats) -> None:
        if generation != self.generation:
            return  # a straggler from the trainer that was just replaced
        self.latest_stats = stats
        if stats.step > self._last_plotted_step:  # edits and rewinds re-send the same step
            self._last_plotted_step = stats.step
            self.loss_plot.append(stats.step, stats.train_loss, stats.test_loss)
            self.grad_plot.append(stats.step, stats.grad_norms)
        if self.banner.showing and not stats.diverged and stats.step > 0:
            self.banner.hide()
        self.status.record(stats.step)
        self._dirty.update(("stats", "plots"))

    def on_boundary(self, generation: int, outputs) -> None:
        if generation == self.generation:
            self.latest_outputs = outputs
            self._dirty.add("outputs")

    def take_inbox(self) -> None:
        """Process every snapshot the worker has sent since the last call."""
        inbox = self._inbox
        while inbox:
            self.on_step(*inbox.popleft())

    def on_running(self, running: bool) -> None:
        self.take_inbox()  # the steps taken before the pause come first
        self.playing = running
        self.actions.set_playing(running)
        self._dirty.add("stats")  # the status bar's rate turns into "paused" and back

    def on_diverged(self, generation: int, message: str) -> None:
        if generation != self.generation:
            return
        self.banner.show_divergence(message)

    def on_rewound(self, generation: int, step: int) -> None:
        if generation == self.generation:
            self.banner.hide()
            self.statusBar().showMessage(
                f"Rewound to the weights of step {step:,} (the lowest training loss so far). "
                "Lower the learning rate before pressing Play.", 10000)

    def on_neuron_hovered(self, layer: int, neuron: int) -> None:
        self.hovered_neuron = (layer, neuron)
        self._dirty.add("outputs")

    # -- drawing --------------------------------------------------------------------------------
    def redraw(self) -> None:
        """Push the latest snapshot into the views that have news.

        Repainting is what costs (the worker shares the interpreter lock with this thread), so
        each view repaints only when its data changed, and the plots, whose axes re-layout on
        every range change, at most PLOT_HZ times a second.
        """
        self.take_inbox()
        dirty, self._dirty = self._dirty, set()
        stats = self.latest_stats
        if "stats" in dirty and stats is not None:
            if not self.stepper.active:  # while stepping, the graph shows the traced step
                self.graph.set_stats(stats)
            self.status.show(stats, self.playing)
        if "plots" in dirty:
            now = time.perf_counter()
            if now - self._last_plot_refresh >= 1 / PLOT_HZ:
                self._last_plot_refresh = now
                self.loss_plot.refresh()
                self.grad_plot.refresh()
            else:
                self._dirty.add("plots")  # not yet: the next tick brings the last points
        if "outputs" in dirty and self.latest_outputs is not None:
            self._show_outputs()

    def _show_outputs(self) -> None:
        outputs = self.latest_outputs
        layer, neuron = self.hovered_neuron
        if 0 <= layer < len(outputs):
            name = "input" if layer == 0 else (
                "output" if layer == len(outputs) - 1 else f"hidden {layer}")
            self.boundary.set_overlay(outputs[layer][:, neuron], f"{name}, neuron {neuron + 1}")
        else:
            self.boundary.set_overlay(None, "")
        self.boundary.set_output(outputs[-1])

    def force_redraw(self) -> None:
        self._dirty.update(("stats", "plots", "outputs"))
        self._last_plot_refresh = 0.0
        self.redraw()

    def steps_per_second(self) -> float:
        return self.status.steps_per_second()

    # -- lifetime ---------------------------------------------------------------------------------
    def _remembered_spec(self) -> Spec | None:
        text = self.settings.value("spec")
        try:
            return Spec.from_json(text) if text else None
        except ValueError:
            return None

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        sizes = self.settings.value("splitter")
        if sizes is not None:
            self.splitter.restoreState(sizes)

    def shutdown(self) -> None:
        """Stop training and join the worker thread; safe to call twice."""
        self.redraw_timer.stop()
        QApplication.instance().removeEventFilter(self.typing_guard)
        if self.thread is not None and self.thread.isRunning():
            self.sigStopWorker.emit()
            self.thread.quit()
            self.thread.wait()

    def closeEvent(self, event) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        self.shutdown()
        super().closeEvent(event)
