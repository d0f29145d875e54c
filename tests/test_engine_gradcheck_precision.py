"""No false alarms: ELU's derivative without cancellation, the issue's deep net, hundreds of
seeded random deep nets of every activation, and tensors whose gradients are too small for any
finite difference reported "not checked" instead of failed."""

import numpy as np
import pytest
from gradcheck_helpers import OUTPUTS, issue_net, random_net

from engine.activations import get_activation
from engine.gradcheck import DEFAULT_THRESHOLD, gradcheck
from engine.network import Network


@pytest.mark.parametrize("z", [-40.0, -30.0, -5.0, -1e-3])
def test_elu_derivative_is_exp_z_to_full_precision(z):
    elu = get_activation("elu")
    zs = np.array([z])
    derivative = elu.derivative(zs, elu.forward(zs))[0]
    assert abs(derivative / np.exp(z) - 1) < 1e-12  # a + 1 gave 0 at −40, 2e-4 off at −30


def test_elu_derivative_is_one_for_positive_z():
    elu = get_activation("elu")
    z = np.array([1e-9, 0.5, 40.0])
    np.testing.assert_array_equal(elu.derivative(z, elu.forward(z)), 1.0)


def test_the_issues_deep_net_passes():
    net, X, y = issue_net()
    plain = gradcheck(net, X, y, eps=1e-5)  # the textbook check (and the old default)
    assert all(r.relative_difference > DEFAULT_THRESHOLD for r in plain)  # the false alarm
    results = gradcheck(net, X, y)
    assert [r.status() for r in results] == ["passed"] * 12, [
        (r.name, r.relative_difference, r.resolution) for r in results]
    assert sum(r.checked for r in results) == sum(p.size for p in net.params().values())


def test_three_hundred_random_deep_nets_never_fail():
    statuses = []
    for seed in range(300):
        net, X, y = random_net(seed, max_batch=4, max_width=4)
        results = gradcheck(net, X, y, max_elements=3)
        failed = [(r.name, r.relative_difference, r.resolution) for r in results
                  if r.status() == "failed"]
        assert not failed, (seed, failed)
        statuses += [r.status() for r in results if r.checked]
    # "not checked" is the exception (gradients of ~1e-10 and below), not the way to pass.
    assert statuses.count("passed") >= 0.97 * len(statuses)


@pytest.mark.parametrize("output, loss", OUTPUTS)
def test_every_output_and_loss_on_deep_nets(output, loss):
    for seed in range(10):
        net, X, y = random_net(1000 + seed, output=(output, loss), max_batch=6)
        assert all(r.status() != "failed" for r in gradcheck(net, X, y, max_elements=4))


def test_a_gradient_far_below_rounding_is_not_checked():
    """ELU at z ≈ −70 passes on eᶻ ≈ 4e-31: the first layer's true gradient is ~1e-31 while
    the loss is ~0.5. No finite difference sees that; the analytic value is right, but the
    check must say it could not tell, not "failed" (or "passed")."""
    weights = [{"W": [[1.0]], "b": [-70.0]}, {"W": [[1.0]], "b": [0.5]}]
    net = Network.build([1, 1, 1], ["elu", "linear"], "mse", weights=weights)
    X, y = np.array([[0.5]]), np.array([[0.0]])
    results = {r.name: r for r in gradcheck(net, X, y)}
    first = results["1.b"]
    assert first.checked == 1 and abs(first.analytic[0]) < 1e-29
    assert first.status() == "not checked" and "rounding" in first.note()
    assert results["2.b"].status() == "passed"


def test_a_wrong_gradient_in_a_tiny_gradient_tensor_still_fails(monkeypatch):
    """Resolution is relative to the gradients shown: a large wrong value is always caught."""
    weights = [{"W": [[1.0]], "b": [-70.0]}, {"W": [[1.0]], "b": [0.5]}]
    net = Network.build([1, 1, 1], ["elu", "linear"], "mse", weights=weights)
    backward = net.backward

    def wrong(y_, **kw):
        loss = backward(y_, **kw)
        net.layers[0].db[...] = 0.3
        return loss

    monkeypatch.setattr(net, "backward", wrong)
    results = {r.name: r for r in gradcheck(net, np.array([[0.5]]), np.array([[0.0]]))}
    assert results["1.b"].status() == "failed"
