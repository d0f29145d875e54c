"""Undo for edits that rebuild the network.

A rebuild replaces the worker's trainer; the one it replaces (weights, optimiser state, step,
history) is kept in the command, and undo swaps it back in, keeping the other one for redo. So
undo and redo bring back whole trained states, not just specs.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from engine.spec import Spec

UNDO_LIMIT = 30  # each entry holds a whole trainer (its data included)

FIELD_NAMES = {
    "dataset": "data set", "samples": "samples", "noise": "noise",
    "train_fraction": "training share", "classes": "classes", "seed": "seed",
    "features": "input features", "initializer": "initialiser", "dtype": "precision",
    "csv_path": "CSV file", "points": "given points", "labels": "given labels",
    "label_column": "label column", "weights": "explicit weights",
}


def describe_change(old: Spec | None, new: Spec) -> str:
    """What an edit changed, in a few words: "layer 2 activation", "data set, seed"."""
    if old is None:
        return "network"
    changed = []
    if old.hidden != new.hidden:
        changed.append("hidden layers")
    elif old.activations != new.activations:
        layers = [i + 1 for i, (a, b) in enumerate(zip(old.activations, new.activations))
                  if a != b]
        changed.append("layer " + ", ".join(map(str, layers)) + " activation")
    if (old.output_activation, old.loss) != (new.output_activation, new.loss):
        changed.append("output / loss")
    for name, label in FIELD_NAMES.items():
        if name == "weights" and new.weights is None:
            continue  # dropping explicit weights goes with the edit that caused it
        if getattr(old, name) != getattr(new, name):
            changed.append(label)
    return ", ".join(changed) or "network"


class RebuildCommand(QUndoCommand):
    """Swap a trainer into the window; undo and redo swap the previous one back, together
    with the session file it belongs to (Save writes there)."""

    def __init__(self, window, trainer, text: str, path: str | None = None):
        super().__init__(text)
        self.window = window
        self.trainer, self.path = trainer, path  # the ones not on screen
        self.done_once = False

    def _swap(self) -> None:
        files = self.window.files
        shown_path, self.step = files.path, self.trainer.step_count
        self.trainer = self.window.install_trainer(self.trainer)
        files.path, self.path = self.path, shown_path

    def redo(self) -> None:
        self._swap()
        if self.done_once:
            self._say("Redid")
        self.done_once = True

    def undo(self) -> None:
        self._swap()
        self._say("Undid")

    def _say(self, verb: str) -> None:
        self.window.statusBar().showMessage(
            f"{verb}: {self.text()} (now at step {self.step:,}).", 8000)
