"""Regression guard for a PySide6 bug that crashes the app after a few hundred training steps.

PySide6 6.12.0's Signal.emit() dropped one reference to `True` on every call that passed it
(a missing Py_INCREF in the argument conversion). On Python 3.11, where bools are not yet
immortal, the count of `True` eventually reaches zero and the interpreter aborts with
"Fatal Python error: bool_dealloc". The training worker emits a signal per step (and bools in
running/paused signals), so a pin bump that brings the bug back would crash every session.
pyproject.toml pins PySide6-Essentials below 6.12; this test catches a bump that ignores it.
(On Python ≥ 3.12 `True` is immortal and its reported count is constant, so the check is
harmless there.)
"""

import sys

import pytest

QtCore = pytest.importorskip("PySide6.QtCore")

EMITS = 10_000


class Emitter(QtCore.QObject):
    sigFlag = QtCore.Signal(bool)
    sigAny = QtCore.Signal(object)


@pytest.fixture
def app():
    return QtCore.QCoreApplication.instance() or QtCore.QCoreApplication([])


@pytest.mark.parametrize("signal_name", ["sigFlag", "sigAny"])
def test_emitting_true_keeps_its_reference_count(app, signal_name):
    emitter = Emitter()
    received = []
    getattr(emitter, signal_name).connect(received.append)  # a direct (same-thread) slot
    signal = getattr(emitter, signal_name)
    signal.emit(True)  # warm up: first-emit caches may take a lasting reference
    received.clear()
    before = sys.getrefcount(True)
    for _ in range(EMITS):
        signal.emit(True)
    received_all = len(received) == EMITS and all(v is True for v in received)
    received.clear()  # drop the list's own references before counting again
    after = sys.getrefcount(True)
    assert received_all
    # A leak of one reference per emit would show as a drop of about EMITS.
    assert after >= before, f"sys.getrefcount(True) fell by {before - after} over {EMITS} emits"
