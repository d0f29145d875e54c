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
    "label_column": "label column", "weights": "explicit weights", "feedback": "gradient signal",
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
    """A rebuild that has happened: undo and redo swap the trainer on screen with the one held
    here, together with the session file each belongs to and whether it has unsaved training.
    """

    def __init__(self, window, trainer, text: str, path: str | None, unsaved: bool):
        super().__init__(text)
        self.window = window
        self.trainer, self.path, self.unsaved = trainer, path, unsaved  # not on screen
        self.pushed = False  # QUndoStack.push calls redo(): the rebuild itself already ran

    def _swap(self) -> bool:
        window, files = self.window, self.window.files
        step = self.trainer.step_count
        try:
            self.trainer = window.install_trainer(self.trainer)
        except ValueError as e:  # the worker did not answer: nothing changed
            window.show_error(str(e))
            return False
        files.path, self.path = self.path, files.path
        files.unsaved, self.unsaved = self.unsaved, files.unsaved
        self.step = step
        return True

    def redo(self) -> None:
        if not self.pushed:
            self.pushed = True
            return
        if self._swap():
            self._say("Redid")

    def undo(self) -> None:
        if self._swap():
            self._say("Undid")

    def _say(self, verb: str) -> None:
        self.window.statusBar().showMessage(
            f"{verb}: {self.text()} (now at step {self.step:,}).", 8000)
