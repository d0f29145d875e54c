"""The same network in PyTorch, side by side: gradients and loss in float64.

PyTorch is optional. It is imported inside the functions that need it, so the engine and the
window work without it and `import engine.torch_compare` never loads it.

The engine's side is whatever the network's own backward gives, an injected bug or feedback
alignment included: a difference from PyTorch's autograd is then the point, not a failure of
the comparison. Both sides compute in float64 (a float32 network is compared through a
float64 copy of its weights), so a correct backward agrees to about 1e-15.

Each tensor is scored by its worst element, |e − t| / max(|e|, |t|, floor), the floor being a
ten-thousandth of the tensor's largest magnitude on either side (and never below the smallest
normal float). Without a floor an element that is zero in theory (a sum that cancels) would
score ~1 for a rounding difference of 1e-18, and an exact zero on both sides would be 0/0. The
rounding of a sum of m terms is ~1e-16·√m of the tensor's scale (2e-15 measured for 2,000
samples), so with this floor a correct backward scores below ~1e-11 and a wrong one ~1.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

TORCH_VERSION = "2.13.0"
INSTALL_HINT = f"pip install torch=={TORCH_VERSION} (or the project's [torch] extra)"
FLOOR = 1e-4  # relative to the tensor's largest magnitude: see the module docstring

# Each engine activation as a torch.nn module: class name and arguments. The export writes the
# same modules as code, so the comparison and the exported script build one network.
# Softplus: torch switches to the identity above `threshold` (default 20, where ln(1 + eᶻ)
# still differs from z by 2e-9); at 40 the difference is below float64's resolution.
TORCH_ACTIVATIONS: dict[str, tuple[str, dict]] = {
    "linear": ("Identity", {}),
    "relu": ("ReLU", {}),
    "leaky_relu": ("LeakyReLU", {"negative_slope": 0.01}),
    "elu": ("ELU", {"alpha": 1.0}),
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "softplus": ("Softplus", {"beta": 1.0, "threshold": 40.0}),
    "swish": ("SiLU", {}),
    "softmax": ("Softmax", {"dim": 1}),
}
# bce and ce take the output layer's z (logits) and apply sigmoid/softmax inside, as the
# engine's fused losses do; mse sees the output activation's ŷ.
FUSED_LOSSES = ("bce", "ce")


def torch_missing() -> str:
    """"" when PyTorch can be imported; otherwise one line saying how to install it."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return f"PyTorch is not installed: {INSTALL_HINT}"
    except Exception as e:  # a broken install (a missing shared library, …)
        text = " ".join(str(e).split())[:120]
        return f"PyTorch is installed but does not load ({text}); reinstall: {INSTALL_HINT}"
    return ""


def module_code(activation: str) -> str:
    """The torch.nn module for an engine activation, as code: "nn.ELU(alpha=1.0)"."""
    cls, kwargs = TORCH_ACTIVATIONS[activation]
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"nn.{cls}({args})"


@dataclass(frozen=True)
class TensorComparison:
    name: str  # "1.W", "1.b", … as in network.grads()
    max_relative_difference: float
    engine: np.ndarray  # the engine's gradient, float64, the parameter's shape
    torch: np.ndarray  # PyTorch's, same shape (W as (fan_in, fan_out), not Linear's (out, in))


@dataclass(frozen=True)
class TorchComparison:
    engine_loss: float
    torch_loss: float
    tensors: list[TensorComparison]

    @property
    def max_relative_difference(self) -> float:
        return max((t.max_relative_difference for t in self.tensors), default=0.0)

    @property
    def loss_relative_difference(self) -> float:
        return relative_difference(np.array(self.engine_loss), np.array(self.torch_loss))


def relative_difference(engine: np.ndarray, torch: np.ndarray) -> float:
    """The worst element's |e − t| / max(|e|, |t|, floor) (see the module docstring)."""
    e, t = np.abs(engine), np.abs(torch)
    scale = max(float(e.max(initial=0.0)), float(t.max(initial=0.0)))
    floor = max(FLOOR * scale, np.finfo(np.float64).tiny)
    if not (np.isfinite(engine).all() and np.isfinite(torch).all()):
        same = np.array_equal(engine, torch, equal_nan=True)
        return 0.0 if same else float("inf")
    ratio = np.abs(engine - torch) / np.maximum(np.maximum(e, t), floor)
    return float(ratio.max(initial=0.0))


def compare_with_torch(network, X, y) -> TorchComparison:
    """The network's own gradients and loss for (X, y) beside PyTorch autograd's for the same
    weights, per parameter. The network itself is left untouched (a copy runs the backward).
    ValueError (one line) when PyTorch is missing."""
    missing = torch_missing()
    if missing:
        raise ValueError(missing)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError("compare needs inputs and targets as (samples, values) arrays of the "
                         "same, non-zero length")
    if X.shape[1] != network.layers[0].fan_in or y.shape[1] != network.layers[-1].fan_out:
        raise ValueError(f"the network takes {network.layers[0].fan_in} inputs and gives "
                         f"{network.layers[-1].fan_out} outputs, the data has {X.shape[1]} "
                         f"and {y.shape[1]}")
    engine_net = _float64_copy(network)
    with np.errstate(all="ignore"):
        engine_net.forward(X)
        engine_loss = float(engine_net.backward(y))
    torch_loss, torch_grads = _torch_gradients(network, X, y)
    tensors = [TensorComparison(name, relative_difference(g, torch_grads[name]),
                                np.array(g, dtype=np.float64), torch_grads[name])
               for name, g in engine_net.grads().items()]
    return TorchComparison(engine_loss, torch_loss, tensors)


def _float64_copy(network):
    """A deep copy (an injected bug and feedback matrices come along) with every float array
    on its layers in float64."""
    net = copy.deepcopy(network)
    for layer in net.layers:
        for name, value in vars(layer).items():
            if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                setattr(layer, name, value.astype(np.float64))
    return net


def build_model(network, dtype):
    """torch.nn.Sequential of Linear + activation modules with the network's weights; the
    output activation is left out for a fused loss (the loss applies it)."""
    import torch
    from torch import nn

    modules = []
    last = len(network.layers) - 1
    for i, layer in enumerate(network.layers):
        linear = nn.Linear(layer.fan_in, layer.fan_out, dtype=dtype)
        with torch.no_grad():  # our W is (fan_in, fan_out); Linear keeps (out, in)
            linear.weight.copy_(torch.tensor(np.asarray(layer.W, dtype=np.float64).T))
            linear.bias.copy_(torch.tensor(np.asarray(layer.b, dtype=np.float64)))
        modules.append(linear)
        if not (i == last and network.loss.name in FUSED_LOSSES):
            cls, kwargs = TORCH_ACTIVATIONS[layer.activation.name]
            modules.append(getattr(nn, cls)(**kwargs))
    return nn.Sequential(*modules)


def torch_loss(name: str, out, y):
    """The engine's loss (engine/losses.py) in torch: a sum over outputs and a mean over the
    batch; bce and ce from the logits."""
    import torch.nn.functional as F

    if name == "bce":
        return F.binary_cross_entropy_with_logits(out, y, reduction="sum") / len(y)
    if name == "ce":  # y one-hot: −Σₖ yₖ ln softmax(z)ₖ per sample
        return F.cross_entropy(out, y, reduction="sum") / len(y)
    return ((out - y) ** 2).sum() / len(y)


def _torch_gradients(network, X, y) -> tuple[float, dict[str, np.ndarray]]:
    import torch
    from torch import nn

    model = build_model(network, torch.float64)
    loss = torch_loss(network.loss.name, model(torch.tensor(X)), torch.tensor(y))
    loss.backward()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    grads = {}
    for i, linear in enumerate(linears, 1):
        grads[f"{i}.W"] = linear.weight.grad.numpy().T.copy()
        grads[f"{i}.b"] = linear.bias.grad.numpy().copy()
    return float(loss.item()), grads
