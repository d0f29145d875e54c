"""Engine throughput: NumPy training steps per second, and the same work in PyTorch.

    python benchmarks/engine_bench.py [--preset playground] [--steps 2000] [--repeats 5] [--json]

Measured, each as the median over the repeats (a fresh network per repeat):
- `Trainer.step()`: one full step as the GUI runs it (forward, backward, update, divergence
  guard, per-step statistics and train/test evaluation);
- the lean NumPy loop: forward, backward, optimiser step only, on the same mini-batches;
- PyTorch (when installed): the same network, initial weights, mini-batch schedule, loss and
  optimiser, forward + loss + backward + step, in float64 and float32, with one thread and with
  torch's default thread count.
Ratios are NumPy / PyTorch steps per second from the same run (> 1: NumPy is faster). Tiny
networks are dominated by per-call overhead, not arithmetic, which is what this measures.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.presets import load_preset  # noqa: E402
from engine.trainer import Trainer  # noqa: E402

try:
    import torch
except ImportError:  # the bench extra is optional
    torch = None


def median_rate(run, steps: int, repeats: int) -> float:
    """Median steps/s of `run(steps)` over the repeats (run builds its own fresh state)."""
    rates = []
    for _ in range(repeats):
        elapsed = run(steps)
        rates.append(steps / elapsed)
    return statistics.median(rates)


def batch_schedule(trainer: Trainer, steps: int) -> list[np.ndarray]:
    """The mini-batches the trainer would draw, taken from a copy so every loop sees the same."""
    probe = copy.deepcopy(trainer)
    return [probe.next_batch().copy() for _ in range(steps)]


def time_trainer_step(spec, steps: int) -> float:
    trainer = Trainer(spec)
    start = time.perf_counter()
    for _ in range(steps):
        trainer.step()
    return time.perf_counter() - start


def time_lean_numpy(spec, batches) -> float:
    trainer = Trainer(spec)
    net, opt = trainer.network, trainer.optimizer
    X, Y = trainer.X_train, trainer.Y_train
    params, grads = net.params(), net.grads()
    start = time.perf_counter()
    for batch in batches:
        net.forward(X[batch])
        net.backward(Y[batch])
        opt.step(params, grads)
    return time.perf_counter() - start


# -- PyTorch: the same network, built from the trainer's initial weights --------------------

TORCH_ACTIVATIONS = {
    "linear": lambda: torch.nn.Identity(), "relu": lambda: torch.nn.ReLU(),
    "leaky_relu": lambda: torch.nn.LeakyReLU(0.01), "elu": lambda: torch.nn.ELU(),
    "sigmoid": lambda: torch.nn.Sigmoid(), "tanh": lambda: torch.nn.Tanh(),
    "softplus": lambda: torch.nn.Softplus(), "swish": lambda: torch.nn.SiLU(),
}


def torch_model(trainer: Trainer, dtype):
    """Linear layers with the trainer's initial W (fan_in, fan_out) and b; the output layer's
    activation is folded into the loss for bce/ce (as the engine fuses them)."""
    layers = []
    for i, layer in enumerate(trainer.network.layers):
        linear = torch.nn.Linear(layer.fan_in, layer.fan_out).to(dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.W.T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.b.copy()))
        layers.append(linear)
        name = layer.activation.name
        last = i == len(trainer.network.layers) - 1
        if not (last and trainer.spec.loss in ("bce", "ce")):
            layers.append(TORCH_ACTIVATIONS[name]())
    return torch.nn.Sequential(*layers)


def torch_loss(spec):
    if spec.loss == "bce":
        return torch.nn.BCEWithLogitsLoss()
    if spec.loss == "ce":
        ce = torch.nn.CrossEntropyLoss()
        return lambda logits, y: ce(logits, y.argmax(dim=1))
    return lambda out, y: ((out - y) ** 2).sum() / len(y)  # the engine's (1/m) Σᵢ Σₖ


def torch_optimizer(spec, params):
    if spec.optimizer == "adam":
        return torch.optim.Adam(params, lr=spec.learning_rate)
    momentum = spec.momentum if spec.optimizer == "momentum" else 0.0
    # The engine's momentum is v ← μv − ηg, θ ← θ + v: torch's SGD with dampening 0 matches.
    return torch.optim.SGD(params, lr=spec.learning_rate, momentum=momentum)


def run_torch(spec, batches, dtype, threads: int | None):
    """(seconds, final parameters as NumPy) for the same training run in PyTorch."""
    if threads is not None:
        torch.set_num_threads(threads)
    trainer = Trainer(spec)
    model = torch_model(trainer, dtype)
    loss_fn, opt = torch_loss(spec), torch_optimizer(spec, model.parameters())
    X = torch.from_numpy(trainer.X_train).to(dtype)
    Y = torch.from_numpy(trainer.Y_train).to(dtype)
    index = [torch.from_numpy(b.astype(np.int64)) for b in batches]
    start = time.perf_counter()
    for batch in index:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(X[batch]), Y[batch])
        loss.backward()
        opt.step()
    elapsed = time.perf_counter() - start
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    final = [(m.weight.detach().numpy().T.astype(np.float64), m.bias.detach().numpy())
             for m in linears]
    return elapsed, final


def numpy_final_params(spec, batches):
    trainer = Trainer(spec)
    net, opt = trainer.network, trainer.optimizer
    params, grads = net.params(), net.grads()
    for batch in batches:
        net.forward(trainer.X_train[batch])
        net.backward(trainer.Y_train[batch])
        opt.step(params, grads)
    return [(layer.W, layer.b) for layer in net.layers]


def max_difference(ours, theirs) -> float:
    return max(float(np.max(np.abs(a - b))) for pair_a, pair_b in zip(ours, theirs, strict=True)
               for a, b in zip(pair_a, pair_b, strict=True))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="playground")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    spec = load_preset(args.preset)
    probe = Trainer(spec)
    batches = batch_schedule(probe, args.steps)
    result = {"preset": args.preset, "sizes": probe.network.sizes, "steps": args.steps,
              "repeats": args.repeats, "batch_size": spec.batch_size,
              "optimizer": spec.optimizer, "numpy": np.__version__}
    result["trainer_step"] = median_rate(lambda n: time_trainer_step(spec, n), args.steps,
                                         args.repeats)
    result["numpy_lean"] = median_rate(lambda n: time_lean_numpy(spec, batches[:n]), args.steps,
                                       args.repeats)
    notes = []
    if spec.regularization != "none" or spec.clip_norm > 0:
        notes.append("the PyTorch loop leaves out this preset's regularisation/clipping")
    if torch is None:
        notes.append("PyTorch is not installed (pip install '.[bench]'): NumPy numbers only")
    else:
        result["torch"] = torch.__version__
        default_threads = torch.get_num_threads()
        reference = numpy_final_params(spec, batches)
        result["torch_runs"] = runs = {}
        for dtype_name, dtype in (("float64", torch.float64), ("float32", torch.float32)):
            for threads in sorted({1, default_threads}):
                rates = []
                for _ in range(args.repeats):
                    elapsed, final = run_torch(spec, batches, dtype, threads)
                    rates.append(args.steps / elapsed)
                rate = statistics.median(rates)
                runs[f"{dtype_name}, {threads} thread(s)"] = {
                    "steps_per_second": rate,
                    "numpy_lean_ratio": result["numpy_lean"] / rate,
                    "trainer_step_ratio": result["trainer_step"] / rate,
                    # Same weights, batches and arithmetic: the runs must agree to rounding.
                    "max_param_difference": max_difference(reference, final)}
        torch.set_num_threads(default_threads)
    result["notes"] = notes

    if args.json:
        print(json.dumps(result))
        return 0
    print(f"preset {args.preset}: sizes {result['sizes']}, batch {spec.batch_size}, "
          f"{spec.optimizer}, {args.steps} steps × {args.repeats} repeats (median steps/s)")
    print(f"  numpy Trainer.step()              {result['trainer_step']:6.0f}  "
          "(with statistics + evaluation)")
    print(f"  numpy lean loop                   {result['numpy_lean']:6.0f}  "
          "(forward, backward, update)")
    for label, run in result.get("torch_runs", {}).items():
        print(f"  torch {label:<27} {run['steps_per_second']:6.0f}  "
              f"ratio numpy/torch: lean {run['numpy_lean_ratio']:5.2f}, "
              f"step {run['trainer_step_ratio']:5.2f}  "
              f"(final params differ by ≤ {run['max_param_difference']:.1e})")
    for note in notes:
        print(f"  note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
