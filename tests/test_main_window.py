"""The playground window end to end: editor → engine, worker thread, plots, status bar."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QThread
from PySide6.QtGui import QImage

from engine.presets import load_preset
from gui.playground.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent


def make_window(qtbot, tmp_path, preset="playground", **kwargs):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(load_preset(preset), settings=settings, **kwargs)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_outputs is not None)
    return w


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


def current_step(w):
    return w.latest_stats.step


def pause(qtbot, w):
    if w.playing:
        with qtbot.waitSignal(w.worker.sigRunning, timeout=5000):
            w.actions.play.trigger()


def test_window_shows_the_network_of_the_spec(window):
    assert window.graph.node_count() == 2 + 4 + 2 + 1
    assert window.worker.trainer.network.sizes == [2, 4, 2, 1]
    assert window.thread.isRunning()


def test_adding_a_layer_in_the_editor_rebuilds_engine_and_graph(qtbot, window):
    generation = window.generation
    window.editor.add_layer_button.click()
    qtbot.waitUntil(lambda: window.generation > generation and window.latest_stats is not None)
    qtbot.waitUntil(lambda: len(window.worker.trainer.network.layers) == 4)
    sizes = window.worker.trainer.network.sizes
    assert len(sizes) == 5
    assert window.graph.node_count() == sum(sizes)


def test_neurons_and_activation_edits_reach_the_engine(qtbot, window):
    row = window.editor.layer_rows[0]
    row.neurons_spin.setValue(7)
    row.neurons_spin.editingFinished.emit()
    qtbot.waitUntil(lambda: window.worker.trainer.network.sizes[1] == 7)
    row = window.editor.layer_rows[0]
    row.activation_combo.setCurrentIndex(row.activation_combo.findData("relu"))
    qtbot.waitUntil(lambda: window.worker.trainer.network.layers[0].activation.name == "relu")
    assert window.graph.node_count() == 2 + 7 + 2 + 1


def test_play_then_pause(qtbot, window):
    colours_before = [c.name() for c in window.graph.node_colors()]
    window.actions.play.trigger()
    qtbot.waitUntil(lambda: window.latest_stats.step >= 50, timeout=10000)
    pause(qtbot, window)
    qtbot.wait(100)  # let queued snapshots land, then nothing more may arrive
    steps = current_step(window)
    assert steps >= 50
    window.force_redraw()
    evaluations = window.worker.call(lambda: window.worker.trainer.history.evaluations)
    assert 2 <= window.loss_plot.point_count() == evaluations < steps  # whole-set losses
    assert window.grad_plot.point_count() == steps  # every step's mini-batch gradients
    assert f"step {steps:,}" in window.status_labels["step"].text()
    assert [c.name() for c in window.graph.node_colors()] != colours_before
    qtbot.wait(300)
    assert current_step(window) == steps
    assert not window.playing


def test_step_advances_exactly_one(qtbot, window):
    start = current_step(window)
    window.actions.step.trigger()
    qtbot.waitUntil(lambda: current_step(window) == start + 1)
    qtbot.wait(100)
    assert current_step(window) == start + 1


def test_step_epoch_completes_a_pass(qtbot, window):
    window.actions.epoch.trigger()
    qtbot.waitUntil(lambda: window.latest_stats.step == 25)  # 250 training points / batch 10
    qtbot.wait(50)
    assert window.latest_stats.step == 25


def test_learning_rate_change_keeps_the_step_count(qtbot, window):
    window.actions.play.trigger()
    qtbot.waitUntil(lambda: current_step(window) >= 20, timeout=10000)
    window.editor.lr_spin.setValue(0.1)
    window.editor.lr_spin.editingFinished.emit()
    qtbot.waitUntil(lambda: window.worker.trainer.learning_rate == pytest.approx(0.1))
    before = current_step(window)
    qtbot.waitUntil(lambda: current_step(window) > before + 5, timeout=10000)
    pause(qtbot, window)
    assert window.grad_plot.point_count() >= before  # one curve, every step, kept
    assert current_step(window) > before + 5


def test_closing_while_training_stops_the_thread(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    thread = w.thread
    w.actions.play.trigger()
    qtbot.waitUntil(lambda: current_step(w) >= 5, timeout=10000)
    w.close()
    assert isinstance(thread, QThread) and not thread.isRunning()


def test_bad_spec_is_refused_and_leaves_state(qtbot, window):
    generation, spec = window.generation, window.spec
    bad = spec.replace(dataset="blobs", classes=4)  # 4 classes with a sigmoid + BCE output
    assert window.apply_spec(bad) is False
    assert "classes" in window.last_error
    assert window.generation == generation and window.spec is spec
    assert window.worker.trainer.network.sizes == [2, 4, 2, 1]


def test_divergence_is_caught_and_explained(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    spec = w.spec.replace(dataset="regress-plane", output_activation="linear", loss="mse",
                          learning_rate=5.0)
    assert w.apply_spec(spec)
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    w.actions.play.trigger()
    qtbot.waitUntil(lambda: w.banner.isVisible() or not w.banner.isHidden(), timeout=10000)
    qtbot.waitUntil(lambda: not w.playing)
    assert "diverged" in w.banner.text()
    assert all(np.all(np.isfinite(W)) for W in w.latest_stats.weights)
    w.banner.rewind_button.click()  # back to the best weights, then train gently
    qtbot.waitUntil(lambda: w.banner.isHidden())
    assert "Rewound" in w.statusBar().currentMessage()
    w.editor.lr_spin.setValue(0.001)
    w.editor.lr_spin.editingFinished.emit()
    steps = w.latest_stats.step
    w.sigStep.emit(20)
    qtbot.waitUntil(lambda: w.latest_stats.step == steps + 20)
    assert not w.latest_stats.diverged and np.isfinite(w.latest_stats.train_loss)
    w.actions.reset.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)


def test_editing_a_weight_in_the_graph_reaches_the_engine(qtbot, window):
    window.graph.sigWeightEdited.emit(2, 1, 0, 1.25)
    qtbot.waitUntil(lambda: window.latest_stats.weights[1][1, 0] == 1.25)
    assert window.worker.trainer.network.layers[1].W[1, 0] == 1.25


def test_hovering_a_neuron_shows_its_output_in_the_boundary_view(qtbot, window):
    window.graph.sigNeuronHovered.emit(1, 2)
    window.force_redraw()
    assert window.hovered_neuron == (1, 2)
    assert "neuron 3" in window.boundary.title.text()
    window.graph.sigNeuronHovered.emit(-1, -1)
    window.force_redraw()
    assert "neuron" not in window.boundary.title.text()


def test_presets_menu_loads_a_preset(qtbot, window):
    action = next(a for a in window.preset_menu.actions() if a.text() == "vanishing")
    action.trigger()
    qtbot.waitUntil(lambda: len(window.worker.trainer.network.layers) == 7)
    assert window.spec.hidden == [8] * 6
    assert window.grad_plot.point_count() == 0


def test_settings_remember_the_last_spec(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, preset="xor")
    w.close()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    again = MainWindow(settings=settings)
    qtbot.addWidget(again, before_close_func=lambda widget: widget.shutdown())
    assert again.spec.dataset == "xor4" and again.spec.hidden == [4]


def test_reset_clears_plots_and_restores_initial_weights(qtbot, window):
    initial = [W.copy() for W in window.latest_stats.weights]
    window.sigStep.emit(30)
    qtbot.waitUntil(lambda: current_step(window) == 30)
    window.actions.reset.trigger()
    qtbot.waitUntil(lambda: window.latest_stats is not None and window.latest_stats.step == 0)
    window.force_redraw()
    assert window.loss_plot.point_count() == 1  # the loss of the initial weights, at step 0
    assert all(np.array_equal(a, b) for a, b in zip(initial, window.latest_stats.weights))


def test_screenshot_command_writes_a_png_of_the_window_size(tmp_path):
    out = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--screenshot", str(out), "--preset", "playground",
         "--steps", "50", "--size", "1280x800"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_screenshot_bad_arguments_exit_2(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--screenshot", str(tmp_path / "x.png"),
         "--preset", "nope"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_save_and_open_a_session_restores_the_weights(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = make_window(qtbot, tmp_path, preset="xor")
    w.sigStep.emit(40)
    qtbot.waitUntil(lambda: w.latest_stats.step == 40)
    saved = [W.copy() for W in w.latest_stats.weights]
    path = str(tmp_path / "session.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (path, ""))
    assert w.files.save_as()
    w.actions.reset.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)
    assert not np.array_equal(w.latest_stats.weights[0], saved[0])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (path, ""))
    w.files.open_dialog()
    qtbot.waitUntil(lambda: w.latest_stats is not None
                    and np.array_equal(w.latest_stats.weights[0], saved[0]))
    assert all(np.array_equal(a, b) for a, b in zip(saved, w.latest_stats.weights))


def test_opening_a_broken_file_explains_and_keeps_the_network(qtbot, window, tmp_path,
                                                              monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    generation = window.generation
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    window.files.open_dialog()
    qtbot.waitUntil(lambda: "not valid JSON" in window.last_error)
    assert window.generation == generation


def test_single_key_shortcuts_leave_keys_to_the_widget_using_them(qtbot, window):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.show()
    qtbot.waitExposed(window)
    generation = window.generation
    combo = window.editor.dataset_combo
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    QTest.keyClick(combo, Qt.Key_G)  # jumps to "gaussians"/"given", must not regenerate
    QTest.keyClick(combo, Qt.Key_R)  # must not reset
    qtbot.wait(100)
    assert window.generation <= generation + 1  # at most the combo's own dataset change
    assert window.latest_stats.step == 0
    window.graph.canvas.setFocus()  # a custom view does not use R: the shortcut works
    qtbot.waitUntil(window.graph.canvas.hasFocus)
    before = window.generation
    QTest.keyClick(window.graph.canvas, Qt.Key_R)
    qtbot.waitUntil(lambda: window.generation == before + 1)


def test_optimiser_and_clipping_change_live_without_losing_the_run(qtbot, window):
    window.sigStep.emit(30)
    qtbot.waitUntil(lambda: window.latest_stats.step == 30)
    generation = window.generation
    combo = window.editor.optimizer_combo
    combo.setCurrentIndex(combo.findData("adam"))
    window.editor.clip_spin.setValue(0.5)
    qtbot.waitUntil(lambda: window.worker.trainer.optimizer.name == "adam"
                    and window.worker.trainer.spec.clip_norm == 0.5)
    window.sigStep.emit(1)
    qtbot.waitUntil(lambda: window.latest_stats.step == 31)
    assert window.generation == generation
    assert window.worker.trainer.optimizer.t == 1  # fresh Adam moments, same weights and steps


def test_a_long_step_epoch_answers_calls_and_stops_on_pause(qtbot, tmp_path):
    import time

    w = make_window(qtbot, tmp_path)
    w.apply_spec(w.spec.replace(samples=20000, batch_size=1))  # 10,000 steps to the epoch's end
    qtbot.waitUntil(lambda: len(w.dataset.points) == 20000 and w.latest_stats is not None,
                    timeout=20000)
    w.actions.epoch.trigger()
    qtbot.waitUntil(lambda: w.latest_stats.step > 0)
    start = time.perf_counter()
    copy_of_trainer = w.worker.call(w.worker.snapshot)  # answered between two steps
    # answered within a chunk of steps, not at the epoch's end (seconds away)
    assert time.perf_counter() - start < 5 and copy_of_trainer.step_count < 10000
    w.sigSetRunning.emit(False)  # what Pause sends
    qtbot.wait(100)
    w.take_inbox()
    stopped_at = w.latest_stats.step
    qtbot.wait(200)
    w.take_inbox()
    assert w.latest_stats.step == stopped_at < 10000


def test_after_divergence_the_pictures_are_of_the_weights_it_stopped_at(qtbot, tmp_path):
    """The boundary and the neuron maps show the network the scores are of, not one from
    before the steps that grew the loss."""
    w = make_window(qtbot, tmp_path)
    spec = w.spec.replace(dataset="regress-plane", output_activation="linear", loss="mse",
                          learning_rate=3.0)
    assert w.apply_spec(spec)
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_outputs is not None)
    with qtbot.waitSignal(w.worker.sigDiverged, timeout=10000):
        w.actions.play.trigger()
    qtbot.waitUntil(lambda: not w.playing)
    expected = w.worker.trainer.neuron_outputs(w.worker.grid)
    # The worker's last boundary is queued behind the signal waited for: wait for it to land.
    qtbot.waitUntil(lambda: all(np.array_equal(a, b, equal_nan=True)
                                for a, b in zip(w.latest_outputs, expected)), timeout=3000)
