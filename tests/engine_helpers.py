"""Small helpers shared by the engine tests."""

import numpy as np


def params_of(trainer):
    return {k: p.copy() for k, p in trainer.network.params().items()}


def same_params(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def huge_weights_spec():
    """A linear regression net whose weights (1e300) overflow the loss at the first step."""
    from engine.presets import load_preset

    spec = load_preset("playground").replace(
        dataset="regress-plane", output_activation="linear", loss="mse",
        activations=["linear", "linear"])
    sizes = [2, 4, 2, 1]
    weights = [{"W": np.full((i, o), 1e300).tolist(), "b": [0.0] * o}
               for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    return spec.replace(weights=weights)


def stepped(trainer, indices=None):
    """One step, then the full statistics of the state it left (whole-set losses included),
    as the window reads them."""
    trainer.step(indices)
    return trainer.stats()
