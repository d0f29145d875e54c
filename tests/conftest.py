"""Test set-up: Qt renders offscreen, and no test may leave a QThread running."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc  # noqa: E402

import pytest  # noqa: E402

# Python's cyclic collector runs in whichever thread happens to allocate. If that is a worker
# thread and the garbage holds Qt objects, their destructors run there and can deadlock with the
# GUI thread (seen: a QMenu freed in the worker while the GUI thread deleted another). So, as in
# the app (gui/main_window.py), collect only from the main thread: after every test.
gc.disable()


@pytest.fixture(autouse=True)
def no_running_qthreads(request):
    """Fail any Qt test (one that uses qtbot) that leaves a QThread running.

    The scan walks the objects that survived since the last scan: after each one the survivors
    are frozen (gc.freeze), so neither the collection nor the scan walks the whole heap again —
    with torch imported that heap is three times larger, and walking it after each of ~1,000 Qt
    tests cost minutes. A thread an earlier test left running was already reported by it.
    Engine tests, which cannot start threads, skip the scan.
    """
    yield
    if "qtbot" not in request.fixturenames:
        gc.collect(0)  # cheap; engine tests make no Qt objects
        return
    gc.collect()

    from PySide6.QtCore import QThread

    # type(o), not isinstance: isinstance reads o.__class__, and some objects warn when touched
    # (torch's deprecated torch.distributed.reduce_op, a FutureWarning: an error under
    # filterwarnings("error") once a test has imported torch).
    survivors = gc.get_objects(generation=2)  # after a full collection: everything unfrozen
    gc.freeze()
    running = [o for o in survivors if issubclass(type(o), QThread) and _running(o)]
    del survivors
    assert not running, f"{len(running)} QThread(s) still running after the test"


def _running(thread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # the C++ object is already gone
        return False
