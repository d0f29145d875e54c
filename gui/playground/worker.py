"""The training worker: owns the engine's Trainer and runs it off the GUI thread.

As in superqt's thread workers: the QObject has no parent, is moved to a QThread, and stops
cooperatively. While playing, a zero-interval timer runs short chunks of steps and returns to
the thread's event loop between chunks, so queued commands (pause, set learning rate, edit a
weight, install a rebuilt trainer) are applied between steps, never during one.

A step itself is cheap (engine.trainer.StepResult); what the window shows costs a pass over
all the data (Trainer.stats()). So the worker reports at the rate the window redraws, not at
every step: `sigStep(generation, StepReport)` carries the full statistics of the state now and
the per-step rows (step, batch loss, gradient norms, alignment) since the last report, as
read-only arrays, so the GUI never reads what the worker is mutating. `generation` changes
with every new trainer so the window can drop stragglers from the one it replaced.

The pace: as fast as possible, or a chosen number of steps per second (the trainer's
spec.speed); at REPORT_HZ or slower every step is reported, so every step is drawn.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

CALL_TIMEOUT_SECONDS = 60  # a call waits at most one long command (a big epoch) of the worker
# Steps per timer tick: long enough to amortise the tick, short enough to stay responsive.
CHUNK_SECONDS = 0.008
# Reports (and so whole-set evaluations) per second at most: a little more often than the
# window redraws, so that every redraw has news. At this speed or slower, every step is
# reported (and drawn).
REPORT_HZ = 40
STEP_REPORTS = 200  # reports at most for one Step of many steps (screenshots, lessons)
BOUNDARY_INTERVAL = 1 / 10  # the boundary grid is recomputed at most this often while playing


@dataclass(frozen=True)
class StepReport:
    """What the window needs of the training since the last report."""

    stats: object  # engine StepStats of the state now (whole-set losses evaluated now)
    steps: np.ndarray  # (k,) the steps taken since the last report
    batch_losses: np.ndarray  # (k,)
    grad_norms: np.ndarray  # (k, layers)
    alignment: np.ndarray | None  # (k, layers) under feedback alignment
    time: float  # time.perf_counter() when the report was made, in the worker

    @classmethod
    def of(cls, stats, results, now: float) -> StepReport:
        layers = len(stats.grad_norms)
        steps = np.array([r.step for r in results], dtype=np.int64)
        losses = np.array([r.batch_loss for r in results], dtype=float)
        norms = np.array([r.grad_norms for r in results], dtype=float).reshape(-1, layers)
        alignment = None
        if results and results[-1].alignment is not None:
            alignment = np.array([r.alignment for r in results], dtype=float)
        for a in (steps, losses, norms, alignment):
            if a is not None:
                a.flags.writeable = False
        return cls(stats, steps, losses, norms, alignment, now)


class TrainingWorker(QObject):
    sigStep = Signal(int, object)  # generation, StepStats
    sigBoundary = Signal(int, object)  # generation, list of per-layer outputs on the grid
    sigRunning = Signal(bool)
    sigDiverged = Signal(int, str)  # generation, explanation
    sigTrace = Signal(int, object)  # generation, engine.trace.Trace
    sigError = Signal(str)
    sigRewound = Signal(int, int)  # generation, the step whose weights are back
    sigCall = Signal(object)  # a _Call to run between steps (see call())

    def __init__(self):
        super().__init__()  # no parent: it is moved to its own thread
        self.trainer = None
        self.generation = 0
        self.grid = None  # raw points where the boundary view samples the network
        self.running = False
        self.finishing_epoch = False  # Step epoch in progress (see step_epoch)
        self._timer = None
        self._last_boundary = 0.0
        self._last_report = 0.0
        self._results = []  # StepResults not yet reported
        self._pace_start = None  # (time, steps done) since a paced run began
        # Set from the GUI thread (a plain attribute write is atomic) so that Pause stops the
        # chunk at its next step instead of after it; the queued set_running(False) follows.
        self.pause_requested = False
        self.sigCall.connect(self._run_call)  # queued when the caller is another thread

    def _ensure_timer(self):
        # Created lazily so the timer lives in the worker's thread, not the GUI's.
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.setInterval(0)
            self._timer.timeout.connect(self._run_chunk)

    # -- calls that return something (from the GUI thread, between steps) -----------------
    def call(self, function, *args):
        """Run function(*args) in the worker's thread between two steps and return its result.

        The caller blocks on a threading.Event, which releases the interpreter lock, so the
        worker can run; a Qt blocking connection would hold the lock and deadlock. In the
        unthreaded mode (screenshots) the call runs at once."""
        if self.thread() is QThread.currentThread():
            return function(*args)
        job = _Call(function, args)
        self.sigCall.emit(job)
        if not job.done.wait(CALL_TIMEOUT_SECONDS):
            with job.lock:  # if the worker has just begun the job, this waits for its end
                if not job.done.is_set():
                    job.cancelled = True  # so it never runs late, behind the caller's back
                    raise ValueError("the training thread did not answer; nothing was changed")
        if job.error is not None:
            raise job.error
        return job.result

    @Slot(object)
    def _run_call(self, job) -> None:
        with job.lock:
            if job.cancelled:
                return
            try:
                job.result = job.function(*job.args)
            except Exception as e:  # handed to the caller, who reports it
                job.error = e
            finally:
                job.done.set()

    def replace(self, generation: int, trainer, grid):
        """Pause, adopt a trainer and return the one it replaces (now the caller's)."""
        self.set_running(False)
        old = self.trainer
        self.install(generation, trainer, grid)
        return old

    def snapshot(self):
        """A deep copy of the trainer as it is between two steps (for saving)."""
        return copy.deepcopy(self.trainer)

    # -- commands (queued from the GUI thread) --------------------------------------------
    def install(self, generation: int, trainer, grid) -> None:
        """Adopt a trainer; the GUI has handed it over (see replace) and no longer touches it."""
        self.generation, self.trainer, self.grid = generation, trainer, grid
        self._results = []
        self.report_state()
        self._emit_boundary()

    @Slot(bool)
    def set_running(self, running: bool) -> None:
        self._ensure_timer()
        was_running = self.running or self.finishing_epoch
        self.finishing_epoch = False  # Play, Pause and every other command end Step epoch
        self.pause_requested = False
        self.running = running and self.trainer is not None
        if self.running:
            self._start_pace()
            self.sigRunning.emit(True)
            return
        self._timer.stop()
        self.sigRunning.emit(False)  # first: the window waits for it, the report can follow
        if was_running and self._report():  # the last steps before the pause
            self._emit_boundary()

    def _start_pace(self) -> None:
        """(Re)start the timer at the trainer's pace: back to back as fast as possible, else
        one tick per step."""
        speed = self.trainer.spec.speed
        self._pace_start = (time.perf_counter(), 0)
        # Ticks twice per step, so that a step lands at most half a period late.
        self._timer.setInterval(0 if not speed else max(1, min(int(500 / speed), 60_000)))
        self._timer.start()
        if speed:
            QTimer.singleShot(0, self, self._run_chunk)  # the first step now, not a tick later

    @Slot(int)
    def step(self, count: int = 1) -> None:
        if self.trainer is None:
            return
        self.set_running(False)
        every = max(1, count // STEP_REPORTS)
        for i in range(1, count + 1):
            if not self._one_step() or i % every == 0 and not self._report():
                break
        self._report()
        self._emit_boundary()

    @Slot()
    def step_epoch(self) -> None:
        """Train until the current pass over the training set is complete, in the same short
        chunks as Play, so that Pause and the window's calls are answered at once even when
        an epoch of 100,000 points takes many seconds."""
        if self.trainer is None:
            return
        self.set_running(False)
        self.finishing_epoch = True
        self._start_pace()

    @Slot(str, object)
    def set_live(self, name: str, value) -> None:
        try:
            self.trainer.set_live(name, value)
        except ValueError as e:
            self.sigError.emit(str(e))
            return
        if name == "speed" and (self.running or self.finishing_epoch) and self._report():
            self._start_pace()  # a new pace from here, with the steps so far drawn

    @Slot(int, str, object, float)
    def set_parameter(self, layer: int, name: str, index, value: float) -> None:
        try:
            self.trainer.set_parameter(layer, name, tuple(index), value)
        except (ValueError, IndexError) as e:
            self.sigError.emit(str(e))
            return
        self.report_state()
        self._emit_boundary()

    @Slot()
    def rewind(self) -> None:
        """After divergence: back to the best weights seen (see Trainer.rewind)."""
        try:
            step = self.trainer.rewind()
        except ValueError as e:
            self.sigError.emit(str(e))
            return
        self.report_state()
        self._emit_boundary()
        self.sigRewound.emit(self.generation, step)

    @Slot(object)
    def request_trace(self, indices) -> None:
        """Trace the next step (indices None) or a step on chosen training samples."""
        if self.trainer is None:
            return
        self.set_running(False)
        try:
            from engine.trace import trace  # on first use: the first frame traces nothing
            result = trace(self.trainer, indices)
        except (ValueError, IndexError) as e:
            self.sigError.emit(str(e))
            return
        self.sigTrace.emit(self.generation, result)

    @Slot(object)
    def apply_traced_step(self, indices) -> None:
        """Take the step the trace showed, on the real trainer (bit-identical, as tests check)."""
        self._one_step(None if indices is None else np.asarray(indices))
        self._report()
        self._emit_boundary()

    @Slot()
    def stop(self) -> None:
        """Stop cooperatively before the thread quits."""
        if self._timer is not None:
            self._timer.stop()
        self.running = self.finishing_epoch = False

    # -- reports ----------------------------------------------------------------------------
    def report_state(self) -> None:
        """Report the state as it is without a step (a new network, an edited weight, an
        injected bug, a rewind): gradients of the first training points."""
        self._send(self.trainer.current_stats())

    def _report(self) -> bool:
        """Report the steps since the last report with the statistics of the state now; on
        divergence (of a step, or of the whole set) pause and explain. False when diverged."""
        if self.trainer is None or not self._results:
            return True
        stats = self.trainer.stats()
        self._send(stats)
        if stats.diverged:
            self.running = self.finishing_epoch = False
            if self._timer is not None:
                self._timer.stop()
            self.sigRunning.emit(False)
            self._emit_boundary()  # the pictures of the weights it stopped at, as the scores
            self.sigDiverged.emit(self.generation, stats.message)
            return False
        return True

    def _send(self, stats) -> None:
        now = time.perf_counter()
        results, self._results = self._results, []
        self._last_report = now
        self.sigStep.emit(self.generation, StepReport.of(stats, results, now))

    # -- the loop ---------------------------------------------------------------------------
    def _one_step(self, indices=None) -> bool:
        """One step, kept for the next report. False when it diverged (then reported)."""
        result = self.trainer.step(indices)
        self._results.append(result)
        return not result.diverged or self._report()

    def _steps_due(self, now: float) -> float:
        """How many steps this tick may take: unbounded as fast as possible; at a chosen
        speed, the steps the clock says are due since the pace began."""
        speed = self.trainer.spec.speed
        if not speed:
            return math.inf
        started, done = self._pace_start
        return math.floor((now - started) * speed) + 1 - done

    def _run_chunk(self) -> None:
        start = time.perf_counter()
        deadline, due = start + CHUNK_SECONDS, self._steps_due(start)
        taken = 0
        while ((self.running or self.finishing_epoch) and not self.pause_requested
               and taken < due and time.perf_counter() < deadline):
            taken += 1
            if not self._one_step():
                return
            if self.finishing_epoch and self.trainer.epoch_complete:
                self.finishing_epoch = False
                self._timer.stop()
                self._report()
                self._emit_boundary()
                return
        if self._pace_start is not None:
            self._pace_start = (self._pace_start[0], self._pace_start[1] + taken)
        now = time.perf_counter()
        slow = bool(self.trainer.spec.speed) and self.trainer.spec.speed <= REPORT_HZ
        if taken and (slow or now - self._last_report >= 1 / REPORT_HZ):
            if not self._report():
                return
        if taken and (slow or now - self._last_boundary >= BOUNDARY_INTERVAL):
            self._emit_boundary()

    def _emit_boundary(self) -> None:
        self._last_boundary = time.perf_counter()
        if self.trainer is None or self.grid is None:
            return
        # Fresh outputs per layer (the first is the input grid itself, which never changes).
        outputs = self.trainer.neuron_outputs(self.grid)
        for o in outputs:
            o.flags.writeable = False
        self.sigBoundary.emit(self.generation, outputs)


class _Call:
    """One call handed to the worker's thread, with its result or error."""

    def __init__(self, function, args):
        self.function, self.args = function, args
        self.result = self.error = None
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.cancelled = False
