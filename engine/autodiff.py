"""A small scalar autodiff for the graph lab, in the style of micrograd.

Every operation makes a Node holding its value, the nodes it was computed from and the local
derivative of its value with respect to each of them, written right beside the forward formula.
`backward` walks the nodes in reverse topological order and adds upstream × local to each
parent, so a node that feeds two operations gets the sum of both contributions (the
multivariable chain rule). Values are plain Python floats; expressions come from engine/lab.py.
"""

from __future__ import annotations

import math


class Node:
    __slots__ = ("value", "grad", "op", "parents", "local", "name", "column")

    def __init__(self, value: float, op: str = "input", parents: tuple = (), local: tuple = (),
                 name: str = "", column: int = 0):
        self.value = float(value)
        self.grad = 0.0
        self.op = op  # "input", "const", "+", "−", "×", "÷", "^", "neg", or a function name
        self.parents = parents
        self.local = local  # ∂value/∂parent, one per parent
        self.name = name  # the user's name for it (an input or an assigned line), else ""
        self.column = column  # 1-based, where it appears in its line (for messages)

    def __repr__(self) -> str:
        return f"Node({self.label()}={self.value:g}, grad={self.grad:g})"

    def label(self) -> str:
        return self.name or (f"{self.value:g}" if self.op == "const" else self.op)


def _sigmoid(v: float) -> float:
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)  # never overflows for v < 0
    return e / (1.0 + e)


# Each op: (value, local derivatives) from the parents' values; beside each other on purpose.
def _pow(a: float, b: float, b_is_const: bool) -> tuple[float, tuple]:
    value = a ** b
    if isinstance(value, complex):
        raise ArithmeticError(f"{a:g} to the power {b:g} is not a real number")
    d_base = b * a ** (b - 1) if a != 0 or b >= 1 else (0.0 if b > 1 else math.inf)
    if b_is_const:
        return value, (d_base, 0.0)
    if a <= 0:
        raise ArithmeticError("a variable exponent needs a positive base")
    return value, (d_base, value * math.log(a))


BINARY = {
    "+": lambda a, b: (a + b, (1.0, 1.0)),
    "−": lambda a, b: (a - b, (1.0, -1.0)),
    "×": lambda a, b: (a * b, (b, a)),
    "÷": lambda a, b: (a / b, (1.0 / b, -a / (b * b))),
}


def _log(a: float) -> tuple[float, tuple]:
    if a <= 0:
        raise ArithmeticError(f"log of a non-positive number ({a:g})")
    return math.log(a), (1.0 / a,)


def _sqrt(a: float) -> tuple[float, tuple]:
    if a < 0:
        raise ArithmeticError(f"square root of a negative number ({a:g})")
    root = math.sqrt(a)
    return root, (0.5 / root if root > 0 else math.inf,)


UNARY = {
    "neg": lambda a: (-a, (-1.0,)),
    "exp": lambda a: (math.exp(a), (math.exp(a),)),
    "log": _log,
    "sqrt": _sqrt,
    "tanh": lambda a: (math.tanh(a), (1.0 - math.tanh(a) ** 2,)),
    "sigmoid": lambda a: (_sigmoid(a), (_sigmoid(a) * (1.0 - _sigmoid(a)),)),
    "relu": lambda a: (max(a, 0.0), (1.0 if a > 0 else 0.0,)),
    "sin": lambda a: (math.sin(a), (math.cos(a),)),
    "cos": lambda a: (math.cos(a), (-math.sin(a),)),
    "abs": lambda a: (abs(a), (math.copysign(1.0, a) if a != 0 else 0.0,)),
}


def apply(op: str, parents: tuple[Node, ...], column: int = 0) -> Node:
    """A new node for op on parents; ArithmeticError (with a plain message) where the value or
    a derivative is not a finite real number at this point."""
    values = [p.value for p in parents]
    try:
        if op == "^":
            value, local = _pow(values[0], values[1], parents[1].op == "const")
        elif op in BINARY:
            value, local = BINARY[op](*values)
        else:
            value, local = UNARY[op](*values)
    except ZeroDivisionError:
        raise ArithmeticError("division by zero") from None
    except OverflowError:
        raise ArithmeticError(f"{op} overflows at this point") from None
    if not math.isfinite(value):
        raise ArithmeticError(f"{op} gives {value} at this point")
    if not all(math.isfinite(d) for d in local):
        raise ArithmeticError(f"the derivative of {op} is infinite at this point")
    return Node(value, op, tuple(parents), tuple(local), column=column)


def topological(output: Node) -> list[Node]:
    """Every node the output depends on, each after all of its parents."""
    order, seen, stack = [], set(), [(output, False)]
    while stack:  # iterative: a long chain must not hit Python's recursion limit
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in seen)
    return order


def backward(output: Node) -> list[Node]:
    """Fill every node's grad with ∂output/∂node; returns the topological order."""
    order = topological(output)
    for node in order:
        node.grad = 0.0
    output.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local):
            parent.grad += node.grad * local
    return order
