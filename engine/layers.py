"""A fully connected layer: z = xW + b, a = f(z), batch-major.

Forward caches what backward reads (x, z, a); backward leaves every chain-rule factor it
computed on the layer (dA, fprime, dZ, dW, db, dX) until the next step, so statistics and the
step trace read the values the training step really used instead of recomputing them.
"""

from __future__ import annotations

import numpy as np

from .activations import get_activation


class Dense:
    def __init__(self, W: np.ndarray, b: np.ndarray, activation: str):
        self.W = W  # (fan_in, fan_out)
        self.b = b  # (fan_out,)
        # Feedback alignment's fixed random (fan_out, fan_in) matrix, used in place of Wᵀ to
        # hand the error down (engine/feedback.py sets it); None = backprop.
        self.B: np.ndarray | None = None
        self.activation = get_activation(activation)
        self.dW = np.zeros_like(W)
        self.db = np.zeros_like(b)
        self.x = self.z = self.a = None
        self.dA = self.fprime = self.dZ = self.dX = None

    @property
    def fan_in(self) -> int:
        return self.W.shape[0]

    @property
    def fan_out(self) -> int:
        return self.W.shape[1]

    def params(self) -> dict[str, np.ndarray]:
        return {"W": self.W, "b": self.b}

    def grads(self) -> dict[str, np.ndarray]:
        return {"W": self.dW, "b": self.db}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        self.z = x @ self.W
        self.z += self.b
        self.a = self.activation.forward(self.z)
        return self.a

    def backward(self, dA: np.ndarray) -> np.ndarray:
        """dL/da of this layer in, dL/dx (= dL/da of the layer below) out."""
        self.dA = dA
        if self.activation.elementwise:
            self.fprime = self.activation.derivative(self.z, self.a)
            dZ = dA * self.fprime
        else:
            self.fprime = None
            dZ = self.activation.backward(self.z, self.a, dA)
        return self.backward_from_dZ(dZ)

    def backward_from_dZ(self, dZ: np.ndarray) -> np.ndarray:
        """The part after the activation; fused losses enter here with dL/dz directly."""
        self.dZ = dZ
        np.matmul(self.x.T, dZ, out=self.dW)
        np.add.reduce(dZ, axis=0, out=self.db)  # np.sum's arithmetic, minus its overhead
        self.dX = dZ @ (self.W.T if self.B is None else self.B)
        return self.dX
