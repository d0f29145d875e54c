"""Activation functions, each with its derivative written right beside it.

`forward(z)` gives a = f(z); `derivative(z, a)` gives f'(z) element-wise, reusing the
cached output a where that is cheaper (sigmoid, tanh). Softmax is the exception: its
Jacobian is not diagonal, so it offers `backward(a, dA)` (a Jacobian-vector product) and is
normally fused with cross-entropy in the loss.
"""

from __future__ import annotations

import numpy as np


class Activation:
    name = ""
    formula = ""  # f(z) in plain Unicode, for tables and tooltips
    derivative_formula = ""
    elementwise = True
    kinked = False  # True: f' jumps at z = 0, so the loss is not differentiable there

    def forward(self, z):
        raise NotImplementedError

    def derivative(self, z, a):
        raise NotImplementedError

    def backward(self, z, a, dA):
        """dL/dz given dL/da; element-wise activations multiply by f'(z)."""
        return dA * self.derivative(z, a)


class Linear(Activation):
    name, formula, derivative_formula = "linear", "z", "1"

    def forward(self, z):
        return z

    def derivative(self, z, a):
        return np.ones_like(z)


class ReLU(Activation):
    name, formula, derivative_formula = "relu", "max(0, z)", "1 if z > 0 else 0"
    kinked = True

    def forward(self, z):
        return np.maximum(z, 0)

    def derivative(self, z, a):
        return (z > 0).astype(z.dtype)


class LeakyReLU(Activation):
    slope = 0.01
    name, formula, derivative_formula = "leaky_relu", "max(0.01z, z)", "1 if z > 0 else 0.01"
    kinked = True

    def forward(self, z):
        return np.where(z > 0, z, self.slope * z)

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.slope).astype(z.dtype)


class ELU(Activation):
    name, formula, derivative_formula = "elu", "z if z > 0 else eᶻ − 1", "1 if z > 0 else eᶻ"

    def forward(self, z):
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))

    def derivative(self, z, a):
        # eᶻ itself, not a + 1 = (eᶻ − 1) + 1: that sum cancels to 0 below z ≈ −37 and keeps
        # only a few correct digits long before (z = −30: relative error ~1e-3).
        return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))).astype(z.dtype)


class Sigmoid(Activation):
    name, formula, derivative_formula = "sigmoid", "1 / (1 + e⁻ᶻ)", "σ(z)(1 − σ(z))"

    def forward(self, z):
        # exp of a non-positive number only: no overflow for large |z|.
        e = np.exp(-np.abs(z))
        # 1 / (1 + e⁻ᶻ) for z ≥ 0 and eᶻ / (1 + eᶻ) for z < 0: one division for both.
        return np.where(z >= 0, 1, e) / (1 + e)

    def derivative(self, z, a):
        return a * (1 - a)


class Tanh(Activation):
    name, formula, derivative_formula = "tanh", "tanh(z)", "1 − tanh²(z)"

    def forward(self, z):
        return np.tanh(z)

    def derivative(self, z, a):
        return 1 - a * a


class Softplus(Activation):
    name, formula, derivative_formula = "softplus", "ln(1 + eᶻ)", "σ(z)"

    def forward(self, z):
        return np.logaddexp(0, z)

    def derivative(self, z, a):
        return Sigmoid().forward(z)


class Swish(Activation):
    name, formula, derivative_formula = "swish", "z·σ(z)", "σ(z) + z·σ(z)(1 − σ(z))"

    def forward(self, z):
        return z * Sigmoid().forward(z)

    def derivative(self, z, a):
        s = Sigmoid().forward(z)
        return s + z * s * (1 - s)


class Softmax(Activation):
    name, formula, derivative_formula = "softmax", "eᶻⁱ / Σⱼ eᶻʲ", "diag(a) − aaᵀ"
    elementwise = False

    def forward(self, z):
        shifted = z - z.max(axis=1, keepdims=True)  # log-sum-exp shift: no overflow
        e = np.exp(shifted)
        return e / e.sum(axis=1, keepdims=True)

    def derivative(self, z, a):
        raise ValueError("softmax has a full Jacobian, not an element-wise derivative")

    def backward(self, z, a, dA):
        # (diag(a) − aaᵀ) dA for every row, without building the Jacobian.
        return a * (dA - (dA * a).sum(axis=1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    cls.name: cls()
    for cls in (Linear, ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus, Swish, Softmax)
}
HIDDEN_ACTIVATIONS = [name for name in ACTIVATIONS if name != "softmax"]


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}"
        ) from None
