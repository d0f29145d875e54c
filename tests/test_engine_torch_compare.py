"""The engine's gradients and loss beside PyTorch autograd's (engine/torch_compare.py)."""

import numpy as np
import pytest

from engine.activations import HIDDEN_ACTIVATIONS
from engine.losses import LOSSES
from engine.network import Network
from engine.torch_compare import compare_with_torch, relative_difference, torch_missing

torch = pytest.importorskip("torch")

PAIRS = [(out, loss) for loss in LOSSES for out in LOSSES[loss].output_activations]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny networks: torch's thread pool costs more than it saves (results are the same)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def problem(rng, hidden, out, loss, *, samples=17, inputs=3):
    """A random network (non-zero biases, weights large enough to leave the linear regime) and
    data that suits its loss."""
    outputs = 1 if loss == "bce" else 3
    acts = [hidden[i % len(hidden)] for i in range(2)] + [out]
    net = Network.build([inputs, 5, 4, outputs], acts, loss, rng=rng)
    for layer in net.layers:
        layer.W *= 1.5
        layer.b[:] = rng.normal(0, 0.5, layer.b.shape)
    X = rng.normal(0, 1.5, (samples, inputs))
    if loss == "ce":
        y = np.eye(outputs)[rng.integers(0, outputs, samples)]
    elif loss == "bce":
        y = rng.integers(0, 2, (samples, 1)).astype(float)
    else:
        y = rng.normal(0, 1, (samples, outputs))
    return net, X, y


def test_torch_is_found():
    assert torch_missing() == ""


@pytest.mark.parametrize("out,loss", PAIRS)
def test_every_activation_and_loss_agree_with_autograd(out, loss):
    rng = np.random.default_rng(PAIRS.index((out, loss)))
    for hidden in HIDDEN_ACTIVATIONS:  # each hidden activation, twice, under this output/loss
        for _ in range(2):
            net, X, y = problem(rng, [hidden, HIDDEN_ACTIVATIONS[rng.integers(8)]], out, loss)
            result = compare_with_torch(net, X, y)
            assert [t.name for t in result.tensors] == list(net.grads())
            assert result.max_relative_difference <= 1e-10, (hidden, out, loss)
            assert abs(result.engine_loss - result.torch_loss) <= 1e-12 * abs(result.torch_loss)
            for t in result.tensors:
                assert t.engine.shape == t.torch.shape == net.params()[t.name].shape
                assert t.engine.dtype == t.torch.dtype == np.float64


def test_gradients_are_the_networks_own_and_the_network_is_untouched():
    net, X, y = problem(np.random.default_rng(1), ["tanh"], "sigmoid", "bce")
    before = {k: p.copy() for k, p in net.params().items()}
    result = compare_with_torch(net, X, y)
    assert all(layer.x is None for layer in net.layers)  # no forward ran on it
    assert all(np.array_equal(before[k], p) for k, p in net.params().items())
    net.forward(X)
    loss = net.backward(y)
    assert result.engine_loss == loss
    for t in result.tensors:
        assert np.array_equal(t.engine, net.grads()[t.name])


class ScaledDW(Network):
    """A fake mistake: layer 2's dW comes out 1.5 times too large."""

    def backward(self, y, *, record=False):
        loss = super().backward(y, record=record)
        self.layers[1].dW *= 1.5
        return loss


def test_an_injected_difference_is_reported_in_its_tensor_only():
    net, X, y = problem(np.random.default_rng(2), ["elu"], "linear", "mse")
    net.__class__ = ScaledDW  # survives the copy compare_with_torch makes
    result = compare_with_torch(net, X, y)
    by_name = {t.name: t.max_relative_difference for t in result.tensors}
    assert by_name.pop("2.W") == pytest.approx(1 / 3)  # |1.5t − t| / 1.5|t|
    assert max(by_name.values()) <= 1e-10
    assert abs(result.engine_loss - result.torch_loss) <= 1e-12 * result.torch_loss


def test_feedback_alignment_differs_below_the_output_layer():
    net, X, y = problem(np.random.default_rng(3), ["tanh"], "softmax", "ce")
    if not hasattr(net.layers[0], "B"):
        pytest.skip("this engine has no feedback alignment")
    rng = np.random.default_rng(4)
    for layer in net.layers[1:]:
        layer.B = rng.normal(0, 0.5, (layer.fan_out, layer.fan_in))
    by_name = {t.name: t.max_relative_difference for t in compare_with_torch(net, X, y).tensors}
    assert by_name["3.W"] <= 1e-10 and by_name["3.b"] <= 1e-10  # the output layer: true gradient
    assert by_name["1.W"] > 1e-3 and by_name["2.W"] > 1e-3


def test_a_float32_network_is_compared_in_float64():
    rng = np.random.default_rng(5)
    net = Network.build([2, 4, 1], ["swish", "sigmoid"], "mse", rng=rng, dtype=np.float32)
    X, y = rng.normal(size=(9, 2)), rng.random((9, 1))
    result = compare_with_torch(net, X, y)
    assert result.max_relative_difference <= 1e-10
    assert net.layers[0].W.dtype == np.float32  # the network keeps its own precision


def test_large_pre_activations_match_too():
    """Softplus beyond torch's default threshold (20), ELU and swish far into their tails."""
    rng = np.random.default_rng(6)
    for act in ("softplus", "elu", "swish", "sigmoid", "tanh"):
        net = Network.build([2, 6, 1], [act, "linear"], "mse", rng=rng)
        net.layers[0].W *= 40  # |z| up to ~100
        X, y = rng.normal(size=(30, 2)), rng.normal(size=(30, 1))
        assert compare_with_torch(net, X, y).max_relative_difference <= 1e-10, act


def test_relative_difference_floor():
    assert relative_difference(np.zeros(3), np.zeros(3)) == 0.0
    # An element ~1e-17 where the other side has 0, beside elements of size 1: noise, not a miss.
    assert relative_difference(np.array([1.0, 1e-17]), np.array([1.0, 0.0])) < 1e-12
    assert relative_difference(np.array([2.0, 1.0]), np.array([1.0, 1.0])) == 0.5
    assert relative_difference(np.array([np.nan]), np.array([1.0])) == np.inf


def test_data_that_does_not_fit_is_one_line():
    net, X, y = problem(np.random.default_rng(7), ["relu"], "sigmoid", "bce")
    with pytest.raises(ValueError, match="takes 3 inputs"):
        compare_with_torch(net, X[:, :2], y)
    with pytest.raises(ValueError, match="same, non-zero length"):
        compare_with_torch(net, X, y[:-1])
