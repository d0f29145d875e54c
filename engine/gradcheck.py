"""Gradient checking: backprop's gradients against central differences.

For every parameter tensor, relative difference ‖a − n‖ / (‖a‖ + ‖n‖) over the checked
elements (all of them, or a seeded sample when the tensor is larger than `max_elements`).
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


def relative_difference(analytic: np.ndarray, numeric: np.ndarray) -> float:
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def gradcheck(network: Network, X: np.ndarray, y: np.ndarray, *, eps: float = 1e-6,
              max_elements: int = 200, seed: int = 0) -> list[GradcheckResult]:
    """Compare network.backward's gradient with (L(θ+ε) − L(θ−ε)) / 2ε for each parameter."""
    network.forward(X)
    network.backward(y)
    analytic = {k: g.copy() for k, g in network.grads().items()}
    rng = np.random.default_rng(seed)
    results = []
    for name, param in network.params().items():
        flat = param.reshape(-1)  # a view: writes go to the parameter
        if flat.size > max_elements:
            chosen = rng.choice(flat.size, max_elements, replace=False)
        else:
            chosen = np.arange(flat.size)
        numeric = np.empty(len(chosen))
        for j, idx in enumerate(chosen):
            old = flat[idx]
            flat[idx] = old + eps
            plus = network.loss_value(X, y)
            flat[idx] = old - eps
            minus = network.loss_value(X, y)
            flat[idx] = old
            numeric[j] = (plus - minus) / (2 * eps)
        diff = relative_difference(analytic[name].reshape(-1)[chosen], numeric)
        results.append(GradcheckResult(name, diff, len(chosen), flat.size))
    return results
