"""The step trace and the chain rule under feedback alignment: B is shown, the formulas use it,
the notes say what it is, and the chain-rule paths add up to what the step really computed."""

import numpy as np
import pytest

from engine.chain_rule import weight_chain
from engine.presets import load_preset
from engine.trace import trace
from engine.trainer import Trainer


@pytest.fixture(scope="module")
def fa_trace():
    return trace(Trainer(load_preset("playground").replace(feedback="fa")))


def backward(result, layer):
    return next(s for s in result.stages if s.kind == "backward" and s.layer == layer)


def quantity(stage, key):
    return next(q for q in (*stage.quantities, *stage.inputs) if q.key == key)


def test_backward_stages_carry_B_and_their_formulas_use_it(fa_trace):
    layers = fa_trace.trainer_after.network.layers
    for i in (2, 3):
        stage = backward(fa_trace, i)
        B = quantity(stage, "B")
        assert B.symbol == f"B⁽{'²³'[i - 2]}⁾" and B in stage.inputs
        np.testing.assert_array_equal(B.value, layers[i - 1].B)
        assert quantity(stage, "dA_prev").formula == f"∂L/∂z⁽{'²³'[i - 2]}⁾ · {B.symbol}"
        np.testing.assert_array_equal(stage.get("dA_prev"), stage.get("dZ") @ B.value)
        assert "fixed random matrix, not W" in stage.note
        assert "the true gradient would use W" in stage.note
    assert quantity(backward(fa_trace, 2), "dA").formula == "∂L/∂z⁽³⁾ · B⁽³⁾"
    assert quantity(backward(fa_trace, 1), "dA").formula == "∂L/∂z⁽²⁾ · B⁽²⁾"


def test_the_first_layer_has_no_B_and_its_note_says_its_gradient_is_not_the_true_one(fa_trace):
    stage = backward(fa_trace, 1)
    assert "B" not in [q.key for q in stage.inputs]
    assert quantity(stage, "dA_prev").formula == "∂L/∂z⁽¹⁾ · W⁽¹⁾ᵀ"  # to x, which never learns
    angle = fa_trace.stats.alignment[0]
    assert "not the true gradient" in stage.note and f"{angle:.1f}°" in stage.note
    assert "not the true gradient" not in backward(fa_trace, 3).note  # the output layer's is
    assert "fused" in backward(fa_trace, 3).note  # the fused-loss note is kept


def test_under_backprop_the_trace_has_no_B():
    result = trace(Trainer(load_preset("playground")))
    for i in (1, 2, 3):
        stage = backward(result, i)
        assert "B" not in [q.key for q in stage.inputs]
        assert quantity(stage, "dA_prev").formula.endswith("ᵀ")
        assert "feedback" not in stage.note
    assert result.stats.alignment is None


def test_trace_json_includes_B():
    data = trace(Trainer(load_preset("xor").replace(feedback="fa"))).to_dict()
    stage = next(s for s in data["stages"] if s["kind"] == "backward" and s["layer"] == 2)
    assert [q["key"] for q in stage["inputs"]] == ["a_prev", "W", "B"]
    assert np.array(stage["inputs"][2]["value"]).shape == (1, 4)


@pytest.mark.parametrize("layer, i, j", [(1, 0, 0), (1, 1, 3), (2, 2, 1), (3, 1, 0)])
def test_chain_rule_paths_go_through_B_and_add_up_to_the_steps_update(fa_trace, layer, i, j):
    chain = weight_chain(fa_trace, layer, i, j)
    assert chain.feedback == (layer < 3)
    assert chain.path_sum == pytest.approx(chain.gradient, rel=1e-12, abs=1e-15)
    assert sum(s.contribution for s in chain.samples) == pytest.approx(chain.gradient, rel=1e-12)
    symbols = [symbol for path in chain.paths for symbol, _ in path.factors]
    assert not any(symbol.startswith("W") for symbol in symbols)
    assert any(symbol.startswith("B") for symbol in symbols) == (layer < 3)
    if layer < 3:
        B = backward(fa_trace, layer + 1).get("B")
        assert [t.weight for t in chain.samples[0].terms] == list(B[:, j])
