"""Undo and redo of rebuilds in the window, with their trained state; rebuilds the worker cannot
take, and big data built in the background."""

import json

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication
from window_helpers import headless, make_window, same, train, weights

from engine.presets import load_preset


def test_undo_and_redo_bring_back_weights_optimiser_and_history(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    train(qtbot, w, 25)
    before = weights(w)
    w.editor.layer_rows[0].neurons_spin.setValue(6)
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)
    assert w.worker.trainer.network.sizes == [2, 6, 1]
    assert "Ctrl+Z" in w.statusBar().currentMessage()
    train(qtbot, w, 4)
    after = weights(w)
    w.undo_action.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 25)
    assert w.worker.trainer.network.sizes == [2, 4, 1]
    assert same(weights(w), before)
    assert w.editor.layer_rows[0].neurons_spin.value() == 4
    w.force_redraw()
    assert w.grad_plot.point_count() == len(w.worker.trainer.history) == 25
    assert w.loss_plot.point_count() == w.worker.trainer.history.evaluations
    train(qtbot, w, 1)  # the undone run goes on exactly as it would have
    assert same(weights(w), headless("xor", 26))
    w.redo_action.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 4)
    assert same(weights(w), after)
    assert w.worker.trainer.network.sizes == [2, 6, 1]


@pytest.mark.parametrize("edit", ["dataset", "feature", "activation", "output", "initializer",
                                  "preset", "reset", "remove layer"])


def test_every_rebuild_can_be_undone(qtbot, tmp_path, edit):
    w = make_window(qtbot, tmp_path, "playground")
    train(qtbot, w, 3)
    before, spec = weights(w), w.spec
    e = w.editor
    if edit == "dataset":
        e.dataset_combo.setCurrentIndex((e.dataset_combo.currentIndex() + 1) % 3)
    elif edit == "feature":
        e.feature_checks["x1^2"].setChecked(True)
    elif edit == "activation":
        e.layer_rows[0].activation_combo.setCurrentIndex(0)
    elif edit == "output":
        e.output_combo.setCurrentIndex(e.output_combo.count() - 1)
    elif edit == "initializer":
        e.init_combo.setCurrentIndex((e.init_combo.currentIndex() + 1) % e.init_combo.count())
    elif edit == "preset":
        w.load_preset("vanishing")
    elif edit == "reset":
        w.actions.reset.trigger()
    else:
        e.layer_rows[0].remove_button.click()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 0)
    assert w.undo_stack.count() == 1
    w.undo_action.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 3)
    assert same(weights(w), before)
    assert w.spec == spec and w.editor.spec() == spec


def test_ctrl_z_in_a_focused_number_box_undoes_the_rebuild(qtbot, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    w = make_window(qtbot, tmp_path)
    w.show()
    qtbot.waitExposed(w)
    spin = w.editor.layer_rows[0].neurons_spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.selectAll()
    QTest.keyClicks(spin, "6")
    QTest.keyClick(spin, Qt.Key_Return)
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 6, 1])
    focused = QApplication.focusWidget()
    QTest.keyClick(focused, Qt.Key_Z, Qt.ControlModifier)
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 4, 1])
    QTest.keyClick(QApplication.focusWidget(), Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes == [2, 6, 1])


def test_a_rebuild_the_worker_cannot_take_changes_nothing(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path)
    train(qtbot, w, 4)
    generation, spec, count = w.generation, w.spec, w.undo_stack.count()

    def silent(function, *args):
        raise ValueError("the training thread did not answer; nothing was changed")

    monkeypatch.setattr(w.worker, "call", silent)
    w.editor.layer_rows[0].neurons_spin.setValue(7)
    assert "did not answer" in w.last_error
    assert (w.generation, w.spec, w.undo_stack.count()) == (generation, spec, count)
    assert w.editor.spec().hidden == [4]  # the editor shows what really trains
    monkeypatch.undo()
    train(qtbot, w, 3)  # the old network still trains, its steps still arrive
    assert w.latest_stats.step == 7 and w.worker.trainer.network.sizes == [2, 4, 1]


def test_a_preset_keeps_its_own_learning_rate(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    w.editor.lr_spin.setValue(0.3)
    w.load_preset("xor")
    qtbot.waitUntil(lambda: w.spec.dataset == "xor4")
    assert w.worker.call(lambda: w.worker.trainer.learning_rate) == \
        load_preset("xor").learning_rate


def test_undo_while_a_big_build_loads_drops_the_build(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    w.editor.layer_rows[0].neurons_spin.setValue(3)
    qtbot.waitUntil(lambda: w.worker.trainer.network.sizes[1] == 3)
    train(qtbot, w, 9)
    w.apply_spec(w.spec.replace(samples=100_000))  # a background build
    assert w.builder.busy
    w.undo_action.trigger()
    qtbot.waitUntil(lambda: not w.builder.busy)
    qtbot.wait(300)  # the loading thread's result, if any, arrives and must be dropped
    assert w.worker.trainer.network.sizes[1] == 4 and len(w.dataset.points) == 500
    assert w.undo_stack.canRedo()
    w.redo_action.trigger()
    qtbot.waitUntil(lambda: w.latest_stats is not None and w.latest_stats.step == 9)


def test_big_data_loads_in_the_background_while_the_window_stays_live(qtbot, tmp_path):
    from PySide6.QtCore import QTimer

    rng = np.random.default_rng(1)
    points = rng.uniform(-5, 5, (100_000, 2))
    rows = [f"{x:.6f},{y:.6f},{int(x * y > 0)}" for x, y in points]
    (tmp_path / "big.csv").write_text("x,y,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    spec = load_preset("playground").to_dict() | {"dataset": "csv", "csv_path": "big.csv"}
    (tmp_path / "big.json").write_text(json.dumps(spec), encoding="utf-8")
    w = make_window(qtbot, tmp_path, "playground")
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    w.files.open_path(str(tmp_path / "big.json"))
    assert w.builder.busy and w.builder.progress is not None  # loading, not frozen in here
    assert "Opening big.json" in w.builder.progress.labelText()
    qtbot.waitUntil(lambda: w.spec.dataset == "csv", timeout=30000)
    timer.stop()
    assert ticks  # the event loop kept running while the data loaded
    assert len(w.dataset.points) == 100_000
    assert "3,000 of 50,000 training points" in w.boundary.points_note
    train(qtbot, w, 3)
