"""Export a trainer as a standalone PyTorch script that continues its training exactly.

The script rebuilds the architecture as torch.nn.Sequential, loads the current weights, the
training data after feature expansion, the loss as engine/losses.py defines it, the optimiser
with its settings and state, and the mini-batch order (NumPy's generator state and what is
left of the current pass), so its losses match the engine's step for step. Every number is
written with repr, which round-trips a float exactly.

What the script reproduces by hand, because torch does it differently:
- regularisation applies to the weights only (torch's weight_decay would also decay biases),
  and L1 has no torch option;
- gradient clipping scales by max_norm / norm exactly (clip_grad_norm_ adds 1e-6 to the norm),
  after the penalty's gradient is added, as engine/trainer.py's _apply_update does.
SGD, momentum (v = −η·buffer) and Adam are torch.optim's own: their formulas are the engine's.

Writing the script needs no torch; running it does. Nothing here imports torch.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .files import check_writable, show_path, write_text_atomic
from .torch_script import input_names, script_text, target_names

EMBED_LIMIT = 3000  # numbers of training data written into the script; more go to a CSV file


def export_script(trainer, steps: int = 1000, data_csv: str | None = None) -> str:
    """The whole script text. The training data is embedded, or, with data_csv given, read from
    that CSV file beside the script (write_export writes it). ValueError (one line) for what
    cannot be exported faithfully."""
    check_exportable(trainer)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a whole number ≥ 1, got {steps!r}")
    return script_text(trainer, steps, data_csv)


def write_export(trainer, path: str, steps: int = 1000) -> list[str]:
    """Write the script to path atomically, and the training data to a CSV beside it when it is
    too large to embed; returns the paths written (script first)."""
    check_exportable(trainer)
    path = os.fspath(path)
    check_writable(path)
    csv_path = None
    if trainer.X_train.size + trainer.Y_train.size > EMBED_LIMIT:
        csv_path = str(Path(path).with_suffix(".csv"))
        if Path(csv_path).resolve() == Path(path).resolve():
            raise ValueError(f"cannot write the data beside {show_path(path)!r}: name the "
                             "script with a .py ending")
        check_writable(csv_path)
    text = export_script(trainer, steps, Path(csv_path).name if csv_path else None)
    if csv_path:
        write_text_atomic(csv_path, data_csv_text(trainer))
    write_text_atomic(path, text)
    return [path] + ([csv_path] if csv_path else [])


def check_exportable(trainer) -> None:
    """ValueError (one line) for a state the script could not reproduce."""
    net = trainer.network
    if getattr(trainer.spec, "feedback", "backprop") != "backprop" or any(
            getattr(layer, "B", None) is not None for layer in net.layers):
        raise ValueError("feedback alignment cannot be exported: PyTorch's autograd sends the "
                         "error back through Wᵀ, not the fixed random B; switch to backprop")
    bug = _injected_bug(net)
    if bug:
        raise ValueError(f"a network with an injected bug (“{bug}”) cannot be exported: the "
                         "script would train with PyTorch's correct gradients; remove the bug "
                         "first")
    arrays = list(net.params().values()) + list(trainer.optimizer.state.values())
    if not all(np.isfinite(a).all() for a in arrays):
        raise ValueError("the weights or the optimiser state hold NaN or Inf (training "
                         "diverged): rewind or reset before exporting")
    if not (np.isfinite(trainer.X_train).all() and np.isfinite(trainer.Y_train).all()):
        raise ValueError("the training data holds NaN or Inf")


def _injected_bug(network) -> str | None:
    """The injected bug's title, if any."""
    from .bugs import BUGS, injected

    name = injected(network)
    return BUGS[name].title if name else None


def data_csv_text(trainer) -> str:
    """The training data as CSV: the network's inputs, then the targets, one sample a row."""
    rows = np.hstack([trainer.X_train, trainer.Y_train]).tolist()
    header = ",".join(input_names(trainer) + target_names(trainer))
    return header + "\n" + "".join(",".join(map(repr, row)) + "\n" for row in rows)
