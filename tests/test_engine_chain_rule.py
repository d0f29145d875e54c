"""engine.chain_rule: the expansion of one weight's gradient adds up to the step's own ∂L/∂w."""

import math

import numpy as np
import pytest

from engine.chain_rule import weight_chain
from engine.presets import load_preset
from engine.trace import trace
from engine.trainer import Trainer

PRESETS = ["worked-example", "xor", "playground", "softmax-2-3-2"]


@pytest.fixture(scope="module")
def traces():
    return {name: trace(Trainer(load_preset(name))) for name in PRESETS}


def _weights(result):
    for layer_index, layer in enumerate(result.trainer_after.network.layers, 1):
        fan_in, fan_out = layer.W.shape
        for i in range(fan_in):
            for j in range(fan_out):
                yield layer_index, i, j


@pytest.mark.parametrize("name", PRESETS)
def test_sample_contributions_and_paths_add_up_to_the_gradient(traces, name):
    result = traces[name]
    for layer, i, j in _weights(result):
        chain = weight_chain(result, layer, i, j)
        dW = next(s for s in result.stages if s.kind == "backward" and s.layer == layer).get("dW")
        assert chain.gradient == dW[i, j]
        close = pytest.approx(chain.gradient, rel=1e-9, abs=1e-15)
        assert sum(s.contribution for s in chain.samples) == close
        assert chain.complete and len(chain.paths) == chain.path_count
        assert sum(p.product for p in chain.paths) == close
        products = [abs(p.product) for p in chain.paths]
        assert products == sorted(products, reverse=True)


def test_hidden_delta_is_fprime_times_the_weighted_deltas_above(traces):
    result = traces["playground"]
    chain = weight_chain(result, 1, 1, 2)
    for sample in chain.samples:
        assert sample.fprime_j is not None and len(sample.terms) == 2
        summed = sum(t.product for t in sample.terms)
        assert sample.delta_j == pytest.approx(sample.fprime_j * summed, rel=1e-12)


def test_output_weights_take_delta_straight_from_the_fused_loss(traces):
    chain = weight_chain(traces["xor"], 2, 0, 0)
    dZ = next(s for s in traces["xor"].stages if s.kind == "backward" and s.layer == 2).get("dZ")
    assert [s.delta_j for s in chain.samples] == dZ[:, 0].tolist()
    assert all(s.terms == () for s in chain.samples) and chain.path_count == 1
    softmax = weight_chain(traces["softmax-2-3-2"], 2, 0, 1)
    assert all(s.fprime_j is None for s in softmax.samples)  # no element-wise f′ for softmax


def test_deep_networks_list_the_largest_paths_and_sum_all_of_them():
    from engine.chain_rule import LISTED_PATHS

    result = trace(Trainer(load_preset("vanishing")))
    chain = weight_chain(result, 1, 0, 0)
    assert chain.path_count == 8 ** 5 and not chain.complete
    assert len(chain.paths) == LISTED_PATHS
    assert chain.path_sum == pytest.approx(chain.gradient, rel=1e-9)
    sizes = [abs(p.product) for p in chain.paths]
    assert sizes == sorted(sizes, reverse=True)
    assert sum(s.contribution for s in chain.samples) == pytest.approx(chain.gradient, rel=1e-9)


def test_too_many_paths_are_counted_not_formed():
    spec = load_preset("vanishing").replace(hidden=[32] * 6, activations=["tanh"] * 6)
    chain = weight_chain(trace(Trainer(spec)), 1, 0, 0)
    assert chain.path_count == 32 ** 5 and chain.path_sum is None and chain.paths == ()
    assert sum(s.contribution for s in chain.samples) == pytest.approx(chain.gradient, rel=1e-9)


def test_bad_weight_positions_are_refused(traces):
    result = traces["playground"]
    for layer, i, j in [(0, 0, 0), (4, 0, 0), (1, 2, 0), (1, 0, 4), (2, -1, 0)]:
        with pytest.raises(ValueError):
            weight_chain(result, layer, i, j)


def test_paths_name_their_factors(traces):
    chain = weight_chain(traces["worked-example"], 1, 0, 0)
    (path,) = chain.paths
    symbols = [s for s, _ in path.factors]
    assert symbols[0] == "x[1]" and symbols[-1] == "∂L/∂ŷ[1]"
    assert np.prod([v for _, v in path.factors]) == pytest.approx(chain.gradient, rel=1e-12)


@pytest.mark.parametrize("name", PRESETS)
def test_each_path_shows_the_product_of_its_own_factors(traces, name):
    # The factors shown are the first sample's: their product is printed as that sample's,
    # and the batch sum is a separate number (issue 13, item 4).
    result = traces[name]
    for layer, i, j in _weights(result):
        for path in weight_chain(result, layer, i, j).paths:
            shown = math.prod(value for _, value in path.factors)
            assert path.first_product == pytest.approx(shown, rel=1e-12, abs=1e-300)
