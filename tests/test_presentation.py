"""Presentation mode (View menu, F11): larger text at a remembered scale, a shorter sidebar, the
scores large above the boundary, and everything put back on leaving."""

import math

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QWidget

from engine.spec import Spec
from gui.playground.main_window import MainWindow
from gui.playground.presentation import DEFAULT_SCALE, SCALE_KEY
from tests.window_helpers import make_window, train


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path, preset="playground")


def play_button(w):
    return w.toolbar.widgetForAction(w.actions.play)


def size_of(widget) -> float:
    return widget.font().pointSizeF()


def visibility(w) -> dict:
    """Whether each of the sidebar's widgets would show (by object identity)."""
    return {id(c): c.isVisibleTo(w.editor) for c in w.editor.findChildren(QWidget)}


def test_f11_and_the_view_action_toggle_presentation_mode(qtbot, window):
    act = window.presentation_action
    assert act in window.view_menu.actions() and act.isCheckable()
    assert act.shortcut().toString() == "F11"
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.graph.canvas.setFocus()
    qtbot.waitUntil(window.graph.canvas.hasFocus)
    qtbot.keyClick(window.graph.canvas, Qt.Key_F11)
    qtbot.waitUntil(lambda: window.presentation.active)
    assert act.isChecked() and window.metrics.isVisible()
    act.trigger()  # the menu item
    assert not window.presentation.active and not window.metrics.isVisible()


def test_the_text_scale_grows_real_fonts_and_leaving_restores_them_exactly(window):
    button, label = play_button(window), window.editor.lr_spin
    before = {w: (size_of(w), w.testAttribute(Qt.WA_SetFont))
              for w in (window, button, label, window.graph, window.boundary)}
    window.presentation_action.setChecked(True)
    assert window.presentation.scale == DEFAULT_SCALE == 1.5
    for widget in (button, label, window.statusBar()):
        assert size_of(widget) == pytest.approx(before.get(widget, before[window])[0] * 1.5)
    # The views' own small controls keep the normal size; their painted text scales instead.
    assert size_of(window.graph) == pytest.approx(before[window.graph][0])
    window.presentation_action.setChecked(False)
    after = {w: (size_of(w), w.testAttribute(Qt.WA_SetFont)) for w in before}
    assert after == before


def test_the_views_are_told_the_scale_and_told_1_on_leaving(window):
    calls = []
    for name in ("graph", "loss_plot", "grad_plot", "alignment_plot", "boundary"):
        view = getattr(window, name)
        view.set_text_scale = lambda s, n=name: calls.append((n, s))
    window.presentation_action.setChecked(True)
    window.presentation.step_scale(+1)
    window.presentation_action.setChecked(False)
    scales = {n: [s for m, s in calls if m == n] for n, _ in calls}
    assert len(scales) == 5
    assert all(s == [1.5, 1.75, 1.0] for s in scales.values())


def test_larger_and_smaller_text_walk_the_ladder_and_are_remembered(qtbot, tmp_path, window):
    sizes = [a for a in window.presentation.size_actions]
    assert [a.shortcut().toString() for a in sizes] == ["Ctrl++", "Ctrl+-", "Ctrl+0"]
    assert not any(a.isEnabled() for a in sizes)  # only in presentation mode
    label = window.editor.lr_spin
    normal = size_of(label)
    window.presentation_action.setChecked(True)
    larger, smaller, _default = sizes
    larger.trigger()
    larger.trigger()
    assert window.presentation.scale == 2.0
    assert size_of(label) == pytest.approx(normal * 2.0)
    smaller.trigger()
    assert size_of(label) == pytest.approx(normal * 1.75)
    assert float(window.settings.value(SCALE_KEY)) == 1.75
    window.presentation_action.setChecked(False)
    assert size_of(label) == normal
    again = make_window(qtbot, tmp_path, preset="playground")  # the same settings file
    assert again.presentation.scale == 1.75
    again.presentation_action.setChecked(True)
    again.presentation.size_actions[2].trigger()  # Default text size
    assert again.presentation.scale == DEFAULT_SCALE


@pytest.mark.parametrize("stored", ["huge", "nan", "100", "0.1", "@Invalid()"])
def test_a_bad_remembered_scale_falls_back_to_the_default(qtbot, tmp_path, stored):
    path = tmp_path / "settings.ini"
    path.write_text(f"[presentation]\ntext_scale={stored}\n")
    w = make_window(qtbot, tmp_path, preset="playground")
    assert w.presentation.scale == DEFAULT_SCALE
    assert not QSettings(str(path), QSettings.IniFormat).contains(SCALE_KEY)
    w.presentation_action.setChecked(True)
    assert w.presentation.active


def test_the_big_read_out_shows_the_engines_numbers(qtbot, window):
    train(qtbot, window, 40)
    window.presentation_action.setChecked(True)
    window.force_redraw()
    s = window.latest_stats
    assert window.metrics.texts() == [
        ("loss", f"{s.train_loss:.4f}", f"{s.test_loss:.4f}"),
        ("accuracy", f"{s.accuracy:.1%}", f"{s.test_accuracy:.1%}")]
    assert f"{s.train_loss:.4f}" in window.status_labels["loss"].text()  # as the status bar
    train(qtbot, window, 10)  # and it follows the training at the redraw rate
    qtbot.waitUntil(lambda: window.metrics.texts()[0][1] == f"{window.latest_stats.train_loss:.4f}")


def test_the_big_numbers_are_as_large_as_the_pane_allows(qtbot, window):
    from gui.playground.metrics_banner import MetricsBanner

    train(qtbot, window, 5)
    banner = MetricsBanner()
    qtbot.addWidget(banner)
    banner.show()
    banner.show_stats(window.latest_stats)

    def number_size(width):
        banner.resize(width, 120)
        return banner.rows[0][1].font().pointSizeF()

    narrow, wide = number_size(300), number_size(900)
    assert wide > narrow
    number_size(300)
    label = banner.rows[1][2]  # the widest number, "…%", still fits in its narrow pane
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width() + 1


def regression_window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    spec = Spec(hidden=[4], activations=["tanh"], dataset="regress-plane",
                output_activation="linear", loss="mse")
    w = MainWindow(spec, settings=settings)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    return w


def test_regression_shows_rmse_and_r2(qtbot, tmp_path):
    w = regression_window(qtbot, tmp_path)
    train(qtbot, w, 20)
    w.presentation_action.setChecked(True)
    w.force_redraw()
    s = w.latest_stats

    def four(x):
        return f"{x:.4f}" if 1e-3 <= abs(x) < 1e4 else f"{x:.3g}"

    assert w.metrics.texts() == [("loss", four(s.train_loss), four(s.test_loss)),
                                 ("RMSE", four(s.rmse), four(s.test_rmse)),
                                 ("R²", four(s.r2), four(s.test_r2))]


def test_the_sidebar_collapses_to_what_a_lesson_needs_and_comes_back(window):
    before = visibility(window)
    e = window.editor
    window.presentation_action.setChecked(True)
    for kept in (e.lr_spin, e.optimizer_combo, e.batch_spin, e.dataset_combo, e.noise_spin,
                 e.add_layer_button, e.output_combo):
        assert kept.isVisibleTo(e)
    for hidden in (e.seed_spin, e.clip_spin, e.float32_check, e.csv_button,
                   next(iter(e.feature_checks.values()))):
        assert not hidden.isVisibleTo(e)
    window.presentation_action.setChecked(False)
    assert visibility(window) == before


def test_presentation_flag_for_the_window_and_the_screenshot(tmp_path):
    from gui.app import build_parser, run_gui

    assert build_parser().parse_args(["--presentation"]).presentation
    assert not build_parser().parse_args([]).presentation
    out = tmp_path / "p.png"
    assert run_gui(["--preset", "playground", "--steps", "20", "--screenshot", str(out),
                    "--size", "1280x720", "--presentation"]) == 0
    assert out.stat().st_size > 10_000


def inside(widget, window) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return (widget.isVisible() and widget.width() > 0
            and QRect(0, 0, window.width(), window.height()).contains(
                QRect(top_left, widget.size())))


def test_at_1024x640_the_play_button_and_the_read_out_fit_in_the_window(qtbot, window):
    window.resize(1024, 640)
    window.show()
    qtbot.waitExposed(window)
    window.presentation_action.setChecked(True)
    qtbot.wait(50)  # the layouts settle
    assert window.width() <= 1024 and window.height() <= 640
    assert inside(play_button(window), window)
    assert inside(window.metrics, window)
    assert all(inside(label, window) for row in window.metrics.rows for label in row)


def test_the_plots_keep_their_height_in_a_small_window(qtbot, window):
    window.resize(1024, 640)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    assert window.loss_plot.height() >= 150 and window.grad_plot.height() >= 150
    assert window.graph.height() >= 250 and window.boundary.height() >= 250


def test_the_scale_is_clamped(window):
    window.presentation.set_scale(99)
    assert window.presentation.scale == 3.0
    window.presentation.set_scale(-1)
    assert window.presentation.scale == 1.0
    assert not math.isnan(window.presentation.scale)


def test_a_side_panel_opened_in_presentation_mode_scales_too(qtbot, window):
    window.presentation_action.setChecked(True)
    window.open_stepper()  # built on first use, maybe floating: a window of its own
    qtbot.waitUntil(lambda: window.stepper.trace is not None)
    stages = window.stepper.panel.stage_list
    dock = next(d for d in window.findChildren(QDockWidget) if d.isAncestorOf(stages))
    assert dock.isFloating()  # fonts do not pass down to it by themselves
    assert size_of(stages) == pytest.approx(size_of(window))
    window.presentation_action.setChecked(False)
    assert size_of(stages) == size_of(window)
    assert not dock.testAttribute(Qt.WA_SetFont)


def test_the_read_out_leaves_the_output_most_of_its_column(qtbot, tmp_path):
    """Regression's three rows of large numbers leave the output most of the column's height."""
    from PySide6.QtGui import QFontMetricsF
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from gui.playground.metrics_banner import MAX_SHARE, MetricsBanner

    w = regression_window(qtbot, tmp_path)
    train(qtbot, w, 5)
    column = QWidget()
    qtbot.addWidget(column)
    banner = MetricsBanner()
    QVBoxLayout(column).addWidget(banner)
    column.resize(900, 400)
    column.show()
    banner.show_stats(w.latest_stats)
    for height in (400, 1000):
        column.resize(900, height)
        qtbot.wait(1)
        numbers = QFontMetricsF(banner.rows[0][1].font()).height()
        assert len(banner.texts()) == 3 and 3 * numbers <= height * MAX_SHARE
    assert banner.rows[0][1].font().pointSizeF() > banner.font().pointSizeF() * 1.5  # tall: large


def test_a_status_message_is_read_in_full(qtbot, window):
    """The read-outs a message would run into give way while it lasts, then come back."""
    window.resize(1024, 640)
    window.show()
    window.presentation_action.setChecked(True)
    qtbot.wait(50)
    labels = window.status.labels
    message = "Rebuilt: output / loss, data set. Ctrl+Z brings the previous one back."
    window.statusBar().showMessage(message, 10000)
    bar = window.statusBar()
    room = bar.width() - sum(label.width() for label in labels.values() if label.isVisible())
    assert room >= bar.fontMetrics().horizontalAdvance(message)
    assert labels["step"].isVisible()  # the step count stays
    bar.clearMessage()
    assert all(label.isVisible() for label in labels.values())
