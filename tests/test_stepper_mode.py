"""Step-through mode inside the window: real traces, the graph follows, Finish = a real step."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from engine.chain_rule import weight_chain
from engine.presets import load_preset
from engine.trainer import Trainer
from gui.playground.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
WORKED_VALUES = ["1.1000", "1.1000", "1.0800", "0.7465", "0.0643", "0.5070", "0.1892", "0.0959",
                 "0.1055", "0.0959", "0.0768", "0.1535", "0.0768", "0.5154", "0.1077", "0.8106",
                 "0.2096"]


def make_window(qtbot, tmp_path, preset):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(load_preset(preset), settings=settings)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    return w


def first_weight_chain(qtbot, w):
    """Open the step-through at layer 1's backward stage with W¹[1,1] clicked: (panel,
    trace, that stage's index, the weight's chain rule)."""
    panel = open_stepper(qtbot, w)
    trace = w.stepper.trace
    backward = next(i for i, s in enumerate(trace.stages) if s.kind == "backward" and s.layer == 1)
    panel.go_to(backward)
    w.graph.sigEdgeClicked.emit(1, 0, 0)
    return panel, trace, backward, weight_chain(trace, 1, 0, 0)


def open_stepper(qtbot, w):
    w.step_through_action.trigger()
    qtbot.waitUntil(lambda: w.stepper.trace is not None, timeout=5000)
    return w.stepper.panel


def params_of(stats):
    return [*stats.weights, *stats.biases]


def test_worked_example_stages_show_the_lesson_values_in_order(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "worked-example")
    panel = open_stepper(qtbot, w)
    texts = []
    for index in range(panel.stage_count()):
        panel.go_to(index)
        texts.append(panel.text())
    combined = "\n".join(texts)
    position = 0
    for value in WORKED_VALUES:
        found = combined.find(value, position)
        assert found >= 0, f"{value} missing after position {position}"
        position = found + len(value)


def test_previous_undoes_next_and_jumping_equals_walking(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "xor")
    panel = open_stepper(qtbot, w)
    panel.go_to(0)
    walked = [panel.text()]
    for _ in range(4):
        panel.next_stage()
        walked.append(panel.text())
    panel.previous_stage()
    assert panel.text() == walked[3]
    panel.go_to(0)
    panel.go_to(4)
    assert panel.text() == walked[4]


def test_finish_equals_an_ordinary_step(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    w.sigStep.emit(7)  # from some state other than the initial one
    qtbot.waitUntil(lambda: w.latest_stats.step == 7)
    reference = Trainer(load_preset("playground"))
    for _ in range(8):
        reference.step()
    expected = reference.stats()
    panel = open_stepper(qtbot, w)
    panel.go_to(panel.stage_count() - 1)
    panel.sigFinish.emit()
    qtbot.waitUntil(lambda: w.latest_stats.step == 8)
    assert all(np.array_equal(a, b) for a, b in zip(params_of(w.latest_stats),
                                                     params_of(expected)))
    w.force_redraw()
    assert w.grad_plot.point_count() == 8
    assert "step 8" in w.status_labels["step"].text()
    assert not w.stepper.active and w.editor.isEnabled() and w.actions.play.isEnabled()


def test_cancel_changes_nothing(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "xor")
    before = [p.copy() for p in params_of(w.latest_stats)]
    panel = open_stepper(qtbot, w)
    panel.sigCancel.emit()
    qtbot.wait(100)
    assert w.latest_stats.step == 0
    assert all(np.array_equal(a, b) for a, b in zip(before, params_of(w.latest_stats)))
    assert w.graph.highlight() is None


def test_training_is_paused_and_locked_while_stepping(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    w.actions.play.trigger()
    qtbot.waitUntil(lambda: w.latest_stats.step >= 3, timeout=5000)
    open_stepper(qtbot, w)
    qtbot.waitUntil(lambda: not w.playing)
    steps = w.latest_stats.step
    assert not w.actions.play.isEnabled() and not w.editor.isEnabled()
    w.actions.play.trigger()  # disabled: no effect
    qtbot.wait(200)
    assert w.latest_stats.step == steps


def test_graph_follows_the_stage(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    panel = open_stepper(qtbot, w)
    kinds = [s.kind for s in w.stepper.trace.stages]
    panel.go_to(kinds.index("forward"))
    assert w.graph.highlight()[:2] == (1, "forward")
    panel.go_to(kinds.index("backward"))
    assert w.graph.highlight()[:2] == (3, "backward")
    panel.go_to(kinds.index("update"))
    layer, direction, values = w.graph.highlight()
    assert (layer, direction) == (1, "update") and values.shape == (2, 4)


def test_clicking_a_training_point_traces_that_sample(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    open_stepper(qtbot, w)
    data = w.dataset
    point = int(data.train_idx[5])
    w.boundary.sigPointClicked.emit(point)
    qtbot.waitUntil(lambda: list(w.stepper.trace.batch) == [5])
    reference = Trainer(load_preset("playground"))
    reference.step([5])
    expected = reference.stats()
    w.stepper.panel.sigFinish.emit()
    qtbot.waitUntil(lambda: w.latest_stats.step == 1)
    assert all(np.array_equal(a, b) for a, b in zip(params_of(w.latest_stats),
                                                     params_of(expected)))


def test_test_points_are_not_traced(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    open_stepper(qtbot, w)
    w.boundary.sigPointClicked.emit(int(w.dataset.test_idx[0]))
    assert "test point" in w.statusBar().currentMessage()
    assert w.stepper.sample is None


@pytest.mark.parametrize("preset", ["worked-example", "xor", "softmax-2-3-2"])
def test_chain_rule_view_sums_to_the_engine_gradient(qtbot, tmp_path, preset):
    w = make_window(qtbot, tmp_path, preset)
    panel, trace, backward, chain = first_weight_chain(qtbot, w)
    assert sum(s.contribution for s in chain.samples) == pytest.approx(chain.gradient, abs=1e-14)
    assert sum(p.product for p in chain.paths) == pytest.approx(chain.gradient, abs=1e-14)
    assert chain.gradient == trace.stages[backward].get("dW")[0, 0]
    assert "paths" in panel.text().lower()


def test_stage_screenshot(tmp_path):
    out = tmp_path / "stage.png"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--screenshot", str(out), "--preset",
         "worked-example", "--stage", "4", "--size", "1400x900"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert QImage(str(out)).width() == 1400
    bad = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--screenshot", str(out), "--preset",
         "worked-example", "--stage", "99"], capture_output=True, text=True, timeout=120,
        cwd=ROOT, env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert bad.returncode == 2 and "stage" in bad.stderr


def test_loading_a_preset_while_stepping_leaves_the_mode(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "xor")
    open_stepper(qtbot, w)
    w.load_preset("worked-example")
    assert not w.stepper.active and w.stepper.dock.isHidden()
    assert w.editor.isEnabled() and w.actions.play.isEnabled()


def test_a_chosen_sample_does_not_outlive_the_mode(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    open_stepper(qtbot, w)
    w.boundary.sigPointClicked.emit(int(w.dataset.train_idx[200]))
    qtbot.waitUntil(lambda: list(w.stepper.trace.batch) == [200])
    w.stepper.panel.sigCancel.emit()
    w.load_preset("xor")  # 4 training points: sample 200 would not exist
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    panel = open_stepper(qtbot, w)
    assert len(w.stepper.trace.batch) == 4 and panel.stage_count() == 7
    assert w.last_error == ""


def test_the_paths_view_prints_each_product_with_its_own_value(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")  # a batch of 10: factors of sample 1
    panel, _, _, chain = first_weight_chain(qtbot, w)
    assert len(chain.samples) == 10
    text = panel.text()
    for path in chain.paths[:3]:
        product = 1.0
        for _, value in path.factors:
            product *= value
        assert path.first_product == pytest.approx(product, rel=1e-12)
        assert plain(path.first_product) in text and plain(path.product) in text
    assert any(p.first_product != p.product for p in chain.paths)  # two numbers, both shown
    assert "summed over the 10 samples" in text


def plain(value) -> str:
    """A number as the panel's plain text shows it."""
    from gui.common.formula_markup import num
    return re.sub("<[^>]+>", "", num(value))
