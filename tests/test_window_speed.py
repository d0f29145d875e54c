"""The speed control and the worker's reports: slow motion draws every step, switching speed
keeps the run, the speed is remembered in settings and sessions, and the statistics the
window shows are a direct evaluation of the state at the step they are reported for."""

from PySide6.QtCore import QSettings, Qt
from window_helpers import headless, make_window, same, weights

from engine.presets import load_preset
from engine.trainer import Trainer
from gui.playground.main_window import MainWindow
from gui.playground.speed_control import SPEEDS


def spy_reports(w):
    """Every report the worker sends, collected in the worker's thread as it is sent."""
    reports = []
    w.worker.sigStep.connect(lambda generation, report: reports.append(report),
                             Qt.DirectConnection)
    return reports


def pause(qtbot, w):
    """Pause and wait until the worker has sent its last report."""
    if w.playing:
        with qtbot.waitSignal(w.worker.sigRunning, timeout=5000):
            w.actions.play.trigger()
    w.worker.call(lambda: None)  # runs after the pause, and so after its final report


def set_speed(w, speed):
    w.speed_control.show_speed(speed)
    w.speed_control._picked()


def test_the_control_lists_slow_motion_to_as_fast_as_possible(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    combo = w.speed_control.combo
    assert combo.itemText(0).startswith("Slow motion") and combo.itemData(0) == 1
    assert combo.itemText(combo.count() - 1) == "As fast as possible"
    assert w.speed_control.speed() == 0 == w.spec.speed  # the default: as fast as possible
    w.speed_control.step_speed(-1)
    assert w.speed_control.speed() == 1000 and w.spec.speed == 1000
    w.speed_control.step_speed(+1)
    assert w.speed_control.speed() == 0


def test_slow_motion_draws_every_step(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    set_speed(w, 30)
    reports = spy_reports(w)
    boundaries = []
    w.worker.sigBoundary.connect(lambda generation, outputs: boundaries.append(1),
                                 Qt.DirectConnection)
    w.actions.play.trigger()
    qtbot.waitUntil(lambda: w.latest_stats.step >= 8, timeout=10000)
    pause(qtbot, w)
    w.force_redraw()  # takes in every report the worker sent
    stepped = [r for r in reports if len(r.steps)]
    steps = w.latest_stats.step
    # One report per step, each with that step's own whole-set evaluation, and a boundary each.
    assert [len(r.steps) for r in stepped] == [1] * steps
    assert [r.stats.step for r in stepped] == list(range(1, steps + 1))
    assert len(boundaries) >= steps
    assert w.loss_plot.point_count() == steps + 1  # and the initial loss at step 0
    assert w.grad_plot.point_count() == steps


def test_a_slow_speed_is_slow(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    set_speed(w, 3)
    w.actions.play.trigger()
    qtbot.wait(1200)
    pause(qtbot, w)
    assert 2 <= w.latest_stats.step <= 6  # 3 per second (plus the first at once)


def test_switching_speed_keeps_the_run(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "xor")
    generation = w.generation
    w.actions.play.trigger()
    qtbot.waitUntil(lambda: w.latest_stats.step >= 30, timeout=10000)
    set_speed(w, 10)
    qtbot.waitUntil(lambda: w.worker.trainer.spec.speed == 10)
    before = w.latest_stats.step
    qtbot.wait(400)
    assert w.playing and w.latest_stats.step > before
    set_speed(w, 0)
    qtbot.waitUntil(lambda: w.latest_stats.step >= before + 100, timeout=10000)
    pause(qtbot, w)
    assert w.generation == generation and w.undo_stack.count() == 0  # no rebuild
    steps = w.latest_stats.step
    assert same(weights(w), headless("xor", steps))  # the very same run
    assert w.grad_plot.point_count() == steps


def test_the_speed_is_remembered_in_settings_and_in_sessions(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    set_speed(w, 100)
    w.load_preset("xor")  # a rebuilt network keeps the window's pace
    qtbot.waitUntil(lambda: w.spec.dataset == "xor4")
    assert w.spec.speed == 100 and w.speed_control.speed() == 100
    path = str(tmp_path / "run.json")
    assert w.files.save_to(path)
    set_speed(w, 0)
    w.files.open_path(path)
    qtbot.waitUntil(lambda: w.speed_control.speed() == 100)
    assert w.worker.call(lambda: w.worker.trainer.spec.speed) == 100
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    again = MainWindow(settings=settings)
    qtbot.addWidget(again, before_close_func=lambda widget: widget.shutdown())
    assert again.speed_control.speed() == 100


def test_an_odd_speed_from_a_file_is_shown_as_it_is(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    w.speed_control.show_speed(7)
    assert w.speed_control.combo.currentText() == "7 steps/s"
    assert w.speed_control.combo.count() == len(SPEEDS) + 1


def test_the_statistics_shown_are_a_direct_evaluation_at_their_step(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    reports = spy_reports(w)
    w.actions.play.trigger()
    qtbot.waitUntil(lambda: len([r for r in reports if len(r.steps)]) >= 4, timeout=10000)
    pause(qtbot, w)
    stepped = [r for r in reports if len(r.steps)]
    steps = [int(r.steps[-1]) for r in stepped]
    assert steps == sorted(set(steps)) and all(r.stats.step == s for r, s in zip(stepped, steps))
    assert sum(len(r.steps) for r in stepped) == steps[-1]  # every step is in some report
    # A headless replay to each reported step, evaluated directly, gives the same numbers.
    replay = Trainer(load_preset("playground"))
    for report in stepped[:3] + stepped[-1:]:
        while replay.step_count < report.stats.step:
            replay.step()
        train = replay.evaluate(replay.X_train, replay.Y_train)
        test = replay.evaluate(replay.X_test, replay.Y_test)
        shown = report.stats
        assert (shown.train_loss, shown.accuracy) == train
        assert (shown.test_loss, shown.test_accuracy) == test
        assert shown.batch_loss == replay.last_result.batch_loss
    w.force_redraw()
    last = w.latest_stats
    assert last.step == steps[-1]
    assert f"step {last.step:,}" in w.status_labels["step"].text()
    assert f"{last.accuracy:.1%}" in w.status_labels["accuracy"].text()


def test_the_window_says_which_loss_is_which(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    w.sigStep.emit(5)
    qtbot.waitUntil(lambda: w.latest_stats.step == 5)
    w.force_redraw()
    tip = w.status_labels["loss"].toolTip()
    assert "whole training set" in tip and "mini-batch" in tip
    assert f"{w.latest_stats.batch_loss:.4g}"[:5] in tip.replace(",", "")
    assert w.loss_plot.plot.getAxis("left").labelText == "loss"
    assert "mini-batch" in w.loss_plot.plot_widget.toolTip()


def test_pausing_step_epoch_reports_every_step_taken(qtbot, tmp_path):
    spec = load_preset("playground").replace(samples=20000, batch_size=1)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(spec, settings=settings)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    w.actions.epoch.trigger()  # 10,000 steps: far more than the pause lets it take
    qtbot.waitUntil(lambda: w.worker.trainer.step_count > 50, timeout=10000)
    w.set_playing(False)
    w.worker.call(lambda: None)  # after the pause and its report
    w.force_redraw()
    taken = w.worker.call(lambda: w.worker.trainer.step_count)
    assert 50 < taken < 10000
    assert w.latest_stats.step == taken == w.grad_plot.point_count()


def test_a_speed_too_slow_to_watch_is_refused():
    import pytest

    from engine.spec import Spec
    with pytest.raises(ValueError, match="at least 0.1 steps per second"):
        Spec(speed=1e-7).validate()
    assert Spec(speed=0.5).validate().speed == 0.5
