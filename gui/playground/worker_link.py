"""How the window and the training worker talk: the window's command signals go to the
worker's slots (queued across the threads, applied between steps), the worker's reports come
back to the window's handlers."""

from __future__ import annotations

from PySide6.QtCore import Qt, QThread

from gui.playground.worker import TrainingWorker


def start_worker(window, threaded: bool) -> None:
    """Create window.worker (in window.thread when threaded; the thread starts later) and
    connect it both ways."""
    window.worker = TrainingWorker()
    window.thread = None
    if threaded:
        window.thread = QThread()
        window.thread.setObjectName("training")
        window.worker.moveToThread(window.thread)
        window.thread.finished.connect(window.worker.deleteLater)
    w = window.worker
    window.sigSetRunning.connect(w.set_running)
    window.sigStep.connect(w.step)
    window.sigStepEpoch.connect(w.step_epoch)
    window.sigLive.connect(w.set_live)
    window.sigSetParameter.connect(w.set_parameter)
    window.sigStopWorker.connect(w.stop)
    window.sigRewind.connect(w.rewind)
    # Snapshots arrive hundreds of times a second. Waking the GUI thread for each one costs
    # the worker a third of its speed (the two share the interpreter lock), so a direct
    # connection drops them into a deque from the worker's thread (append is atomic) and
    # the redraw timer takes them all at once.
    inbox = window._inbox
    w.sigStep.connect(lambda generation, stats: inbox.append((generation, stats)),
                      Qt.DirectConnection)
    w.sigBoundary.connect(window.on_boundary)
    w.sigRunning.connect(window.on_running)
    w.sigDiverged.connect(window.on_diverged)
    w.sigError.connect(window.show_error)
    w.sigRewound.connect(window.on_rewound)
