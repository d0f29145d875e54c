"""Optimisers that update parameters in place from their gradients.

State (velocities, Adam moments) is keyed by parameter name ("1.W") and remembers the shape it
was made for, so a rebuilt layer of another shape never inherits stale moments. Regularisation
and global-norm clipping shape the gradient before the optimiser sees it.
"""

from __future__ import annotations

import numpy as np

REGULARIZATIONS = ("none", "l1", "l2")


class Optimizer:
    name = ""
    rule = ""  # the update in symbols, for the step trace

    def __init__(self, learning_rate: float):
        self.learning_rate = learning_rate
        self.state: dict[str, np.ndarray] = {}
        self.t = 0

    def _slot(self, key: str, like: np.ndarray) -> np.ndarray:
        slot = self.state.get(key)
        if slot is None or slot.shape != like.shape:
            slot = self.state[key] = np.zeros_like(like)
        return slot

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        self.t += 1
        for key, p in params.items():
            self.update(key, p, grads[key])

    def update(self, key: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    name, rule = "sgd", "θ ← θ − η·∂L/∂θ"

    def update(self, key, p, g):
        p -= self.learning_rate * g


class Momentum(Optimizer):
    name, rule = "momentum", "v ← μv − η·∂L/∂θ;  θ ← θ + v"

    def __init__(self, learning_rate, momentum=0.9):
        super().__init__(learning_rate)
        self.momentum = momentum

    def update(self, key, p, g):
        v = self._slot(key + ".v", p)
        v *= self.momentum
        v -= self.learning_rate * g
        p += v


class Adam(Optimizer):
    name, rule = "adam", "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − η·m̂/(√v̂ + ε)"

    def __init__(self, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def update(self, key, p, g):
        m = self._slot(key + ".m", p)
        v = self._slot(key + ".v", p)
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**self.t)
        v_hat = v / (1 - self.beta2**self.t)
        p -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam"}


def make_optimizer(name: str, learning_rate: float, momentum: float = 0.9) -> Optimizer:
    if name == "momentum":
        return Momentum(learning_rate, momentum)
    if name in OPTIMIZERS:
        return OPTIMIZERS[name](learning_rate)
    raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")


def add_regularization(kind: str, rate: float, weights: dict[str, np.ndarray],
                       grads: dict[str, np.ndarray]) -> None:
    """Add the penalty's gradient to the weight gradients in place (biases are not penalised).

    L2 penalty ½·λ·ΣW² gives λW; L1 penalty λ·Σ|W| gives λ·sign(W).
    """
    if kind == "none" or rate == 0:
        return
    for key, W in weights.items():
        grads[key] += rate * (W if kind == "l2" else np.sign(W))


def regularization_penalty(kind: str, rate: float, weights) -> float:
    if kind == "none" or rate == 0:
        return 0.0
    if kind == "l2":
        return 0.5 * rate * sum(float(np.vdot(W, W)) for W in weights)
    return rate * sum(float(np.abs(W).sum()) for W in weights)


def clip_by_global_norm(grads: dict[str, np.ndarray], max_norm: float) -> float:
    """Scale all gradients together so their joint norm is at most max_norm; returns the norm
    before clipping."""
    norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
    if max_norm > 0 and norm > max_norm:
        scale = max_norm / norm
        for g in grads.values():
            g *= scale
    return norm
