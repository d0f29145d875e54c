"""Lessons in the window: Help > Lessons and File > Open lesson…, the lesson dock, the task
check on a timer (main thread), the outline, and each lesson's last step in the settings.

The first frame needs none of it but the menu entries: the lesson files are read when the
Lessons menu is first looked at (lessons_menu), the dock and panel built when a lesson first
opens (panel), and the lesson engine imported then.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QFileDialog

from gui.common.lazy_panel import LazyPanel
from gui.common.side_dock import place_side_dock

CHECK_MS = 300
PANEL_WIDTH, PANEL_HEIGHT = 380, 560
MIN_FLOATING_WIDTH = 320
RIGHT_PANELS = 640  # what the floating step-through or check panel takes on the right


def install_lessons(window) -> LessonLink:
    window.lessons = LessonLink(window)
    return window.lessons


def _menu(window, title: str):
    for act in window.menuBar().actions():
        if act.menu() is not None and act.text().replace("&", "") == title:
            return act.menu()
    return window.menuBar().addMenu(title)


class LessonLink(LazyPanel, QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.lesson = None
        self.index = 0
        self.pending_stage = None
        self._panel = self._dock = self._highlight = None  # built on first use: see panel
        self.lesson_actions = None  # the Lessons menu's entries, once it has been looked at
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.evaluate)
        self._build_menus()

    # -- built on first use ----------------------------------------------------------------
    @property
    def highlight(self):
        if self._panel is None:
            self._build_panel()
        return self._highlight

    def _build_panel(self) -> None:
        from gui.lessons.highlight import Highlight
        from gui.lessons.lesson_panel import LessonPanel

        window = self.window
        self._panel = panel = LessonPanel()
        self._dock = dock = QDockWidget("Lesson", window)
        dock.setObjectName("lessonDock")
        dock.setWidget(panel)
        window.addDockWidget(Qt.LeftDockWidgetArea, dock)  # the right is the stepper's
        dock.hide()
        dock.visibilityChanged.connect(self._on_visibility)
        self._highlight = Highlight(window)
        panel.sigBack.connect(lambda: self.go_to(self.index - 1))
        panel.sigNext.connect(self.next)
        panel.sigShow.connect(self.show_me)
        panel.sigRestart.connect(lambda: self.go_to(0))

    @property
    def lessons_menu(self):
        """Help > Lessons, its entries read from the lesson files the first time it is asked
        for (or about to show)."""
        if self.lesson_actions is None:
            self._fill_lessons_menu()
        return self._lessons_menu

    def _fill_lessons_menu(self) -> None:
        from engine.lessons import load_lesson, shipped_lessons

        w = self.window
        self.lesson_actions = []
        for path in shipped_lessons():
            try:
                lesson = load_lesson(path)
            except ValueError as e:  # a broken shipped file: left out, said in the status bar
                w.statusBar().showMessage(str(e), 10000)
                continue
            act = self._lessons_menu.addAction(lesson.title)
            act.setStatusTip(f"Lesson {lesson.name}: {len(lesson.steps)} steps")
            act.triggered.connect(lambda _=False, p=path: self.open_path(p))
            self.lesson_actions.append(act)

    def _build_menus(self) -> None:
        w = self.window
        files = _menu(w, "File")
        self.open_action = QAction("Open &lesson…", w)
        self.open_action.setStatusTip("Open a lesson file (resources/lessons/README.md says how "
                                      "to write one)")
        self.open_action.triggered.connect(self.open_dialog)
        quit_action = next((a for a in files.actions() if a.text() == "&Quit"), None)
        files.insertAction(quit_action, self.open_action)
        self._lessons_menu = _menu(w, "Help").addMenu("&Lessons")
        self._lessons_menu.aboutToShow.connect(lambda: self.lessons_menu)  # filled on first look

    # -- opening ---------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", "",
                                              "Lessons (*.md);;All files (*)")
        if path:
            self.open_path(path)

    def open_path(self, path, step: int | None = None) -> bool:
        """Open a lesson file at step (0-based; None resumes where it was left). A bad file
        is explained in one line and nothing changes; False then."""
        from engine.lessons import load_lesson

        try:
            lesson = load_lesson(path)
        except ValueError as e:
            self.window.show_error(str(e))
            return False
        self.open_lesson(lesson, step)
        return True

    def open_lesson(self, lesson, step: int | None = None, replay: bool = False) -> None:
        """Show a lesson at step (None: where it was left); replay performs every Show me up
        to and including that step first (a rendered step looks as the student sees it)."""
        self.lesson = lesson
        self.window.modes.setCurrentIndex(1 if lesson.mode == "lab" else 0)
        if not self.dock.isVisible():
            self._place()
        self.dock.show()
        self.dock.raise_()
        index = self.remembered_step(lesson) if step is None else step
        if replay:
            for k in range(index + 1):
                self.go_to(k)
                self.show_me()
        self.go_to(index)
        self.timer.start()

    def _place(self) -> None:
        """Docked on the left when there is room, else floating over the window's left part
        (the step-through and the check panel take the right)."""
        w = self.window
        place_side_dock(w, self.dock, PANEL_WIDTH, PANEL_HEIGHT)
        if self.dock.isFloating():  # narrow enough to leave the right to the other panels
            frame = w.frameGeometry()
            width = max(MIN_FLOATING_WIDTH, min(self.dock.width(), frame.width() - RIGHT_PANELS))
            self.dock.resize(width, self.dock.height())
            self.dock.move(frame.left() + 8, frame.top() + 40)

    # -- progress --------------------------------------------------------------------------
    def _key(self, lesson) -> str:
        return f"lessons/{lesson.name}/step"

    def remembered_step(self, lesson) -> int:
        """The last step shown of this lesson (0-based), 0 for a value that is not one."""
        settings, key = self.window.settings, self._key(lesson)
        try:
            value = int(settings.value(key, 0))
        except Exception:  # not a number, or a value Qt cannot even decode
            value = -1
        if 0 <= value < len(lesson.steps):
            return value
        settings.remove(key)  # dropped: the lesson starts from its first step
        return 0

    # -- steps -----------------------------------------------------------------------------
    def step(self):
        return None if self.lesson is None else self.lesson.steps[self.index]

    def go_to(self, index: int) -> None:
        if self.lesson is None:
            return
        self.index = max(0, min(index, len(self.lesson.steps) - 1))
        self.window.settings.setValue(self._key(self.lesson), self.index)
        from gui.lessons.lesson_checks import MENU_TITLES, WIDGETS

        self.pending_stage = None
        self.panel.show_step(self.lesson, self.index)
        step = self.step()
        name = step.highlight
        title = MENU_TITLES.get(name)
        self.highlight.point_at(WIDGETS[name](self.window) if name else None,
                                title(self.window) if title else None)
        self.evaluate()

    def next(self) -> None:
        if self.lesson is not None and self.index == len(self.lesson.steps) - 1:
            self.window.statusBar().showMessage(f"Lesson finished: {self.lesson.title}.", 10000)
            self.close()
            return
        self.go_to(self.index + 1)

    def close(self) -> None:
        if self._dock is not None:
            self._dock.hide()

    def _on_visibility(self, visible: bool) -> None:
        if not shiboken6.isValid(self.window):
            return  # the window is being destroyed
        if not visible and not self.window.isHidden():
            self.timer.stop()
            self.highlight.point_at(None)

    def show_me(self) -> None:
        step = self.step()
        if step is None or step.show is None:
            return
        from gui.lessons.lesson_actions import perform

        try:
            perform(self.window, step.show)
        except ValueError as e:
            self.window.show_error(str(e))
        self.evaluate()

    def apply_pending_stage(self) -> None:
        stepper = self.window.stepper
        if self.pending_stage is None or not stepper.active or stepper.trace is None:
            return
        stepper.panel.go_to(self.pending_stage)
        self.pending_stage = None

    def done(self) -> bool:
        from gui.lessons.lesson_checks import holds

        step = self.step()
        return step is not None and step.task is not None and holds(self.window, step.task)

    def evaluate(self) -> None:
        from gui.lessons.lesson_checks import holds

        self.apply_pending_stage()
        step = self.step()
        if step is not None and step.task is not None:
            self.panel.set_done(holds(self.window, step.task))
