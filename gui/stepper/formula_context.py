"""What a stage's formulas may read besides the stage itself, and which entry is in focus.

The backward stage of the output layer needs ŷ and y (recorded by the loss stage), f′ needs the
z and a its forward stage recorded, and ∂L/∂a⁽ˡ⁾ is ∂L/∂z⁽ˡ⁺¹⁾·W⁽ˡ⁺¹⁾ᵀ from the stage above.
`StageContext` finds those recorded arrays in the trace; nothing is recomputed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from engine.trace import Stage
from gui.common.formula_markup import matrix_width, num, summary, value
from gui.stepper.bug_marks import mark_numbers, wrong_of

MAX_TERMS = 6  # terms of a sum written out before "…"


@dataclass(frozen=True)
class Focus:
    """The entry a large layer is explained through: neuron j of this layer, neuron i below.

    `chosen` says where it came from: "out" (a neuron of this layer), "in" (a neuron of the
    layer below), "weight" (the weight i → j), or "" (nothing selected: the first neuron)."""
    i: int = 0
    j: int = 0
    chosen: str = ""

    def out_cols(self, m: int) -> set:
        """Highlight for a (samples × neurons of this layer) array."""
        return {(s, self.j) for s in range(m)} if self.chosen in ("out", "weight") else set()

    def in_cols(self, m: int) -> set:
        return {(s, self.i) for s in range(m)} if self.chosen in ("in", "weight") else set()

    def weights(self, n_in: int, n_out: int) -> set:
        if self.chosen == "weight":
            return {(self.i, self.j)}
        if self.chosen == "out":
            return {(r, self.j) for r in range(n_in)}
        if self.chosen == "in":
            return {(self.i, c) for c in range(n_out)}
        return set()

    def bias(self) -> set:
        return {(0, self.j)} if self.chosen in ("out", "weight") else set()


def resolve_focus(selection, layer: int, n_in: int, n_out: int) -> Focus:
    """Map a graph selection (None, ("neuron", l, n), ("weight", l, i, j)) onto this layer."""
    if not selection or layer is None:
        return Focus()
    kind, sel_layer, *index = selection
    if kind == "neuron":
        n = index[0]
        if sel_layer == layer and 0 <= n < n_out:
            return Focus(0, n, "out")
        if sel_layer == layer - 1 and 0 <= n < n_in:
            return Focus(n, 0, "in")
    elif kind == "weight":
        i, j = index
        if sel_layer == layer and 0 <= i < n_in and 0 <= j < n_out:
            return Focus(i, j, "weight")
        if sel_layer == layer + 1 and 0 <= i < n_out:  # weight leaving this layer's neuron i
            return Focus(0, i, "out")
        if sel_layer == layer - 1 and 0 <= j < n_in:  # weight entering the neuron below
            return Focus(j, 0, "in")
    return Focus()


class StageContext:
    """One stage plus read access to the other recorded stages of the same trace."""

    def __init__(self, stage: Stage, trace=None, max_entries: int = 12, max_samples: int = 4,
                 budget: int | None = None):
        self.stage = stage
        self.stages = list(getattr(trace, "stages", trace or []))
        batch = getattr(trace, "batch", None)
        self.batch = None if batch is None else np.asarray(batch)
        self.max_entries = max_entries
        self.max_samples = max_samples
        self.budget = budget  # pixels a formula line may take (None: no limit)
        layers = [s.layer for s in self.stages if s.layer is not None]
        self.n_layers = max(layers) if layers else None

    # -- finding recorded values -------------------------------------------------------------
    def find(self, kind: str, layer: int | None) -> Stage | None:
        return next((s for s in self.stages if s.kind == kind and s.layer == layer), None)

    def value(self, kind: str, layer: int | None, key: str):
        stage = self.stage if (kind, layer) == (self.stage.kind, self.stage.layer) else \
            self.find(kind, layer)
        if stage is None:
            return None
        try:
            return stage.get(key)
        except KeyError:
            return None

    def has(self, key: str) -> bool:
        return any(q.key == key for q in (*self.stage.quantities, *self.stage.inputs))

    def symbol(self, key: str) -> str:
        return next(q.symbol for q in (*self.stage.quantities, *self.stage.inputs) if q.key == key)

    def wrong(self, key: str, kind: str | None = None, layer: int | None = None) -> str:
        """The engine's note when an injected bug computed this quantity (of this stage, or of
        the stage (kind, layer)) wrongly; "" when it is right."""
        stage = self.stage if kind is None else self.find(kind, layer)
        if stage is None:
            return ""
        note = next((wrong_of(q) for q in (*stage.quantities, *stage.inputs) if q.key == key),
                    "")
        if not note and key == "dA" and stage.kind == "backward" and stage.layer is not None:
            # ∂L/∂a of this layer is the very array the layer above handed down.
            up = stage.layer + 1
            handed = self.wrong("dA_prev", "backward", up) if self.find("backward", up) else ""
            if handed:
                note = f"{handed} (in layer {up}, which handed it down)"
        return note

    def operand(self, markup: str, key: str, kind: str | None = None,
                layer: int | None = None) -> str:
        """An operand's markup, its numbers in red when the quantity is wrong."""
        return mark_numbers(markup) if self.wrong(key, kind, layer) else markup

    def feedback(self, layer: int | None = None):
        """How layer `layer` (default: this stage's) sends its error down, read off its
        backward stage: (M, symbol, transposed) with ∂L/∂a below = ∂L/∂z · M, so M = Wᵀ under
        backprop (symbol "W⁽ˡ⁾", transposed) and M = B, the fixed random feedback matrix, under
        feedback alignment ("B⁽ˡ⁾"); None when the trace holds no such stage."""
        stage = self.stage if layer is None else self.find("backward", layer)
        if stage is None:
            return None
        inputs = {q.key: q for q in stage.inputs}
        if "B" in inputs:
            B = inputs["B"].value
            n_in, n_out = stage.get("W").shape
            return (B if B.shape == (n_out, n_in) else B.T), inputs["B"].symbol, False
        if "W" not in inputs:
            return None
        return inputs["W"].value.T, inputs["W"].symbol, True

    def is_output(self) -> bool:
        return self.n_layers is not None and self.stage.layer == self.n_layers

    # -- names ---------------------------------------------------------------------------------
    def activation(self, layer: int) -> str:
        """The activation's engine name, read from a recorded formula or symbol."""
        for stage in (self.stage, self.find("forward", layer), self.find("backward", layer)):
            if stage is None or stage.layer != layer:
                continue
            for q in stage.quantities:
                if q.key == "a":
                    match = re.match(r"(\w+)\(", q.formula)
                    if match:
                        return match.group(1)
                if q.key == "fprime":
                    match = re.match(r"(\w+)′", q.symbol)
                    if match:
                        return match.group(1)
        return "f"

    def loss_name(self) -> str:
        loss = self.stage if self.stage.kind == "loss" else self.find("loss", None)
        return loss.note.split(" ", 1)[0] if loss is not None and loss.note else ""

    def optimizer_name(self) -> str:
        return self.stage.optimizer

    def batch_size(self) -> int:
        for key in ("a_prev", "y", "z", "dZ"):
            if self.has(key):
                return len(self.stage.get(key))
        return 1

    def sample_label(self, s: int) -> str:
        """Sample s of the batch, named by its training-set index when the trace knows it."""
        if self.batch is not None and s < len(self.batch):
            return f"#{int(self.batch[s])}"
        return f"s{s + 1}"

    def small(self, *arrays) -> bool:
        """Show every entry: few entries, and each matrix fits on a formula line."""
        return all(a is not None and np.asarray(a).size <= self.max_entries and
                   (self.budget is None or matrix_width(a) <= self.budget - 40)
                   for a in arrays)

    def brief(self, values) -> str:
        """A result: every entry when it is small, else its summary."""
        return value(values) if self.small(values) else summary(values)

    def shown_samples(self, m: int) -> tuple[range, int]:
        shown = min(m, self.max_samples)
        return range(shown), m - shown


def sum_of_products(pairs, limit: int = MAX_TERMS, wrong: tuple[bool, bool] = (False, False)
                    ) -> str:
    """a₁·b₁ + a₂·b₂ + … with the numbers; negatives in parentheses after an operator.
    `wrong` marks the first or second factors as computed by an injected bug."""
    def factor(v, paren, bad):
        text = num(v, paren=paren)
        return mark_numbers(text) if bad else text
    return join_terms([f"{factor(a, k > 0, wrong[0])}·{factor(b, True, wrong[1])}"
                       for k, (a, b) in enumerate(pairs)], limit=limit)


def join_terms(terms: list[str], op: str = " + ", limit: int = MAX_TERMS) -> str:
    """t₁ + t₂ + … with the tail elided past `limit` terms; lines break between terms only."""
    terms = [f"<span style='white-space:nowrap'>{t}</span>" for t in terms]
    if len(terms) <= limit:
        return op.join(terms)
    return op.join(terms[:limit - 1]) + f"{op}…{op}" + terms[-1] + \
        f" <span style='color:#666'>({len(terms)} terms)</span>"
