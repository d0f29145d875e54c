"""Small helpers shared by the engine tests."""

import numpy as np


def params_of(trainer):
    return {k: p.copy() for k, p in trainer.network.params().items()}


def same_params(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
