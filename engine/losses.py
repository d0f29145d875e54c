"""Loss functions: the value averaged over the batch and its gradient.

Every loss sees the output layer's pre-activation z, its activation a = ŷ and the targets y
(batch, outputs). Sigmoid + binary cross-entropy and softmax + cross-entropy are computed from z
(log-sum-exp, no log of 0) and their backward is fused: dL/dz = (ŷ − y) / m.
"""

from __future__ import annotations

import numpy as np


class Loss:
    name = ""
    formula = ""
    output_activations: tuple[str, ...] = ()  # the output activations this loss accepts
    fused = False  # True: backward gives dL/dz directly

    def value(self, z, a, y):
        """The loss as a NumPy scalar of the inputs' dtype (gradcheck needs long double)."""
        raise NotImplementedError

    def dA(self, z, a, y):
        """dL/dŷ, averaged over the batch."""
        raise NotImplementedError

    def dZ(self, z, a, y):
        """dL/dz for a fused loss (the output activation's derivative folded in)."""
        raise NotImplementedError


class MeanSquaredError(Loss):
    name, formula = "mse", "L = (1/m) Σᵢ Σₖ (ŷᵢₖ − yᵢₖ)²"
    output_activations = (
        "linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "swish",
    )

    def value(self, z, a, y):
        diff = a - y
        return np.einsum("ij,ij->", diff, diff) / len(y)

    def dA(self, z, a, y):
        return (2 / len(y)) * (a - y)


class BinaryCrossEntropy(Loss):
    name, formula = "bce", "L = −(1/m) Σᵢ [yᵢ ln ŷᵢ + (1 − yᵢ) ln(1 − ŷᵢ)]"
    output_activations = ("sigmoid",)
    fused = True

    def value(self, z, a, y):
        # −[y ln σ(z) + (1−y) ln(1−σ(z))] = max(z,0) − zy + ln(1 + e^−|z|), stable for any z.
        per_sample = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return per_sample.sum() / len(y)

    def dA(self, z, a, y):
        eps = np.finfo(a.dtype).eps
        a = np.clip(a, eps, 1 - eps)
        return (a - y) / (a * (1 - a)) / len(y)

    def dZ(self, z, a, y):
        return (a - y) / len(y)


class CrossEntropy(Loss):
    name, formula = "ce", "L = −(1/m) Σᵢ Σₖ yᵢₖ ln ŷᵢₖ"
    output_activations = ("softmax",)
    fused = True

    def value(self, z, a, y):
        shift = z.max(axis=1, keepdims=True)
        log_sum_exp = shift[:, 0] + np.log(np.exp(z - shift).sum(axis=1))
        return (log_sum_exp - (y * z).sum(axis=1)).sum() / len(y)

    def dA(self, z, a, y):
        eps = np.finfo(a.dtype).eps
        return -y / np.maximum(a, eps) / len(y)

    def dZ(self, z, a, y):
        return (a - y) / len(y)


LOSSES: dict[str, Loss] = {
    cls.name: cls() for cls in (MeanSquaredError, BinaryCrossEntropy, CrossEntropy)
}
LOSS_LABELS = {"mse": "mean squared error", "bce": "binary cross-entropy", "ce": "cross-entropy"}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose from {', '.join(LOSSES)}") from None


def check_pairing(output_activation: str, loss: str) -> None:
    """Refuse output activation / loss pairs whose gradient would be wrong or meaningless."""
    accepted = get_loss(loss).output_activations
    if output_activation not in accepted:
        raise ValueError(
            f"loss {loss!r} needs an output activation of {' or '.join(accepted)}, "
            f"not {output_activation!r}"
        )
