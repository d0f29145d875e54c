"""The backward stage of one layer as rich text: ∂L/∂a, f′(z), ∂L/∂z, ∂L/∂W, ∂L/∂b and the
gradient handed to the layer below, each with the recorded numbers put in.

The error goes down through Wᵀ under backprop and through the fixed random B under feedback
alignment (whichever the stage recorded); quantities an injected bug computed wrongly are
marked (gui/stepper/bug_marks.py)."""

from __future__ import annotations

import numpy as np

from gui.common.formula_markup import (
    ACTIVATION_SYMBOLS,
    Equations,
    matrix,
    num,
    sample_table,
    sym,
    value,
)
from gui.stepper.bug_marks import mark_numbers
from gui.stepper.formula_context import (
    Focus,
    StageContext,
    join_terms,
    resolve_focus,
    sum_of_products,
)

# ∂L/∂ŷ of each loss, in symbols (the engine averages over the batch, hence m).
LOSS_GRADIENTS = {"mse": "2(ŷ − y)/m", "bce": "(ŷ − y) / (ŷ(1 − ŷ)·m)", "ce": "−y / (ŷ·m)"}


def render_backward(ctx: StageContext, eq: Equations, selection) -> None:
    stage, layer = ctx.stage, ctx.stage.layer
    x, W, dZ = stage.get("a_prev"), stage.get("W"), stage.get("dZ")
    n_in, n_out = W.shape
    focus = resolve_focus(selection, layer, n_in, n_out)
    if ctx.has("dA"):
        _dA(ctx, eq, focus)
    if ctx.has("fprime"):
        _fprime(ctx, eq, focus)
    _dZ(ctx, eq, focus)
    _dW(ctx, eq, focus, x, dZ)
    _db(ctx, eq, focus, dZ)
    _dA_prev(ctx, eq, focus, dZ)


def _names(ctx: StageContext):
    layer = ctx.stage.layer
    name = ctx.activation(layer)
    return ACTIVATION_SYMBOLS.get(name, name), name


def _per_sample(ctx, eq, lhs, steps, note, focus, header, cell, wrong=""):
    """Large arrays: summary, then `cell(s)` -> (expansion, value) for sample s, neuron j."""
    m = len(ctx.stage.get("dZ"))
    shown, more = ctx.shown_samples(m)
    rows = [[ctx.sample_label(s), *cell(s)] for s in shown]
    if wrong:
        rows = [[*row[:-1], mark_numbers(row[-1])] for row in rows]
    eq.add(lhs, steps, note=note, extra=sample_table(["sample", *header], rows, more),
           wrong=wrong)


def _down(fb, layer: int, i: int, j: int) -> str:
    """The entry of the matrix that carries neuron j's error of `layer` to neuron i below:
    W⁽ˡ⁾ᵢ,ⱼ under backprop, B⁽ˡ⁾ⱼ,ᵢ under feedback alignment."""
    if fb[2]:
        return _weight(layer, i, j)
    return f"{sym('B')}<sup>({layer})</sup><sub>{j + 1},{i + 1}</sub>"


def _down_symbol(fb) -> str:
    return sym(fb[1]) + ("ᵀ" if fb[2] else "")


def _output_targets(ctx: StageContext):
    """ŷ and y as the loss stage recorded them (None without the trace)."""
    return ctx.value("loss", None, "y_hat"), ctx.value("loss", None, "y")


def _dA(ctx: StageContext, eq: Equations, focus: Focus) -> None:
    stage, layer = ctx.stage, ctx.stage.layer
    dA = stage.get("dA")
    m = len(dA)
    lhs = sym(ctx.symbol("dA"))
    j = focus.j
    wrong = ctx.wrong("dA")
    if ctx.is_output() or next(q.formula for q in stage.quantities if q.key == "dA") == \
            "from the loss":
        name = ctx.loss_name()
        y_hat, y = _output_targets(ctx)
        note = "how the loss changes with the prediction"
        if stage.fused:
            note += " (for reference: the fused gradient below does not use it)"
        formula = LOSS_GRADIENTS.get(name)
        steps = [sym(formula)] if formula else []
        if formula and y_hat is not None and ctx.small(y_hat, y, dA) and not stage.fused:
            steps.append(_loss_gradient(name, matrix(y_hat), matrix(y, target=True), m))
        if ctx.small(dA):
            eq.add(lhs, [*steps, value(dA, focus.out_cols(m))], note=note, wrong=wrong)
        elif y_hat is not None and formula:
            _per_sample(ctx, eq, lhs, [*steps, ctx.brief(dA)], note, focus,
                        [sym(formula), f"{lhs}<sub>{j + 1}</sub>"],
                        lambda s: (_loss_gradient(name, num(y_hat[s, j]),
                                                  num(y[s, j], target=True), m), num(dA[s, j])),
                        wrong)
        else:
            eq.add(lhs, [*steps, ctx.brief(dA)], note=note, wrong=wrong)
        return
    # A hidden layer: the gradient the layer above handed down (through W or B).
    up = layer + 1
    dZ_up, fb = ctx.value("backward", up, "dZ"), ctx.feedback(up)
    if fb is None:  # a stage on its own, without the trace: name W as the engine does
        fb = (None, f"W⁽{_sup(up)}⁾", True)
    formula = f"{sym(f'∂L/∂z⁽{_sup(up)}⁾')}·{_down_symbol(fb)}"
    note = f"handed down from layer {up} (see Backward · layer {up})"
    if not fb[2]:
        note = (f"handed down from layer {up} through its fixed random feedback matrix "
                f"{sym(fb[1])}, not {sym(f'W⁽{_sup(up)}⁾')}ᵀ (feedback alignment)")
    dZ_bad = bool(ctx.wrong("dZ", "backward", up))
    dZ_text = ctx.operand(matrix(dZ_up), "dZ", "backward", up) if dZ_up is not None else ""
    if dZ_up is None or fb[0] is None:
        eq.add(lhs, [formula, ctx.brief(dA)], note=note, wrong=wrong)
    elif ctx.small(dZ_up, fb[0], dA):
        eq.add(lhs, [formula, f"{dZ_text} · {matrix(fb[0])}",
                     value(dA, focus.out_cols(m))], note=note, wrong=wrong)
    else:
        M = fb[0]
        k_count = M.shape[0]
        header = join_terms([f"{_delta(up, k)}·{_down(fb, up, j, k)}" for k in range(k_count)])
        _per_sample(ctx, eq, lhs, [formula, ctx.brief(dA)], note, focus,
                    [header, f"{lhs}<sub>{j + 1}</sub>"],
                    lambda s: (sum_of_products([(dZ_up[s, k], M[k, j]) for k in range(k_count)],
                                               wrong=(dZ_bad, False)), num(dA[s, j])),
                    wrong)


def _loss_gradient(name: str, y_hat: str, y: str, m: int) -> str:
    if name == "mse":
        return f"2({y_hat} − {y})/{m}"
    if name == "bce":
        return f"({y_hat} − {y}) / ({y_hat}·(1 − {y_hat})·{m})"
    return f"−{y} / ({y_hat}·{m})"


def _delta(layer: int, k: int) -> str:
    return f"δ<sup>({layer})</sup><sub>{k + 1}</sub>"


def _weight(layer: int, i: int, j: int) -> str:
    return f"{sym('W')}<sup>({layer})</sup><sub>{i + 1},{j + 1}</sub>"


def _transposed(entries: set) -> set:
    """Highlighted entries of an array shown transposed (the ᵀ in the formula)."""
    return {(c, r) for r, c in entries}


def _sup(layer: int) -> str:
    return str(layer).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _operand(v) -> str:
    return num(v, paren=True)


def _fprime_substitution(name: str, z, a, show, fp=None):
    """f′ with the recorded z or a put in; `show` formats a value (matrix or number)."""
    if name == "sigmoid":
        return f"{show(a)} · (1 − {show(a)})"
    if name == "tanh":
        return f"1 − {show(a)}²"
    if name in ("relu", "leaky_relu"):
        if np.size(z) == 1 and fp is not None:  # which branch: read off the recorded slope
            return f"<i>z</i> = {num(z)} {'&gt;' if float(np.ravel(fp)[0]) == 1 else '≤'} 0"
        low = "0" if name == "relu" else "0.01"
        return f"1 where <i>z</i> &gt; 0, else {low}; <i>z</i> = {show(z)}"
    if name == "linear":
        return "1"
    return f"at <i>z</i> = {show(z)}"


def _fprime(ctx: StageContext, eq: Equations, focus: Focus) -> None:
    stage, layer = ctx.stage, ctx.stage.layer
    fp = stage.get("fprime")
    m = len(fp)
    act, name = _names(ctx)
    lhs = f"{act}′({sym(f'z⁽{_sup(layer)}⁾')})"
    formula = next(q.formula for q in stage.quantities if q.key == "fprime")
    if name == "sigmoid":
        formula = "σ(z)(1 − σ(z))"
    z, a = ctx.value("forward", layer, "z"), ctx.value("forward", layer, "a")
    note = "the slope of the activation at z: how much a changes when z changes"
    steps = [sym(formula)]
    wrong = ctx.wrong("fprime")
    if ctx.small(fp) and z is not None and ctx.small(z, a):
        steps.append(_fprime_substitution(name, z, a, matrix, fp))
        eq.add(lhs, [*steps, value(fp, focus.out_cols(m))], note=note, wrong=wrong)
    elif z is not None and not ctx.small(fp):
        j = focus.j
        _per_sample(ctx, eq, lhs, [*steps, ctx.brief(fp)], note, focus,
                    [sym(formula), f"{act}′<sub>{j + 1}</sub>"],
                    lambda s: (_fprime_substitution(name, z[s, j], a[s, j], _operand, fp[s, j]),
                               num(fp[s, j])), wrong)
    else:
        eq.add(lhs, [*steps, ctx.brief(fp)], note=note, wrong=wrong)


def _dZ(ctx: StageContext, eq: Equations, focus: Focus) -> None:
    stage, layer = ctx.stage, ctx.stage.layer
    dZ = stage.get("dZ")
    m = len(dZ)
    lhs = sym(ctx.symbol("dZ"))
    j = focus.j
    act, _ = _names(ctx)
    wrong = ctx.wrong("dZ")
    if stage.fused:
        y_hat, y = _output_targets(ctx)
        formula = sym("(ŷ − y) / m")
        note = "the fused gradient of the activation and the loss together"
        if y_hat is None:
            eq.add(lhs, [formula, ctx.brief(dZ)], note=note, wrong=wrong)
        elif ctx.small(y_hat, y, dZ):
            eq.add(lhs, [formula, f"({matrix(y_hat)} − {matrix(y, target=True)}) / {m}",
                         value(dZ, focus.out_cols(m))], note=note, wrong=wrong)
        else:
            _per_sample(ctx, eq, lhs, [formula, ctx.brief(dZ)], note, focus,
                        [formula, f"δ<sub>{j + 1}</sub>"],
                        lambda s: (f"({num(y_hat[s, j])} − {num(y[s, j], target=True)}) / {m}",
                                   num(dZ[s, j])), wrong)
        return
    note = "the chain rule: the gradient arriving at a, times the slope f′ (entry by entry)"
    if not (ctx.has("dA") and ctx.has("fprime")):
        eq.add(lhs, [ctx.brief(dZ)], note=note, wrong=wrong)
        return
    dA, fp = stage.get("dA"), stage.get("fprime")
    formula = f"{sym(ctx.symbol('dA'))} ⊙ {act}′({sym(f'z⁽{_sup(layer)}⁾')})"
    if ctx.small(dA, fp, dZ):
        times = " · " if dZ.size == 1 else " ⊙ "
        eq.add(lhs, [formula, f"{ctx.operand(matrix(dA), 'dA')}{times}"
                              f"{ctx.operand(matrix(fp), 'fprime')}",
                     value(dZ, focus.out_cols(m))], note=note, wrong=wrong)
    else:
        _per_sample(ctx, eq, lhs, [formula, ctx.brief(dZ)], note, focus,
                    [f"∂L/∂a<sub>{j + 1}</sub> · {act}′<sub>{j + 1}</sub>",
                     f"δ<sub>{j + 1}</sub>"],
                    lambda s: (f"{ctx.operand(num(dA[s, j]), 'dA')} · "
                               f"{ctx.operand(num(fp[s, j], paren=True), 'fprime')}",
                               num(dZ[s, j])), wrong)


def _dW(ctx: StageContext, eq: Equations, focus: Focus, x, dZ) -> None:
    stage = ctx.stage
    dW = stage.get("dW")
    m, (n_in, n_out) = len(x), dW.shape
    lhs = sym(ctx.symbol("dW"))
    x_s = sym(ctx.symbol("a_prev"))
    formula = f"{x_s}ᵀ·{sym(ctx.symbol('dZ'))}"
    note = "each weight's gradient: its input times the δ of the neuron it feeds" + (
        f", summed over the {m} samples" if m > 1 else "")
    wrong = ctx.wrong("dW")
    if ctx.small(x, dZ, dW):
        eq.add(lhs, [formula, f"{matrix(x.T, _transposed(focus.in_cols(m)))} · "
                              f"{ctx.operand(matrix(dZ, focus.out_cols(m)), 'dZ')}",
                     value(dW, focus.weights(n_in, n_out))], note=note, wrong=wrong)
        return
    entries = [(focus.i, focus.j)] if focus.chosen in ("weight", "in") else \
        [(i, focus.j) for i in range(min(n_in, 4))]
    rows = []
    for i, j in entries:
        rows.append([f"{lhs}<sub>{i + 1},{j + 1}</sub>",
                     sum_of_products([(x[s, i], dZ[s, j]) for s in range(m)],
                                     wrong=(False, bool(ctx.wrong("dZ")))),
                     mark_numbers(num(dW[i, j])) if wrong else num(dW[i, j])])
    eq.add(lhs, [formula, ctx.brief(dW)], note=note, wrong=wrong,
           extra=sample_table(["entry", f"Σ<sub>s</sub> {x_s}<sub>s,i</sub>·δ<sub>s,j</sub>",
                               "value"], rows))


def _db(ctx: StageContext, eq: Equations, focus: Focus, dZ) -> None:
    db = ctx.stage.get("db")
    m = len(dZ)
    lhs = sym(ctx.symbol("db"))
    formula = f"Σ<sub>s</sub> {sym(ctx.symbol('dZ'))}"
    note = "a bias's gradient is its neuron's δ" + (", summed over the samples" if m > 1 else "")
    wrong = ctx.wrong("db")
    if m == 1:
        eq.add(lhs, [formula, value(db, focus.bias())], note=note, wrong=wrong)
    elif ctx.small(dZ, db):
        eq.add(lhs, [formula, f"column sums of "
                              f"{ctx.operand(matrix(dZ, focus.out_cols(m)), 'dZ')}",
                     value(db, focus.bias())], note=note, wrong=wrong)
    else:
        j = focus.j
        terms = ctx.operand(join_terms([num(dZ[s, j], paren=s > 0) for s in range(m)]), "dZ")
        row = [f"{lhs}<sub>{j + 1}</sub>", terms,
               mark_numbers(num(db[j])) if wrong else num(db[j])]
        eq.add(lhs, [formula, ctx.brief(db)], note=note, wrong=wrong,
               extra=sample_table(["entry", "Σ over the samples", "value"], [row]))


def _dA_prev(ctx: StageContext, eq: Equations, focus: Focus, dZ) -> None:
    stage, layer = ctx.stage, ctx.stage.layer
    dX = stage.get("dA_prev")
    M, _symbol, transposed = fb = ctx.feedback()
    m, (n_out, n_in) = len(dX), M.shape
    lhs = sym(ctx.symbol("dA_prev"))
    formula = f"{sym(ctx.symbol('dZ'))}·{_down_symbol(fb)}"
    note = (f"handed down to layer {layer - 1}" if layer > 1 else
            "the gradient with respect to the inputs: no weights below, shown for completeness")
    if not transposed:
        note += (f", through the fixed random matrix {sym(fb[1])} instead of "
                 f"{sym(ctx.symbol('W'))}ᵀ (feedback alignment)")
    wrong = ctx.wrong("dA_prev")
    marks = focus.weights(n_in, n_out)
    if ctx.small(dZ, M, dX):
        eq.add(lhs, [formula, f"{ctx.operand(matrix(dZ, focus.out_cols(m)), 'dZ')} · "
                              f"{matrix(M, _transposed(marks))}",
                     value(dX, focus.in_cols(m))], note=note, wrong=wrong)
        return
    i = focus.i
    header = join_terms([f"{_delta(layer, j)}·{_down(fb, layer, i, j)}" for j in range(n_out)])
    _per_sample(ctx, eq, lhs, [formula, ctx.brief(dX)], note, focus,
                [header, f"{lhs}<sub>{i + 1}</sub>"],
                lambda s: (sum_of_products([(dZ[s, j], M[j, i]) for j in range(n_out)],
                                           wrong=(bool(ctx.wrong("dZ")), False)),
                           num(dX[s, i])), wrong)
