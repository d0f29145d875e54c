"""Weight initialisers: each draws W (fan_in, fan_out) from the run's seeded generator.

Biases start at zero unless explicit weights are given.
"""

from __future__ import annotations

import numpy as np


def xavier(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    # Glorot & Bengio 2010, uniform variant: keeps activation variance for tanh/sigmoid.
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    # He et al. 2015: variance 2/fan_in compensates for ReLU zeroing half the inputs.
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


def small(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    # The seed notebook's N(0, 1) · 0.1.
    return rng.standard_normal((fan_in, fan_out)) * 0.1


def zeros(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    return np.zeros((fan_in, fan_out))


INITIALIZERS = {"xavier": xavier, "he": he, "small": small, "zeros": zeros}
INITIALIZER_LABELS = {
    "xavier": "Glorot / Xavier (uniform)",
    "he": "He (normal)",
    "small": "small random N(0,1)·0.1",
    "zeros": "zeros",
}


def get_initializer(name: str):
    try:
        return INITIALIZERS[name]
    except KeyError:
        raise ValueError(
            f"unknown initialiser {name!r}; choose from {', '.join(INITIALIZERS)}"
        ) from None
