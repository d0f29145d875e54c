"""The lesson panel: every registry name implemented once, the menus, Back / Next and progress,
the hint, a bad lesson file refused, progress remembered across windows."""

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from engine import lesson_registry
from engine.lessons import load_lesson, shipped_lessons
from gui.lessons.lesson_actions import ACTIONS
from gui.lessons.lesson_checks import CHECKS, WIDGETS
from gui.playground.main_window import MainWindow
from tests.window_helpers import make_window


def test_every_registry_name_has_exactly_one_implementation(qtbot, tmp_path):
    assert set(ACTIONS) == set(lesson_registry.ACTIONS)
    assert set(CHECKS) == set(lesson_registry.CHECKS)
    assert set(WIDGETS) == set(lesson_registry.WIDGETS)
    w = make_window(qtbot, tmp_path)
    for name, find in WIDGETS.items():
        assert isinstance(find(w), QWidget), name


def _lesson_action(w, title):
    return next(a for a in w.lessons.lessons_menu.actions() if a.text() == title)


def test_help_menu_lists_the_lessons_in_course_order_and_opens_one(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    lessons = [load_lesson(p) for p in shipped_lessons()]
    assert [a.text() for a in w.lessons.lessons_menu.actions()] == [le.title for le in lessons]
    _lesson_action(w, lessons[0].title).trigger()
    link = w.lessons
    assert link.dock.isVisible() and link.lesson.name == lessons[0].name
    assert link.panel.step_title.text() == lessons[0].steps[0].title
    assert w.modes.currentIndex() == (1 if lessons[0].mode == "lab" else 0)


def test_back_next_progress_and_hint(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    link, panel = w.lessons, w.lessons.panel
    path = shipped_lessons()[0]
    lesson = load_lesson(path)
    link.open_path(path)
    n = len(lesson.steps)
    assert panel.progress.text() == f"step 1 of {n}" and not panel.back_button.isEnabled()
    panel.next_button.click()
    assert panel.progress.text() == f"step 2 of {n}"
    assert panel.step_title.text() == lesson.steps[1].title
    panel.back_button.click()
    assert panel.progress.text() == f"step 1 of {n}"
    assert not panel.hint.isVisible()
    panel.hint_button.click()
    assert panel.hint.isVisible() and lesson.steps[0].hint in panel.hint.text()
    panel.next_button.click()  # the next step's hint starts hidden again
    assert not panel.hint.isVisible()
    panel.restart_button.click()
    assert panel.progress.text() == f"step 1 of {n}"


def test_a_bad_lesson_file_is_refused_with_the_engines_message(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path)
    link = w.lessons
    link.open_path(shipped_lessons()[1])
    before = (link.lesson, link.index, w.modes.currentIndex())
    bad = tmp_path / "bad.md"
    bad.write_text("---\nname: bad\ntitle: Bad\n---\n\n## One\n\nText.\n\n"
                   "show: lod_preset name=xor\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    link.open_action.trigger()
    try:
        load_lesson(bad)
    except ValueError as e:
        expected = str(e)
    assert w.last_error == expected and "lod_preset" in expected and "step 1" in expected
    assert (link.lesson, link.index, w.modes.currentIndex()) == before


def test_progress_is_remembered_across_windows(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    path = shipped_lessons()[2]
    w.lessons.open_path(path)
    w.lessons.panel.next_button.click()
    w.lessons.panel.next_button.click()
    w.settings.sync()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w2 = MainWindow(None, settings=settings)
    qtbot.addWidget(w2, before_close_func=lambda widget: widget.shutdown())
    w2.lessons.open_path(path)
    assert w2.lessons.index == 2
    assert w2.lessons.panel.progress.text().startswith("step 3 of")
    w2.lessons.panel.restart_button.click()
    assert w2.lessons.index == 0


def test_a_broken_remembered_step_starts_at_the_beginning(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    lesson = load_lesson(shipped_lessons()[0])
    w.settings.setValue(f"lessons/{lesson.name}/step", "garbage")
    w.lessons.open_path(shipped_lessons()[0])
    assert w.lessons.index == 0
    w.settings.setValue(f"lessons/{lesson.name}/step", 999)
    w.lessons.open_path(shipped_lessons()[0])
    assert w.lessons.index == 0


def test_the_highlight_follows_its_widget_and_lets_the_mouse_through(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    w.show()
    qtbot.waitExposed(w)
    path = shipped_lessons()[0]  # its first step outlines the lab's editor
    w.lessons.open_path(path, step=0)
    overlay, target = w.lessons.highlight, w.lab.controls.editor
    qtbot.waitUntil(overlay.isVisible)
    assert overlay.testAttribute(Qt.WA_TransparentForMouseEvents)
    assert overlay.geometry().contains(target.mapTo(w, target.rect().center()))


def test_show_me_opens_the_step_through_at_the_steps_stage(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    path = next(p for p in shipped_lessons() if load_lesson(p).name == "worked-example")
    lesson = load_lesson(path)
    k = next(i for i, s in enumerate(lesson.steps)
             if s.show is not None and s.show.name == "open_stepper" and s.show.get("stage", 1) > 1)
    w.lessons.open_path(path, step=0)
    w.lessons.panel.show_button.click()  # the preset
    w.lessons.go_to(k)
    w.lessons.panel.show_button.click()
    stage = lesson.steps[k].show.get("stage")
    qtbot.waitUntil(lambda: w.stepper.trace is not None
                    and w.stepper.panel.current_index == stage - 1)


def test_a_hidden_bug_is_named_nowhere(qtbot, tmp_path):
    from engine.bugs import BUGS
    from engine.lessons import Action
    from gui.checking.check_panel import HIDDEN_TITLE
    from gui.lessons.lesson_actions import perform

    w = make_window(qtbot, tmp_path, preset="playground")
    perform(w, Action("open_check"))
    perform(w, Action("inject_bug", (("name", "loss-gradient-sign"), ("hidden", True))))
    checking = w.checking
    assert checking.bug == "loss-gradient-sign" and checking.run.bug == "loss-gradient-sign"
    title = BUGS["loss-gradient-sign"].title
    assert not checking.banner.isVisible()
    assert not any(a.isChecked() for a in checking.bug_group.actions())
    # the panel says a bug is in, not which: never "None (correct backprop)", which is untrue
    assert checking.panel.bug_combo.currentText() == HIDDEN_TITLE
    assert title not in checking._info(checking.run)
    assert title not in w.statusBar().currentMessage()
    perform(w, Action("inject_bug", (("name", "none"),)))  # and the menu works as before
    assert checking.bug is None and not checking.bug_hidden
    assert checking.panel.bug_combo.findText(HIDDEN_TITLE) < 0
    assert checking.panel.bug_combo.currentData() is None


def test_screenshot_refuses_a_bad_lesson_or_step_before_any_window(tmp_path, capsys):
    from gui.app import run_gui

    out = tmp_path / "x.png"
    assert run_gui(["--screenshot", str(out), "--lesson", "no-such-lesson"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown lesson 'no-such-lesson'" in err
    assert run_gui(["--screenshot", str(out), "--lesson", "chain-rule", "--lesson-step", "0"]) == 2
    assert "--lesson-step must be between 1 and" in capsys.readouterr().err
    assert not out.exists()


def test_screenshot_renders_a_lesson_step(qtbot, tmp_path):
    from gui.app import run_gui

    out = tmp_path / "step.png"
    assert run_gui(["--screenshot", str(out), "--size", "1280x720", "--lesson", "chain-rule",
                    "--lesson-step", "2"]) == 0
    assert out.stat().st_size > 10_000
