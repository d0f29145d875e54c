"""Gradient checking: backprop's gradients against central differences.

For every parameter tensor, relative difference ‖a − n‖ / (‖a‖ + ‖n‖) over the checked
elements (all of them, or a seeded sample when the tensor is larger than `max_elements`).

Two details keep the check about backprop rather than about arithmetic:
- the finite differences are evaluated on an extended-precision copy (long double), since in
  float64 rounding (about u·L/ε) swamps gradients of 1e-5, as in a vanishing-gradient net;
- an element whose ±ε nudge moves a ReLU pre-activation across 0 is skipped and counted: the
  loss has a kink there, and no finite difference can agree with either one-sided derivative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network


@dataclass(frozen=True)
class GradcheckResult:
    name: str  # "1.W"
    relative_difference: float
    checked: int  # elements compared
    total: int
    skipped_kinks: int = 0  # elements skipped because ±ε crossed a ReLU kink


def relative_difference(analytic: np.ndarray, numeric: np.ndarray) -> float:
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def extended_copy(network: Network) -> Network:
    """The same network in extended precision (x86's 80-bit long double)."""
    weights = [{"W": layer.W, "b": layer.b} for layer in network.layers]
    activations = [layer.activation.name for layer in network.layers]
    return Network.build(network.sizes, activations, network.loss.name, weights=weights,
                         dtype=np.longdouble)


def _loss_and_kinks(network: Network, X, y):
    """Loss, and which side of 0 every pre-activation of a kinked activation is on."""
    passes = network.pass_through(X)
    kinks = [z > 0 for (z, _), layer in zip(passes, network.layers, strict=True)
             if layer.activation.kinked]
    z, a = passes[-1]
    return network.loss.value(z, a, y), kinks


def _same(kinks_a, kinks_b) -> bool:
    return all(np.array_equal(p, q) for p, q in zip(kinks_a, kinks_b, strict=True))


def gradcheck(network: Network, X: np.ndarray, y: np.ndarray, *, eps: float = 1e-5,
              max_elements: int = 200, seed: int = 0) -> list[GradcheckResult]:
    """Compare network.backward's gradient with (L(θ+ε) − L(θ−ε)) / 2ε for each parameter."""
    network.forward(X)
    network.backward(y)
    analytic = {k: g.copy() for k, g in network.grads().items()}
    reference = extended_copy(network)
    X, y = X.astype(np.longdouble), y.astype(np.longdouble)
    _, base_kinks = _loss_and_kinks(reference, X, y)
    rng = np.random.default_rng(seed)
    results = []
    for name, param in reference.params().items():
        flat = param.reshape(-1)  # a view: writes go to the parameter
        if flat.size > max_elements:
            chosen = rng.choice(flat.size, max_elements, replace=False)
        else:
            chosen = np.arange(flat.size)
        kept, numeric = [], []
        for idx in chosen:
            old = flat[idx]
            flat[idx] = old + eps
            plus, kinks_plus = _loss_and_kinks(reference, X, y)
            flat[idx] = old - eps
            minus, kinks_minus = _loss_and_kinks(reference, X, y)
            flat[idx] = old
            if _same(kinks_plus, base_kinks) and _same(kinks_minus, base_kinks):
                kept.append(idx)
                numeric.append(float((plus - minus) / (2 * eps)))
        diff = relative_difference(analytic[name].reshape(-1)[kept], np.array(numeric))
        results.append(GradcheckResult(name, diff, len(kept), flat.size, len(chosen) - len(kept)))
    return results
