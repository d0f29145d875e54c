"""engine.optimizers: SGD, momentum and Adam against hand computations, state keyed by
parameter name, L1/L2 regularisation and global-norm clipping (alone and in the trainer)."""

import numpy as np
import pytest

from engine.optimizers import (
    SGD,
    Adam,
    Momentum,
    add_regularization,
    clip_by_global_norm,
    make_optimizer,
    regularization_penalty,
)
from engine.presets import load_preset
from engine.trainer import Trainer


def test_sgd_update_by_hand():
    p, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    SGD(0.1).step({"1.W": p}, {"1.W": g})
    np.testing.assert_array_equal(p, [1.0 - 0.05, -2.0 - 0.025])


def test_momentum_updates_by_hand():
    p, g = np.array([1.0]), np.array([2.0])
    opt = Momentum(0.1, momentum=0.9)
    opt.step({"w": p}, {"w": g})
    assert p[0] == pytest.approx(1.0 - 0.2)  # v = −ηg
    opt.step({"w": p}, {"w": g})
    assert p[0] == pytest.approx(0.8 + (0.9 * -0.2 - 0.2))  # v = μv − ηg


def test_adam_first_and_second_update_by_hand():
    p, g = np.array([1.0, 1.0]), np.array([0.5, -4.0])
    opt = Adam(0.01)
    opt.step({"w": p}, {"w": g})
    # Bias correction makes the first step m̂ = g, v̂ = g²: θ −= η·g/(|g| + ε).
    np.testing.assert_allclose(p, [1.0 - 0.01 * 0.5 / (0.5 + 1e-8), 1.0 + 0.01 * 4 / (4 + 1e-8)])
    g2 = np.array([1.0, 1.0])
    m = 0.9 * 0.1 * g + 0.1 * g2
    v = 0.999 * 0.001 * g * g + 0.001 * g2 * g2
    expected = p - 0.01 * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    opt.step({"w": p}, {"w": g2})
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    assert opt.t == 2


def test_optimizer_state_is_keyed_by_name_and_reset_for_a_new_shape():
    opt = Momentum(0.1, momentum=0.9)
    small = np.zeros((2, 3))
    opt.step({"1.W": small, "1.b": np.zeros(3)}, {"1.W": np.ones((2, 3)), "1.b": np.ones(3)})
    assert set(opt.state) == {"1.W.v", "1.b.v"}
    # Layer 1 rebuilt with another shape: its velocity starts from zero, not the old one.
    rebuilt = np.zeros((3, 3))
    opt.step({"1.W": rebuilt}, {"1.W": np.ones((3, 3))})
    np.testing.assert_allclose(rebuilt, -0.1)
    assert opt.state["1.W.v"].shape == (3, 3)


def test_make_optimizer():
    assert isinstance(make_optimizer("momentum", 0.1, 0.5), Momentum)
    assert make_optimizer("momentum", 0.1, 0.5).momentum == 0.5
    assert isinstance(make_optimizer("adam", 0.1), Adam)
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("rmsprop", 0.1)


def test_l1_and_l2_add_the_penalty_gradient_to_weights_only():
    W = np.array([[0.5, -2.0], [0.0, 3.0]])
    for kind, expected in [("l2", 0.1 * W), ("l1", 0.1 * np.sign(W))]:
        grads = {"1.W": np.ones((2, 2)), "1.b": np.ones(2)}
        add_regularization(kind, 0.1, {"1.W": W}, grads)
        np.testing.assert_allclose(grads["1.W"], 1 + expected)
        np.testing.assert_array_equal(grads["1.b"], 1)
    assert regularization_penalty("l2", 0.1, [W]) == pytest.approx(0.5 * 0.1 * np.sum(W * W))
    assert regularization_penalty("l1", 0.1, [W]) == pytest.approx(0.1 * np.sum(np.abs(W)))
    assert regularization_penalty("none", 0.1, [W]) == 0.0


def test_regularization_in_the_trainer_changes_the_update_not_the_reported_gradient():
    spec = load_preset("playground").replace(regularization="l2", reg_rate=0.1)
    trainer = Trainer(spec)
    W_before = trainer.network.layers[0].W.copy()
    trainer.step()
    used = trainer.update_gradients()["1.W"]
    np.testing.assert_allclose(used, trainer.network.layers[0].dW + 0.1 * W_before, rtol=1e-12)


def test_clipping_caps_the_global_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0], [4.0]])}
    norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    assert total == pytest.approx(1.0)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0])  # direction kept
    small = {"a": np.array([0.3, 0.4])}
    assert clip_by_global_norm(small, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(small["a"], [0.3, 0.4])  # under the cap: untouched
    assert clip_by_global_norm({"a": np.array([30.0, 40.0])}, 0) == pytest.approx(50)


def test_clipping_in_the_trainer_bounds_the_update():
    spec = load_preset("playground").replace(clip_norm=1e-3)
    trainer = Trainer(spec)
    trainer.step()
    used = trainer.update_gradients()
    assert np.sqrt(sum(np.sum(g * g) for g in used.values())) == pytest.approx(1e-3)
