"""The playground window: editor and controls on the left, the node graph in the centre, the
decision boundary on the right, loss and gradient-norm plots below.

The window owns no numbers of its own: it builds a Trainer from the editor's spec (so a bad
spec is refused before anything changes), hands it to the worker thread, keeps the trainer it
replaces on the undo stack, and redraws from the latest snapshot the worker sent, on a timer
rather than per step. Sessions (session_files), autosave and remembered settings are helpers
of their own.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import deque

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMessageBox,
)

from engine.presets import load_preset
from engine.spec import Spec
from engine.trainer import LIVE_SETTINGS, Trainer
from gui.common.remembered_state import RememberedState
from gui.common.typing_guard import TypingGuard
from gui.playground.autosave import INTERVAL_SECONDS as AUTOSAVE_SECONDS
from gui.playground.autosave import Autosave
from gui.playground.confusion_dialog import install_confusion, sync_confusion
from gui.playground.graph_editing import install_graph_editing, show_network_maps
from gui.playground.live_updates import LiveUpdates
from gui.playground.menus import build_menus
from gui.playground.presentation import install_presentation
from gui.playground.session_files import SessionFiles
from gui.playground.speed_control import install_speed_control
from gui.playground.trainer_builder import TrainerBuilder, is_heavy
from gui.playground.training_controls import TrainingActions
from gui.playground.training_status import TrainingStatus
from gui.playground.undo_commands import UNDO_LIMIT, RebuildCommand, describe_change
from gui.playground.window_layout import (
    build_layout,
    restore_geometry,
    show_trainer,
    trainer_view,
)
from gui.playground.worker_link import start_worker
from gui.stepper.stepper_mode import StepperMode

# Spec fields that decide the data set: a rebuild that keeps them all keeps the data.
DATA_FIELDS = ("dataset", "samples", "noise", "train_fraction", "classes", "seed", "points",
               "labels", "csv_path", "label_column")
REDRAW_HZ = 33  # a little above 30: a timer under load fires late, never early


class MainWindow(LiveUpdates, QMainWindow):
    # Commands to the worker; queued across threads, applied between steps.
    sigSetRunning = Signal(bool)
    sigStep = Signal(int)
    sigStepEpoch = Signal()
    sigLive = Signal(str, object)
    sigSetParameter = Signal(int, str, object, float)
    sigStopWorker = Signal()
    sigRewind = Signal()

    def __init__(self, spec: Spec | Trainer | None = None, settings: QSettings | None = None,
                 threaded: bool = True, autosave_folder: str | None = None,
                 autosave_interval: float = AUTOSAVE_SECONDS, confirm_close: bool = False):
        """spec: what to show first (a Trainer carries a whole session); else the remembered
        spec, else the playground preset. autosave_folder None turns autosave off (tests);
        confirm_close asks before unsaved training is closed (the app)."""
        super().__init__()
        self.setWindowTitle("Backprop Playground")
        self.settings = settings if settings is not None else QSettings()
        self.remembered = RememberedState(self.settings)
        self.spec: Spec | None = None
        self.generation = 0
        self.latest_stats = None
        self.latest_outputs = None
        self.dataset = None
        self.playing = False
        self.last_error = ""
        self.hovered_neuron = (-1, -1)
        self.confirm_close = confirm_close
        self.autosave = None
        self.thread = None
        self._dirty = set()  # which views have news: "stats", "outputs", "hover"
        self._last_plotted_step = 0
        self._inbox: deque = deque()  # (generation, StepStats) from the worker, in order
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.builder = TrainerBuilder(self)
        self.files = SessionFiles(self)
        # Cyclic garbage collected in the worker thread would run Qt destructors there, which
        # can deadlock with this thread: collect only here, on a timer (pyqtgraph's helper).
        self._collector = GarbageCollector(interval=1.0)
        try:
            self._build(spec, threaded)
            if autosave_folder is not None:
                self.autosave = Autosave(self, autosave_folder, autosave_interval)
        except BaseException:
            self.shutdown()  # never leave the training thread running behind an error
            raise
        self.files.path = None  # the title: "untitled"
        self.remembered.recent_files()  # checked now, so a broken list is reported at start
        self.remembered.show_notes(self.statusBar())

    def _build(self, spec, threaded: bool) -> None:
        self.actions = TrainingActions(self)
        self.step_through_action = self.actions.step_through
        build_layout(self)
        self.status = TrainingStatus(self.statusBar())
        self.status_labels = self.status.labels
        start_worker(self, threaded)
        self.stepper = StepperMode(self)
        build_menus(self)
        self.speed_control = install_speed_control(self)
        self.confusion_action = install_confusion(self)
        self.maps_action = install_graph_editing(self)
        self.presentation = install_presentation(self)  # View > Presentation mode (F11)
        self._wire()

        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(1000 // REDRAW_HZ)
        self.redraw_timer.timeout.connect(self.redraw)
        self.redraw_timer.start()

        self.typing_guard = TypingGuard(self)
        QApplication.instance().installEventFilter(self.typing_guard)
        restore_geometry(self)
        if self.thread is not None:
            self.thread.start()
        self._install_first(spec)

    def _install_first(self, spec) -> None:
        """The first network: no undo entry, and a remembered spec that fails is dropped."""
        if isinstance(spec, Trainer):
            self.install_trainer(spec)
            return
        remembered = None if spec is not None else self.remembered.spec()
        for candidate in (spec, remembered):
            if candidate is None:
                continue
            try:
                self.install_trainer(Trainer(candidate))
                return
            except ValueError as e:
                if candidate is remembered:
                    self.remembered.forget_spec(str(e))
                else:
                    self.show_error(str(e))
        self.install_trainer(Trainer(load_preset("playground")))

    # -- construction -----------------------------------------------------------------------
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
        self.editor.sigFileError.connect(self.show_error)
        self.builder.sigCancelled.connect(lambda: self.editor.set_spec(self.spec))
        # Undo or redo while a big build loads: the build was meant for the network that was
        # on screen, so it is dropped rather than pushed over the redo history.
        self.undo_stack.indexChanged.connect(lambda _index: self.builder.cancel())
        self.graph.sigWeightEdited.connect(self.edit_weight)
        self.graph.sigNeuronHovered.connect(self.on_neuron_hovered)
        self.banner.sigRewind.connect(self.sigRewind.emit)
        self.banner.sigReset.connect(self.reset)

    # -- rebuilding ---------------------------------------------------------------------------
    def apply_spec(self, spec: Spec, what: str | None = None) -> bool:
        """Rebuild from spec (undoable). A bad spec is explained and changes nothing; False
        then. Big data builds in the background (True means accepted, not yet shown)."""
        try:
            copy.copy(spec).validate()
        except ValueError as e:
            self._refuse(str(e))
            return False
        if self.spec is not None:  # the pace is the window's: a rebuilt network keeps it
            spec = spec.replace(speed=self.spec.speed)
        what = what or describe_change(self.spec, spec)
        # The same data again (a layer edit, Reset): reuse it. Faster for big data, and a
        # session's embedded CSV data rebuilds even where the CSV file is missing.
        same = self.spec is not None and all(
            getattr(spec, f) == getattr(self.spec, f) for f in DATA_FIELDS)
        data = self.dataset if same else None
        accepted = [True]

        def failed(message):
            accepted[0] = False
            self._refuse(message)

        shown = self.editor.spec()

        def built(trainer):
            # Live settings changed while a big build was running belong to the new network.
            now = self.editor.spec()
            for name in LIVE_SETTINGS:
                if getattr(now, name) != getattr(shown, name):
                    trainer.set_live(name, getattr(now, name))
            self.adopt_trainer(trainer, what)

        self.builder.run(lambda: Trainer(spec, dataset=data), built, failed,
                         background=is_heavy(spec) and not same,
                         label="Building the data and the network…")
        return accepted[0]

    def _refuse(self, message: str) -> None:
        self.show_error(message)
        if self.spec is not None:
            self.editor.set_spec(self.spec)  # the editor shows what is really training

    def adopt_trainer(self, trainer: Trainer, what: str, path: str | None = None,
                      unsaved: bool = False) -> bool:
        """Show a new trainer (from the session file path, if any); Edit > Undo brings back
        the one it replaces, with its file and its unsaved state. False if it could not be
        handed to the worker (nothing changed then)."""
        files = self.files
        before = (files.path, files.unsaved)
        try:
            old = self.install_trainer(trainer)
        except ValueError as e:
            self._refuse(str(e))
            return False
        files.path, files.unsaved = path, unsaved
        self.undo_stack.push(RebuildCommand(self, old, what, *before))
        self.statusBar().showMessage(f"Rebuilt: {what}. Ctrl+Z brings the previous one back.",
                                     10000)
        return True

    def install_trainer(self, trainer: Trainer) -> Trainer | None:
        """Hand a trainer to the worker and show it; returns the trainer it replaces, which
        the worker no longer touches. If the worker cannot take it, ValueError and nothing
        on screen has changed."""
        view = trainer_view(trainer)  # read now: after the hand-over it is the worker's
        old = self.worker.call(self.worker.replace, self.generation + 1, trainer, view.grid)
        self.stepper.cancel()  # a trace of the old network would no longer match
        self.generation += 1
        self.spec, self.dataset = view.spec, view.data
        self.latest_stats = self.latest_outputs = None
        self.banner.hide()
        self.editor.set_spec(self.spec)
        self.editor.set_data_dim(view.data.input_dim)
        show_network_maps(self, view.data.input_dim)
        self.speed_control.show_speed(self.spec.speed)
        sync_confusion(self.confusion_action, view.data.task)
        if self.confusion_dialog is not None and self.confusion_dialog.isVisible():
            self.confusion_dialog.refresh()  # the new network's counts
        show_trainer(self, view)
        evaluated = view.history["eval_step"]  # the loss plot's last point, if any
        self._last_plotted_step = int(evaluated[-1]) if len(evaluated) else -1
        self.status.clear()
        self.remembered.remember_spec(self.spec)
        return old

    def apply_live(self, name: str, value) -> None:
        setattr(self.spec, name, value)
        self.files.touch()
        self.remembered.remember_spec(self.spec)
        self.sigLive.emit(name, value)

    def edit_weight(self, layer: int, i: int, j: int, value: float) -> None:
        self.files.touch()
        self.sigSetParameter.emit(layer, "W", (i, j), value)

    def set_playing(self, playing: bool) -> None:
        if not playing:  # stop at the next step, not after the chunk; say so at once
            self.worker.pause_requested = True
            self.playing = False  # the worker confirms with sigRunning (on_running)
            self.status.show_paused()
        self.sigSetRunning.emit(playing)

    def reset(self) -> None:
        """Back to the starting weights (the spec's own, or the seed's initialisation)."""
        self.apply_spec(dataclasses.replace(self.spec), "reset")

    def regenerate(self) -> None:
        """New data with a new seed: the editor's Regenerate, so both behave the same."""
        self.editor.regenerate_button.click()

    def load_preset(self, name: str) -> None:
        self.apply_spec(load_preset(name), f"preset {name}")

    def open_stepper(self) -> None:
        """Pause and walk the next training step stage by stage (Ctrl+T)."""
        self.stepper.open()

    def show_error(self, message: str) -> None:
        self.last_error = message
        message = message[:1].upper() + message[1:]  # engine messages start in lower case
        self.statusBar().showMessage(message, 8000)
        box = QMessageBox(QMessageBox.Warning, "Backprop Playground", message,
                          QMessageBox.Ok, self)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()  # window-modal but non-blocking: training state is untouched

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.autosave is not None and not self.autosave.offered:
            QTimer.singleShot(0, self.autosave.offer_restore)

    def shutdown(self) -> None:
        """Stop training and join the worker thread; safe to call twice, and on a window
        whose construction failed half-way."""
        if getattr(self, "redraw_timer", None) is not None:
            self.redraw_timer.stop()
        if getattr(self, "typing_guard", None) is not None:
            QApplication.instance().removeEventFilter(self.typing_guard)
        self.builder.wait()
        if self.thread is not None and self.thread.isRunning():
            self.sigStopWorker.emit()
            self.thread.quit()
            self.thread.wait()
        if self.autosave is not None:  # last: only a clean exit retires the autosave
            self.autosave.finish()

    def closeEvent(self, event) -> None:
        if self.confirm_close and not self.files.may_close():
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        self.shutdown()
        super().closeEvent(event)
