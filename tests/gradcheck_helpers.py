"""Networks for the gradient-check and bug tests: the issue's deep net and seeded random nets
of every activation and output/loss pair."""

import numpy as np

from engine.activations import HIDDEN_ACTIVATIONS
from engine.network import Network

OUTPUTS = [("sigmoid", "mse"), ("sigmoid", "bce"), ("softmax", "ce"), ("linear", "mse")]
ISSUE_SIZES = [1, 4, 1, 7, 11, 11, 2]
ISSUE_ACTIVATIONS = ["swish", "elu", "softplus", "linear", "elu", "sigmoid"]


def targets(rng, output, loss, m, k):
    if loss == "ce":
        return np.eye(k)[rng.integers(0, k, m)]
    if loss == "bce":
        return rng.integers(0, 2, (m, k)).astype(float)
    if output == "sigmoid":
        return rng.uniform(0, 1, (m, k))
    return rng.normal(size=(m, k))


def random_weights(rng, sizes, scale):
    """Random weights and biases (random biases keep ReLU pre-activations off exactly 0)."""
    return [{"W": rng.normal(0, scale, (i, o)), "b": rng.normal(0, 0.5, o)}
            for i, o in zip(sizes[:-1], sizes[1:], strict=True)]


def issue_net(seed=5, scale=1.5):
    """The issue's 1-4-1-7-11-11-2 net (swish, elu, softplus, linear, elu → sigmoid + MSE) on 63
    samples, weights N(0, 1.5²): seed 5 is one whose gradients are right but where the plain
    ε = 1e-5 check scored every tensor above 1e-7."""
    rng = np.random.default_rng(seed)
    net = Network.build(ISSUE_SIZES, ISSUE_ACTIVATIONS, "mse",
                        weights=random_weights(rng, ISSUE_SIZES, scale))
    X = rng.normal(size=(63, 1))
    return net, X, rng.uniform(0, 1, (63, 2))


def random_net(seed, *, max_batch=8, max_width=6, min_depth=2, max_depth=5, output=None):
    """A seeded random deep net: 2–5 hidden layers of 1–6 units, each with a random hidden
    activation, a random output/loss pair, weights N(0, s²) with s in [0.3, 2]."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(min_depth, max_depth + 1))
    hidden = [int(n) for n in rng.integers(1, max_width + 1, depth)]
    activations = [str(a) for a in rng.choice(HIDDEN_ACTIVATIONS, depth)]
    out, loss = output or OUTPUTS[int(rng.integers(len(OUTPUTS)))]
    k = 3 if loss == "ce" else int(rng.integers(1, 3))
    inputs = int(rng.integers(1, 4))
    sizes = [inputs, *hidden, k]
    net = Network.build(sizes, [*activations, out], loss,
                        weights=random_weights(rng, sizes, rng.uniform(0.3, 2.0)))
    m = int(rng.integers(2, max_batch + 1))
    return net, rng.normal(size=(m, inputs)), targets(rng, out, loss, m, k)
