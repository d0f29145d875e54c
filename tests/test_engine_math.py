"""The engine's derivatives against central differences: activations, softmax's Jacobian,
losses, and whole-network gradients (engine.gradcheck) over activations × losses × depths ×
batch sizes, plus a hypothesis search over random small architectures."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, get_activation
from engine.gradcheck import gradcheck, relative_difference
from engine.losses import LOSSES, check_pairing, get_loss
from engine.network import Network

THRESHOLD = 1e-7  # the CLI's gradcheck threshold

# Every output activation / loss pair the engine accepts.
PAIRS = [(act, "mse") for act in LOSSES["mse"].output_activations] + [
    ("sigmoid", "bce"), ("softmax", "ce")]


def central_difference(f, x, h):
    """Element-wise (f(x + h) − f(x − h)) / 2h, perturbing one element at a time."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (f(plus) - f(minus)) / (2 * h)
    return grad


# -- activations ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_activation_derivative_matches_central_differences(name):
    act = get_activation(name)
    rng = np.random.default_rng(1)
    z = rng.uniform(-4, 4, (6, 5))
    z[np.abs(z) < 1e-3] = 0.5  # stay clear of the kink at 0 (relu, leaky_relu)
    h = 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    analytic = act.derivative(z, act.forward(z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    assert analytic.shape == z.shape and analytic.dtype == z.dtype


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_activation_backward_is_dA_times_derivative(name):
    act = get_activation(name)
    rng = np.random.default_rng(2)
    z, dA = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    a = act.forward(z)
    np.testing.assert_array_equal(act.backward(z, a, dA), dA * act.derivative(z, a))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "swish", "elu"])
def test_activation_is_finite_for_extreme_inputs(name):
    z = np.array([[-1e4, -800.0, 0.0, 800.0, 1e4]])
    with np.errstate(over="raise"):  # the stable forms must not overflow at all
        a = get_activation(name).forward(z)
    assert np.all(np.isfinite(a))


def test_sigmoid_extremes_and_symmetry():
    sig = get_activation("sigmoid")
    z = np.linspace(-30, 30, 61)
    a = sig.forward(z)
    np.testing.assert_allclose(a + sig.forward(-z), 1.0, rtol=0, atol=1e-15)
    assert sig.forward(np.array([0.0]))[0] == 0.5
    assert sig.forward(np.array([-1000.0]))[0] == 0.0 and sig.forward(np.array([1000.0]))[0] == 1.0


def test_softmax_rows_sum_to_one_and_survive_large_logits():
    sm = get_activation("softmax")
    z = np.array([[1000.0, 1001.0, 999.0], [-5.0, 0.0, 5.0]])
    a = sm.forward(z)
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    with pytest.raises(ValueError):
        sm.derivative(z, a)


def test_softmax_backward_is_the_numeric_jacobian_vector_product():
    sm = get_activation("softmax")
    rng = np.random.default_rng(3)
    z, dA = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    a = sm.forward(z)
    expected = np.empty_like(z)
    for row in range(len(z)):
        # J[i, k] = ∂a_k/∂z_i by central differences; dL/dz_i = Σ_k J[i, k] · dL/da_k.
        jacobian = np.empty((4, 4))
        for i in range(4):
            plus, minus = z[row].copy(), z[row].copy()
            plus[i] += 1e-6
            minus[i] -= 1e-6
            jacobian[i] = (sm.forward(plus[None])[0] - sm.forward(minus[None])[0]) / 2e-6
        expected[row] = jacobian @ dA[row]
    np.testing.assert_allclose(sm.backward(z, a, dA), expected, rtol=1e-6, atol=1e-9)


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="unknown activation"):
        get_activation("gelu")


# -- losses --------------------------------------------------------------------------------

def _targets(loss, rng, m, k):
    if loss == "ce":
        return np.eye(k)[rng.integers(0, k, m)]
    if loss == "bce":
        return rng.integers(0, 2, (m, k)).astype(float)
    return rng.normal(size=(m, k))


@pytest.mark.parametrize("output", LOSSES["mse"].output_activations)
def test_mse_dA_matches_numeric(output):
    rng = np.random.default_rng(4)
    act, loss = get_activation(output), get_loss("mse")
    z = rng.normal(size=(6, 2))
    a, y = act.forward(z), _targets("mse", rng, 6, 2)
    numeric = central_difference(lambda a_: loss.value(z, a_, y), a, 1e-6)
    np.testing.assert_allclose(loss.dA(z, a, y), numeric, rtol=1e-6, atol=1e-10)


def test_bce_dA_matches_numeric_through_the_logit():
    # The fused loss is computed from z; ŷ = σ(z) ⇔ z = ln(ŷ / (1 − ŷ)), so perturb ŷ via z.
    rng = np.random.default_rng(5)
    loss, sig = get_loss("bce"), get_activation("sigmoid")
    z = rng.normal(size=(6, 1))
    a, y = sig.forward(z), _targets("bce", rng, 6, 1)

    def loss_of_a(a_):
        return loss.value(np.log(a_ / (1 - a_)), a_, y)

    numeric = central_difference(loss_of_a, a, 1e-7)
    np.testing.assert_allclose(loss.dA(z, a, y), numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("output, loss_name", [("sigmoid", "bce"), ("softmax", "ce")])
def test_fused_dZ_matches_numeric_and_the_unfused_chain_rule(output, loss_name):
    rng = np.random.default_rng(6)
    act, loss = get_activation(output), get_loss(loss_name)
    k = 1 if loss_name == "bce" else 3
    z = rng.normal(size=(7, k))
    a, y = act.forward(z), _targets(loss_name, rng, 7, k)
    numeric = central_difference(lambda z_: loss.value(z_, act.forward(z_), y), z, 1e-6)
    np.testing.assert_allclose(loss.dZ(z, a, y), numeric, rtol=1e-6, atol=1e-10)
    # The fusion is only a shortcut: dL/dŷ pushed back through the activation gives the same.
    unfused = act.backward(z, a, loss.dA(z, a, y))
    np.testing.assert_allclose(unfused, loss.dZ(z, a, y), rtol=1e-9, atol=1e-12)


def test_losses_are_stable_for_saturated_outputs():
    z = np.array([[800.0], [-800.0]])
    y = np.array([[0.0], [1.0]])
    bce = get_loss("bce").value(z, get_activation("sigmoid").forward(z), y)
    assert bce == pytest.approx(800.0)  # ln(1 + e^800) ≈ 800, not inf
    zc = np.array([[1000.0, 0.0, -1000.0]])
    ce = get_loss("ce").value(zc, get_activation("softmax").forward(zc), np.array([[0, 0, 1.0]]))
    assert ce == pytest.approx(2000.0)


def test_pairing_refuses_meaningless_output_loss_pairs():
    for output, loss in [("softmax", "mse"), ("tanh", "bce"), ("sigmoid", "ce"), ("relu", "ce")]:
        with pytest.raises(ValueError, match="needs an output activation"):
            check_pairing(output, loss)
    for output, loss in PAIRS:
        check_pairing(output, loss)
    with pytest.raises(ValueError, match="unknown loss"):
        get_loss("hinge")


# -- whole-network gradient checks -------------------------------------------------------

def random_network(rng, sizes, hidden, output, loss):
    """Random weights and biases (random biases keep ReLU pre-activations off exactly 0)."""
    weights = [{"W": rng.normal(0, 0.8, (i, o)), "b": rng.normal(0, 0.5, o)}
               for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    return Network.build(sizes, [*hidden, output], loss, weights=weights)


def random_problem(seed, hidden_sizes, hidden, output, loss, batch, inputs=3):
    rng = np.random.default_rng(seed)
    k = 3 if loss == "ce" else (1 if loss == "bce" else 2)
    net = random_network(rng, [inputs, *hidden_sizes, k], hidden, output, loss)
    X = rng.normal(size=(batch, inputs))
    return net, X, _targets(loss, rng, batch, k)


def assert_gradients_agree(net, X, y):
    results = gradcheck(net, X, y)
    assert len(results) == 2 * len(net.layers)
    worst = max(r.relative_difference for r in results)
    assert worst < THRESHOLD, [(r.name, r.relative_difference) for r in results]
    assert sum(r.checked for r in results) > 0


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("output, loss", PAIRS)
def test_gradcheck_every_activation_with_every_output_and_loss(hidden, output, loss):
    net, X, y = random_problem(10, [3, 2], [hidden, hidden], output, loss, batch=5)
    assert_gradients_agree(net, X, y)


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("batch", [1, 7, 32])
@pytest.mark.parametrize("hidden, output, loss", [
    ("tanh", "linear", "mse"), ("relu", "sigmoid", "bce"), ("elu", "softmax", "ce"),
    ("leaky_relu", "tanh", "mse"), ("sigmoid", "softmax", "ce")])
def test_gradcheck_over_depths_and_batch_sizes(depth, batch, hidden, output, loss):
    net, X, y = random_problem(depth * 100 + batch, [4, 3, 2][:depth], [hidden] * depth,
                               output, loss, batch)
    assert_gradients_agree(net, X, y)


def test_gradcheck_mixed_activations_in_one_network():
    net, X, y = random_problem(11, [4, 3, 3], ["swish", "relu", "softplus"], "softmax", "ce", 9)
    assert_gradients_agree(net, X, y)


def test_gradcheck_catches_a_wrong_gradient(monkeypatch):
    """The check must be able to fail: a derivative off by 10 % is reported."""
    tanh = get_activation("tanh")
    monkeypatch.setattr(tanh, "derivative", lambda z, a: 1.1 * (1 - a * a))
    net, X, y = random_problem(12, [3], ["tanh"], "linear", "mse", batch=4)
    results = gradcheck(net, X, y)
    assert max(r.relative_difference for r in results) > 1e-3


def test_gradcheck_skips_elements_that_cross_a_relu_kink():
    # A pre-activation within ε of 0: nudging the bias crosses the kink, so it is skipped.
    weights = [{"W": [[1.0]], "b": [1e-7]}, {"W": [[1.0]], "b": [0.0]}]
    net = Network.build([1, 1, 1], ["relu", "linear"], "mse", weights=weights)
    results = {r.name: r for r in gradcheck(net, np.array([[0.0]]), np.array([[1.0]]))}
    assert results["1.b"].skipped_kinks == 1 and results["1.b"].checked == 0
    assert results["2.b"].relative_difference < THRESHOLD


def test_gradcheck_samples_large_tensors():
    net, X, y = random_problem(13, [30], ["tanh"], "linear", "mse", batch=3, inputs=10)
    results = {r.name: r for r in gradcheck(net, X, y, max_elements=50)}
    assert results["1.W"].total == 300 and results["1.W"].checked == 50
    assert results["1.W"].relative_difference < THRESHOLD


def test_relative_difference_of_zero_gradients_is_zero():
    assert relative_difference(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_difference(np.ones(2), -np.ones(2)) == pytest.approx(1.0)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(
    hidden_sizes=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    data=st.data(),
    pair=st.sampled_from(PAIRS),
    batch=st.integers(1, 8),
    inputs=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_gradcheck_random_small_architectures(hidden_sizes, data, pair, batch, inputs, seed):
    hidden = data.draw(st.lists(st.sampled_from(HIDDEN_ACTIVATIONS), min_size=len(hidden_sizes),
                                max_size=len(hidden_sizes)))
    output, loss = pair
    net, X, y = random_problem(seed, hidden_sizes, hidden, output, loss, batch, inputs)
    assert_gradients_agree(net, X, y)


def test_activation_table_is_complete():
    # Every activation names its formula and derivative for the GUI's tables and tooltips.
    for act in ACTIVATIONS.values():
        assert act.name and act.formula and act.derivative_formula
