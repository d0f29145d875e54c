"""The chain rule for one weight, read off a recorded training step.

For the weight w from neuron i (layer l−1) into neuron j (layer l):

    ∂L/∂w = Σₛ δⱼ·aᵢ            (s runs over the samples of the batch)
    δⱼ    = f′(zⱼ)·Σₖ wⱼₖ·δₖ     (k runs over the neurons of layer l+1)

and, unrolled all the way to the loss, ∂L/∂w is the sum over every path i → j → k → … → output
of the product of the local derivatives along it. Every factor is a value the traced step
recorded (a, f′(z), W before the update, δ = ∂L/∂z); only the products and sums are new, and
tests check that they add up to the step's own ∂L/∂w.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .trace import Trace, sup

MAX_PATHS = 4096  # beyond this the paths view lists the largest contributions only


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
    fprime_j: float | None  # None at a fused output, where δⱼ comes straight from the loss
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


@dataclass(frozen=True)
class ChainRule:
    layer: int  # 1-based layer of the weight
    i: int
    j: int
    gradient: float  # ∂L/∂w as the step computed it
    samples: tuple[SampleChain, ...]
    paths: tuple[PathTerm, ...]  # sorted by |product|, largest first
    path_count: int  # all paths, even when only MAX_PATHS are listed
    complete: bool  # True when `paths` holds every path


def _backward(trace: Trace, layer: int):
    return next(s for s in trace.stages if s.kind == "backward" and s.layer == layer)


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
            W_up, dZ_up = above.get("W"), above.get("dZ")
            terms = tuple(DeltaTerm(k, float(W_up[j, k]), float(dZ_up[s, k]),
                                    float(W_up[j, k] * dZ_up[s, k]))
                          for k in range(W_up.shape[1]))
        samples.append(SampleChain(s, float(x[s, i]),
                                   None if fprime is None else float(fprime[s, j]),
                                   float(dZ[s, j]), terms))

    paths, count = _paths(trace, layer, i, j, n_layers)
    return ChainRule(layer, i, j, float(stage.get("dW")[i, j]), tuple(samples),
                     tuple(paths), count, len(paths) == count)


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
    """
    stages = {l: _backward(trace, l) for l in range(layer, n_layers + 1)}
    widths = [stages[l].get("dZ").shape[1] for l in range(layer + 1, n_layers + 1)]
    count = int(np.prod(widths)) if widths else 1
    a_i = stages[layer].get("a_prev")[:, i]
    out = stages[n_layers]
    fused = out.fused
    # The loss end of every path: ∂L/∂ŷₒ·f′(zₒ), or ∂L/∂zₒ directly when fused.
    tail = out.get("dZ") if fused else out.get("dA")

    def factors_of(route):
        sym = [("a" if layer > 1 else "x") + f"{sup(layer - 1) if layer > 1 else ''}[{i + 1}]"]
        vals = [a_i]
        for depth, neuron in enumerate(route):
            l = layer + depth
            if depth > 0:
                sym.append(f"W{sup(l)}[{route[depth - 1] + 1},{neuron + 1}]")
                vals.append(np.full_like(a_i, stages[l].get("W")[route[depth - 1], neuron]))
            last = l == n_layers
            if not last or not fused:
                sym.append(f"f′(z{sup(l)}[{neuron + 1}])")
                vals.append(stages[l].get("fprime")[:, neuron])
            if last:
                sym.append(f"∂L/∂{'z' + sup(l) if fused else 'ŷ'}[{neuron + 1}]")
                vals.append(tail[:, neuron])
        return sym, vals

    routes = itertools.product(*[range(w) for w in widths])
    if count > MAX_PATHS:
        routes = itertools.islice(routes, MAX_PATHS)
    paths = []
    for rest in routes:
        route = (j, *rest)
        symbols, values = factors_of(route)
        per_sample = np.prod(np.vstack(values), axis=0)
        paths.append(PathTerm(route, tuple((s, float(v[0])) for s, v in zip(symbols, values)),
                              float(per_sample.sum())))
    paths.sort(key=lambda p: -abs(p.product))
    return paths, count
