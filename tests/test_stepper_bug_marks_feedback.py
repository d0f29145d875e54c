"""The step-through under feedback alignment: backward stages show the fixed random B (the
engine's recorded matrix and note), the gradient handed down is ∂L/∂z·B, and the chain rule
for a weight goes through B."""

import numpy as np

from engine.presets import load_preset
from gui.common.formula_markup import fmt
from tests.window_helpers import make_window


def open_stepper(qtbot, w):
    w.step_through_action.trigger()
    qtbot.waitUntil(lambda: w.stepper.trace is not None, timeout=5000)
    return w.stepper.panel


def stage_index(panel, title):
    return next(i for i, s in enumerate(panel._trace.stages) if s.title == title)


def fa_window(qtbot, tmp_path, preset="playground"):
    w = make_window(qtbot, tmp_path, None)
    w.apply_spec(load_preset(preset).replace(feedback="fa"))
    qtbot.waitUntil(lambda: w.spec.feedback == "fa")
    return w


def test_fa_backward_stage_shows_b_and_hands_dz_times_b_down(qtbot, tmp_path):
    w = fa_window(qtbot, tmp_path)
    panel = open_stepper(qtbot, w)
    panel.go_to(stage_index(panel, "Backward · layer 2"))
    stage = panel.current_stage()
    B = stage.get("B")
    assert B.shape == (2, 4)  # (fan_out, fan_in): the engine's layer-2 feedback matrix
    np.testing.assert_array_equal(B, w.worker.trainer.network.layers[1].B)
    np.testing.assert_allclose(stage.get("dA_prev"), stage.get("dZ") @ B, rtol=1e-12)
    text = panel.text()
    assert "∂L/∂z(2)·B(2)" in text  # the formula for the gradient handed down uses B
    assert "∂L/∂z(2)·W(2)ᵀ" not in text
    assert "is a fixed random matrix, not W(2)ᵀ" in text  # the engine's stage note
    assert ("B⁽²⁾, which carries this layer's error down to layer 1, is a fixed random matrix, "
            "not W⁽²⁾ᵀ") in stage.note
    assert "fixed random matrix" in text and "instead of" in text
    i = 0  # the per-sample expansion of ∂L/∂a⁽¹⁾₁ multiplies δ by B's column 1
    assert all(fmt(B[j, i]).replace("-", "−") in text for j in range(B.shape[0]))
    # Layer 1's ∂L/∂a came down through layer 2's B, and says so.
    panel.go_to(stage_index(panel, "Backward · layer 1"))
    assert "∂L/∂z(2)·B(2)" in panel.text()
    assert "fixed random feedback matrix" in panel.text()


def test_backprop_backward_stage_still_uses_w_transposed(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    panel = open_stepper(qtbot, w)
    panel.go_to(stage_index(panel, "Backward · layer 2"))
    text = panel.text()
    assert "∂L/∂z(2)·W(2)ᵀ" in text
    assert "B(2)" not in text and "feedback" not in text


def test_fa_chain_rule_goes_through_b_and_adds_up_to_the_update(qtbot, tmp_path):
    w = fa_window(qtbot, tmp_path)
    panel = open_stepper(qtbot, w)
    panel.go_to(stage_index(panel, "Backward · layer 1"))
    panel.set_selection(("weight", 1, 0, 1))
    text = panel.text()
    assert "fixed random feedback entry B" in text
    assert "FA update" in text
    dW = panel.current_stage().get("dW")
    assert fmt(dW[0, 1]) in text.split("sum of paths")[1]  # the paths add up to the update
