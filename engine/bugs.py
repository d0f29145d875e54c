"""Classic backprop mistakes, injected into one network so the gradient check can catch them.

A bug never touches the engine's code path: it puts a stand-in for one of a layer's backward
methods (Dense.backward, which gets dL/da, or Dense.backward_from_dZ, which gets dL/dz) on that
layer instance. The stand-in runs the real method, then redoes the one step the mistake
gets wrong, writing into the same dW/db arrays (the trainer keeps references to them), and
leaves the wrong factor on the layer, where the step trace reads it. `remove` deletes the
stand-ins, which puts the class's own methods back: the exact correct engine. The stand-ins are
plain objects holding their layer, so copy.deepcopy of a network (the GUI's snapshots, the
trace's copy of the trainer) copies the bug along with it.

Loss-gradient mistakes enter where the loss's gradient enters the output layer: ∂L/∂ŷ through
backward, or ∂L/∂z through backward_from_dZ when the loss is fused (sigmoid + binary
cross-entropy, softmax + cross-entropy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layers import Dense

# Activations whose derivative at a differs from the one at z (for relu, leaky_relu and linear,
# a > 0 exactly when z > 0, so f′(a) = f′(z)).
_CHANGED_BY_A = ("elu", "sigmoid", "tanh", "softplus", "swish")


@dataclass(frozen=True)
class Bug:
    name: str  # CLI/menu id, kebab-case
    title: str  # menu text
    description: str  # one line: the mistake as code
    effect: str  # one line: what training does with it (measured on xor and circle)


BUGS: dict[str, Bug] = {bug.name: bug for bug in (
    Bug("no-activation-derivative", "Forget f′(z) in one layer",
        "dZ = dA in the last hidden layer: the f′(z) factor left out of ∂L/∂z = ∂L/∂a ⊙ f′(z)",
        "depends on f′: tanh near 0 (f′ ≈ 1) learns about as well (circle), ReLU stalls "
        "(XOR stays at loss 0.69)"),
    Bug("derivative-at-a", "Evaluate f′ at a instead of z",
        "fprime = f′(a) instead of f′(z) (e.g. σ(a)(1 − σ(a)) for σ(z)(1 − σ(z))) in every "
        "layer where that differs",
        "learns, only slower (f′ keeps its sign, not its size): circle loss 0.30 instead of "
        "0.09 after 2,000 steps"),
    Bug("bias-last-sample", "Overwrite the bias gradient in the batch loop",
        "for i in range(m): db = dZ[i] (= where += is meant): only the last sample's ∂L/∂z "
        "reaches ∂L/∂b, in every layer (no effect on a batch of 1)",
        "learns far slower or stalls, each bias following one sample: circle loss 0.67 "
        "instead of 0.09 after 2,000 steps"),
    Bug("loss-gradient-sign", "Flip the sign of the loss gradient",
        "∂L/∂ŷ computed from (y − ŷ) instead of (ŷ − y) (fused losses: ∂L/∂z = (y − ŷ)/m): "
        "every step climbs the loss",
        "the loss rises (gradient ascent) until the divergence guard rolls the steps back"),
    Bug("missing-1-over-m", "Forget the 1/m of the batch mean",
        "the loss gradient not divided by the batch size m (2(ŷ − y), or ŷ − y when fused), "
        "while the loss is the batch mean",
        "steps m times too long, as if the learning rate were m times higher: the circle "
        "learns faster at 0.03, XOR at 0.5 × 4 overshoots and can stall"),
    Bug("mse-missing-2", "Drop the 2 of the squared error's derivative",
        "∂L/∂ŷ = (ŷ − y)/m instead of 2(ŷ − y)/m (mean squared error only)",
        "learns, only slower: half-length steps, as if the learning rate were halved (circle "
        "with MSE: loss 0.24 instead of 0.15 after 2,000 steps)"),
    Bug("w-not-transposed", "Pass the error down through W, not Wᵀ",
        "∂L/∂a⁽ˡ⁻¹⁾ = ∂L/∂z⁽ˡ⁾ · W⁽ˡ⁾ instead of ∂L/∂z⁽ˡ⁾ · W⁽ˡ⁾ᵀ in the highest layer above "
        "the first whose W is square (only there do the shapes even fit)",
        "the layers below get a wrong signal: learns slower (circle, 4-4 tanh: loss 0.12 "
        "instead of 0.07 after 2,000 steps) or about as well"),
)}


class _StandIn:
    """Takes the place of one backward method on one layer instance."""

    method = ""  # "backward" or "backward_from_dZ"

    def __init__(self, bug: str, layer: Dense):
        self.bug, self.layer = bug, layer

    def real(self, grad):
        return getattr(type(self.layer), self.method)(self.layer, grad)


class _NoDerivative(_StandIn):
    method = "backward"

    def __call__(self, dA):
        self.real(dA)  # as the engine does it: dA and f′(z) recorded on the layer
        return self.layer.backward_from_dZ(dA)  # then the mistake: dZ = dA


class _DerivativeAtA(_StandIn):
    method = "backward"

    def __call__(self, dA):
        self.real(dA)
        layer = self.layer
        act = layer.activation
        layer.fprime = act.derivative(layer.a, act.forward(layer.a))  # f′(a), not f′(z)
        return layer.backward_from_dZ(dA * layer.fprime)


class _BiasLastSample(_StandIn):
    method = "backward_from_dZ"

    def __call__(self, dZ):
        dX = self.real(dZ)
        np.copyto(self.layer.db, dZ[-1])  # in place: the trainer holds this very array
        return dX


class _NotTransposed(_StandIn):
    method = "backward_from_dZ"

    def __call__(self, dZ):
        self.real(dZ)
        self.layer.dX = dZ @ self.layer.W  # W where Wᵀ is meant (square, so it fits)
        return self.layer.dX


class _LossGradient(_StandIn):
    """The loss's gradient as it enters the output layer, changed before the real method."""

    factors = {"loss-gradient-sign": lambda m: -1.0, "missing-1-over-m": lambda m: float(m),
               "mse-missing-2": lambda m: 0.5}

    def __init__(self, bug: str, layer: Dense, fused: bool):
        super().__init__(bug, layer)
        self.method = "backward_from_dZ" if fused else "backward"

    def __call__(self, grad):
        return self.real(grad * self.factors[self.bug](len(grad)))


def _hidden(network) -> list:
    return network.layers[:-1]


def _derivative_layers(network) -> list[int]:
    """1-based layers that go through backward (dL/da in) with an f′ that f′(a) changes."""
    through_backward = network.layers if not network.loss.fused else _hidden(network)
    return [i for i, layer in enumerate(through_backward, 1)
            if layer.activation.name in _CHANGED_BY_A]


def _square_layer(network) -> int | None:
    """The highest 1-based layer above the first whose W is square (2×2 or larger: a 1×1 W
    is its own transpose)."""
    for i in range(len(network.layers), 1, -1):
        if network.layers[i - 1].fan_in == network.layers[i - 1].fan_out > 1:
            return i
    return None


def applicable(network, name: str) -> str:
    """"" when bug `name` can be injected into this network, else the one-line reason."""
    if name not in BUGS:
        return f"unknown bug {name!r}; choose from {', '.join(BUGS)}"
    layers = network.layers
    if name == "no-activation-derivative":
        if len(layers) < 2:
            return "this bug needs a hidden layer, and this network has only its output layer"
        if layers[-2].activation.name == "linear":
            return (f"the last hidden layer (layer {len(layers) - 1}) is linear: f′(z) = 1, "
                    "so leaving it out changes nothing")
    if name == "derivative-at-a" and not _derivative_layers(network):
        return ("f′(a) = f′(z) for relu, leaky_relu and linear (a > 0 exactly when z > 0), "
                "and no other layer here takes f′ outside a fused loss")
    if name == "mse-missing-2" and network.loss.name != "mse":
        return (f"only the mean squared error has a 2 in its derivative; this network uses "
                f"{network.loss.name}")
    if name == "w-not-transposed":
        if any(getattr(layer, "B", None) is not None for layer in layers):
            return "under feedback alignment the error goes down through B, not W"
        if _square_layer(network) is None:
            return ("no layer above the first has a square W (as many inputs as outputs, "
                    "2 or more), so ∂L/∂z · W would not have the shape of ∂L/∂a below")
    return ""


def _stand_ins(network, name: str) -> list[_StandIn]:
    layers = network.layers
    if name == "no-activation-derivative":
        return [_NoDerivative(name, layers[-2])]
    if name == "derivative-at-a":
        return [_DerivativeAtA(name, layers[i - 1]) for i in _derivative_layers(network)]
    if name == "bias-last-sample":
        return [_BiasLastSample(name, layer) for layer in layers]
    if name == "w-not-transposed":
        return [_NotTransposed(name, layers[_square_layer(network) - 1])]
    return [_LossGradient(name, layers[-1], network.loss.fused)]


def inject(network, name: str) -> None:
    """Put bug `name` into the network (replacing any bug injected before); ValueError (one
    line) for an unknown name or a bug this network cannot have, and then nothing changes."""
    reason = applicable(network, name)
    if reason:
        raise ValueError(reason)
    remove(network)
    for stand_in in _stand_ins(network, name):
        setattr(stand_in.layer, stand_in.method, stand_in)


def remove(network) -> None:
    """Back to the correct engine (a no-op on a network without a bug)."""
    for layer in network.layers:
        for method in ("backward", "backward_from_dZ"):
            if isinstance(vars(layer).get(method), _StandIn):
                delattr(layer, method)


def injected(network) -> str | None:
    """The name of the bug injected into this network, or None."""
    for layer in network.layers:
        for method in ("backward", "backward_from_dZ"):
            stand_in = vars(layer).get(method)
            if isinstance(stand_in, _StandIn):
                return stand_in.bug
    return None


def _layers_up_to(last: int) -> list[str]:
    return [f"{i}.{k}" for i in range(1, last + 1) for k in ("W", "b")]


# Mistakes about the batch: on a single sample the sum over the batch and the 1/m are those of
# that sample, so these change nothing there.
BATCH_BUGS = ("bias-last-sample", "missing-1-over-m")


def unseen_note(name: str | None, samples: int, results) -> str:
    """Why an injected bug made no tensor of a gradient check (engine.gradcheck results) fail
    even at the default threshold, in one line ("" when one did, or with no bug)."""
    from .gradcheck import DEFAULT_THRESHOLD

    if name is None or any(r.status(DEFAULT_THRESHOLD) == "failed" for r in results):
        return ""
    if name in BATCH_BUGS and samples == 1:
        return (f"the injected bug “{BUGS[name].title}” changes nothing on a single sample "
                "(its batch sum and 1/m are that sample's): check a mini-batch of several")
    return (f"the injected bug “{BUGS[name].title}” changed no gradient on this data (its "
            "mistake happens not to matter for these values): try other data or another step")


def affected_tensors(network, name: str) -> list[str]:
    """The parameters whose gradient bug `name` makes wrong in this network (network order);
    ValueError when it is not applicable here."""
    reason = applicable(network, name)
    if reason:
        raise ValueError(reason)
    n = len(network.layers)
    if name == "no-activation-derivative":
        return _layers_up_to(n - 1)
    if name == "derivative-at-a":
        return _layers_up_to(max(_derivative_layers(network)))
    if name == "bias-last-sample":
        return [f"{i}.b" for i in range(1, n + 1)]
    if name == "w-not-transposed":
        return _layers_up_to(_square_layer(network) - 1)
    return _layers_up_to(n)


def wrong_quantities(network, name: str) -> set[tuple[int, str]]:
    """(1-based layer, trace Quantity key) of what bug `name` itself computes wrongly here; the
    quantities computed from those afterwards are wrong only as a consequence."""
    reason = applicable(network, name)
    if reason:
        raise ValueError(reason)
    n = len(network.layers)
    if name == "no-activation-derivative":
        return {(n - 1, "dZ")}
    if name == "derivative-at-a":
        return {(i, "fprime") for i in _derivative_layers(network)}
    if name == "bias-last-sample":
        return {(i, "db") for i in range(1, n + 1)}
    if name == "w-not-transposed":
        return {(_square_layer(network), "dA_prev")}
    return {(n, "dZ" if network.loss.fused else "dA")}


# What a trace quantity says when a bug computed it (engine/trace.py reads this).
WRONG_NOTES = {
    "no-activation-derivative": "bug: f′(z) left out",
    "derivative-at-a": "bug: f′ evaluated at a, not z",
    "bias-last-sample": "bug: last sample only, not summed over the batch",
    "loss-gradient-sign": "bug: sign flipped",
    "missing-1-over-m": "bug: not divided by m",
    "mse-missing-2": "bug: the factor 2 dropped",
    "w-not-transposed": "bug: through W, not Wᵀ",
}
