"""engine.gradcheck element by element: what a result holds (analytic, numeric, skipped mask,
worst element), its status, every element compared or counted, an all-skipped tensor "not
checked", an explicit ε, and check_data's choice of samples."""

import numpy as np
import pytest
from gradcheck_helpers import random_net

from engine.gradcheck import DEFAULT_THRESHOLD, EPS_CHOICES, GradcheckResult, check_data, gradcheck
from engine.network import Network
from engine.presets import load_preset
from engine.trainer import Trainer


def by_name(results):
    return {r.name: r for r in results}


def test_a_result_holds_both_gradients_element_by_element():
    net, X, y = random_net(3, max_batch=4)
    results = gradcheck(net, X, y)
    assert [r.name for r in results] == list(net.params())
    for r, (name, param) in zip(results, net.params().items(), strict=True):
        assert r.analytic.shape == r.numeric.shape == r.skipped.shape == param.shape
        assert r.analytic.dtype == r.numeric.dtype == np.float64 and r.skipped.dtype == bool
        np.testing.assert_array_equal(r.analytic, net.grads()[name])
        compared = ~np.isnan(r.numeric)
        np.testing.assert_allclose(r.numeric[compared], r.analytic[compared], rtol=1e-6,
                                   atol=1e-12)
        assert r.status() == "passed" and r.worst is not None


@pytest.mark.parametrize("seed", range(12))
def test_every_element_is_compared_or_counted(seed):
    net, X, y = random_net(seed, max_batch=5)
    for r in gradcheck(net, X, y, max_elements=5):
        sampled = min(r.total, 5)
        compared = ~np.isnan(r.numeric)
        assert r.checked == compared.sum() and r.skipped_kinks == r.skipped.sum()
        assert not (compared & r.skipped).any()
        assert r.checked + r.skipped_kinks == sampled
        assert r.total == r.analytic.size


def kinked_net():
    """A ReLU neuron whose pre-activation is 1e-9: every nudge of its bias big enough to
    measure crosses the kink, and its weight sees an input of 0."""
    weights = [{"W": [[1.0]], "b": [1e-9]}, {"W": [[1.0]], "b": [0.0]}]
    return Network.build([1, 1, 1], ["relu", "linear"], "mse", weights=weights)


def test_an_all_skipped_tensor_is_not_checked_never_passed():
    results = by_name(gradcheck(kinked_net(), np.array([[0.0]]), np.array([[1.0]])))
    bias = results["1.b"]
    assert bias.checked == 0 and bias.skipped_kinks == 1 and bias.skipped.all()
    assert np.isnan(bias.numeric).all() and bias.worst is None
    for threshold in (1e-7, 1.0, np.inf):
        assert bias.status(threshold) == "not checked"
    assert "kink" in bias.note()
    assert results["2.b"].status() == "passed" and results["2.b"].note() == ""


def test_nothing_compared_is_not_checked_even_with_a_zero_difference():
    empty = GradcheckResult("1.W", 0.0, 0, 4, 0, np.zeros(4), np.full(4, np.nan),
                            np.zeros(4, bool), None)
    assert empty.status() == "not checked"


def test_status_thresholds():
    r = GradcheckResult("1.W", 3e-6, 4, 4, 0, np.ones(4), np.ones(4), np.zeros(4, bool), (0,))
    assert r.status(1e-7) == "failed" and r.status(1e-5) == "passed"
    assert r.status() == r.status(DEFAULT_THRESHOLD) == "failed"


def test_worst_points_at_a_hand_made_disagreement(monkeypatch):
    net, X, y = random_net(7, max_batch=4, min_depth=2)
    layer = net.layers[1]
    backward = net.backward

    def off_by_a_bit(y_, **kw):  # the real backward, then one element of 2.W made wrong
        loss = backward(y_, **kw)
        layer.dW[0, layer.dW.shape[1] - 1] += 1e-3
        return loss

    monkeypatch.setattr(net, "backward", off_by_a_bit)
    results = by_name(gradcheck(net, X, y))
    wrong = results["2.W"]
    assert wrong.status() == "failed"
    assert wrong.worst == (0, layer.dW.shape[1] - 1)
    assert wrong.analytic[wrong.worst] - wrong.numeric[wrong.worst] == pytest.approx(1e-3)
    assert all(r.status() == "passed" for name, r in results.items() if name != "2.W")


def test_a_derivative_off_by_a_millionth_fails():
    """The check is sharp: f′ scaled by 1 + 1e-6 (a relative error of 1e-6) is caught at 1e-7."""
    net, X, y = random_net(11, output=("linear", "mse"))
    tanh = net.layers[0].activation  # patch this network's first-layer activation only
    true = type(tanh)().derivative
    net.layers[0].activation = type(tanh)()
    net.layers[0].activation.derivative = lambda z, a: true(z, a) * (1 + 1e-6)
    statuses = {r.name: r.status() for r in gradcheck(net, X, y)}
    assert statuses["1.W"] == "failed" and statuses["1.b"] == "failed"
    assert all(s == "passed" for k, s in statuses.items() if not k.startswith("1."))


def test_an_explicit_eps_is_a_plain_central_difference():
    net, X, y = random_net(5, output=("sigmoid", "mse"))
    ref = net.params()["2.b"]
    results = by_name(gradcheck(net, X, y, eps=1e-3))
    loss = net.loss

    def loss_at(delta):
        ref[0] += delta
        z, a = net.output(X)
        ref[0] -= delta
        return loss.value(z, a, y)

    plain = (loss_at(1e-3) - loss_at(-1e-3)) / 2e-3  # in float64: agrees to ~1e-10
    assert results["2.b"].numeric.flat[0] == pytest.approx(plain, rel=1e-8)
    assert [label for label, _ in EPS_CHOICES][0].startswith("auto")
    assert EPS_CHOICES[0][1] is None and all(v > 0 for _, v in EPS_CHOICES[1:])


@pytest.mark.parametrize("eps", [0.0, -1e-5, float("nan"), float("inf")])
def test_a_bad_eps_is_refused(eps):
    net, X, y = random_net(1)
    with pytest.raises(ValueError, match="ε must be a positive number"):
        gradcheck(net, X, y, eps=eps)


def test_a_non_finite_loss_is_refused_in_one_line():
    weights = [{"W": [[1e300]], "b": [0.0]}, {"W": [[1e300]], "b": [0.0]}]
    net = Network.build([1, 1, 1], ["linear", "linear"], "mse", weights=weights)
    X, y = np.array([[1.0]]), np.array([[0.0]])
    with pytest.raises(ValueError, match="NaN or infinite") as info:
        gradcheck(net, X, y)
    assert "\n" not in str(info.value)


def test_sampling_is_seeded_and_bounded():
    net, X, y = random_net(4, max_width=6)
    a = by_name(gradcheck(net, X, y, max_elements=3, seed=1))
    b = by_name(gradcheck(net, X, y, max_elements=3, seed=1))
    for name in a:
        assert a[name].checked + a[name].skipped_kinks == min(3, a[name].total)
        np.testing.assert_array_equal(np.isnan(a[name].numeric), np.isnan(b[name].numeric))


def test_a_float32_network_is_never_failed_for_its_own_rounding():
    net, X, y = random_net(6, output=("sigmoid", "bce"))
    weights = [{"W": la.W, "b": la.b} for la in net.layers]
    single = Network.build(net.sizes, [la.activation.name for la in net.layers], "bce",
                           weights=weights, dtype=np.float32)
    results = gradcheck(single, X.astype(np.float32), y.astype(np.float32))
    assert all(r.status() != "failed" for r in results)
    assert any(r.resolution > DEFAULT_THRESHOLD for r in results)  # float32 rounds at ~1e-7


# -- which data -----------------------------------------------------------------------------

def test_check_data_before_and_after_a_step():
    trainer = Trainer(load_preset("playground"))
    X, y, text = check_data(trainer)
    assert text == "the first mini-batch (10 samples, before any step)"
    np.testing.assert_array_equal(X, trainer.X_train[:10])
    trainer.step()
    X, y, text = check_data(trainer)
    assert text == "the last mini-batch (10 samples)"
    np.testing.assert_array_equal(X, trainer.X_train[trainer.last_batch])
    np.testing.assert_array_equal(y, trainer.Y_train[trainer.last_batch])
    X, y, text = check_data(trainer, 3)
    assert text == "training sample 3" and X.shape == (1, trainer.X_train.shape[1])
    np.testing.assert_array_equal(y, trainer.Y_train[3:4])


@pytest.mark.parametrize("bad", [-1, 10_000, 2.5, True, "3"])
def test_check_data_refuses_a_bad_sample_in_one_line(bad):
    trainer = Trainer(load_preset("xor"))
    with pytest.raises(ValueError, match="no training sample") as info:
        check_data(trainer, bad)
    assert "\n" not in str(info.value) and "0 to 3" in str(info.value)


def test_a_too_large_explicit_eps_is_not_a_false_alarm():
    """ε = 1e-3's truncation on the playground net is above 1e-7 for correct gradients: the
    check must say it cannot tell ("not checked"), never "failed"."""
    t = Trainer(load_preset("playground"))
    X, y, _ = check_data(t)
    for r in gradcheck(t.network, X, y, eps=1e-3):
        assert r.status() != "failed", (r.name, r.relative_difference, r.resolution)


def test_a_flipped_sign_in_a_float32_network_still_fails():
    spec = load_preset("xor").replace(dtype="float32", hidden=[4, 4], activations=["tanh"] * 2,
                                      loss="mse")
    t = Trainer(spec)
    for _ in range(300):
        t.step()
    X, y, _ = check_data(t)
    from engine import bugs

    bugs.inject(t.network, "loss-gradient-sign")
    assert all(r.status() == "failed" for r in gradcheck(t.network, X, y) if r.checked)


def test_check_data_keeps_at_most_max_rows_and_says_so():
    t = Trainer(load_preset("playground").replace(batch_size=50))
    t.step()
    X, y, description = check_data(t, max_rows=16)
    assert len(X) == len(y) == 16 and "first 16 samples of the last mini-batch (50" in description
