"""Feedback alignment's arithmetic: the fixed matrices B, the error they carry down, the true
gradient it is compared with, and the angle between the two."""

import math

import numpy as np
import pytest

from engine.feedback import (
    FEEDBACK_LABELS,
    FEEDBACK_MODES,
    alignment_angles,
    angle,
    feedback_matrices,
    true_gradients,
)
from engine.network import Network
from engine.presets import load_preset
from engine.trainer import Trainer


def test_modes_and_labels():
    assert FEEDBACK_MODES == ("backprop", "fa")
    assert FEEDBACK_LABELS == {"backprop": "backprop (Wᵀ)",
                               "fa": "feedback alignment (fixed random B)"}


@pytest.mark.parametrize("degrees", [0.0, 30.0, 60.0, 90.0, 135.0, 180.0])
def test_angle_of_vectors_with_a_known_angle(degrees):
    theta = math.radians(degrees)
    u = np.array([3.0, 0.0, 0.0])  # lengths do not matter
    v = 0.5 * np.array([math.cos(theta), math.sin(theta), 0.0])
    assert angle(u, v) == pytest.approx(degrees, abs=1e-12)
    assert angle(v.reshape(3, 1), u) == pytest.approx(degrees, abs=1e-12)  # any shape: flattened


def test_angle_is_exact_at_0_and_180_and_undefined_for_a_zero_vector():
    u = np.array([1e-3, 2.0, -7.5])
    assert angle(u, 4 * u) == 0.0
    assert angle(u, -u) == 180.0
    assert math.isnan(angle(u, np.zeros(3)))
    assert math.isnan(angle(np.zeros(2), np.zeros(2)))


def tiny_net(B):
    """x(1) → 2 linear → 1 linear, MSE, one sample x = 1, y = 0, with a hand-picked B⁽²⁾.

    W¹ = [1, 0], W² = [1, 1]ᵀ: a¹ = [1, 0], ŷ = 1, ∂L/∂ŷ = 2(ŷ − y) = 2 = ∂L/∂z², so
    ∂L/∂W² = a¹ᵀ·2 = [2, 0]ᵀ, ∂L/∂b² = 2. Backprop: ∂L/∂a¹ = 2·W²ᵀ = [2, 2], so the true
    (∂L/∂W¹, ∂L/∂b¹) = (2, 2, 2, 2). Feedback alignment: ∂L/∂a¹ = 2·B = [2B₁, 2B₂], so the
    update is (2B₁, 2B₂, 2B₁, 2B₂), at the angle between B and [1, 1] from the true gradient.
    """
    net = Network.build([1, 2, 1], ["linear", "linear"], "mse",
                        weights=[{"W": [[1.0, 0.0]], "b": [0.0, 0.0]},
                                 {"W": [[1.0], [1.0]], "b": [0.0]}])
    net.layers[1].B = np.array([B], dtype=float)
    net.forward(np.array([[1.0]]))
    net.backward(np.array([[0.0]]))
    return net


@pytest.mark.parametrize("degrees", [0.0, 45.0, 60.0, 90.0, 150.0, 180.0])
def test_hand_made_network_gives_the_update_and_angle_worked_out_by_hand(degrees):
    phi = math.radians(45.0 + degrees)  # B at `degrees` from [1, 1] (which points at 45°)
    B = [math.cos(phi), math.sin(phi)]
    net = tiny_net(B)
    first, out = net.layers
    np.testing.assert_allclose(first.dX, [[2 * B[0]]], rtol=1e-15)  # to x via W¹ᵀ = [1, 0]ᵀ
    np.testing.assert_allclose(first.dA, [[2 * B[0], 2 * B[1]]], rtol=1e-15)
    np.testing.assert_allclose(first.dW, [[2 * B[0], 2 * B[1]]], rtol=1e-15)
    np.testing.assert_allclose(first.db, [2 * B[0], 2 * B[1]], rtol=1e-15)
    np.testing.assert_array_equal(out.dW, [[2.0], [0.0]])
    np.testing.assert_array_equal(out.db, [2.0])
    (dW1, db1), (dW2, db2) = true_gradients(net)
    np.testing.assert_array_equal(dW1, [[2.0, 2.0]])
    np.testing.assert_array_equal(db1, [2.0, 2.0])
    np.testing.assert_array_equal(dW2, out.dW)
    np.testing.assert_array_equal(db2, out.db)
    angles = alignment_angles(net)
    assert angles[0] == pytest.approx(degrees, abs=1e-9)
    assert angles[1] == 0.0  # the output layer's update is the true gradient


def test_true_gradient_leaves_the_layer_caches_alone():
    net = tiny_net([0.3, -0.8])
    before = [{k: np.array(getattr(la, k), copy=True) for k in ("x", "z", "a", "dA", "dZ",
                                                                 "dW", "db", "dX")}
              for la in net.layers]
    alignment_angles(net)
    for layer, saved in zip(net.layers, before, strict=True):
        for k, v in saved.items():
            np.testing.assert_array_equal(getattr(layer, k), v)


def fa_trainer(preset="playground", **changes):
    return Trainer(load_preset(preset).replace(feedback="fa", **changes))


@pytest.mark.parametrize("preset, changes", [
    ("playground", {}),
    ("playground", {"hidden": [6, 5, 4], "activations": ["tanh", "tanh", "tanh"]}),
    ("softmax-2-3-2", {}),
    ("playground", {"hidden": [5, 3, 4], "activations": ["elu", "sigmoid", "relu"],
                    "initializer": "he"}),
])
def test_true_gradient_matches_central_differences(preset, changes):
    t = fa_trainer(preset, **changes)
    for _ in range(3):  # weights away from their initial values
        t.step()
    net = t.network
    X, Y = t.X_train[:16], t.Y_train[:16]
    net.forward(X)
    net.backward(Y)
    grads = true_gradients(net)
    eps = 1e-6
    for layer, (dW, db) in zip(net.layers, grads, strict=True):
        numeric = central_differences(net, layer.W, X, Y, eps)
        assert relative(dW, numeric) < 1e-6
        assert relative(db, central_differences(net, layer.b, X, Y, eps)) < 1e-6
        if layer is not net.layers[-1]:  # and what the FA step used is something else
            assert relative(layer.dW, numeric) > 1e-3


def relative(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def central_differences(net, p, X, Y, eps):
    numeric = np.zeros_like(p)
    for index in np.ndindex(p.shape):
        old = p[index]
        p[index] = old + eps
        up = net.loss.value(*net.output(X), Y)
        p[index] = old - eps
        down = net.loss.value(*net.output(X), Y)
        p[index] = old
        numeric[index] = (up - down) / (2 * eps)
    return numeric


def test_true_gradient_equals_backprops_own_gradient():
    fa = fa_trainer("vanishing")
    bp = Trainer(load_preset("vanishing"))
    for t in (fa, bp):
        t.network.forward(t.X_train[:20])
        t.network.backward(t.Y_train[:20])
    for (dW, db), layer in zip(true_gradients(fa.network), bp.network.layers, strict=True):
        np.testing.assert_allclose(dW, layer.dW, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(db, layer.db, rtol=1e-12, atol=1e-300)


def test_with_B_equal_to_W_transposed_feedback_alignment_is_backprop():
    t = fa_trainer("vanishing")
    net = t.network
    for layer in net.layers[1:]:
        layer.B = layer.W.T.copy()
    net.forward(t.X_train[:20])
    net.backward(t.Y_train[:20])
    np.testing.assert_allclose(alignment_angles(net), 0.0, atol=1e-5)


def test_feedback_matrices_shapes_scale_and_seed():
    t = fa_trainer("vanishing")
    layers = t.network.layers
    assert layers[0].B is None
    for layer in layers[1:]:
        assert layer.B.shape == (layer.fan_out, layer.fan_in)
        assert layer.B.dtype == layer.W.dtype and layer.B.flags.c_contiguous
        limit = math.sqrt(6 / (layer.fan_in + layer.fan_out))  # Xavier, like W
        assert np.abs(layer.B).max() <= limit and np.abs(layer.B).max() > limit / 2
        assert not np.allclose(layer.B, layer.W.T)
    again = feedback_matrices(t.network, t.spec.seed, t.spec.initializer)
    assert all(np.array_equal(la.B, B) for la, B in zip(layers[1:], again[1:], strict=True))
    other = feedback_matrices(t.network, t.spec.seed + 1, t.spec.initializer)
    assert not np.array_equal(other[1], layers[1].B)


def test_feedback_matrices_draw_from_their_own_stream():
    """Turning feedback alignment on changes neither the initial weights nor the batches."""
    fa, bp = fa_trainer(), Trainer(load_preset("playground"))
    assert all(np.array_equal(a, b) for a, b in
               zip(fa.network.params().values(), bp.network.params().values(), strict=True))
    assert np.array_equal(fa.next_batch(), bp.next_batch())


def test_zeros_initializer_still_gets_a_random_B():
    t = fa_trainer(initializer="zeros")
    assert all(np.abs(la.B).max() > 0 for la in t.network.layers[1:])


def test_float32_run_has_float32_B_and_angles():
    t = fa_trainer(dtype="float32")
    assert t.network.layers[1].B.dtype == np.float32
    stats = t.step()
    assert len(stats.alignment) == 3 and all(0 <= a <= 180 for a in stats.alignment[:2])


def test_angles_lie_in_0_to_180_and_the_output_layers_is_0():
    t = fa_trainer("vanishing", learning_rate=0.5)
    for _ in range(60):
        stats = t.step()
        angles = np.array(stats.alignment)
        assert angles.shape == (7,)
        assert np.all((angles[:-1] >= 0) & (angles[:-1] <= 180))
        assert angles[-1] == 0.0
    assert angles[:-1].max() > 90  # this deep net has some anti-aligned layers: the range is used


def test_backward_under_fa_hands_down_dZ_times_B():
    t = fa_trainer("vanishing")
    t.network.forward(t.X_train[:10])
    t.network.backward(t.Y_train[:10])
    layers = t.network.layers
    for below, layer in zip(layers[:-1], layers[1:], strict=True):
        np.testing.assert_array_equal(layer.dX, layer.dZ @ layer.B)
        np.testing.assert_array_equal(below.dA, layer.dX)
    np.testing.assert_array_equal(layers[0].dX, layers[0].dZ @ layers[0].W.T)
