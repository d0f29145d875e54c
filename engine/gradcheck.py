"""Gradient checking: backprop's gradients against finite differences, element by element.

For every parameter tensor: the relative difference ‖a − n‖ / (‖a‖ + ‖n‖) over the compared
elements (all of them, or a seeded sample when the tensor is larger than `max_elements`), with
the analytic a straight from the network's own backward (an injected bug or feedback alignment
shows) and the numeric n from a clean copy of the network in extended precision (long double).

Why the default scheme is not a plain (L(θ+ε) − L(θ−ε)) / 2ε with one ε:
- that has two errors pulling ε in opposite directions: truncation, about ε²·L‴/6, and rounding,
  about u·L/ε (u the unit roundoff). A deep net whose last layers see activations in the
  hundreds is strongly curved (L‴ large), and a saturated one has gradients of 1e-9 that the
  rounding of a loss of 0.7 swamps: one 1-4-1-7-11-11-2 net has both, and no single ε serves.
- Richardson extrapolation, R(h) = (4·D(h/2) − D(h)) / 3, cancels the ε² term (truncation
  ∝ h⁴), in long double (u ≈ 5e-20). It is taken at h = 1e-2 … 1e-6 for every element, and the
  element's answer is the step whose error bound |R(h) − R(h/10)| + rounding(h/10) is smallest:
  a tiny gradient gets a large step, a strongly curved loss a small one.
- near a ReLU kink smaller steps (down to 1e-8) are tried before giving up: an element is
  skipped (and counted) only when they too move a ReLU pre-activation across 0, where no finite
  difference can agree with either one-sided derivative.
- an explicit eps is the textbook central difference with that ε, to see its trade-off.

What remains is honest arithmetic: a gradient of 1e-30 beside a loss of 1 cannot be seen by
any finite difference, and float64 itself rounds a saturated sigmoid's σ(1 − σ). So each result
carries `resolution`, the relative difference rounding alone could produce there (the bound on
the finite differences' error plus the float64 rounding of the correct backward, measured
against the same backward in long double); a difference within it is "not checked", never
"passed" or "failed".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network

DEFAULT_THRESHOLD = 1e-7
RICHARDSON_STEPS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6)  # the steps h tried, largest first
KINK_STEPS = (1e-6, 1e-7, 1e-8)  # tried where the larger ones cross a ReLU kink
EPS_CHOICES: list[tuple[str, float | None]] = [
    ("auto (Richardson)", None), ("1e-3", 1e-3), ("1e-4", 1e-4), ("1e-5", 1e-5),
    ("1e-6", 1e-6), ("1e-7", 1e-7)]
# Rounding estimates are orders of magnitude, so the resolution gets a safety factor: a
# difference has to be well beyond what rounding can do before it counts as a failure.
SAFETY = 10.0
EXTENDED = np.longdouble
_NOT_FINITE = "the loss is NaN or infinite for these weights and data: no gradient to check"


@dataclass(frozen=True, eq=False)
class GradcheckResult:
    name: str  # "1.W", "1.b", … (1-based layer)
    relative_difference: float  # over the compared elements
    checked: int  # elements compared
    total: int  # elements in the tensor
    skipped_kinks: int  # elements skipped because ±ε crossed a ReLU/leaky-ReLU kink
    analytic: np.ndarray  # float64, the parameter's shape: what network.backward gave
    numeric: np.ndarray  # float64, same shape, NaN where not compared (not sampled or skipped)
    skipped: np.ndarray  # bool, same shape: True where skipped at a kink
    worst: tuple[int, ...] | None  # compared element that disagrees most; None if none compared
    resolution: float = 0.0  # the relative difference rounding alone could explain here

    def status(self, threshold: float = DEFAULT_THRESHOLD) -> str:
        """"passed", "failed", or "not checked" (nothing compared, or a difference that rounding
        could explain: see note())."""
        if self.checked == 0:
            return "not checked"
        if self.relative_difference < threshold:
            return "passed"
        if self.relative_difference <= self.resolution:
            return "not checked"
        return "failed"

    def note(self, threshold: float = DEFAULT_THRESHOLD) -> str:
        """Why a tensor is "not checked", in one line ("" otherwise)."""
        if self.status(threshold) != "not checked":
            return ""
        if self.checked == 0:
            if self.skipped_kinks:
                return (f"all {self.skipped_kinks} sampled elements sit at a ReLU kink, where "
                        "the loss has no derivative")
            return "no element was compared"
        return (f"a difference of {self.relative_difference:.1e} is within what rounding and "
                f"finite differences can resolve here (up to {self.resolution:.1e}): the "
                "gradient is too small, the network's precision too low, or a chosen ε too "
                "large or too small, to tell at this threshold")


def relative_difference(analytic: np.ndarray, numeric: np.ndarray) -> float:
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def copy_as(network: Network, dtype) -> Network:
    """The same weights in a clean network (the plain engine: no bug, backprop) of `dtype`."""
    weights = [{"W": layer.W, "b": layer.b} for layer in network.layers]
    activations = [layer.activation.name for layer in network.layers]
    return Network.build(network.sizes, activations, network.loss.name, weights=weights,
                         dtype=dtype)


def extended_copy(network: Network) -> Network:
    """The same network in extended precision (x86's 80-bit long double)."""
    return copy_as(network, EXTENDED)


class _Probe:
    """The extended copy's loss for many moves of one layer's parameters at once.

    z = xW + b is linear in W and b, so moving W[i, j] by s moves column j of that layer's z by
    exactly s·x[:, i] (b[j]: by s). The moved z of many elements and steps are stacked as extra
    rows and pushed through the layers above in one pass; a move that takes a ReLU
    pre-activation across 0 is flagged (the loss has a kink in between)."""

    def __init__(self, reference: Network, X, y):
        self.net, self.y = reference, y
        passes = reference.pass_through(X)
        self.inputs = [X] + [a for _, a in passes[:-1]]
        self.z = [z for z, _ in passes]
        self.sides = [z > 0 if layer.activation.kinked else None
                      for (z, _), layer in zip(passes, reference.layers, strict=True)]
        z, a = passes[-1]
        self.loss = reference.loss.value(z, a, y)
        # Fused losses (log-sum-exp, logistic) add and cancel terms as large as the output's z:
        # their rounding scales with |z|, not with the loss (a loss of 1e-31 from logits of 100).
        self.magnitude = abs(self.loss)
        if reference.loss.fused:
            self.magnitude += np.abs(z).max(axis=1).mean()

    def directions(self, start: int, key: str, elements: np.ndarray) -> np.ndarray:
        """(elements, m, fan_out): how the layer's z moves per unit move of each element."""
        z = self.z[start]
        d = np.zeros((len(elements), *z.shape), dtype=z.dtype)
        if key == "W":
            rows, cols = np.divmod(elements, z.shape[1])
            d[np.arange(len(elements)), :, cols] = self.inputs[start][:, rows].T
        else:
            d[np.arange(len(elements)), :, elements] = 1
        return d

    def losses(self, start: int, moves: np.ndarray):
        """(loss, crossed a kink) for each move (P, m, fan_out) of layer `start`'s z."""
        count, m = len(moves), len(self.y)
        z = self.z[start][None] + moves
        crossed = np.zeros(count, dtype=bool)
        x = None
        for k in range(start, len(self.net.layers)):
            layer = self.net.layers[k]
            if x is not None:
                z = (x @ layer.W + layer.b).reshape(count, m, -1)
            if self.sides[k] is not None:
                crossed |= ((z > 0) != self.sides[k]).any(axis=(1, 2))
            x = layer.activation.forward(z.reshape(count * m, -1))
        z = z.reshape(count * m, -1)
        loss = self.net.loss
        values = np.array([loss.value(z[p * m:(p + 1) * m], x[p * m:(p + 1) * m], self.y)
                           for p in range(count)])
        return values, crossed


def _estimates(probe: _Probe, start: int, key: str, elements: np.ndarray, eps, rounding):
    """(numeric, error bound, skipped) for these elements of one tensor."""
    if eps is not None:
        # The textbook central difference D(ε); D(ε/2) beside it only to bound D(ε)'s
        # truncation (∝ ε², so D(ε) − D(ε/2) is ¾ of it): a too-large ε is then "not checked"
        # with its reason, instead of a false alarm.
        steps = np.array([eps, eps / 2], dtype=EXTENDED)
        values, crossed = _move_losses(probe, start, key, elements, steps)
        central = (values[:, :2] - values[:, 2:]) / (2 * steps)
        truncation = 4 / 3 * np.abs(central[:, 0] - central[:, 1]).astype(np.float64)
        return (central[:, 0], truncation + rounding / eps,
                crossed[:, 0] | crossed[:, 2])
    value, bound = _richardson(probe, start, key, elements, RICHARDSON_STEPS, rounding)
    near = ~np.isfinite(bound)  # a kink within reach of the larger steps: try smaller ones
    if near.any():
        value[near], bound[near] = _richardson(probe, start, key, elements[near], KINK_STEPS,
                                               rounding)
    return value, bound, ~np.isfinite(bound)


def _richardson(probe, start, key, elements, hs, rounding):
    """Richardson R(h) = (4·D(h/2) − D(h))/3 at every step h of hs, largest first. R at the
    next smaller step has far less truncation (∝ h⁴) and at most ten times the rounding, so
    R(h)'s error is at most |R(h) − R(h/10)| + rounding(h/10): the step with the smallest such
    bound gives the answer (too large an h shows as truncation, too small as rounding). Steps
    whose moves cross a kink do not count; no usable pair of steps: an infinite bound."""
    steps = np.array([s for h in hs for s in (h, h / 2)], dtype=EXTENDED)
    values, crossed = _move_losses(probe, start, key, elements, steps)
    n = len(steps)
    central = (values[:, :n] - values[:, n:]) / (2 * steps)
    kinked = crossed[:, :n] | crossed[:, n:]
    richardson = (4 * central[:, 1::2] - central[:, 0::2]) / 3
    # A step that overflows is no use either (it happens only when the loss is huge within
    # ±h; such an element ends up counted with the skipped ones).
    usable = ~(kinked[:, 0::2] | kinked[:, 1::2]) & np.isfinite(richardson)
    # Rounding of L±: δL/h for one central difference, (4·2 + 1)/3 = 3 times that for R(h).
    floor = 3 * rounding / np.asarray(hs[1:])
    bounds = np.abs(np.diff(richardson, axis=1)).astype(np.float64) + floor
    bounds[~(usable[:, 1:] & usable[:, :-1])] = np.inf
    best = np.argmin(bounds, axis=1)
    rows = np.arange(len(elements))
    return richardson[rows, best], bounds[rows, best]


def _move_losses(probe: _Probe, start: int, key: str, elements, steps):
    """Losses for every element moved by +s and by −s for each step s: two (elements, steps)
    arrays of values and of "crossed a kink"."""
    signed = np.concatenate([steps, -steps])
    directions = probe.directions(start, key, elements)
    budget = max(1, 500_000 // (len(signed) * directions[0].size))
    values, crossed = [], []
    for first in range(0, len(elements), budget):  # a bounded number of rows per pass
        d = directions[first:first + budget]
        moves = (signed[None, :, None, None] * d[:, None]).reshape(-1, *d.shape[1:])
        v, c = probe.losses(start, moves)
        values.append(v.reshape(len(d), len(signed)))
        crossed.append(c.reshape(len(d), len(signed)))
    return np.concatenate(values), np.concatenate(crossed)


def _loss_rounding(network: Network, probe: _Probe, X, y) -> float:
    """Roughly how far rounding moves the extended copy's loss: u·(|L| + |z| of the output),
    times how much worse float64 really rounds this loss than that bound says (measured
    against long double: a forward pass with cancelling terms rounds worse than u·L)."""
    z, a = copy_as(network, np.float64).output(np.asarray(X, dtype=np.float64))
    loss64 = network.loss.value(z, a, np.asarray(y, dtype=np.float64))
    u64, u = np.finfo(np.float64).eps / 2, float(np.finfo(EXTENDED).eps) / 2
    magnitude = max(float(probe.magnitude), np.finfo(np.float64).tiny)
    amplification = max(1.0, abs(float(loss64 - probe.loss)) / (u64 * magnitude))
    return amplification * u * magnitude


def _backward_rounding(network: Network, X, y) -> dict[str, np.ndarray]:
    """How far the network's precision rounds the correct backward: a clean copy in the
    network's dtype against the same clean backward in long double, element by element."""
    dtype = network.layers[0].W.dtype
    grads = {}
    for net, data in ((copy_as(network, dtype), dtype), (extended_copy(network), EXTENDED)):
        net.forward(np.asarray(X, dtype=data))
        net.backward(np.asarray(y, dtype=data))
        grads[data] = net.grads()
    return {k: np.abs(grads[dtype][k].astype(EXTENDED) - grads[EXTENDED][k]).astype(np.float64)
            for k in grads[dtype]}


def gradcheck(network: Network, X: np.ndarray, y: np.ndarray, *, eps: float | None = None,
              max_elements: int = 200, seed: int = 0) -> list[GradcheckResult]:
    """Compare network.backward's gradient with finite differences for each parameter.

    eps None: Richardson extrapolation (see the module docstring); a number: a plain central
    difference with that ε, as the textbooks write it (useful to see ε's trade-off)."""
    if eps is not None and not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"ε must be a positive number, got {eps!r}")
    if max_elements < 1:
        raise ValueError(f"max_elements must be ≥ 1, got {max_elements}")
    with np.errstate(all="ignore"):
        network.forward(X)
        loss = network.backward(y)
    if not np.isfinite(loss):
        raise ValueError(_NOT_FINITE)
    analytic = {k: np.array(g, dtype=np.float64) for k, g in network.grads().items()}
    reference = extended_copy(network)
    XL, yL = np.asarray(X, dtype=EXTENDED), np.asarray(y, dtype=EXTENDED)
    with np.errstate(all="ignore"):
        probe = _Probe(reference, XL, yL)
        if not np.isfinite(probe.loss):
            raise ValueError(_NOT_FINITE)
        rounding = _loss_rounding(network, probe, X, y)
        backward_rounding = _backward_rounding(network, X, y)
        rng = np.random.default_rng(seed)
        results = []
        for start, layer in enumerate(reference.layers):
            for key, param in layer.params().items():
                name = f"{start + 1}.{key}"
                chosen = _sample(rng, param.size, max_elements)
                estimates = _estimates(probe, start, key, chosen, eps, rounding)
                results.append(_result(name, param.shape, chosen, estimates, analytic[name],
                                       backward_rounding[name]))
    return results


def _sample(rng, size: int, max_elements: int) -> np.ndarray:
    if size > max_elements:
        return rng.choice(size, max_elements, replace=False)
    return np.arange(size)


def _result(name, shape, chosen, estimates, analytic, backward_rounding) -> GradcheckResult:
    value, error, kinked = estimates
    size = int(np.prod(shape))
    numeric, noise = np.full(size, np.nan), np.zeros(size)
    skipped = np.zeros(size, dtype=bool)
    numeric[chosen[~kinked]] = value[~kinked].astype(np.float64)
    noise[chosen[~kinked]] = error[~kinked].astype(np.float64)
    skipped[chosen[kinked]] = True
    a = analytic.reshape(-1)
    compared = ~np.isnan(numeric)
    diff = relative_difference(a[compared], numeric[compared])
    scale = np.linalg.norm(a[compared]) + np.linalg.norm(numeric[compared])
    # The finite differences' bound is an estimate (hence SAFETY); the backward's rounding is
    # measured, so twice it is ample — a larger factor would let a flipped sign in a float32
    # network's tiny gradient pass as "rounding".
    spread = (SAFETY * np.linalg.norm(noise[compared])
              + 2 * np.linalg.norm(backward_rounding.reshape(-1)[compared]))
    resolution = float(spread / scale) if scale > 0 else 0.0
    worst = None
    if compared.any():
        gap = np.where(compared, np.abs(a - np.nan_to_num(numeric)), -np.inf)
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), shape))
    return GradcheckResult(
        name, diff, int(compared.sum()), size, int(skipped.sum()), analytic.copy(),
        numeric.reshape(shape), skipped.reshape(shape), worst, resolution)


def check_data(trainer, sample: int | None = None,
               max_rows: int | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """(X, y, description) to check on: the trainer's last mini-batch (before any step, the
    first batch_size training samples), or the one training sample `sample` (0-based); at most
    the batch's first max_rows rows when given (the window keeps a check to moments)."""
    n = len(trainer.X_train)
    if n == 0:
        raise ValueError("there are no training samples to check the gradient on")
    if sample is not None:
        if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) \
                or not 0 <= sample < n:
            raise ValueError(f"no training sample {sample!r}: choose one from 0 to {n - 1}")
        rows = np.array([int(sample)])
        description = f"training sample {int(sample)}"
    elif trainer.last_batch is not None and len(trainer.last_batch):
        rows = np.asarray(trainer.last_batch)
        description = f"the last mini-batch ({_samples(len(rows))})"
    else:
        rows = np.arange(min(trainer.batch_size, n))
        description = f"the first mini-batch ({_samples(len(rows))}, before any step)"
    if max_rows is not None and len(rows) > max_rows:
        rows = rows[:max_rows]
        description = f"the first {max_rows} samples of {description}"
    return trainer.X_train[rows].copy(), trainer.Y_train[rows].copy(), description


def _samples(count: int) -> str:
    return f"{count} sample" + ("" if count == 1 else "s")
