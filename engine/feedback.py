"""Feedback alignment (Lillicrap et al. 2016): the error a layer hands down travels through a
fixed random matrix B instead of the transpose of its own forward weights.

Backprop sends ∂L/∂a⁽ˡ⁻¹⁾ = ∂L/∂z⁽ˡ⁾ · W⁽ˡ⁾ᵀ down, which needs the forward weights on the way
back. Feedback alignment sends ∂L/∂z⁽ˡ⁾ · B⁽ˡ⁾ instead, B⁽ˡ⁾ drawn once at random and never
trained. The output layer's update is still the true gradient; every layer below gets a signal
that is not the gradient, and yet the network learns: the forward weights come to agree with
the fixed feedback, and the signal turns to within 90° of the true gradient.
`alignment_angles` measures that angle, layer by layer.

The trainer calls `use_feedback_alignment` once when it builds the network, and
Dense.backward_from_dZ reads layer.B; sessions store the matrices. Everything else here is
measurement, run only when feedback alignment is on.
"""

from __future__ import annotations

import numpy as np

from .initializers import get_initializer
from .json_values import number_array, shown

FEEDBACK_MODES = ("backprop", "fa")
FEEDBACK_LABELS = {"backprop": "backprop (Wᵀ)", "fa": "feedback alignment (fixed random B)"}
FEEDBACK_STREAM = 3  # the seed's generators: 1 initial weights, 2 batch order, 3 the B matrices


def feedback_matrices(network, seed: int, initializer: str) -> list[np.ndarray | None]:
    """One matrix per layer, None for the first (its error goes only to the inputs, which do
    not learn), (fan_out, fan_in) for each layer above: B⁽ˡ⁾ carries layer l's error down to
    layer l − 1, in place of W⁽ˡ⁾ᵀ. Drawn from the seed's own generator, scaled like the
    forward initialisation of that layer (a zero B would carry nothing: "zeros" draws Xavier)."""
    rng = np.random.default_rng([seed, FEEDBACK_STREAM])
    init = get_initializer("xavier" if initializer == "zeros" else initializer)
    matrices: list[np.ndarray | None] = [None]
    for layer in network.layers[1:]:
        B = init(rng, layer.fan_in, layer.fan_out).T
        matrices.append(np.ascontiguousarray(B, dtype=layer.W.dtype))
    return matrices


def use_feedback_alignment(network, seed: int, initializer: str) -> None:
    """Give every layer above the first its fixed random feedback matrix."""
    for layer, B in zip(network.layers, feedback_matrices(network, seed, initializer),
                        strict=True):
        layer.B = B


def feedback_matrices_json(network) -> list:
    """The layers' B as JSON lists for a session (null for the first layer, which has none)."""
    return [None if layer.B is None else layer.B.tolist() for layer in network.layers]


def restore_feedback_matrices(network, feedback: str, matrices) -> None:
    """Put a session's feedback matrices back, in place; ValueError (one line) unless they
    fit the network (the inverse of feedback_matrices_json)."""
    layers = network.layers
    if feedback != "fa":
        raise ValueError("the session has feedback matrices, but its spec trains with backprop")
    if not isinstance(matrices, list) or len(matrices) != len(layers):
        got = len(matrices) if isinstance(matrices, list) else shown(matrices)
        raise ValueError(f"the feedback matrices need {len(layers)} entries (one per layer, "
                         f"null for the first), got {got}")
    if matrices[0] is not None:
        raise ValueError("the first layer has no feedback matrix: its entry must be null")
    arrays = [number_array(B, layer.B.shape, f"layer {i}'s feedback matrix B", layer.W.dtype)
              for i, (layer, B) in enumerate(zip(layers[1:], matrices[1:]), 2)]
    for layer, B in zip(layers[1:], arrays, strict=True):
        layer.B[...] = B


def true_gradients(network) -> list[tuple[np.ndarray, np.ndarray]]:
    """(∂L/∂W, ∂L/∂b) of every layer as backprop would give them for the network's last
    forward and backward pass: the output layer's ∂L/∂z sent down through Wᵀ. Read from the
    layers' caches (x, z, a, the output's dZ) and written to none of them, so the trace and the
    statistics still show what the feedback-alignment step really used."""
    layers = network.layers
    dZ = layers[-1].dZ
    result = []
    for i in range(len(layers) - 1, -1, -1):
        layer = layers[i]
        if i < len(layers) - 1:
            dA = dZ @ layers[i + 1].W.T
            act = layer.activation
            if act.elementwise:
                dZ = dA * act.derivative(layer.z, layer.a)
            else:
                dZ = act.backward(layer.z, layer.a, dA)
        result.append((layer.x.T @ dZ, np.add.reduce(dZ, axis=0)))
    return result[::-1]


def angle(u: np.ndarray, v: np.ndarray) -> float:
    """The angle between two vectors in degrees, in [0, 180]; NaN when either is zero (no
    direction). 2·atan2(‖û − v̂‖, ‖û + v̂‖) stays exact near 0° and 180°, where arccos of the
    cosine loses half the digits."""
    u = np.asarray(u, dtype=np.float64).ravel()
    v = np.asarray(v, dtype=np.float64).ravel()
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if not (nu > 0 and nv > 0 and np.isfinite(nu) and np.isfinite(nv)):
        return float("nan")
    u, v = u / nu, v / nv
    return float(np.degrees(2 * np.arctan2(np.linalg.norm(u - v), np.linalg.norm(u + v))))


def alignment_angles(network) -> np.ndarray:
    """Degrees per layer (1..L) between the update the network's own backward gave — the
    layer's (∂L/∂W, ∂L/∂b) taken together, as the gradient norms are — and the true gradient
    at the same forward pass. A layer whose error passed through no B (the output layer, and
    every layer under backprop) gets exactly 0: its update is the true gradient by
    construction. NaN where either vector is zero (a layer of dead ReLUs)."""
    layers = network.layers
    angles = np.zeros(len(layers))
    if all(layer.B is None for layer in layers):
        return angles  # backprop: nothing to measure
    for i, (layer, (dW, db)) in enumerate(zip(layers, true_gradients(network), strict=True)):
        if any(above.B is not None for above in layers[i + 1:]):
            given = np.concatenate((layer.dW, layer.db), axis=None)
            angles[i] = angle(given, np.concatenate((dW, db), axis=None))
    return angles
