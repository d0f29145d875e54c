"""How the checking tools join the window: Train > Check gradients… (Ctrl+G) opens the check
panel in a dock, Train > Inject a bug and the panel's bug box choose one bug for the network on
screen (the banner says so while it is in), File > Export as PyTorch script… writes a script.

The engine work runs in the training worker's thread through worker.call (check_jobs), so the
GUI thread never touches the trainer the worker owns.

A chosen bug is the window's setting, not one network's: every network the window shows next
(a rebuild, Reset, a preset, an opened session, Undo/Redo) gets it injected too, or, when that
network cannot have it, the bug is removed and the status bar says why. Every replacement after
the first goes through the undo stack, so its indexChanged signal is where that happens.
Sessions never save a bug: it wraps the network's backward, it is not data.

The panel and its dock are built the first time they are needed (see `panel`), and the engine's
gradient check is imported then too: the window's first frame needs only the menu entries.
"""

from __future__ import annotations

import importlib.util

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QDockWidget, QScrollArea

from engine.bugs import BUGS, unseen_note
from gui.checking.bug_banner import NO_BUG, BugBanner
from gui.checking.torch_export_action import export_torch_script
from gui.common.lazy_panel import LazyPanel
from gui.common.side_dock import place_side_dock

STALE_POLL_MS = 500
PANEL_WIDTH, PANEL_HEIGHT = 560, 600  # the dock's width beside the views; floating height
SHORTCUT = "Ctrl+G"


def install_checking(window) -> CheckingLink:
    """Add the checking tools to a window whose menus and worker exist (see build_menus)."""
    return CheckingLink(window)


def _sentence(text: str) -> str:
    """Ends with a full stop; the first letter stays as written (descriptions start with
    code such as "dZ = dA")."""
    return text.strip().rstrip(".") + "."


class CheckingLink(LazyPanel, QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.bug: str | None = None  # the chosen bug: injected into every network shown
        self.bug_hidden = False  # a lesson's mystery bug: injected, but nothing names it
        self.run = None  # the CheckRun on screen
        self.comparing = False  # once compared with PyTorch, every re-run compares too
        self._generation = window.generation
        self._torch_missing: str | None = None  # asked once, when the panel first opens
        self._was_open = False  # the dock hides in the graph lab and comes back after
        self._panel = self._dock = None  # built on first use: see panel

        window.banner.cause = lambda: (
            f"the injected bug “{BUGS[self.bug].title}” (remove it, then rewind)"
            if self.bug else "")
        self.banner = BugBanner()
        centre = window.banner.parentWidget().layout()  # the graph's column, banners on top
        centre.insertWidget(centre.indexOf(window.banner), self.banner)

        self._build_actions()
        self.banner.sigRemove.connect(lambda: self.choose_bug(None))
        self.banner.sigCheck.connect(self.open)
        window.undo_stack.indexChanged.connect(self._after_replacement)
        window.modes.currentChanged.connect(self._on_mode)
        self.stale_timer = QTimer(self)
        self.stale_timer.setInterval(STALE_POLL_MS)
        self.stale_timer.timeout.connect(self._note_staleness)
        self.stale_timer.start()

    # -- the panel, built on first use ----------------------------------------------------------
    def _panel_shown(self) -> bool:
        return self._dock is not None and self._dock.isVisible()

    def _build_panel(self) -> None:
        from gui.checking.check_panel import CheckPanel

        window = self.window
        self._panel = panel = CheckPanel()
        self._dock = dock = QDockWidget("Check gradients", window)
        dock.setObjectName("checkDock")
        # On a small screen the panel scrolls rather than squeezing its heatmap into its labels.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(panel)
        dock.setWidget(scroll)
        dock.setAllowedAreas(Qt.RightDockWidgetArea | Qt.BottomDockWidgetArea)
        dock.setMinimumWidth(360)
        window.addDockWidget(Qt.RightDockWidgetArea, dock)
        dock.hide()
        # Escape closes the panel while the focus is in it (a floating panel covers the graph).
        QShortcut(QKeySequence(Qt.Key_Escape), dock, activated=dock.close,
                  context=Qt.WidgetWithChildrenShortcut)
        panel.sigRun.connect(self.check)
        panel.sigCompare.connect(self.compare)
        panel.sigBugChosen.connect(self.choose_bug)
        if self._torch_missing is not None:
            panel.set_torch_missing(self._torch_missing)
        if window.dataset is not None:
            panel.set_sample_count(len(window.dataset.train_idx))
        panel.set_bug(None if self.bug_hidden else self.bug, hidden=self.bug_hidden)

    # -- menus -----------------------------------------------------------------------------------
    def _action(self, text: str, tip: str, slot, shortcut: str | None = None) -> QAction:
        act = QAction(text, self.window)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.WindowShortcut)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        return act

    def _build_actions(self) -> None:
        w = self.window
        train = w.train_menu
        train.addSeparator()
        self.check_action = self._action(
            "&Check gradients…", "Compare backprop's gradients with central differences, "
            "tensor by tensor and element by element", self.open, SHORTCUT)
        train.addAction(self.check_action)
        self.bug_menu = train.addMenu("Inject a &bug")
        self.bug_menu.setToolTipsVisible(True)
        self.bug_group = QActionGroup(self)
        self.bug_group.setExclusive(True)
        self.bug_actions: dict[str | None, QAction] = {}
        entries = [(None, NO_BUG, "The engine's own, correct backward pass")]
        entries += [(name, bug.title, f"{_sentence(bug.description)} Effect: "
                     f"{_sentence(bug.effect)}") for name, bug in BUGS.items()]
        for name, title, tip in entries:
            act = self._action(title, tip, lambda _=False, n=name: self.choose_bug(n))
            act.setCheckable(True)
            self.bug_group.addAction(act)
            self.bug_menu.addAction(act)
            self.bug_actions[name] = act
            if name is None:
                self.bug_menu.addSeparator()
        self.bug_actions[None].setChecked(True)

        file_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&File")
        self.export_action = self._action(
            "&Export as PyTorch script…", "Write a Python script that builds this network in "
            "PyTorch (nn.Sequential) and trains it on the same data", lambda: self.export())
        quit_action = next(a for a in file_menu.actions() if a.text() == "&Quit")
        actions = file_menu.actions()
        before = actions[actions.index(quit_action) - 1]  # the separator above Quit
        file_menu.insertAction(before if before.isSeparator() else quit_action,
                               self.export_action)

    def _on_mode(self, index: int) -> None:
        """The checks are about the playground's network: they make way for the graph lab."""
        playground = index == 0
        self.check_action.setEnabled(playground)
        self.bug_menu.setEnabled(playground)
        if not playground:
            self._was_open = self._panel_shown()
            if self._dock is not None:
                self._dock.hide()
        elif self._was_open:
            self.dock.show()

    # -- the check -------------------------------------------------------------------------------
    def open(self) -> None:
        """Show the panel and check the network on screen."""
        if self._torch_missing is None and importlib.util.find_spec("torch") is None:
            self.torch_missing()  # quick when torch is absent; loading it takes seconds
        if self.window.dataset is not None:
            self.panel.set_sample_count(len(self.window.dataset.train_idx))
        self.panel.set_bug(self.bug)
        if not self.dock.isVisible():
            self._place_dock()
        self.dock.show()
        self.dock.raise_()
        self.check()

    def _place_dock(self) -> None:
        place_side_dock(self.window, self.dock, PANEL_WIDTH, PANEL_HEIGHT)

    def check(self, compare: bool | None = None) -> bool:
        """Run the check with the panel's settings; False (and one line in the panel) when
        it could not run."""
        from gui.checking.check_jobs import run_check

        compare = self.comparing if compare is None else compare
        worker, panel = self.window.worker, self.panel
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            run = worker.call(run_check, worker, panel.sample(), panel.eps(), compare)
        except ValueError as e:
            panel.show_message(_sentence(str(e)))
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        panel.show_message("")
        self.run = run
        panel.set_results(run.results, self._info(run), run.comparison)
        return True

    def torch_missing(self) -> str:
        """"" when PyTorch loads (asked once: loading it takes seconds), else how to get it."""
        if self._torch_missing is None:
            from engine.torch_compare import torch_missing

            self._torch_missing = torch_missing()
            if self._panel is not None:
                self._panel.set_torch_missing(self._torch_missing)
        return self._torch_missing

    def compare(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)  # the first import of torch is slow
        try:
            missing = self.torch_missing()
        finally:
            QGuiApplication.restoreOverrideCursor()
        if missing:
            self.panel.show_message(missing)
            return
        self.comparing = True
        if self.check(compare=True):
            self.window.statusBar().showMessage("Compared with PyTorch (float64).", 5000)

    def _info(self, run) -> str:
        bug = (", a bug injected (which one is for you to find)" if run.bug and self.bug_hidden
               else f", bug “{BUGS[run.bug].title}” injected" if run.bug else "")
        text = (f"Checked: {run.description} at step {run.step:,}{bug}. Analytic = the "
                "engine's backward, numeric = central differences in extended precision: all "
                "numbers are the engine's.")
        if run.feedback == "fa":
            text += (" <b>Feedback alignment is on:</b> below the output layer the engine sends "
                     "the error back through a fixed random B, not Wᵀ, so those tensors fail "
                     "by design.")
        if run.comparison is not None:
            text += " PyTorch: the same weights and data, float64 autograd."
        unseen = unseen_note(run.bug, run.samples, run.results)
        return text + (f" <b>Note:</b> {_sentence(unseen)}" if unseen else "")

    def _note_staleness(self) -> None:
        run, w = self.run, self.window
        if run is None or not self._panel_shown():
            return
        note = ""
        if run.generation != w.generation:
            note = "The network has been replaced since: press Run check."
        elif w.latest_stats is not None and w.latest_stats.step != run.step:
            note = (f"The network has trained since (now step {w.latest_stats.step:,}): press "
                    "Run check for its current weights.")
        self.panel.set_stale(note)

    # -- bugs ------------------------------------------------------------------------------------
    def choose_bug(self, name: str | None, hidden: bool = False) -> bool:
        """Inject bug `name` (None: back to the correct engine); hidden keeps its name off the
        menu, the banner, the panel and the check's text (a lesson's "find the bug"). A bug
        this network cannot have is refused in one line and nothing changes; False then."""
        from gui.checking.check_jobs import set_bug

        self.bug_hidden = hidden and name is not None
        if name == self.bug:
            self._show_bug()
            return True
        worker = self.window.worker
        try:
            now = worker.call(set_bug, worker, name)
        except ValueError as e:
            title = BUGS[name].title if name in BUGS else name
            self._say(f"Cannot inject “{title}”: {str(e).rstrip('.')}. Nothing was changed.",
                      refused=True)
            self._show_bug()
            return False
        self.bug = now
        self._show_bug()
        self._say("A bug was injected; which one is for you to find." if self.bug_hidden
                  else f"Bug injected: {BUGS[now].title}." if now
                  else "Bug removed: backprop is correct again.")
        self._after_bug_change()
        return True

    def _after_replacement(self, _index: int) -> None:
        """A new network is on screen: it gets the chosen bug (or loses one an undone network
        carried); one that cannot have it clears the choice, said in the status bar."""
        w = self.window
        if w.generation == self._generation:
            return
        from gui.checking.check_jobs import set_bug

        self._generation = w.generation
        self.run = None
        if w.dataset is not None and self._panel is not None:
            self._panel.set_sample_count(len(w.dataset.train_idx))
        wanted = self.bug
        try:
            self.bug = w.worker.call(set_bug, w.worker, wanted)
        except ValueError as e:
            try:
                self.bug = w.worker.call(set_bug, w.worker, None)
            except ValueError as again:  # the worker did not answer: say so, assume nothing
                self._say(_sentence(str(again)), refused=True)
                return
            message = (f"This network cannot have “{BUGS[wanted].title}” "
                       f"({str(e).rstrip('.')}): the bug was removed.")
            if self._panel is not None:
                self._panel.show_message(message)
            self.window.show_error(message)  # the banner goes away: say why where it is seen
            # After the window's own "Rebuilt: …" / "Undid: …" line, which comes next: both.
            bar = w.statusBar()
            QTimer.singleShot(0, self, lambda: bar.showMessage(
                f"{bar.currentMessage()} {message}".strip(), 10000))
        self._show_bug()
        if self._panel_shown():
            self.check()

    def _after_bug_change(self) -> None:
        stepper = self.window.stepper
        if stepper.active:  # the trace on screen was computed by the other backward
            stepper.choose_sample(stepper.sample)
        if self._panel_shown():
            self.check()

    def _show_bug(self) -> None:
        """Menu, panel and banner say which bug the network has now (a hidden one: none)."""
        if self.bug_hidden:
            self.bug_group.setExclusive(False)
            for act in self.bug_group.actions():
                act.setChecked(False)
            self.bug_group.setExclusive(True)
            if self._panel is not None:
                self._panel.set_bug(None, hidden=True)
            self.banner.hide()
            return
        self.bug_actions[self.bug].setChecked(True)
        if self._panel is not None:
            self._panel.set_bug(self.bug)
        if self.bug is None:
            self.banner.hide()
        else:
            self.banner.show_bug(BUGS[self.bug])

    def _say(self, message: str, refused: bool = False) -> None:
        """A status line; a refusal is also a dialog (a status line is cut short on a small
        screen) and is repeated in the panel, where the request may have come from."""
        if refused:
            self.window.show_error(message)
        else:
            self.window.statusBar().showMessage(message, 10000)
        if self._panel is not None:
            self._panel.show_message(message if refused else "")

    # -- export ----------------------------------------------------------------------------------
    def export(self) -> list[str] | None:
        return export_torch_script(self.window)

