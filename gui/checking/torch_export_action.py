"""File > Export as PyTorch script…: ask where and for how many steps, then write the script
engine.torch_export makes from a snapshot of the trainer: the script continues its training
(weights, optimiser state, batch order). Torch is needed to run the script, not to write it."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QFileDialog, QInputDialog

DEFAULT_STEPS = 1000
MAX_STEPS = 10_000_000


def export_torch_script(window) -> list[str] | None:
    """The paths written, or None when cancelled or refused (refusals in a dialog)."""
    from engine.torch_export import check_exportable, write_export

    try:  # refuse before asking anything (a bug in, feedback alignment, a diverged state)
        window.worker.call(lambda: check_exportable(window.worker.trainer))
    except ValueError as e:
        window.show_error(f"cannot export the PyTorch script: {e}")
        return None
    folder = os.path.dirname(window.files.path) if window.files.path else os.path.expanduser("~")
    path, _ = QFileDialog.getSaveFileName(window, "Export as PyTorch script",
                                          os.path.join(folder, "network.py"),
                                          "Python scripts (*.py)")
    if not path:
        return None
    if not path.lower().endswith(".py"):
        path += ".py"
    steps, ok = QInputDialog.getInt(window, "Export as PyTorch script",
                                    "Training steps the script takes:", DEFAULT_STEPS, 1,
                                    MAX_STEPS)
    if not ok:
        return None
    try:
        snapshot = window.worker.call(window.worker.snapshot)
        written = write_export(snapshot, path, steps)
    except (ValueError, OSError) as e:
        window.show_error(f"cannot export the PyTorch script: {e}")
        return None
    names = " and ".join(os.path.basename(p) for p in written)
    window.statusBar().showMessage(
        f"Wrote {names}: python {os.path.basename(path)} continues this training in PyTorch "
        "(it needs torch to run).", 10000)
    return written
