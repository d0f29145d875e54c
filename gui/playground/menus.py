"""Menu bar, toolbar and the file commands behind them (open/save sessions, screenshots)."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.presets import preset_description, preset_names
from gui.checking.checking_link import install_checking
from gui.common.side_dock import grab_with_docks
from gui.lessons.lesson_link import install_lessons
from gui.playground.session_files import write_atomically

SHORTCUTS_HELP = """<table cellpadding=3>
<tr><td><b>Space</b></td><td>play / pause training</td></tr>
<tr><td><b>→</b></td><td>one training step (one mini-batch)</td></tr>
<tr><td><b>Ctrl+→</b></td><td>finish the current epoch</td></tr>
<tr><td><b>R</b></td><td>reset the weights</td></tr>
<tr><td><b>G</b></td><td>regenerate the data with a new seed</td></tr>
<tr><td><b>Ctrl+T</b></td><td>step through one training step stage by stage</td></tr>
<tr><td><b>Ctrl+G</b></td><td>check the gradients: backprop against central differences</td></tr>
<tr><td><b>Ctrl+O / Ctrl+S</b></td><td>open / save a session (Ctrl+Shift+S: save as)</td></tr>
<tr><td><b>Ctrl+Z / Ctrl+Shift+Z</b></td><td>undo / redo a rebuild, with its training</td></tr>
<tr><td><b>Ctrl+Shift+P</b></td><td>save a screenshot of the window</td></tr>
<tr><td><b>Ctrl+1 / Ctrl+2</b></td><td>network playground / graph lab</td></tr>
<tr><td><b>Ctrl+M</b></td><td>the confusion matrix (classification)</td></tr>
<tr><td><b>Ctrl+Shift+M</b></td><td>neuron maps on / off</td></tr>
<tr><td><b>[ / ]</b></td><td>slower / faster training</td></tr>
<tr><td><b>F11</b></td><td>presentation mode: large text, the scores large</td></tr>
<tr><td><b>Ctrl++ / Ctrl+- / Ctrl+0</b></td><td>in presentation mode: larger / smaller /
1.5× text</td></tr>
<tr><td><b>← → Space</b></td><td>in the graph lab: previous / next stage, play</td></tr>
</table>
<p>Each neuron shows its output over the input plane; hover it to see that large. Click a
weight to edit it; − / + above a hidden column remove or add a neuron.</p>"""


def build_menus(window) -> None:
    bar = window.menuBar()
    a = window.actions

    files = window.files
    file_menu = bar.addMenu("&File")
    _add(window, file_menu, "&Open session or spec…", QKeySequence.Open,
         "Load a saved session or a spec/preset JSON file (Edit > Undo brings back the "
         "network it replaces)", files.open_dialog)
    window.recent_menu = file_menu.addMenu("Open &recent")
    window.recent_menu.aboutToShow.connect(lambda: _fill_recent(window))
    _add(window, file_menu, "&Save session", QKeySequence.Save,
         "Save the whole run (spec, weights, optimiser state, history and data) to its file",
         files.save)
    _add(window, file_menu, "Save session &as…", QKeySequence.SaveAs,
         "Save the whole run to a new file", files.save_as)
    _add(window, file_menu, "Save s&creenshot…", "Ctrl+Shift+P",
         "Save a PNG of the whole window", lambda: save_screenshot(window))
    file_menu.addSeparator()
    _add(window, file_menu, "&Quit", QKeySequence.Quit, "Close the window", window.close)

    edit = bar.addMenu("&Edit")
    undo = window.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcuts(QKeySequence.Undo)
    undo.setStatusTip("Bring back the network (and its training) before the last rebuild")
    redo = window.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts(QKeySequence.Redo)  # every platform binding: Ctrl+Y and Ctrl+Shift+Z
    redo.setStatusTip("Redo the rebuild that was undone, with the training it had")
    edit.addAction(undo)
    edit.addAction(redo)
    window.undo_action, window.redo_action = undo, redo

    view = window.view_menu = bar.addMenu("&View")
    for index, (text, key, tip) in enumerate((
            ("&Network playground", "Ctrl+1", "Build and train a network"),
            ("&Graph lab", "Ctrl+2", "The chain rule on an expression, op by op"))):
        _add(window, view, text, key, tip, lambda _=False, i=index: window.modes.setCurrentIndex(i))
    window.modes.currentChanged.connect(lambda index: _on_mode(window, index))

    presets = bar.addMenu("&Presets")
    for name in preset_names():
        act = presets.addAction(name)
        act.setStatusTip(preset_description(name))
        act.setToolTip(preset_description(name))
        act.triggered.connect(lambda _=False, n=name: window.load_preset(n))
    presets.setToolTipsVisible(True)
    window.preset_menu = presets

    train = bar.addMenu("&Train")
    for act in (a.play, a.step, a.epoch):
        train.addAction(act)
    train.addAction(a.step_through)
    train.addSeparator()
    for act in (a.reset, a.regenerate):
        train.addAction(act)
    window.train_menu = train

    help_menu = bar.addMenu("&Help")
    _add(window, help_menu, "&Keyboard shortcuts", "F1", "List the keyboard shortcuts",
         lambda: QMessageBox.information(window, "Keyboard shortcuts", SHORTCUTS_HELP))
    _add(window, help_menu, "&About", None, "About Backprop Playground",
         lambda: QMessageBox.about(window, "About Backprop Playground",
                                   "<b>Backprop Playground</b><p>Edit a network, train it live, "
                                   "watch the gradients flow and step through the chain rule "
                                   "with every number on screen.</p>"))

    toolbar = window.addToolBar("Training")
    toolbar.setObjectName("trainingToolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)  # words: the icons alone are cryptic
    for act in (a.play, a.step, a.epoch, a.reset, a.regenerate):
        toolbar.addAction(act)
    toolbar.addSeparator()
    toolbar.addAction(a.step_through)
    window.toolbar = toolbar
    window.checking = install_checking(window)  # Check gradients, Inject a bug, PyTorch export
    install_lessons(window)  # Help > Lessons, File > Open lesson…, the lesson panel


def _add(window, menu, text, shortcut, tip, slot) -> QAction:
    act = QAction(text, window)
    if isinstance(shortcut, QKeySequence.StandardKey):
        act.setShortcuts(shortcut)  # all of the platform's bindings, not only the first
    elif shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
    act.setStatusTip(tip)
    act.setToolTip(tip)
    act.triggered.connect(slot)
    menu.addAction(act)
    return act


def _on_mode(window, index: int) -> None:
    """The training actions belong to the playground: in the lab, Space and the arrows are the
    lab's, and training pauses (a run in the background would be a surprise)."""
    playground = index == 0
    if not playground:
        window.sigSetRunning.emit(False)
        window.stepper.cancel()
    a = window.actions
    for act in (a.play, a.step, a.epoch, a.reset, a.regenerate, a.step_through):
        act.setEnabled(playground)
    # The training toolbar and read-out say nothing about the lab: their room goes to its graph.
    window.toolbar.setVisible(playground)
    for label in window.status_labels.values():
        label.setVisible(playground)
    window.lab.set_keys_active(not playground)


def _fill_recent(window) -> None:
    menu = window.recent_menu
    menu.clear()
    recent = window.remembered.recent_files()
    for path in recent:
        act = menu.addAction(os.path.basename(path))
        act.setToolTip(path)
        act.setStatusTip(path)
        act.triggered.connect(lambda _=False, p=path: window.files.open_path(p))
    if not recent:
        menu.addAction("(no recent files)").setEnabled(False)


def save_screenshot(window) -> None:
    path, _ = QFileDialog.getSaveFileName(window, "Save screenshot", "playground.png",
                                          "PNG images (*.png)")
    if not path:
        return
    image = grab_with_docks(window)  # floating panels included, as on the screen
    try:
        write_atomically(path, lambda device: image.save(device, "PNG"))
    except ValueError as e:
        window.show_error(str(e))
