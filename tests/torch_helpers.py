"""Helpers for the PyTorch export tests: run an exported script, compare it with the engine."""

import contextlib
import copy
import io
import json
import runpy
import sys

import numpy as np

from engine.torch_compare import relative_difference


def engine_run(trainer, steps):
    """The engine continuing from the trainer's state (on a copy): per-step mini-batch losses,
    final weights, final training loss."""
    ref = copy.deepcopy(trainer)
    stats = [ref.step() for _ in range(steps)]
    assert not any(s.diverged for s in stats)
    weights = [(layer.W.copy(), layer.b.copy()) for layer in ref.network.layers]
    return [s.batch_loss for s in stats], weights, ref.evaluate(ref.X_train, ref.Y_train)[0]


def parse(output):
    rows = [json.loads(line) for line in output.splitlines()]
    return rows[:-1], rows[-1]


def assert_reproduces(trainer, steps, output, tolerance=1e-10):
    losses, weights, train_loss = engine_run(trainer, steps)
    printed, final = parse(output)
    assert [r["step"] for r in printed] == list(range(trainer.step_count + 1,
                                                      trainer.step_count + steps + 1))
    for engine, script in zip(losses, (r["loss"] for r in printed), strict=True):
        assert abs(engine - script) <= tolerance * abs(engine)
    for (W, b), layer in zip(weights, final["weights"], strict=True):
        assert relative_difference(W, np.array(layer["W"])) <= tolerance
        assert relative_difference(b, np.array(layer["b"])) <= tolerance
    assert abs(final["train_loss"] - train_loss) <= tolerance * train_loss
    assert final["step"] == trainer.step_count + steps


def run_in_process(path, args, monkeypatch):
    """The script run as __main__ in this process; its stdout. (It sets torch to one thread
    for itself: the test process gets its own setting back.)"""
    import torch

    monkeypatch.setattr(sys, "argv", [str(path), *args])
    out, threads = io.StringIO(), torch.get_num_threads()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(path), run_name="__main__")
    finally:
        torch.set_num_threads(threads)
    return out.getvalue()
