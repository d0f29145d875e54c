"""The graph lab's engine: expressions a person types, as computational graphs.

`parse(text)` reads one or more lines (`z = w*x + b; a = sigmoid(z); L = (a - y)**2`) with
Python's `ast` and an explicit whitelist: numbers, names, + − × ÷ **, unary −, and the functions
in FUNCTIONS. Nothing is ever evaluated by Python. `build(program, values)` turns it into
engine.autodiff nodes at the given input values; `lab_trace` records the forward pass op by op
and the backward pass from ∂L/∂L = 1, `numeric_check` compares each input's gradient with a
central difference, and `descend` takes gradient-descent steps on chosen inputs. Every problem
is a ValueError with one line that says what and where (line and column, 1-based).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

from .autodiff import Node, apply, backward

MAX_TEXT = 4000  # characters: far more than any lesson's expression
MAX_NODES = 2000
FUNCTIONS = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos", "abs")
LOSSES = ("mse", "bce")  # mse(a, y) = (a − y)²; bce(a, y) = −(y·log a + (1 − y)·log(1 − a))
OPERATORS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷", ast.Pow: "^"}
SYMBOLS = {"+": "+", "−": "−", "×": "·", "÷": "/", "^": "^"}


@dataclass(frozen=True)
class Program:
    lines: tuple[tuple[str, ast.expr, int], ...]  # (assigned name or "", expression, line no.)
    inputs: tuple[str, ...]  # free names, in order of first use
    text: str


@dataclass
class Graph:
    output: Node
    order: list[Node]  # topological: every node after its parents
    inputs: dict[str, Node]
    named: dict[str, Node] = field(default_factory=dict)  # assigned lines

    def index(self, node: Node) -> int:
        return next(i for i, n in enumerate(self.order) if n is node)


def _where(line: int, node) -> str:
    return f"line {line}, column {getattr(node, 'col_offset', 0) + 1}"


def parse(text: str) -> Program:
    """Lines separated by newlines or ';'; each `name = expression` or an expression. The
    last line is the output."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("type an expression, e.g. (2*x + 1)**3")
    if len(text) > MAX_TEXT:
        raise ValueError(f"the expression is {len(text):,} characters long; at most {MAX_TEXT:,}")
    lines, assigned, inputs = [], set(), []
    pieces = [p for raw in text.replace(";", "\n").split("\n") if (p := raw.strip())]
    for number, piece in enumerate(pieces, 1):
        try:
            tree = ast.parse(piece, mode="exec")
        except SyntaxError as e:
            raise ValueError(f"line {number}, column {e.offset or 1}: "
                             f"{_syntax_message(e)}") from None
        except (RecursionError, MemoryError):
            raise ValueError(f"line {number} is nested too deeply") from None
        if len(tree.body) != 1:
            raise ValueError(f"line {number}: one expression or assignment per line")
        statement = tree.body[0]
        if isinstance(statement, ast.Assign):
            if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
                raise ValueError(f"{_where(number, statement)}: assign to one plain name, "
                                 "like z = w*x + b")
            name, expr = statement.targets[0].id, statement.value
        elif isinstance(statement, ast.Expr):
            name, expr = "", statement.value
        else:
            raise ValueError(f"{_where(number, statement)}: only expressions and assignments "
                             "are allowed")
        for used in _check(expr, number):
            if used in assigned or used in inputs:
                continue
            if any(used == later for later, _, _ in lines) or used == name:
                raise ValueError(f"line {number}: {used!r} is used before it is defined")
            inputs.append(used)
        if name:
            if name in FUNCTIONS or name in LOSSES:
                raise ValueError(f"line {number}: {name!r} is a function; choose another name")
            if name in inputs:
                raise ValueError(f"line {number}: {name!r} is already an input above")
            assigned.add(name)
        lines.append((name, expr, number))
    return Program(tuple(lines), tuple(inputs), text)


def _syntax_message(e: SyntaxError) -> str:
    message = (e.msg or "invalid syntax").split("\n")[0]
    return "invalid syntax" if message.startswith("invalid syntax") else message


def _check(expr: ast.expr, line: int) -> list[str]:
    """The names an expression reads; ValueError for anything not on the whitelist."""
    names, stack = [], [expr]
    while stack:
        node = stack.pop()
        where = _where(line, node)
        if isinstance(node, ast.BinOp):
            if type(node.op) not in OPERATORS:
                raise ValueError(f"{where}: the operator {type(node.op).__name__} is not "
                                 "allowed (use + - * / **)")
            stack += [node.right, node.left]
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise ValueError(f"{where}: only - and + can stand before a value")
            stack.append(node.operand)
        elif isinstance(node, ast.Call):
            allowed = ", ".join(FUNCTIONS + LOSSES)
            if not isinstance(node.func, ast.Name):
                raise ValueError(f"{where}: only the functions {allowed} can be called")
            fn = node.func.id
            if fn not in FUNCTIONS and fn not in LOSSES:
                raise ValueError(f"{where}: unknown function {fn!r}; choose from {allowed}")
            arity = 2 if fn in LOSSES else 1
            if node.keywords or len(node.args) != arity or any(
                    isinstance(a, ast.Starred) for a in node.args):
                raise ValueError(f"{where}: {fn} takes {arity} value{'s' * (arity > 1)}")
            stack += reversed(node.args)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ValueError(f"{where}: only numbers can be constants, not "
                                 f"{type(node.value).__name__}")
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS or node.id in LOSSES:
                raise ValueError(f"{where}: {node.id} is a function; call it, like "
                                 f"{node.id}(x)")
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            raise ValueError(f"{where}: attribute access (a.b) is not allowed")
        else:
            raise ValueError(f"{where}: {_kind(node)} is not allowed in an expression")
    return names


def _kind(node) -> str:
    kinds = {ast.Lambda: "a lambda", ast.ListComp: "a comprehension",
             ast.GeneratorExp: "a comprehension", ast.SetComp: "a comprehension",
             ast.DictComp: "a comprehension", ast.Subscript: "indexing",
             ast.Compare: "a comparison", ast.BoolOp: "and/or", ast.IfExp: "if/else",
             ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict",
             ast.JoinedStr: "a string"}
    return kinds.get(type(node), type(node).__name__)


def build(program: Program, values: dict[str, float]) -> Graph:
    """The program's graph at the given input values (every input needs one)."""
    missing = [name for name in program.inputs if name not in values]
    if missing:
        raise ValueError(f"give {missing[0]!r} a value")
    inputs = {}
    for name in program.inputs:
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise ValueError(f"{name!r} needs a finite number, got {value!r}")
        inputs[name] = Node(value, "input", name=name)
    env: dict[str, Node] = dict(inputs)
    named, count, output = {}, [0], None
    for name, expr, line in program.lines:
        output = _node(expr, env, line, count)
        if name:
            if output.name or output.op in ("input", "const"):
                output = apply("+", (output, _const(0.0, expr)), expr.col_offset + 1)  # own node
            output.name = name
            env[name] = named[name] = output
    if not output.name and output.op not in ("input", "const"):
        output.name = "f"  # the lessons' name for an unnamed result
    order = backward(output)
    return Graph(output, order, inputs, named)


def _const(value: float, expr) -> Node:
    return Node(value, "const", column=getattr(expr, "col_offset", 0) + 1)


def _node(expr: ast.expr, env: dict[str, Node], line: int, count: list) -> Node:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise ValueError(f"the expression has more than {MAX_NODES:,} operations")
    column = expr.col_offset + 1
    try:
        if isinstance(expr, ast.Constant):
            return _const(expr.value, expr)
        if isinstance(expr, ast.Name):
            return env[expr.id]
        if isinstance(expr, ast.UnaryOp):
            operand = _node(expr.operand, env, line, count)
            return operand if isinstance(expr.op, ast.UAdd) else apply("neg", (operand,), column)
        if isinstance(expr, ast.BinOp):
            left = _node(expr.left, env, line, count)
            right = _node(expr.right, env, line, count)
            return apply(OPERATORS[type(expr.op)], (left, right), column)
        fn = expr.func.id
        args = [_node(a, env, line, count) for a in expr.args]
        if fn == "mse":
            diff = apply("−", tuple(args), column)
            return apply("^", (diff, _const(2.0, expr)), column)
        if fn == "bce":
            a, y = args
            one = _const(1.0, expr)
            first = apply("×", (y, apply("log", (a,), column)), column)
            second = apply("×", (apply("−", (one, y), column),
                                 apply("log", (apply("−", (one, a), column),), column)), column)
            return apply("neg", (apply("+", (first, second), column),), column)
        return apply(fn, tuple(args), column)
    except ArithmeticError as e:
        raise ValueError(f"line {line}, column {column}: {e}") from None
    except RecursionError:
        raise ValueError(f"line {line} is nested too deeply") from None
