"""`python main.py graph EXPR --at x=2`: the graph lab on the command line.

Prints the forward pass op by op, every input's gradient beside its central difference, and,
with --step N, that many gradient-descent steps on the parameters. --json prints one object.
"""

from __future__ import annotations

import json
import math

from .lab import build, parse
from .lab_trace import descend, lab_trace, name_of, numeric_check

NOT_PARAMETERS = ("x", "y")  # the lessons' input and target; every other input is learned


def add_graph_parser(sub) -> None:
    p = sub.add_parser("graph", help="an expression's computational graph, forward and backward")
    p.add_argument("expression", help='e.g. "(2*x+1)**3" or "z = w*x + b; L = z**2"')
    p.add_argument("--at", default="", metavar="NAME=VALUE[,…]",
                   help="the inputs' values, e.g. x=2,w=0.5")
    p.add_argument("--step", type=int, default=0, metavar="N",
                   help="take N gradient-descent steps on the parameters first")
    p.add_argument("--lr", type=float, default=0.1, help="learning rate for --step (0.1)")
    p.add_argument("--params", default=None, metavar="NAMES",
                   help="inputs that --step changes (default: all but x and y)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def parse_values(text: str) -> dict[str, float]:
    values = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, number = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ValueError(f"--at takes NAME=VALUE pairs separated by commas, got {item!r}")
        try:
            value = float(number)
        except ValueError:
            raise ValueError(f"--at: {number.strip()!r} is not a number (for {name.strip()})") \
                from None
        if not math.isfinite(value):
            raise ValueError(f"--at: {name.strip()} needs a finite number")
        values[name.strip()] = value
    return values


def cmd_graph(args, out) -> int:
    program = parse(args.expression)
    # Values for names the expression does not use are ignored (one --at for several lines).
    values = {k: v for k, v in parse_values(args.at).items() if k in program.inputs}
    missing = [name for name in program.inputs if name not in values]
    if missing:
        raise ValueError(f"give {missing[0]!r} a value, e.g. --at {missing[0]}=1")
    if args.step < 0:
        raise ValueError(f"--step must be ≥ 0, got {args.step}")
    build(program, values)  # every input has a value, the expression can be computed here
    losses = []
    if args.step:
        params = (program.inputs if args.params is None else
                  [p.strip() for p in args.params.split(",") if p.strip()])
        if args.params is None:
            params = [p for p in params if p not in NOT_PARAMETERS]
        values, losses = descend(program, values, params, args.lr, args.step)
    graph = build(program, values)
    checks = numeric_check(program, values)
    if args.json:
        index = {id(n): i for i, n in enumerate(graph.order)}
        out.write(json.dumps({
            "output": name_of(graph, graph.output), "value": graph.output.value,
            "nodes": [{"name": name_of(graph, n), "op": n.op, "value": n.value,
                       "grad": n.grad, "parents": [index[id(p)] for p in n.parents]}
                      for n in graph.order],
            "checks": [{"name": c.name, "backprop": c.backprop,
                        "numeric": None if math.isnan(c.numeric) else c.numeric,
                        "relative_difference": None if math.isnan(c.numeric)
                        else c.relative_difference} for c in checks],
            "losses_before_each_step": losses, "values": values}) + "\n")
        return 0
    output = name_of(graph, graph.output)
    for i, loss in enumerate(losses, 1):
        out.write(f"step {i}: {output} = {loss:.6g}\n")
    if losses:
        out.write("after the steps: " + ", ".join(f"{k} = {v:.6g}" for k, v in values.items())
                  + "\n\n")
    out.write("forward\n")
    for stage in lab_trace(graph):
        if stage.kind == "forward":
            out.write(f"  {stage.formula:<28} {stage.numbers.split(' = ', 1)[1]}\n")
    out.write(f"\n{output} = {graph.output.value:.6g}\n\ngradients: backprop, central "
              "difference, relative difference\n")
    for c in checks:
        numeric = "n/a (at a domain edge)" if math.isnan(c.numeric) else (
            f"{c.numeric:<14.6g} {c.relative_difference:.1e}")
        out.write(f"  ∂{output}/∂{c.name:<6} {c.backprop:<14.6g} {numeric}\n")
    return 0
