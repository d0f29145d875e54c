"""The chain rule for one weight, read off a recorded training step.

For the weight w from neuron i (layer l−1) into neuron j (layer l):

    ∂L/∂w = Σₛ δⱼ·aᵢ            (s runs over the samples of the batch)
    δⱼ    = f′(zⱼ)·Σₖ wⱼₖ·δₖ     (k runs over the neurons of layer l+1)

and, unrolled all the way to the loss, ∂L/∂w is the sum over every path i → j → k → … → output
of the product of the local derivatives along it. Every factor is a value the traced step
recorded (a, f′(z), W before the update, δ = ∂L/∂z); only the products and sums are new, and
tests check that they add up to the step's own ∂L/∂w.

Under feedback alignment the step sent δ down through the fixed B of each layer above, not
through its W: δⱼ = f′(zⱼ)·Σₖ Bₖⱼ·δₖ. The expansion follows what the step did, so every wⱼₖ on
the way back is then Bₖⱼ (ChainRule.feedback says so) and the sums still add up to the step's
∂L/∂w, which is the feedback-alignment update and not the true gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .trace import Trace, sup

LISTED_PATHS = 64  # the paths view lists the largest contributions, the total covers all
MAX_PATH_VALUES = 4_000_000  # samples × paths beyond which paths are only counted


@dataclass(frozen=True)
class DeltaTerm:
    k: int  # neuron of the layer above
    weight: float  # wⱼₖ
    delta: float  # δₖ for this sample
    product: float


@dataclass(frozen=True)
class SampleChain:
    sample: int  # position in the batch
    a_i: float
    fprime_j: float | None  # None at a softmax output (no element-wise f′; δⱼ from the loss)
    delta_j: float
    terms: tuple[DeltaTerm, ...]  # empty for a weight into the output layer

    @property
    def contribution(self) -> float:
        return self.delta_j * self.a_i


@dataclass(frozen=True)
class PathTerm:
    neurons: tuple[int, ...]  # j, k, …, output neuron (0-based), layers l, l+1, …, L
    factors: tuple[tuple[str, float], ...]  # (symbol, value) for the first sample
    product: float  # Σ over the batch of the product of the factors
    first_product: float  # the product of the factors shown: the first sample's alone


@dataclass(frozen=True)
class ChainRule:
    layer: int  # 1-based layer of the weight
    i: int
    j: int
    gradient: float  # ∂L/∂w as the step computed it
    samples: tuple[SampleChain, ...]
    paths: tuple[PathTerm, ...]  # the largest |product| first, at most LISTED_PATHS
    path_count: int  # all paths
    path_sum: float | None  # Σ over all paths (= gradient); None when too many to form
    complete: bool  # True when `paths` lists every path
    feedback: bool = False  # feedback alignment: the weights on the way back are B, not W


def _backward(trace: Trace, layer: int):
    return next(s for s in trace.stages if s.kind == "backward" and s.layer == layer)


def _down(stage) -> np.ndarray:
    """What carried δ down from this stage's layer, as a (fan_in, fan_out) matrix like W:
    W itself, or Bᵀ under feedback alignment."""
    return stage.get("B").T if _factor(stage, "B") is not None else stage.get("W")


def weight_chain(trace: Trace, layer: int, i: int, j: int) -> ChainRule:
    """Expand ∂L/∂W⁽ˡᵃʸᵉʳ⁾[i, j] of the traced step one layer deep and as paths to the loss."""
    n_layers = max(s.layer for s in trace.stages if s.kind == "backward")
    if not 1 <= layer <= n_layers:
        raise ValueError(f"no weight layer {layer}")
    stage = _backward(trace, layer)
    x, dZ = stage.get("a_prev"), stage.get("dZ")
    if not (0 <= i < x.shape[1] and 0 <= j < dZ.shape[1]):
        raise ValueError(f"W{sup(layer)} has no entry [{i}, {j}]")
    fprime = _factor(stage, "fprime")
    above = _backward(trace, layer + 1) if layer < n_layers else None

    samples = []
    for s in range(len(x)):
        terms = ()
        if above is not None:
            W_up, dZ_up = _down(above), above.get("dZ")
            terms = tuple(DeltaTerm(k, float(W_up[j, k]), float(dZ_up[s, k]),
                                    float(W_up[j, k] * dZ_up[s, k]))
                          for k in range(W_up.shape[1]))
        samples.append(SampleChain(s, float(x[s, i]),
                                   None if fprime is None else float(fprime[s, j]),
                                   float(dZ[s, j]), terms))

    paths, count, total = _paths(trace, layer, i, j, n_layers)
    feedback = any(_factor(_backward(trace, q), "B") is not None
                   for q in range(layer + 1, n_layers + 1))
    return ChainRule(layer, i, j, float(stage.get("dW")[i, j]), tuple(samples),
                     tuple(paths), count, total, len(paths) == count, feedback)


def _factor(stage, key):
    try:
        return stage.get(key)
    except KeyError:
        return None


def _paths(trace: Trace, layer: int, i: int, j: int, n_layers: int):
    """Every path from w = W⁽ˡ⁾[i, j] to the loss, with its local derivatives.

    Factors along i → j → k → … → o: aᵢ, then f′(z) of each neuron passed through and the
    weight between consecutive ones, ending with the loss's ∂L/∂ŷₒ (or, at a fused output,
    ∂L/∂zₒ = (ŷ − y)/m which already includes the output activation's derivative).

    All path products are formed at once as a (samples, widths above…) array, one axis per
    layer, so the listed paths are truly the largest and their total is over every path.
    Returns (largest paths, number of paths, sum over all paths or None when too many).
    """
    stages = {q: _backward(trace, q) for q in range(layer, n_layers + 1)}
    widths = [stages[q].get("dZ").shape[1] for q in range(layer + 1, n_layers + 1)]
    count = int(np.prod(widths)) if widths else 1
    a_i = stages[layer].get("a_prev")[:, i]
    fused = stages[n_layers].fused
    # The loss end of every path: ∂L/∂ŷₒ·f′(zₒ), or ∂L/∂zₒ directly when fused.
    tail = stages[n_layers].get("dZ" if fused else "dA")

    def local(q):
        """Per-sample factor of passing through the neurons of layer q: (m, width)."""
        if q == n_layers:
            return tail if fused else stages[q].get("fprime") * tail
        return stages[q].get("fprime")

    if len(a_i) * count > MAX_PATH_VALUES:
        return [], count, None
    products = a_i * local(layer)[:, j]  # (m,)
    for q in range(layer + 1, n_layers + 1):
        W = _down(stages[q])
        step = W[j] if q == layer + 1 else W  # from the fixed neuron j, then from the last axis
        products = products[..., None] * step
        products = products * local(q).reshape(len(a_i), *[1] * (products.ndim - 2), -1)
    totals = products.sum(axis=0).reshape(-1)
    first = products[0].reshape(-1)
    largest = np.argsort(-np.abs(totals), kind="stable")[:LISTED_PATHS]
    paths = []
    for flat in largest:
        route = (j, *np.unravel_index(flat, widths)) if widths else (j,)
        paths.append(PathTerm(tuple(int(n) for n in route),
                              _factors(stages, layer, i, route, n_layers, fused, tail),
                              float(totals[flat]), float(first[flat])))
    return paths, count, float(totals.sum())


def _factors(stages, layer, i, route, n_layers, fused, tail):
    """(symbol, value for the first sample) of every local derivative along one path."""
    name = "x" if layer == 1 else f"a{sup(layer - 1)}"
    factors = [(f"{name}[{i + 1}]", stages[layer].get("a_prev")[0, i])]
    for depth, neuron in enumerate(route):
        q = layer + depth
        if depth > 0 and _factor(stages[q], "B") is not None:  # feedback alignment
            factors.append((f"B{sup(q)}[{neuron + 1},{route[depth - 1] + 1}]",
                            stages[q].get("B")[neuron, route[depth - 1]]))
        elif depth > 0:
            factors.append((f"W{sup(q)}[{route[depth - 1] + 1},{neuron + 1}]",
                            stages[q].get("W")[route[depth - 1], neuron]))
        last = q == n_layers
        if not last or not fused:
            factors.append((f"f′(z{sup(q)}[{neuron + 1}])", stages[q].get("fprime")[0, neuron]))
        if last:
            symbol = f"∂L/∂z{sup(q)}" if fused else "∂L/∂ŷ"
            factors.append((f"{symbol}[{neuron + 1}]", tail[0, neuron]))
    return tuple((symbol, float(value)) for symbol, value in factors)
