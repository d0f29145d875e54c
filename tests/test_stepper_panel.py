"""The step-through panel and its formulas: the worked example's numbers appear stage by stage,
navigation (Next/Previous/jump/keys/Play) is exact, the sample selector and Finish/Cancel
emit, the chain-rule view adds up to the engine's gradient, and larger nets are summarised."""

import re

import pytest
from PySide6.QtCore import Qt

from engine.chain_rule import weight_chain
from engine.presets import load_preset
from engine.trace import trace
from engine.trainer import Trainer
from gui.stepper.formulas import chain_html, html_to_text, stage_html
from gui.stepper.stepper_panel import StepperPanel

# The seed notebook's worked example, in the order the step computes them, with the stage
# (0-based: fwd 1, fwd 2, loss, bwd 2, bwd 1, upd 1, upd 2) where each is computed.
WORKED = [("1.1000", 0), ("1.1000", 0), ("1.0800", 1), ("0.7465", 1), ("0.0643", 2),
          ("−0.5070", 3), ("0.1892", 3), ("−0.0959", 3), ("−0.1055", 3), ("−0.0959", 3),
          ("−0.0768", 3), ("−0.1535", 4), ("−0.0768", 4), ("0.5154", 5), ("0.1077", 5),
          ("0.8106", 6), ("0.2096", 6)]


def make_trace(preset, indices=None, **changes):
    spec = load_preset(preset)
    for key, value in changes.items():
        setattr(spec, key, value)
    trainer = Trainer(spec)
    return trace(trainer, indices), len(trainer.Y_train)


@pytest.fixture(scope="module")
def worked():
    return make_trace("worked-example")[0]


@pytest.fixture(scope="module")
def playground():
    return make_trace("playground")[0]


@pytest.fixture
def panel(qtbot, worked):
    widget = StepperPanel()
    qtbot.addWidget(widget)
    widget.resize(480, 800)
    widget.set_trace(worked, None, 1)
    return widget


def walk_texts(panel):
    panel.go_to(0)
    texts = [panel.text()]
    for _ in range(panel.stage_count() - 1):
        panel.next_stage()
        texts.append(panel.text())
    return texts


def test_worked_example_values_appear_in_order_on_their_stages(panel):
    texts = walk_texts(panel)
    assert panel.stage_count() == 7 and panel.current_index == 6
    joined, position = "\n".join(texts), 0
    for value, stage in WORKED:
        assert value in texts[stage], f"{value} missing on stage {stage}"
        position = joined.index(value, position) + len(value)
    assert "(0.7465 − 1)²" in texts[2] and "2(0.7465 − 1)/1" in texts[3]
    assert "0.7465 · (1 − 0.7465)" in texts[3] and "0.5000 − 0.1·(−0.1535)" in texts[5]
    assert "averaged over the batch of m = 1" in texts[2]


def test_previous_undoes_next_and_jumping_equals_walking(panel):
    texts = walk_texts(panel)
    html_at_end = panel.html()
    for n in range(panel.stage_count() - 1, 0, -1):
        panel.previous_stage()
        assert panel.text() == texts[n - 1]
    panel.next_stage()
    panel.previous_stage()
    assert panel.text() == texts[0]
    for n in (4, 1, 6):
        panel.go_to(n)
        assert panel.text() == texts[n] and panel.current_stage().title in texts[n]
    assert panel.html() == html_at_end
    assert panel.progress_label.text() == "stage 7 of 7"
    assert not panel.next_button.isEnabled() and panel.prev_button.isEnabled()


def test_list_click_and_arrow_keys_navigate(qtbot, panel):
    with qtbot.waitSignal(panel.sigStageChanged) as blocker:
        panel.stage_list.setCurrentRow(3)
    assert blocker.args == [3] and panel.current_index == 3
    assert panel.current_stage().kind == "backward"
    qtbot.keyClick(panel.stage_list, Qt.Key_Right)
    assert panel.current_index == 4 and panel.stage_list.currentRow() == 4
    qtbot.keyClick(panel.browser, Qt.Key_Left)
    qtbot.keyClick(panel.browser, Qt.Key_Left)
    assert panel.current_index == 2


def test_play_walks_on_its_timer_and_stops_at_the_end(qtbot, panel):
    panel.speed_spin.setValue(0.2)
    panel.go_to(4)
    panel.play_button.setChecked(True)
    assert panel.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: panel.current_index == 5, timeout=2000)
    qtbot.waitUntil(lambda: not panel.play_button.isChecked(), timeout=3000)
    assert panel.current_index == panel.stage_count() - 1
    panel.play_button.setChecked(True)  # Play at the end starts over
    assert panel.current_index == 0
    panel.play_button.setChecked(False)


def test_finish_and_cancel_emit(qtbot, panel):
    with qtbot.waitSignal(panel.sigFinish):
        panel.finish_button.click()
    with qtbot.waitSignal(panel.sigCancel):
        panel.cancel_button.click()


def test_sample_selector_emits_and_set_trace_does_not(qtbot, worked):
    panel = StepperPanel()
    qtbot.addWidget(panel)
    seen = []
    panel.sigSampleChanged.connect(seen.append)
    panel.set_trace(worked, 7, 100)
    assert seen == [] and panel.sample_spin.isEnabled() and panel.sample_spin.value() == 7
    panel.sample_combo.setCurrentIndex(0)
    assert seen == [None] and not panel.sample_spin.isEnabled()
    panel.sample_combo.setCurrentIndex(1)
    panel.sample_spin.setValue(12)
    assert seen == [None, 7, 12]
    panel.set_trace(worked, None, 100)
    assert seen == [None, 7, 12] and panel.sample_combo.currentIndex() == 0


def test_set_trace_keeps_a_valid_stage_index(panel, playground, worked):
    panel.go_to(5)
    panel.set_trace(playground, None, 250)
    assert panel.current_index == 5 and panel.stage_count() == 10
    panel.go_to(9)
    panel.set_trace(worked, None, 1)
    assert panel.current_index == 0 and panel.stage_list.count() == 7


def test_weight_selection_shows_the_chain_rule(panel):
    panel.go_to(3)  # backward · layer 2: W⁽¹⁾'s gradient is not computed yet
    panel.set_selection(("weight", 1, 0, 0))
    assert "computed when the backward pass reaches layer 1" in panel.text()
    panel.go_to(4)
    text = panel.text()
    assert "The chain rule for the weight" in text
    assert "2.0000 · 1.0000 · 0.8000 · 0.1892 · (−0.5070)" in text
    assert "−0.1535" in text.split("The chain rule")[1]
    panel.set_selection(None)
    assert "The chain rule for the weight" not in panel.text()


def test_chain_html_of_the_worked_example_is_one_five_factor_product(worked):
    chain = weight_chain(worked, 1, 0, 0)
    text = html_to_text(chain_html(chain, trace=worked))
    assert "this weight has one path" in text
    products = re.findall(r"^(.+ · .+)$", text, re.M)
    five = [p for p in products if p.count(" · ") == 4 and "ReLU′" not in p]
    assert five == ["2.0000 · 1.0000 · 0.8000 · 0.1892 · (−0.5070)"]
    assert "x1 · ReLU′(z(1)1) · W(2)1,1 · σ′(z(2)1) · ∂L/∂ŷ1" in text
    assert f"{chain.gradient:.4f}".replace("-", "−") in text.split("sum of paths")[1]


@pytest.mark.parametrize("preset", ["xor", "playground", "softmax-2-3-2"])
def test_every_stage_renders_and_large_arrays_are_summarised(preset):
    tr, _ = make_trace(preset)
    summarised = 0
    for stage in tr.stages:
        for selection in (None, ("neuron", stage.layer or 1, 0), ("weight", 1, 1, 0)):
            html = stage_html(stage, selection, context=tr)
            assert "\x02" not in html and "\x03" not in html
            text = html_to_text(html)
            assert stage.title in text
            summarised += "array: mean |·|" in text
    assert summarised > 0
    if preset == "playground":
        forward = html_to_text(stage_html(tr.stages[0], ("neuron", 1, 2), context=tr))
        assert "10×4 array" in forward and "The selected neuron 3" in forward
        assert f"#{tr.batch[0]}" in forward  # samples named by training index
        assert "averaged over the batch of m = 10" in html_to_text(
            stage_html(tr.stages[3], context=tr))


def test_playground_chain_sums_paths_to_the_engine_gradient(qtbot, playground):
    panel = StepperPanel()
    qtbot.addWidget(panel)
    panel.set_trace(playground, None, 250)
    panel.go_to(6)  # backward · layer 1
    panel.set_selection(("weight", 1, 0, 1))
    text = panel.text()
    chain = weight_chain(playground, 1, 0, 1)
    assert "this weight has 2 paths" in text
    assert f"{chain.gradient:.4f}".replace("-", "−") in text.split("sum of paths")[1]


def test_adam_update_shows_the_step_taken(worked):
    tr, _ = make_trace("worked-example", optimizer="adam")
    update = next(s for s in tr.stages if s.kind == "update" and s.layer == 1)
    text = html_to_text(stage_html(update, context=tr))
    old, new = float(update.get("W")[0, 0]), float(update.get("W_new")[0, 0])
    step = old - new  # Δ read off the recorded parameters (Adam's first step is ±η)
    shown = f"({step:.4f})".replace("-", "−") if step < 0 else f"{step:.4f}"
    assert f"{old:.4f} − {shown}" in text and f"{new:.4f}" in text
    assert "adam" in text


def test_a_single_training_sample_trace(panel):
    tr, size = make_trace("xor", [2])
    panel.set_trace(tr, 2, size)
    panel.go_to(0)
    text = panel.text()
    assert "Shown for one sample" in text and "array" not in text  # small: every entry
    assert "training sample #2" in panel.info_label.text()


def test_arrow_keys_win_over_a_window_shortcut_on_right(qtbot, worked):
    """The main window binds Right to "train one step"; inside the panel Right means Next,
    whichever child has focus (a push button would otherwise let the shortcut fire)."""
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    panel = StepperPanel()
    window.setCentralWidget(panel)
    fired = []
    action = QAction("Step", window)
    action.setShortcut(QKeySequence(Qt.Key_Right))
    action.triggered.connect(lambda: fired.append(True))
    window.addAction(action)
    panel.set_trace(worked, None, 1)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    for n, focus in enumerate((panel.finish_button, panel.stage_list, panel.browser, panel), 1):
        focus.setFocus()
        QTest.keyClick(window.windowHandle(), Qt.Key_Right)  # through the shortcut machinery
        assert panel.current_index == n and fired == []
    QTest.keyClick(window.windowHandle(), Qt.Key_Left)
    assert panel.current_index == 3 and fired == []


def test_a_rolled_back_step_shows_no_false_arithmetic():
    t = Trainer(load_preset("xor").replace(learning_rate=1e6))
    tr = trace(t)
    assert tr.stats.diverged
    for stage in (s for s in tr.stages if s.kind == "update"):
        assert stage.rolled_back and stage.optimizer == "sgd"
        text = html_to_text(stage_html(stage, context=tr))
        assert "rolled back" in text
        assert "η·" not in text.replace("θ − η·∂L/∂θ", "")  # only the rule, never applied
    normal = trace(Trainer(load_preset("xor")))
    update = next(s for s in normal.stages if s.kind == "update")
    assert not update.rolled_back and "η·" in html_to_text(stage_html(update, context=normal))
