"""Presentation mode keeps the window's size: larger text never pushes its bottom or buttons
off the screen (a scale that does not fit gives way to the largest that does), and leaving
puts back the window, its splitters and its docked panels as they were."""

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QDockWidget

from tests.window_helpers import shown_window, train


def shown(qtbot, tmp_path, size):
    w = shown_window(qtbot, tmp_path, size, preset="playground")
    qtbot.wait(50)
    return w


def settle(qtbot):
    qtbot.wait(100)  # the layouts' posted requests, and the deferred restore


@pytest.mark.parametrize("size", [(1024, 640), (1280, 720)])
@pytest.mark.parametrize("scale", [2.0, 3.0])
def test_larger_text_never_grows_the_window(qtbot, tmp_path, size, scale):
    w = shown(qtbot, tmp_path, size)
    w.presentation.set_scale(scale)
    w.presentation_action.setChecked(True)
    settle(qtbot)
    assert w.size() == QSize(*size)
    p = w.presentation
    assert 1.0 <= p.shown_scale <= scale
    assert w.font().pointSizeF() == pytest.approx(p._saved["base"].pointSizeF() * p.shown_scale)
    if p.shown_scale < scale:  # says so, in the user's terms
        w.presentation.set_scale(scale)
        assert "does not fit this window" in w.statusBar().currentMessage()
    w.presentation_action.setChecked(False)
    settle(qtbot)
    assert w.size() == QSize(*size)


def test_a_docked_step_through_stays_inside_the_window_and_comes_back(qtbot, tmp_path):
    w = shown(qtbot, tmp_path, (1440, 900))
    w.open_stepper()
    qtbot.waitUntil(lambda: w.stepper.trace is not None)
    dock = next(d for d in w.findChildren(QDockWidget) if d.isVisible())
    assert not dock.isFloating()
    before = (w.size(), dock.width(), w.top_splitter.sizes())
    w.presentation.set_scale(2.5)
    w.presentation_action.setChecked(True)
    settle(qtbot)
    assert w.width() == 1440
    w.presentation_action.setChecked(False)
    settle(qtbot)
    assert (w.size(), dock.width(), w.top_splitter.sizes()) == before
    assert not dock.isFloating()
    w.stepper.cancel()


def test_round_trips_leave_the_splitters_where_they_were(qtbot, tmp_path):
    w = shown(qtbot, tmp_path, (1024, 640))
    before = (w.splitter.sizes(), w.top_splitter.sizes())
    for _ in range(3):
        w.presentation_action.setChecked(True)
        settle(qtbot)
        w.presentation_action.setChecked(False)
        settle(qtbot)
    assert (w.splitter.sizes(), w.top_splitter.sizes()) == before


def test_dialogs_get_the_large_text_too(qtbot, tmp_path):
    w = shown(qtbot, tmp_path, (1280, 720))
    train(qtbot, w, 5)
    w.presentation_action.setChecked(True)
    w.confusion_action.trigger()  # opened in presentation mode: a window of its own
    qtbot.waitUntil(lambda: w.confusion_dialog is not None and w.confusion_dialog.isVisible())
    assert w.confusion_dialog.font().pointSizeF() == pytest.approx(w.font().pointSizeF())
    w.presentation_action.setChecked(False)
    assert w.confusion_dialog.font().pointSizeF() == pytest.approx(w.font().pointSizeF())
    w.confusion_dialog.close()


def test_larger_text_stops_where_the_pictures_would_be_too_small_and_comes_back(qtbot,
                                                                                tmp_path):
    from gui.playground.presentation import MIN_GRAPH, MIN_PICTURE

    w = shown(qtbot, tmp_path, (1280, 720))
    w.presentation_action.setChecked(True)
    settle(qtbot)
    p = w.presentation
    first = (p.shown_scale, w.top_splitter.sizes(), w.splitter.sizes())
    for _ in range(6):  # Ctrl++ past the largest size that fits
        p.step_scale(+1)
        settle(qtbot)
        assert w.boundary.plot_widget.height() >= MIN_PICTURE
        assert w.graph.canvas.height() >= MIN_GRAPH and w.size() == QSize(1280, 720)
    top = p.shown_scale
    assert top > first[0] and p.scale > top  # it went up, then stopped
    p.step_scale(-1)  # one Ctrl+- from there is one size down from what is shown
    settle(qtbot)
    assert p.shown_scale < top
    while p.shown_scale > first[0]:
        p.step_scale(-1)
        settle(qtbot)
    assert (p.shown_scale, w.top_splitter.sizes(), w.splitter.sizes()) == first


def test_the_confusion_tables_show_every_cell_at_any_text_size(qtbot, tmp_path):
    w = shown(qtbot, tmp_path, (1280, 720))
    train(qtbot, w, 5)
    w.confusion_action.trigger()
    qtbot.waitUntil(lambda: w.confusion_dialog is not None and w.confusion_dialog.isVisible())
    for on in (True, False):
        w.presentation_action.setChecked(on)
        settle(qtbot)
        for table in w.confusion_dialog.tables.values():
            assert not table.horizontalScrollBar().isVisible()
            assert not table.verticalScrollBar().isVisible()
            cells = sum(table.columnWidth(j) for j in range(table.columnCount()))
            assert table.viewport().width() >= cells
    w.confusion_dialog.close()


def test_a_docked_step_through_widens_for_its_larger_text(qtbot, tmp_path):
    from gui.stepper.stepper_mode import DOCK_WIDTH

    w = shown(qtbot, tmp_path, (1920, 1080))
    w.presentation_action.setChecked(True)
    settle(qtbot)
    w.open_stepper()
    qtbot.waitUntil(lambda: w.stepper.trace is not None)
    dock = w.stepper.dock
    assert not dock.isFloating() and w.width() == 1920
    assert dock.width() >= DOCK_WIDTH * min(w.presentation.shown_scale, 1.4)
    w.stepper.cancel()
