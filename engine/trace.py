"""Record one real training step as ordered, named stages.

`trace(trainer)` runs the trainer's own `step()` on a copy of the trainer (so the caller's
state is untouched until it decides to take the step) and then reads what that step left on
each layer: z and a from forward, dL/da, f'(z), dL/dz, dL/dW, dL/db, dL/da-below from backward,
the parameters before and after the update. Nothing is recomputed by a second implementation.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

import numpy as np

from . import bugs
from .step_stats import StepStats
from .trainer import Trainer

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(layer: int) -> str:
    """Layer number as a parenthesised superscript: 2 -> ⁽²⁾."""
    return f"⁽{str(layer).translate(SUPERSCRIPT)}⁾"


@dataclass(frozen=True)
class Quantity:
    key: str  # stable name: "z", "a", "dA", "fprime", "dZ", "dW", "db", "dA_prev", "W", …
    symbol: str  # as shown: "∂L/∂z⁽²⁾"
    formula: str  # how it is computed, in symbols ("" for givens)
    value: np.ndarray
    wrong: str = ""  # non-empty ("bug: f′(z) left out") when an injected bug computed it


@dataclass(frozen=True)
class Stage:
    kind: str  # "forward", "loss", "backward", "update"
    layer: int | None  # 1-based; None for the loss stage
    title: str
    quantities: tuple[Quantity, ...]  # results, in the order they are computed
    inputs: tuple[Quantity, ...] = ()  # what the formulas read, for substitution
    note: str = ""
    fused: bool = False  # output layer whose loss gives ∂L/∂z directly
    optimizer: str = ""  # update stages: the optimiser's name ("sgd", "momentum", "adam")
    rolled_back: bool = False  # update stages of a step that was undone (see the note)

    def get(self, key: str) -> np.ndarray:
        for q in (*self.quantities, *self.inputs):
            if q.key == key:
                return q.value
        raise KeyError(key)

    def to_dict(self) -> dict:
        def q(item):
            return {"key": item.key, "symbol": item.symbol, "formula": item.formula,
                    "value": np.asarray(item.value).tolist(), "wrong": item.wrong}
        return {"kind": self.kind, "layer": self.layer, "title": self.title, "note": self.note,
                "fused": self.fused, "optimizer": self.optimizer,
                "rolled_back": self.rolled_back,
                "quantities": [q(x) for x in self.quantities],
                "inputs": [q(x) for x in self.inputs]}


@dataclass
class Trace:
    stages: list[Stage]
    batch: np.ndarray  # training-set indices of the traced mini-batch
    stats: StepStats  # the state the step left, with its own batch's values
    trainer_after: Trainer = field(repr=False)  # the copy that took the step

    @property
    def rolled_back(self) -> bool:
        """True when the step diverged and its update was undone (or never applied)."""
        return self.stats.diverged

    def to_dict(self) -> dict:
        return {"batch": self.batch.tolist(), "step": self.stats.step,
                "loss": self.stats.batch_loss, "rolled_back": self.rolled_back,
                "message": self.stats.message, "stages": [s.to_dict() for s in self.stages]}


def _wrong_marks(network) -> dict[tuple[int, str], str]:
    """(layer, key) → note for what an injected bug computed in this network's last step."""
    name = bugs.injected(network)
    if name is None:
        return {}
    return dict.fromkeys(bugs.wrong_quantities(network, name), bugs.WRONG_NOTES[name])


def _q(key, symbol, formula, value) -> Quantity:
    value = np.array(value, copy=True)
    value.flags.writeable = False
    return Quantity(key, symbol, formula, value)


def _sent_down_by(layer, i: int) -> str:
    """The matrix that carries layer i's error down: W⁽ⁱ⁾ᵀ, or B⁽ⁱ⁾ under feedback alignment."""
    return f"W{sup(i)}ᵀ" if layer.B is None else f"B{sup(i)}"


def _feedback_note(layers, i: int, alignment) -> str:
    """Under feedback alignment, what B is and what it makes of the gradients below it."""
    parts = []
    if layers[i - 1].B is not None:
        parts.append(f"B{sup(i)}, which carries this layer's error down to layer {i - 1}, is a "
                     f"fixed random matrix, not W{sup(i)}ᵀ: feedback alignment sends the error "
                     f"down through it (the true gradient would use W{sup(i)}ᵀ).")
    if any(above.B is not None for above in layers[i:]):
        angle = alignment[i - 1] if alignment is not None else float("nan")
        angle = f" ({angle:.1f}° away from it this step)" if np.isfinite(angle) else ""
        parts.append(f"∂L/∂z{sup(i)}, ∂L/∂W{sup(i)} and ∂L/∂b{sup(i)} here are not the true "
                     f"gradient but what the fixed B above carried down{angle}.")
    return " ".join(parts)


def trace(trainer: Trainer, indices=None) -> Trace:
    """Trace the next training step (or a step on the given training indices)."""
    after = copy.deepcopy(trainer)
    before = [(layer.W.copy(), layer.b.copy()) for layer in after.network.layers]
    after.step(None if indices is None else np.asarray(indices), record=True)
    stats = after.stats()  # record=True ran no look-ahead: the layers hold this step's pass
    batch = after.last_batch
    net = after.network
    layers = net.layers
    n = len(layers)
    y = after.Y_train[batch]

    def a_sym(i):
        return "x" if i == 0 else ("ŷ" if i == n else f"a{sup(i)}")

    stages: list[Stage] = []
    wrong = _wrong_marks(net)
    for i, layer in enumerate(layers, 1):
        act = layer.activation
        stages.append(Stage(
            "forward", i, f"Forward · layer {i}",
            (_q("z", f"z{sup(i)}", f"{a_sym(i - 1)}W{sup(i)} + b{sup(i)}", layer.z),
             _q("a", a_sym(i), f"{act.name}(z{sup(i)})", layer.a)),
            (_q("a_prev", a_sym(i - 1), "", layer.x), _q("W", f"W{sup(i)}", "", before[i - 1][0]),
             _q("b", f"b{sup(i)}", "", before[i - 1][1]))))

    out = layers[-1]
    stages.append(Stage(
        "loss", None, "Loss",
        (_q("L", "L", net.loss.formula.removeprefix("L = "), net.last_loss),),
        (_q("y_hat", "ŷ", "", out.a), _q("y", "y", "", y)),
        note=f"{net.loss.name} averaged over a batch of m = {len(batch)}"))

    for i in range(n, 0, -1):
        layer = layers[i - 1]
        act = layer.activation
        z, a_prev = f"z{sup(i)}", a_sym(i - 1)
        dA_formula = ("from the loss" if i == n else
                      f"∂L/∂z{sup(i + 1)} · {_sent_down_by(layers[i], i + 1)}")
        quantities = []
        if layer.dA is not None:
            quantities.append(_q("dA", f"∂L/∂{a_sym(i)}", dA_formula, layer.dA))
        if layer.fprime is not None:
            quantities.append(_q("fprime", f"{act.name}′({z})", act.derivative_formula,
                                 layer.fprime))
        fused = i == n and net.loss.fused
        dZ_formula = "(ŷ − y) / m" if fused else f"∂L/∂{a_sym(i)} ⊙ {act.name}′({z})"
        quantities += [
            _q("dZ", f"∂L/∂{z}", dZ_formula, layer.dZ),
            _q("dW", f"∂L/∂W{sup(i)}", f"{a_prev}ᵀ · ∂L/∂{z}", layer.dW),
            _q("db", f"∂L/∂b{sup(i)}", f"Σ over the batch of ∂L/∂{z}", layer.db),
            _q("dA_prev", f"∂L/∂{a_prev}", f"∂L/∂{z} · {_sent_down_by(layer, i)}", layer.dX),
        ]
        note = (f"{act.name} with {net.loss.name} is fused: ∂L/∂{z} = (ŷ − y)/m, computed "
                "stably without dividing by ŷ(1 − ŷ)") if fused else ""
        inputs = (_q("a_prev", a_prev, "", layer.x), _q("W", f"W{sup(i)}", "", before[i - 1][0]))
        if layer.B is not None:
            inputs += (_q("B", f"B{sup(i)}", "", layer.B),)
        extra = _feedback_note(layers, i, stats.alignment)
        note = f"{note}. {extra}" if note and extra else note or extra
        quantities = [dataclasses.replace(q, wrong=wrong.get((i, q.key), "")) for q in quantities]
        stages.append(Stage(
            "backward", i, f"Backward · layer {i}", tuple(quantities), inputs,
            note=note, fused=fused))

    used = after.update_gradients()
    rule = after.optimizer.rule
    grads_differ = after.modifies_gradients

    def update_formula(p):
        # Plain SGD is θ − η·∂L/∂θ; momentum and Adam follow the rule given in the note.
        if after.optimizer.name == "sgd":
            return f"{p} − η·∂L/∂{p}"
        return f"{after.optimizer.name} step from {p} and ∂L/∂{p}"

    note = (f"{after.optimizer.name}: {rule}"
            + ("; the gradient includes regularisation/clipping" if grads_differ else ""))
    if stats.diverged:
        # The parameters shown after the step are the ones before it: say so, or the formula
        # beside them reads as false arithmetic.
        note = (f"This step was rolled back: {stats.message}. So W and b after it are the "
                f"values from before it, not the result of the formula. {note}")
    for i, layer in enumerate(layers, 1):
        stages.append(Stage(
            "update", i, f"Update · layer {i}",
            (_q("W_new", f"W{sup(i)}", update_formula(f"W{sup(i)}"), layer.W),
             _q("b_new", f"b{sup(i)}", update_formula(f"b{sup(i)}"), layer.b)),
            (_q("W", f"W{sup(i)}", "", before[i - 1][0]),
             _q("b", f"b{sup(i)}", "", before[i - 1][1]),
             _q("dW", f"∂L/∂W{sup(i)}", "", used[f"{i}.W"]),
             _q("db", f"∂L/∂b{sup(i)}", "", used[f"{i}.b"]),
             _q("lr", "η", "", after.learning_rate)),
            note=note, optimizer=after.optimizer.name, rolled_back=stats.diverged))
    return Trace(stages, batch, stats, after)
