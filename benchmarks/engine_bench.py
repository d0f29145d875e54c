"""Engine throughput, each figure a median over repetitions measured side by side in one run.

    python benchmarks/engine_bench.py [--case NAME ...] [--steps N] [--repeats 5] [--json]

For each case (a network and its data), on the same mini-batches:
- `Trainer.step()`: one full step as the window runs it (forward, backward, update, the
  divergence guard and the per-step record; the whole-set losses are evaluated only when read,
  so they are not part of a step);
- the bare step: forward, backward and the optimiser's update only;
- PyTorch eager (when installed): the same network, weights, batches, loss and optimiser,
  forward + loss + backward + step, in float64 and float32, at torch's default thread count.
Goals (issue 12): Trainer.step() ≤ 1.3 × the bare step on the playground net and on
2-32×10-1; on 784-256-256-10 (batch 128) Trainer.step() ≤ 1.2 × torch eager, float32 and
float64. The 784-wide case lifts the editor's 32-neuron limit for this benchmark only.
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

import engine.spec as spec_module  # noqa: E402
from engine.datasets import Dataset  # noqa: E402
from engine.presets import load_preset  # noqa: E402
from engine.trainer import Trainer  # noqa: E402

try:
    import torch
except ImportError:  # the bench extra is optional
    torch = None


def batch_schedule(trainer: Trainer, steps: int) -> list[np.ndarray]:
    """The mini-batches the trainer would draw, taken from a copy so every loop sees the same."""
    probe = copy.deepcopy(trainer)
    return [probe.next_batch().copy() for _ in range(steps)]


def time_trainer_step(make, steps: int) -> float:
    trainer = make()
    start = time.perf_counter()
    for _ in range(steps):
        trainer.step()
    return time.perf_counter() - start


def time_bare_step(make, batches) -> float:
    trainer = make()
    net, opt = trainer.network, trainer.optimizer
    X, Y = trainer.X_train, trainer.Y_train
    params, grads = net.params(), net.grads()
    start = time.perf_counter()
    for batch in batches:
        net.forward(X[batch])
        net.backward(Y[batch])
        opt.step(params, grads)
    return time.perf_counter() - start


# -- the cases ---------------------------------------------------------------------------------

def _mnist_like(dtype: str) -> Trainer:
    """784 inputs, two hidden ReLU layers of 256, 10 softmax classes, batch 128: random data of
    MNIST's shape (the arithmetic, not the accuracy, is what is measured)."""
    rng = np.random.default_rng(0)
    n = 3840  # 30 mini-batches per epoch
    points = rng.uniform(0, 1, (n, 784))
    labels = rng.integers(0, 10, n).astype(float)
    data = Dataset(points, labels, "classification", 10, np.arange(3072), np.arange(3072, n))
    spec = spec_module.Spec(hidden=[256, 256], activations=["relu", "relu"],
                            output_activation="softmax", loss="ce", features=[],
                            initializer="he", batch_size=128, learning_rate=0.01,
                            dtype=dtype, dataset="given", points=[[0.0] * 784], labels=[0])
    saved = spec_module.MAX_NEURONS
    spec_module.MAX_NEURONS = 256  # the window's limit, lifted for this benchmark
    try:
        return Trainer(spec, dataset=data)
    finally:
        spec_module.MAX_NEURONS = saved


CASES = {
    "playground": lambda: Trainer(load_preset("playground")),
    "2-32x10-1": lambda: Trainer(load_preset("playground").replace(
        hidden=[32] * 10, activations=["tanh"] * 10)),
    "784-256-256-10": lambda: _mnist_like("float64"),
    "784-256-256-10-float32": lambda: _mnist_like("float32"),
}
STEP_GOALS = {"playground": 1.3, "2-32x10-1": 1.3}  # Trainer.step / bare step, at most
TORCH_GOAL = 1.2  # Trainer.step / torch eager on the 784 cases, at most
DEFAULT_STEPS = {"playground": 2000, "2-32x10-1": 1000, "784-256-256-10": 60,
                 "784-256-256-10-float32": 60}


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


def run_torch_from(trainer: Trainer, batches, dtype):
    """(seconds, final parameters as NumPy) for the trainer's run in PyTorch eager."""
    spec = trainer.spec
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


def measure(name: str, steps: int, repeats: int) -> dict:
    """One case: the median seconds per step of each loop, the loops interleaved per repeat so
    that a noisy neighbour slows them alike."""
    make = CASES[name]
    probe = make()
    batches = batch_schedule(probe, steps)
    spec = probe.spec
    loops = {"trainer_step": lambda: time_trainer_step(make, steps),
             "bare_step": lambda: time_bare_step(make, batches)}
    if torch is not None and name.startswith("784"):
        torch_dtype = torch.float32 if probe.dtype == np.float32 else torch.float64
        loops["torch_eager"] = lambda: run_torch_trainer(make, batches, torch_dtype)
    times = {key: [] for key in loops}
    for _ in range(repeats):
        for key, loop in loops.items():
            times[key].append(loop() / steps)
    result = {"case": name, "sizes": probe.network.sizes, "batch_size": spec.batch_size,
              "dtype": str(probe.dtype), "steps": steps, "repeats": repeats}
    if "torch_eager" in loops:  # same weights, batches and arithmetic: agree to rounding
        ours = make()
        for batch in batches:
            ours.step(batch)
        final = run_torch_from(make(), batches, torch_dtype)[1]
        result["max_param_difference"] = max(
            float(np.max(np.abs(layer.W - W))) + float(np.max(np.abs(layer.b - b)))
            for layer, (W, b) in zip(ours.network.layers, final, strict=True))
    result.update({f"{key}_us": statistics.median(t) * 1e6 for key, t in times.items()})
    result["step_over_bare"] = result["trainer_step_us"] / result["bare_step_us"]
    if "torch_eager_us" in result:
        result["step_over_torch"] = result["trainer_step_us"] / result["torch_eager_us"]
        result["bare_over_torch"] = result["bare_step_us"] / result["torch_eager_us"]
    return result


def run_torch_trainer(make, batches, dtype) -> float:
    """Seconds for the same run in PyTorch eager, at torch's default thread count."""
    return run_torch_from(make(), batches, dtype)[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", choices=list(CASES),
                        help="a case to measure (repeatable; default: all)")
    parser.add_argument("--steps", type=int, help="steps per loop (default: per case)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    results = [measure(name, args.steps or DEFAULT_STEPS[name], args.repeats)
               for name in args.case or list(CASES)]
    notes = []
    if torch is None:
        notes.append("PyTorch is not installed (pip install '.[torch]'): no torch ratios")
    summary = {"numpy": np.__version__, "torch": torch and torch.__version__,
               "torch_threads": torch and torch.get_num_threads(), "cases": results,
               "notes": notes}
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"median µs per step over {args.repeats} repeats (numpy {np.__version__}"
          + (f", torch {torch.__version__} with {torch.get_num_threads()} threads)" if torch
             else ")"))
    for r in results:
        line = (f"  {r['case']:<24} Trainer.step {r['trainer_step_us']:8.1f}  bare "
                f"{r['bare_step_us']:8.1f}  step/bare {r['step_over_bare']:.2f}")
        goal = STEP_GOALS.get(r["case"])
        if goal:
            line += f" (goal ≤ {goal})"
        if "step_over_torch" in r:
            line += (f"  torch {r['torch_eager_us']:8.1f}  step/torch {r['step_over_torch']:.2f}"
                     f" (goal ≤ {TORCH_GOAL}), bare/torch {r['bare_over_torch']:.2f}, "
                     f"params differ by ≤ {r['max_param_difference']:.1e}")
        print(line)
    for note in notes:
        print(f"  note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
