"""Menu bar, toolbar and the file commands behind them (open/save sessions, screenshots)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.presets import preset_description, preset_names
from engine.serialization import load_spec_file, save_session, session_dict

SHORTCUTS_HELP = """<table cellpadding=3>
<tr><td><b>Space</b></td><td>play / pause training</td></tr>
<tr><td><b>→</b></td><td>one training step (one mini-batch)</td></tr>
<tr><td><b>Ctrl+→</b></td><td>finish the current epoch</td></tr>
<tr><td><b>R</b></td><td>reset the weights</td></tr>
<tr><td><b>G</b></td><td>regenerate the data with a new seed</td></tr>
<tr><td><b>Ctrl+T</b></td><td>step through one training step stage by stage</td></tr>
<tr><td><b>Ctrl+O / Ctrl+S</b></td><td>open / save a session</td></tr>
</table>
<p>Hover a neuron to see its output over the input plane; click a weight to edit it.</p>"""


def build_menus(window) -> None:
    bar = window.menuBar()
    a = window.actions

    file_menu = bar.addMenu("&File")
    _add(window, file_menu, "&Open session or spec…", QKeySequence.Open,
         "Load a saved session (spec + weights) or a spec/preset JSON file",
         lambda: open_session(window))
    _add(window, file_menu, "&Save session…", QKeySequence.Save,
         "Save the spec and the current weights as JSON", lambda: save_session_as(window))
    _add(window, file_menu, "Save s&creenshot…", "Ctrl+Shift+S",
         "Save a PNG of the whole window", lambda: save_screenshot(window))
    file_menu.addSeparator()
    _add(window, file_menu, "&Quit", QKeySequence.Quit, "Close the window", window.close)

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


def _add(window, menu, text, shortcut, tip, slot) -> QAction:
    act = QAction(text, window)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
    act.setStatusTip(tip)
    act.setToolTip(tip)
    act.triggered.connect(slot)
    menu.addAction(act)
    return act


def open_session(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Open session or spec", "",
                                          "JSON files (*.json);;All files (*)")
    if not path:
        return
    try:
        spec = load_spec_file(path)
    except ValueError as e:
        window.show_error(str(e))
        return
    window.apply_spec(spec)


def save_session_as(window) -> None:
    stats = window.latest_stats
    if stats is None:
        return
    path, _ = QFileDialog.getSaveFileName(window, "Save session", "session.json",
                                          "JSON files (*.json)")
    if not path:
        return
    try:
        save_session(session_dict(window.spec, stats.weights, stats.biases, stats.step), path)
    except ValueError as e:
        window.show_error(str(e))
        return
    window.statusBar().showMessage(f"saved {path}", 5000)


def save_screenshot(window) -> None:
    path, _ = QFileDialog.getSaveFileName(window, "Save screenshot", "playground.png",
                                          "PNG images (*.png)")
    if path and not window.grab().save(path):
        window.show_error(f"cannot write {path!r}")
