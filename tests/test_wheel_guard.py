"""Scrolling the sidebar must not change settings: the editor's combo and spin boxes take the
mouse wheel only once they have keyboard focus; otherwise the wheel scrolls the panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.spec import Spec
from gui.playground.architecture_editor import ArchitectureEditor


class Sidebar(QWidget):
    """A line edit that holds the focus above a short scroll area holding the editor."""

    def __init__(self):
        super().__init__()
        self.focus_sink = QLineEdit()
        self.editor = ArchitectureEditor()
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.editor)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(self.focus_sink)
        layout.addWidget(self.scroll)
        self.resize(self.editor.sizeHint().width() + 40, 260)


@pytest.fixture
def sidebar(qtbot):
    s = Sidebar()
    qtbot.addWidget(s)
    s.show()
    qtbot.waitExposed(s)
    s.activateWindow()
    s.focus_sink.setFocus()
    qtbot.waitUntil(s.focus_sink.hasFocus)
    return s


def boxes(editor: ArchitectureEditor) -> list[QWidget]:
    return editor.findChildren(QComboBox) + editor.findChildren(QAbstractSpinBox)


def values(editor: ArchitectureEditor) -> list:
    return [b.currentIndex() if isinstance(b, QComboBox) else b.value() for b in boxes(editor)]


def record_signals(editor: ArchitectureEditor) -> list:
    seen = []
    editor.sigSpecChanged.connect(lambda spec: seen.append(("spec", spec)))
    editor.sigLiveChanged.connect(lambda name, value: seen.append((name, value)))
    return seen


def send_wheel(widget: QWidget, dy: int) -> QWheelEvent:
    """A wheel notch (dy = ±120) over the widget's centre, delivered with sendEvent."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre)), QPoint(), QPoint(0, dy),
                        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event


def test_unfocused_boxes_ignore_the_wheel_in_both_directions(qtbot, sidebar):
    editor = sidebar.editor
    editor.add_layer_button.click()  # rows made after construction are guarded too
    editor.set_spec(Spec(hidden=[3, 5, 2], activations=["relu", "tanh", "sigmoid"],
                         optimizer="momentum", regularization="l2", reg_rate=0.01,
                         dataset="blobs", noise=0.2, clip_norm=1.0))
    qtbot.wait(1)
    seen = record_signals(editor)
    before = values(editor)
    assert len(boxes(editor)) >= 18  # data, layers, output, training: all of them
    for box in boxes(editor):
        assert not box.hasFocus()
        assert box.focusPolicy() == Qt.StrongFocus  # the wheel does not grant focus
        for dy in (120, -120, -120, 120):
            event = send_wheel(box, dy)
            assert not event.isAccepted(), box  # left for the parents (the scroll area)
    assert values(editor) == before
    assert seen == []


def test_focused_boxes_still_take_the_wheel(qtbot, sidebar):
    editor = sidebar.editor
    seen = record_signals(editor)
    spin = editor.lr_spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    send_wheel(spin, 120)
    assert spin.value() == pytest.approx(0.1)  # one step up TF Playground's ladder from 0.03
    assert seen == [("learning_rate", pytest.approx(0.1))]
    send_wheel(spin, -120)
    assert spin.value() == pytest.approx(0.03)

    row_spin = editor.layer_rows[0].neurons_spin
    row_spin.setFocus()
    qtbot.waitUntil(row_spin.hasFocus)
    with qtbot.waitSignal(editor.sigSpecChanged) as blocker:
        send_wheel(row_spin, 120)
    assert blocker.args[0].hidden[0] == 5


def test_wheel_over_an_unfocused_combo_scrolls_the_sidebar(qtbot, sidebar):
    editor, bar = sidebar.editor, sidebar.scroll.verticalScrollBar()
    assert bar.maximum() > 0  # the panel is taller than the area
    seen = record_signals(editor)
    before = values(editor)
    combo = editor.optimizer_combo  # the first box at the top of the panel
    where = QPointF(combo.mapTo(sidebar, combo.rect().center()))
    assert sidebar.childAt(where.toPoint()) is combo
    # QTest.wheelEvent goes through the window system like a real mouse: Qt passes such
    # (spontaneous) wheel events on to the parents when a widget leaves them unaccepted,
    # whereas an event given to sendEvent stays with its receiver.
    QTest.wheelEvent(sidebar.windowHandle(), where, QPoint(0, -120))
    qtbot.waitUntil(lambda: bar.value() > 0)
    scrolled = bar.value()
    QTest.wheelEvent(sidebar.windowHandle(), where, QPoint(0, 120))  # over whatever is there now
    qtbot.waitUntil(lambda: bar.value() < scrolled)
    assert values(editor) == before
    assert seen == []
    assert not combo.hasFocus()


class WindowWatch(QObject):
    """Notes every widget that is shown as a window of its own."""

    def __init__(self):
        super().__init__()
        self.windows = []

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) \
                and watched.isWindow():
            self.windows.append(type(watched).__name__)
        return False


def parentless(app) -> list[QWidget]:
    """Top-level widgets without a parent (combo popups are windows too, owned by their combo)."""
    return [w for w in app.topLevelWidgets() if w.parentWidget() is None]


def test_adding_and_removing_layers_never_opens_a_window(qtbot, sidebar):
    editor = sidebar.editor
    # As the main window does: every accepted spec comes back through set_spec, straight
    # after the edit (a new row is then replaced before Qt has shown it).
    editor.sigSpecChanged.connect(editor.set_spec)
    app = QApplication.instance()
    windows_before = set(parentless(app))
    watch = WindowWatch()
    app.installEventFilter(watch)
    try:
        for _ in range(3):
            editor.add_layer_button.click()
        qtbot.wait(10)
        editor.layer_rows[1].remove_button.click()
        qtbot.wait(10)
        editor.layer_rows[0].remove_button.click()
        editor.add_layer_button.click()
        editor.set_spec(Spec(hidden=[2], activations=["relu"]))
        qtbot.wait(10)
        editor.set_spec(Spec(hidden=[4, 4, 4, 4], activations=["elu"] * 4))
        qtbot.wait(10)
    finally:
        app.removeEventFilter(watch)
    assert watch.windows == []
    assert set(parentless(app)) - windows_before == set()
    assert editor.spec().hidden == [4, 4, 4, 4]
    assert all(w.isVisible() for row in editor.layer_rows for w in row.widgets())
    assert sidebar.isActiveWindow()
