"""The text of an exported PyTorch script, section by section (engine/torch_export.py decides
what is exported and writes the files).

Every number is written with repr, which reads back as the same float, so the script starts
from exactly the trainer's state.
"""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np

from .losses import LOSS_LABELS
from .optimizers import OPTIMIZER_LABELS
from .torch_compare import FUSED_LOSSES, TORCH_VERSION, module_code

WIDTH = 100  # the longest line the script has

LOSS_CODE = {
    "mse": ('"""The playground\'s mean squared error: L = (1/m) Σᵢ Σₖ (ŷᵢₖ − yᵢₖ)², a sum\n'
            '    over the outputs and a mean over the batch (torch\'s mse_loss would also divide\n'
            '    by the number of outputs)."""\n'
            "    return ((out - y) ** 2).sum() / len(y)"),
    "bce": ('"""Binary cross-entropy from the logits z (the output layer\'s sigmoid is applied\n'
            "    inside, stably for any z): L = −(1/m) Σᵢ [yᵢ ln σ(zᵢ) + (1 − yᵢ) ln(1 − σ(zᵢ))]."
            '"""\n'
            '    return F.binary_cross_entropy_with_logits(out, y, reduction="sum") / len(y)'),
    "ce": ('"""Cross-entropy from the logits z (the softmax is applied inside, with log-sum-exp),\n'
           '    y one-hot: L = −(1/m) Σᵢ Σₖ yᵢₖ ln softmax(zᵢ)ₖ."""\n'
           '    return F.cross_entropy(out, y, reduction="sum") / len(y)'),
}


def script_text(trainer, steps: int, data_csv: str | None) -> str:
    """The whole script: header, data, model, loss, optimiser, mini-batches, training loop."""
    sections = [_header(trainer, steps), _data(trainer, data_csv), _model(trainer),
                _loss(trainer), _optimiser(trainer), _batches(trainer), _loop(trainer)]
    return "\n\n\n".join(sections) + "\n"


def _header(trainer, steps: int) -> str:
    spec, net = trainer.spec, trainer.network
    sizes = " → ".join(map(str, net.sizes))
    acts = ", ".join(layer.activation.name for layer in net.layers)
    state = "its initial weights" if trainer.step_count == 0 else \
        f"its weights and optimiser state after {trainer.step_count} steps"
    precision = "to about 1e-10" if trainer.dtype == np.float64 else "to float32 rounding"
    about = textwrap.fill(
        f"The network {sizes} ({acts}), {LOSS_LABELS[spec.loss]}, {_optimiser_label(trainer)}, "
        f"mini-batches of {trainer.batch_size}, {trainer.dtype.name}. It starts from {state} "
        "and repeats the playground's training: the same data (after feature expansion), the "
        "same mini-batch order, the same loss and update, so its losses match the playground's "
        f"step for step ({precision}). Not included: the playground's divergence guard (it "
        "undoes an update that sends the loss to NaN/Inf or far above its start).", WIDTH - 4)
    return f'''"""A PyTorch script exported by Backprop Playground.

{about}

Run:    python <this file> [--steps {steps}] [--print-every K] [--json]
Needs:  numpy and torch (pip install torch=={TORCH_VERSION})
"""

import argparse
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DTYPE = torch.{trainer.dtype.name}
STEPS = {steps}  # default number of training steps
START_STEP = {trainer.step_count}  # the playground's step count when this was exported
torch.set_num_threads(1)  # the network is tiny: more threads cost more than they save


def as_torch(values):
    """A tensor from the playground's numbers; a matrix W (inputs × outputs) is transposed to
    the (outputs × inputs) layout nn.Linear keeps."""
    tensor = torch.tensor(values, dtype=DTYPE)
    return tensor.T.contiguous() if tensor.dim() == 2 else tensor'''


def _data(trainer, data_csv: str | None) -> str:
    n, inputs = trainer.X_train.shape
    names = ", ".join(input_names(trainer))
    targets = {"bce": "0 or 1", "ce": "one-hot, a column per class"}.get(
        trainer.spec.loss, "the value to fit" if trainer.data.task == "regression" else "0 or 1")
    head = (f"{_bar('data')}\n"
            f"# The {n} training samples as the network sees them: the inputs after feature\n"
            f"# expansion ({_cut(names, 60)}) and the targets ({targets}).\n")
    if data_csv is None:
        Y, column = trainer.Y_train, ""
        if Y.shape[1] == 1:  # one target per sample: written as a list, made a column
            Y, column = Y[:, 0], "[:, None]"
        return (head + f"X_TRAIN = torch.tensor({_block(trainer.X_train)}, dtype=DTYPE)\n"
                f"Y_TRAIN = torch.tensor({_block(Y)}, dtype=DTYPE){column}")
    return (head + f"# They are read from {data_csv} beside this script: {inputs} input "
            f"column(s), then the targets.\n"
            f"DATA_CSV = {data_csv!r}\n"
            "table = np.loadtxt(Path(__file__).with_name(DATA_CSV), delimiter=\",\", "
            "skiprows=1, ndmin=2)\n"
            f"X_TRAIN = torch.tensor(table[:, :{inputs}], dtype=DTYPE)\n"
            f"Y_TRAIN = torch.tensor(table[:, {inputs}:], dtype=DTYPE)")


def _model(trainer) -> str:
    net = trainer.network
    lines, last = [], len(net.layers) - 1
    for i, layer in enumerate(net.layers):
        linear = f"nn.Linear({layer.fan_in}, {layer.fan_out}, dtype=DTYPE)"
        if i == last and net.loss.name in FUSED_LOSSES:
            lines.append(f"    {linear},  # {layer.activation.name}: applied inside the loss")
        else:
            lines.append(f"    {linear}, {module_code(layer.activation.name)},")
    weights = ",\n".join(
        f"    # layer {i}: W ({layer.fan_in} × {layer.fan_out}), b ({layer.fan_out})\n"
        f"    ({_literal(layer.W, 5)},\n     {_literal(layer.b, 5)})"
        for i, layer in enumerate(net.layers, 1))
    return (f"{_bar('model')}\n"
            "# The playground's layers, z = xW + b and a = f(z), as nn.Linear (x @ weight.T + "
            "bias)\n# followed by the activation.\n"
            "model = nn.Sequential(\n" + "\n".join(lines) + "\n)\n"
            "linears = [m for m in model if isinstance(m, nn.Linear)]\n\n"
            f"# The playground's weights at step {trainer.step_count}.\n"
            f"WEIGHTS = [\n{weights},\n]\n"
            "with torch.no_grad():\n"
            "    for linear, (W, b) in zip(linears, WEIGHTS):\n"
            "        linear.weight.copy_(as_torch(W))\n"
            "        linear.bias.copy_(as_torch(b))")


def _loss(trainer) -> str:
    return (f"{_bar('loss')}\n"
            f"def loss_fn(out, y):\n    {LOSS_CODE[trainer.network.loss.name]}")


def _optimiser(trainer) -> str:
    opt = trainer.optimizer
    lr = repr(float(opt.learning_rate))
    parts = [_bar("optimiser")]
    if opt.name == "sgd":
        parts.append("# θ ← θ − η·∂L/∂θ\n"
                     f"optimiser = torch.optim.SGD(model.parameters(), lr={lr})")
    elif opt.name == "momentum":
        parts.append("# The playground's v ← μv − η·g, θ ← θ + v is torch's b ← μb + g,\n"
                     "# θ ← θ − η·b with the buffer b = −v/η.\n"
                     f"optimiser = torch.optim.SGD(model.parameters(), lr={lr}, "
                     f"momentum={float(opt.momentum)!r})")
    else:
        parts.append("# The playground's Adam: the same moments, bias correction and ε added "
                     "to √v̂.\n"
                     f"optimiser = torch.optim.Adam(model.parameters(), lr={lr}, "
                     f"betas=({float(opt.beta1)!r}, {float(opt.beta2)!r}), "
                     f"eps={float(opt.eps)!r})")
    state = _optimiser_state(trainer)
    if state:
        parts.append(state)
    parts.append(_shape_gradients(trainer))
    return "\n".join(parts)


def _optimiser_state(trainer) -> str:
    """The velocities or moments the engine's optimiser has built up, carried over."""
    opt, keys = trainer.optimizer, list(trainer.network.params())
    if opt.name == "sgd" or not opt.state:
        return ""
    params = trainer.network.params()

    def slot(key, name):
        value = opt.state.get(f"{key}.{name}")
        return np.zeros_like(params[key]) if value is None else value

    if opt.name == "momentum":
        rows = "".join(f"    # {k}\n    {_literal(slot(k, 'v'), 4)},\n" for k in keys)
        return (f"\n# The velocities v after {trainer.step_count} steps, one per parameter (W, "
                "b of layer 1, …).\n"
                f"VELOCITIES = [\n{rows}]\n"
                "for p, v in zip(model.parameters(), VELOCITIES):\n"
                "    optimiser.state[p][\"momentum_buffer\"] = -as_torch(v) / "
                "optimiser.param_groups[0][\"lr\"]")
    rows = "".join(f"    # {k}\n    ({_literal(slot(k, 'm'), 5)},\n"
                   f"     {_literal(slot(k, 'v'), 5)}),\n" for k in keys)
    return (f"\n# The moments (m, v) after t = {opt.t} steps, one pair per parameter (W, b of "
            "layer 1, …).\n"
            f"ADAM_T = {opt.t}\nMOMENTS = [\n{rows}]\n"
            "for p, (m, v) in zip(model.parameters(), MOMENTS):\n"
            "    optimiser.state[p] = {\"step\": torch.tensor(float(ADAM_T), "
            "dtype=torch.float64),\n"
            "                          \"exp_avg\": as_torch(m), \"exp_avg_sq\": as_torch(v)}")


def _shape_gradients(trainer) -> str:
    """Regularisation and clipping as engine/trainer.py applies them, or a function that does
    nothing when both are off."""
    spec = trainer.spec
    body = []
    if spec.regularization != "none" and trainer.reg_rate > 0:
        penalty, term = (("½·λ·ΣW²", "W.detach()") if spec.regularization == "l2"
                         else ("λ·Σ|W|", "torch.sign(W.detach())"))
        body += [f"    # {spec.regularization.upper()} penalty {penalty} on the weights only "
                 "(biases are not penalised),",
                 "    # added to the gradient before clipping and the optimiser.",
                 "    for W in (linear.weight for linear in linears):",
                 f"        W.grad += {float(trainer.reg_rate)!r} * {term}"]
    if spec.clip_norm > 0:
        body += ["    # All gradients scaled together so their joint norm is at most "
                 f"{spec.clip_norm:g}.",
                 "    norm = torch.sqrt(sum((p.grad * p.grad).sum() for p in "
                 "model.parameters()))",
                 f"    if norm > {float(spec.clip_norm)!r}:",
                 "        for p in model.parameters():",
                 f"            p.grad *= {float(spec.clip_norm)!r} / norm"]
    if not body:
        body = ["    # No regularisation and no clipping: the gradient is ∂L/∂θ as it is."]
    return ('\n\ndef shape_gradients():\n    """What the playground does to the gradients '
            'before the optimiser sees them."""\n' + "\n".join(body))


def _batches(trainer) -> str:
    n, rest = len(trainer.X_train), trainer.order[trainer.cursor:]
    pristine = _pristine_rng(trainer)
    if pristine:
        rng = (f"rng = np.random.default_rng([{trainer.spec.seed}, 2])  # the playground's "
               f"batch-order generator (seed {trainer.spec.seed})")
        rest = rest[:0]  # the first batch draws the first pass's order, as the playground did
    else:
        rng = ("rng = np.random.default_rng()  # NumPy's PCG64, in the state the playground's "
               "batch order left it\n"
               f"rng.bit_generator.state = {_rng_state(trainer)}")
    return (f"{_bar('mini-batches')}\n"
            f"# A pass over the {n} training samples in a random order, {trainer.batch_size} "
            "at a time; a new\n# order after each pass. `order` starts with what is left of the "
            "current pass.\n"
            f"{rng}\n"
            f"order = np.array({_block(rest.astype(np.int64))}, dtype=np.int64)\n"
            "cursor = 0\n\n\n"
            "def next_batch():\n"
            "    global order, cursor\n"
            "    if cursor >= len(order):\n"
            f"        order, cursor = rng.permutation({n}), 0\n"
            f"    batch = order[cursor:cursor + {trainer.batch_size}]\n"
            "    cursor += len(batch)\n"
            "    return torch.from_numpy(batch)")


def _loop(trainer) -> str:
    n = len(trainer.X_train)
    return f'''{_bar("training loop")}
def train(steps, print_every, as_json):
    for i in range(1, steps + 1):
        batch = next_batch()
        loss = loss_fn(model(X_TRAIN[batch]), Y_TRAIN[batch])  # the mini-batch's loss
        optimiser.zero_grad()
        loss.backward()
        shape_gradients()
        optimiser.step()
        if i % print_every == 0 or i == steps:
            step = START_STEP + i  # counted as the playground counts
            print(json.dumps({{"step": step, "loss": loss.item()}}) if as_json
                  else f"step {{step:>7}}  mini-batch loss {{loss.item():.6f}}")
    with torch.no_grad():
        final = loss_fn(model(X_TRAIN), Y_TRAIN).item()
    if as_json:
        weights = [{{"W": m.weight.T.tolist(), "b": m.bias.tolist()}} for m in linears]
        print(json.dumps({{"step": START_STEP + steps, "train_loss": final, "weights": weights}}))
    else:
        print(f"after {{steps}} steps: loss over the {n} training samples {{final:.6f}}")


def main():
    parser = argparse.ArgumentParser(description="Train the exported network.")
    parser.add_argument("--steps", type=int, default=STEPS, help=f"default {{STEPS}}")
    parser.add_argument("--print-every", type=int, default=0, metavar="K",
                        help="print the loss every K steps (default: about 20 times)")
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per printed step, the final weights at the end")
    args = parser.parse_args()
    if args.steps < 1 or args.print_every < 0:
        parser.error("--steps must be ≥ 1 and --print-every ≥ 0")
    train(args.steps, args.print_every or max(1, args.steps // 20), args.json)


if __name__ == "__main__":
    main()'''


# -- helpers -----------------------------------------------------------------------------------

def _optimiser_label(trainer) -> str:
    opt = trainer.optimizer
    text = f"{OPTIMIZER_LABELS[opt.name]} (learning rate {opt.learning_rate:g}"
    if opt.name == "momentum":
        text += f", momentum {opt.momentum:g}"
    spec = trainer.spec
    if spec.regularization != "none" and trainer.reg_rate > 0:
        text += f", {spec.regularization.upper()} {trainer.reg_rate:g}"
    if spec.clip_norm > 0:
        text += f", clipped at norm {spec.clip_norm:g}"
    return text + ")"


def _pristine_rng(trainer) -> bool:
    """True when the batch order is exactly as a new trainer drew it: the script can then seed
    the generator as the playground does instead of quoting its state."""
    if trainer.cursor != 0:
        return False
    fresh = np.random.default_rng([trainer.spec.seed, 2])
    order = fresh.permutation(len(trainer.X_train))
    return (np.array_equal(order, trainer.order)
            and fresh.bit_generator.state == trainer.batch_rng.bit_generator.state)


def _rng_state(trainer) -> str:
    state = trainer.batch_rng.bit_generator.state
    inner = state["state"]
    return ("{\"bit_generator\": " + json.dumps(state["bit_generator"]) + ",\n"
            f"    \"state\": {{\"state\": {int(inner['state'])},\n"
            f"              \"inc\": {int(inner['inc'])}}},\n"
            f"    \"has_uint32\": {int(state['has_uint32'])}, "
            f"\"uinteger\": {int(state['uinteger'])}}}")


def input_names(trainer) -> list[str]:
    features = list(trainer.spec.features)
    if features:
        return features
    return [f"input{i}" for i in range(1, trainer.X_train.shape[1] + 1)]


def target_names(trainer) -> list[str]:
    k = trainer.Y_train.shape[1]
    return ["y"] if k == 1 else [f"y{i}" for i in range(1, k + 1)]


def _literal(array: np.ndarray, indent: int = 4) -> str:
    """A NumPy array as a Python list literal that reads back exactly (repr of each float),
    a matrix one row per line, long rows and vectors wrapped at WIDTH."""
    array = np.asarray(array)
    if array.ndim == 1:
        return "[" + _wrap([_number(v) for v in array.tolist()], indent + 1) + "]"
    pad = " " * (indent + 1)
    rows = [_literal(row, indent + 1) for row in array]
    return "[" + f",\n{pad}".join(rows) + "]"


def _bar(title: str) -> str:
    head = f"# -- {title} "
    return head + "-" * (WIDTH - len(head))


def _block(array: np.ndarray) -> str:
    """Like _literal, for a statement of its own: the rows (or the wrapped numbers) indented
    on lines between the brackets."""
    array = np.asarray(array)
    if array.size == 0:
        return "[]"
    if array.ndim == 1:
        return "[\n    " + _wrap([_number(v) for v in array.tolist()], 4) + ",\n]"
    return "[\n" + "".join(f"    {_literal(row, 4)},\n" for row in array) + "]"


def _wrap(items: list[str], indent: int) -> str:
    lines, line = [], ""
    for item in items:
        piece = item if not line else f"{line}, {item}"
        if line and indent + len(piece) + 4 > WIDTH:  # room for closing brackets
            lines.append(line + ",")
            line = item
        else:
            line = piece
    lines.append(line)
    return ("\n" + " " * indent).join(lines)


def _number(value) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("cannot export NaN or Inf")
        return repr(value)
    return repr(int(value))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
