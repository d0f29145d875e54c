"""The graph lab's passes as ordered stages, its numeric check and gradient descent by hand.

Forward: one stage per operation (its inputs, the op, its value). Backward: ∂L/∂L = 1, then one
stage per operation from the output back, each giving upstream gradient × local derivative =
the contribution to every node it was computed from; where a node feeds several operations the
stage says so, and that node's gradient is the sum of the contributions (the multivariable
chain rule). The numbers are the autodiff's own (engine/autodiff.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from .autodiff import Node
from .lab import SYMBOLS, Graph, Program, build


@dataclass(frozen=True)
class Contribution:
    parent: int  # index into Graph.order
    upstream: float
    local: float

    @property
    def product(self) -> float:
        return self.upstream * self.local


@dataclass(frozen=True)
class LabStage:
    kind: str  # "forward", "seed" (∂L/∂L = 1) or "backward"
    node: int  # index into Graph.order
    title: str
    formula: str  # in symbols: "z = w·x"
    numbers: str  # with the numbers put in: "z = 0.5·2 = 1"
    contributions: tuple[Contribution, ...] = ()
    note: str = ""


def name_of(graph: Graph, node: Node) -> str:
    """A node's name for formulas: its own, or n3 for the third operation."""
    if node.name:
        return node.name
    if node.op == "const":
        return f"{node.value:g}"
    return f"n{graph.index(node)}"


def _op_formula(graph: Graph, node: Node, show=lambda n: n) -> str:
    args = [show(p) for p in node.parents]
    if node.op in SYMBOLS:
        return f"{args[0]} {SYMBOLS[node.op]} {args[1]}" if node.op != "^" \
            else f"{args[0]}^{args[1]}"
    if node.op == "neg":
        return f"−{args[0]}"
    return f"{node.op}({args[0]})"


def _number(value: float) -> str:
    """A value in a formula: negative ones in brackets, so −0.25^2 is never misread."""
    text = f"{value:.6g}"
    return f"({text})" if value < 0 else text


def lab_trace(graph: Graph) -> list[LabStage]:
    name = {id(n): name_of(graph, n) for n in graph.order}
    consumers: dict[int, int] = {}
    for node in graph.order:
        for p in node.parents:
            consumers[id(p)] = consumers.get(id(p), 0) + 1
    stages = []
    for i, node in enumerate(graph.order):
        if node.op in ("input", "const"):
            continue
        symbols = _op_formula(graph, node, lambda p: name[id(p)])
        numbers = _op_formula(graph, node, lambda p: _number(p.value))
        stages.append(LabStage("forward", i, f"Forward · {name[id(node)]}",
                               f"{name[id(node)]} = {symbols}",
                               f"{name[id(node)]} = {numbers} = {node.value:.6g}"))
    out = len(graph.order) - 1
    top = name[id(graph.output)]  # L in the lessons; f for an unnamed expression
    stages.append(LabStage("seed", out, f"Backward · ∂{top}/∂{top} = 1", f"∂{top}/∂{top} = 1",
                           "1", note="the gradient of the output with respect to itself"))
    running = {id(n): 0.0 for n in graph.order}
    running[id(graph.output)] = 1.0
    index = {id(n): i for i, n in enumerate(graph.order)}
    for i in range(out, -1, -1):
        node = graph.order[i]
        if not node.parents:
            continue
        parts, notes, numbers = [], [], []
        for parent, local in zip(node.parents, node.local):
            if parent.op == "const":
                continue
            part = Contribution(index[id(parent)], node.grad, local)
            running[id(parent)] += part.product
            parts.append(part)
            numbers.append(f"∂{top}/∂{name[id(parent)]} += {_number(node.grad)} × "
                           f"{_number(local)} = {part.product:.6g}")
            if consumers[id(parent)] > 1:
                notes.append(f"{name[id(parent)]} feeds {consumers[id(parent)]} operations: "
                             f"its gradient is the sum of their contributions (so far "
                             f"{running[id(parent)]:.6g})")
        if parts:
            stages.append(LabStage(
                "backward", i, f"Backward · through {name[id(node)]}",
                "; ".join(f"∂{top}/∂{name[id(graph.order[p.parent])]} += "
                          f"∂{top}/∂{name[id(node)]} · "
                          f"∂{name[id(node)]}/∂{name[id(graph.order[p.parent])]}"
                          for p in parts),
                "; ".join(numbers), tuple(parts), "; ".join(notes)))
    return stages


@dataclass(frozen=True)
class Check:
    name: str
    backprop: float
    numeric: float

    @property
    def relative_difference(self) -> float:
        scale = abs(self.backprop) + abs(self.numeric)
        return abs(self.backprop - self.numeric) / scale if scale else 0.0


def numeric_check(program: Program, values: dict[str, float]) -> list[Check]:
    """Central differences (f(x+h) − f(x−h)) / 2h beside each input's backprop gradient."""
    graph = build(program, values)
    checks = []
    for name, node in graph.inputs.items():
        h = 1e-6 * max(1.0, abs(node.value))
        try:
            up = build(program, {**values, name: node.value + h}).output.value
            down = build(program, {**values, name: node.value - h}).output.value
            numeric = (up - down) / (2 * h)
        except ValueError:  # the nudge crosses a domain edge (log, sqrt): not checkable here
            numeric = float("nan")
        checks.append(Check(name, node.grad, numeric))
    return checks


def descend(program: Program, values: dict[str, float], parameters, learning_rate: float,
            steps: int = 1) -> tuple[dict[str, float], list[float]]:
    """Gradient-descent steps w ← w − η·∂L/∂w on the named parameters; returns the new values
    and the output (loss) before each step."""
    if not learning_rate > 0 or learning_rate == float("inf"):
        raise ValueError(f"the learning rate must be a positive number, got {learning_rate!r}")
    unknown = [p for p in parameters if p not in program.inputs]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not an input of the expression")
    values, losses = dict(values), []
    for _ in range(steps):
        graph = build(program, values)
        losses.append(graph.output.value)
        for p in parameters:
            values[p] = values[p] - learning_rate * graph.inputs[p].grad
    return values, losses
