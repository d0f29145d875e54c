"""A network: an ordered list of dense layers and a loss on the last one.

Every layer's W and b live end to end in one flat array (flat_params), and their gradients in
another (flat_grads); the layers hold views of them. So the trainer backs up, checks and
measures all parameters in one NumPy call instead of one per array, which is most of what a
step costs on a small network.
"""

from __future__ import annotations

import numpy as np

from .initializers import get_initializer
from .layers import Dense
from .losses import check_pairing, get_loss


class Network:
    def __init__(self, layers: list[Dense], loss: str):
        check_pairing(layers[-1].activation.name, loss)
        self.layers = layers
        self.loss = get_loss(loss)
        self.last_loss = float("nan")
        self._pack()

    def _pack(self) -> None:
        """Move every W, b, ∂L/∂W and ∂L/∂b into the two flat arrays (values kept)."""
        layers = self.layers
        self.flat_params = np.concatenate([a.ravel() for la in layers for a in (la.W, la.b)])
        self.flat_grads = np.concatenate([a.ravel() for la in layers for a in (la.dW, la.db)])
        starts, offset = [], 0
        for layer in layers:
            starts.append(offset)
            for name in ("W", "b"):
                shape = getattr(layer, name).shape
                size = int(np.prod(shape))
                setattr(layer, name, self.flat_params[offset:offset + size].reshape(shape))
                setattr(layer, "d" + name, self.flat_grads[offset:offset + size].reshape(shape))
                offset += size
        self.layer_starts = np.array(starts)  # where each layer's W (then its b) begins

    def __setstate__(self, state) -> None:
        # A deep copy (or unpickling) copies each view as an array of its own: pack again.
        self.__dict__.update(state)
        self._pack()

    def layer_grad_norms(self) -> np.ndarray:
        """‖(∂L/∂W, ∂L/∂b)‖ of every layer, from the flat gradient in three NumPy calls."""
        g = self.flat_grads
        return np.sqrt(np.add.reduceat(g * g, self.layer_starts))

    @classmethod
    def build(cls, sizes: list[int], activations: list[str], loss: str, *,
              initializer="xavier", rng=None, weights=None, dtype=np.float64) -> Network:
        """sizes = [inputs, hidden…, outputs]; activations one per layer after the input.

        `weights` (a list of {"W", "b"}) replaces the initialiser with explicit values.
        """
        rng = rng if rng is not None else np.random.default_rng(0)
        init = get_initializer(initializer)
        layers = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            if weights is not None:
                W = _given(weights[i]["W"], (fan_in, fan_out), f"layer {i + 1}'s W", dtype)
                b = _given(weights[i]["b"], (fan_out,), f"layer {i + 1}'s b", dtype)
            else:
                W = init(rng, fan_in, fan_out).astype(dtype)
                b = np.zeros(fan_out, dtype=dtype)
            layers.append(Dense(W, b, activations[i]))
        return cls(layers, loss)

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].fan_in] + [layer.fan_out for layer in self.layers]

    def params(self) -> dict[str, np.ndarray]:
        """Every parameter by name: "1.W" is the first layer's weight matrix (1-based)."""
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers, 1)
                for k, v in layer.params().items()}

    def grads(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers, 1)
                for k, v in layer.grads().items()}

    def forward(self, X: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def pass_through(self, X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(z, a) of every layer for X, leaving the training caches alone."""
        result = []
        for layer in self.layers:
            z = X @ layer.W + layer.b
            X = layer.activation.forward(z)
            result.append((z, X))
        return result

    def activations(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's output for X (X first)."""
        return [X] + [a for _, a in self.pass_through(X)]

    def output(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(z, ŷ) of the output layer for X, leaving the training caches alone."""
        for layer in self.layers:
            z = X @ layer.W + layer.b
            X = layer.activation.forward(z)
        return z, X

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.output(X)[1]

    def backward(self, y: np.ndarray, *, record: bool = False, loss: float | None = None
                 ) -> float:
        """Loss of the last forward against y; fills every layer's gradients.

        With record=True a fused output layer also keeps dL/dŷ and f'(z) for display (they
        are not needed for the gradient itself). `loss`, when given, is that loss already
        computed (by the trainer's look-ahead), so it is not computed twice.
        """
        out = self.layers[-1]
        self.last_loss = float(self.loss.value(out.z, out.a, y)) if loss is None else loss
        if self.loss.fused:
            out.dA = out.fprime = None
            if record:
                out.dA = self.loss.dA(out.z, out.a, y)
                if out.activation.elementwise:
                    out.fprime = out.activation.derivative(out.z, out.a)
            grad = out.backward_from_dZ(self.loss.dZ(out.z, out.a, y))
        else:
            grad = out.backward(self.loss.dA(out.z, out.a, y))
        for layer in reversed(self.layers[:-1]):
            grad = layer.backward(grad)
        return self.last_loss


def _given(values, shape: tuple[int, ...], what: str, dtype) -> np.ndarray:
    """Explicit parameter values reshaped to `shape`; ValueError unless they fit and are finite."""
    try:
        with np.errstate(all="ignore"):  # 1e160 as float32 is inf: refused below, quietly
            array = np.array(values, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a list of numbers (rows of equal length)") from None
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{what} needs {'×'.join(map(str, shape))} values, got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} must hold finite numbers")
    return array.reshape(shape)
