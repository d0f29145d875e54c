"""Walk every shipped lesson from its first step to its last through the lesson panel: Show me
works at every step, every task is not met when its step begins and is met after doing what
the step asks (its Show me, then typing the answer, picking the bug or training on)."""

import pytest

from engine.lessons import load_lesson, shipped_lessons
from tests.window_helpers import make_window

LESSONS = shipped_lessons()

# What a student does beyond "Show me" for a task that needs more than it (lesson, step title).
EXTRA = {
    ("chain-rule", "Let the lab do it backwards"): lambda qtbot, w: _lab_value(w, "x", 1),
    ("worked-example", "Forward through both layers"): lambda qtbot, w: _next_stage(qtbot, w, 2),
    ("worked-example", "Take the step"): lambda qtbot, w: w.stepper.panel.finish_button.click(),
    ("optimisers", "Momentum"): lambda qtbot, w: w.actions.reset.trigger(),
    ("optimisers", "A step too far"): lambda qtbot, w: w.actions.reset.trigger(),
}


def _next_stage(qtbot, w, times):
    qtbot.waitUntil(lambda: w.stepper.trace is not None)
    for _ in range(times):
        w.stepper.panel.next_button.click()


def _lab_value(w, name, value):
    table = w.lab.controls.table
    for r in range(table.rowCount()):
        if table.item(r, 0).text() == name:
            table.item(r, 1).setText(f"{value:g}")
    w.lab.apply()


def _settle(qtbot, w):
    """Let every step sent to the worker come back (the timer's check reads the latest)."""
    w.worker.call(lambda: None)
    qtbot.wait(30)
    w.take_inbox()


def _perform(qtbot, w, lesson, step):
    task, panel = step.task, w.lessons.panel
    extra = EXTRA.get((lesson.name, step.title))
    if extra is not None:
        extra(qtbot, w)
    if task.name == "answer":
        panel.answer.clear()
        qtbot.keyClicks(panel.answer, repr(task.get("equals")))
    elif task.name == "bug_found":
        combo = panel.bug_combo
        combo.setCurrentIndex(combo.findData(task.get("bug")))


def _wait(qtbot, condition, ms) -> bool:
    try:
        qtbot.waitUntil(condition, timeout=ms)
    except Exception:  # pytest-qt's own TimeoutError
        return False
    return True


TRAINING = ("training_loss", "accuracy", "steps_trained", "grad_norm_ratio", "alignment_angle")


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_walk_lesson(qtbot, tmp_path, path):
    lesson = load_lesson(path)
    w = make_window(qtbot, tmp_path, preset="playground")
    link = w.lessons
    link.open_path(path, step=0)
    assert link.dock.isVisible()
    for k, step in enumerate(lesson.steps):
        link.go_to(k)
        assert w.lessons.panel.progress.text() == f"step {k + 1} of {len(lesson.steps)}"
        _settle(qtbot, w)
        where = f"{lesson.name} step {k + 1} ({step.title})"
        if step.task is not None:
            assert not link.done(), f"{where}: task met before anything was done"
        if step.show is not None:
            w.last_error = ""
            link.panel.show_button.click()
            assert w.last_error == "", f"{where}: Show me: {w.last_error}"
        if step.task is None:
            continue
        _perform(qtbot, w, lesson, step)
        if not _wait(qtbot, link.done, 1000 if step.task.name in TRAINING else 3000):
            if step.task.name == "lab_value" and step.task.get("below") is not None:
                for _ in range(300):  # press Gradient step until the loss is small
                    w.lab.controls.step_button.click()
                    if link.done():
                        break
            elif step.task.name not in TRAINING:
                raise AssertionError(f"{where}: task {step.task} not met") from None
            for _ in range(40):  # train on, as a student pressing Step would
                w.sigStep.emit(100)
                _settle(qtbot, w)
                if link.done():
                    break
            assert link.done(), f"{where}: task {step.task} not met after training"
        link.evaluate()
        assert "done" in link.panel.task.text()
    link.panel.next_button.click()  # Finish
    assert not link.dock.isVisible()
