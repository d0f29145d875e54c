"""One stage of a traced training step as rich text: for every quantity the formula in
symbols, the same formula with the recorded numbers put in, and the result.

Small layers show every entry as a little matrix; larger ones show the shape, mean |·| and
max |·| and then the selected neuron / weight worked out sample by sample. The numbers are
only ever read from the trace (the stage, or a neighbouring stage of the same trace), and the
quantities an injected bug computed wrongly are shown in red with the engine's note.
"""

from __future__ import annotations

import numpy as np

from engine.losses import LOSS_LABELS
from engine.trace import Stage
from gui.common.formula_markup import (
    ACCENTS,
    ACTIVATION_SYMBOLS,
    BLOCK_END,
    BLOCK_START,
    MARKERS,
    MINUS,
    MUTED,
    TINTS,
    Equations,
    caption,
    fmt_short,
    html_to_text,
    matrix,
    num,
    sample_table,
    sym,
    value,
)
from gui.stepper.bug_marks import MarkedEquations, mark_numbers, stage_warning
from gui.stepper.chain_formulas import chain_html
from gui.stepper.formula_context import StageContext, join_terms, resolve_focus, sum_of_products
from gui.stepper.formulas_backward import render_backward

__all__ = ["stage_html", "chain_html", "html_to_text"]

INTROS = {  # prose, with the symbols marked up by hand (sym() would italicise every "a")
    "forward": "Every neuron of layer {layer} adds up its weighted inputs plus its bias "
               "(<i>z</i>), then applies {act} (<i>a</i>).",
    "loss": "How far the predictions <i>ŷ</i> are from the targets <i>y</i>.",
    "backward": "The chain rule, one layer down: ∂<i>L</i>/∂<i>a</i> times the activation’s "
                "slope <i>f</i>′ gives ∂<i>L</i>/∂<i>z</i>; from it follow the gradients of "
                "<b><i>W</i></b> and <i>b</i> and the gradient handed to the layer below.",
    "update": "Every parameter takes a small step against its gradient.",
}
FA_INTRO = ("Feedback alignment: ∂<i>L</i>/∂<i>z</i> is found as under backprop, but the "
            "gradient handed to the layer below goes through a fixed random matrix "
            "<b><i>B</i></b> instead of <b><i>W</i></b>ᵀ.")


def stage_html(stage: Stage, selection=None, max_entries: int = 12, context=None,
               max_samples: int = 4, width: int | None = 480) -> str:
    """The stage as rich text. `context` is the Trace (or its stages) the stage belongs to:
    with it, formulas can also show the numbers a neighbouring stage recorded (ŷ and y for
    ∂L/∂ŷ, a for σ′, ∂L/∂z⁽ˡ⁺¹⁾ for ∂L/∂a⁽ˡ⁾) and samples are named by training index.
    `width` (pixels of the view, None = unlimited) breaks long matrix expressions into lines."""
    budget = None if width is None else max(200, width - 150)
    ctx = StageContext(stage, context, max_entries, max_samples, budget)
    eq = MarkedEquations(stage.kind, budget)
    renderers = {"forward": _forward, "loss": _loss, "backward": render_backward,
                 "update": _update}
    renderers[stage.kind](ctx, eq, selection)
    return _page(ctx, eq.html())


def _page(ctx: StageContext, body: str) -> str:
    stage = ctx.stage
    accent, tint = ACCENTS[stage.kind], TINTS[stage.kind]
    act = ACTIVATION_SYMBOLS.get(ctx.activation(stage.layer), "f") if stage.layer else ""
    intro = INTROS[stage.kind].format(layer=stage.layer, act=act)
    if stage.kind == "backward" and ctx.has("B"):
        intro = FA_INTRO
    m = ctx.batch_size()
    batch = "" if stage.kind == "update" else " Shown for one sample." if m == 1 else \
        f" Shown for a batch of m = {m} samples (one row each)."
    header = (f"<table width='100%' cellspacing='0' cellpadding='6' bgcolor='{tint}'><tr>"
              f"<td width='5' bgcolor='{accent}'></td><td>"
              f"<span style='font-size:large; font-weight:bold; color:{accent}'>"
              f"{MARKERS[stage.kind]}&nbsp;&nbsp;{sym(stage.title)}</span><br>"
              f"<span style='color:{MUTED}; font-size:10pt'>{intro}{batch}</span>"
              f"</td></tr></table>")
    note = _note(ctx) + stage_warning(stage, sym)
    body = body.replace(BLOCK_START, "").replace(BLOCK_END, "")  # any matrix not inlined
    return (f"<div style='font-size:11pt'>{header}{note}<div style='margin-top:6px'>{body}</div>"
            f"</div>")


def _note(ctx: StageContext) -> str:
    stage = ctx.stage
    text = stage.note
    if stage.kind == "loss":
        name = ctx.loss_name()
        text = (f"{LOSS_LABELS.get(name, name)}, averaged over the batch of "
                f"m = {ctx.batch_size()}")
    if not text:
        return ""
    accent = ACCENTS[stage.kind]
    return (f"<table width='100%' cellspacing='0' cellpadding='5' style='margin-top:4px'><tr>"
            f"<td width='3' bgcolor='{accent}'></td><td bgcolor='#f6f6f6'>"
            f"<span style='color:#333; font-size:10pt'>{sym(text)}</span></td></tr></table>")


# -- forward -----------------------------------------------------------------------------------

def _forward(ctx: StageContext, eq: Equations, selection) -> None:
    stage, layer = ctx.stage, ctx.stage.layer
    x, W, b = stage.get("a_prev"), stage.get("W"), stage.get("b")
    z, a = stage.get("z"), stage.get("a")
    m, (n_in, n_out) = len(x), W.shape
    focus = resolve_focus(selection, layer, n_in, n_out)
    x_s, W_s, b_s, z_s = (sym(ctx.symbol(k)) for k in ("a_prev", "W", "b", "z"))
    name = ctx.activation(layer)
    act = ACTIVATION_SYMBOLS.get(name, name)

    formula = f"{x_s}·{W_s} + {b_s}"
    wrong_z, wrong_a = ctx.wrong("z"), ctx.wrong("a")
    if ctx.small(x, W, b, z):
        eq.add(z_s, [formula,
                     f"{matrix(x, focus.in_cols(m))} · {matrix(W, focus.weights(n_in, n_out))}"
                     f" + {matrix(b, focus.bias())}", value(z, focus.out_cols(m))],
               note="weighted sum of the inputs, plus the bias", wrong=wrong_z)
    else:
        j = focus.j
        terms = [f"{x_s}{_sub(i)}·{W_s}{_sub(i, j)}" for i in range(n_in)]
        header = join_terms(terms) + f" + {b_s}{_sub(j)}"
        rows = [[ctx.sample_label(s),
                 sum_of_products([(x[s, i], W[i, j]) for i in range(n_in)])
                 + f" + {num(b[j], paren=True)}", num(z[s, j])]
                for s in ctx.shown_samples(m)[0]]
        eq.add(z_s, [formula, ctx.brief(z)], note="weighted sum of the inputs, plus the bias",
               wrong=wrong_z, extra=_focus_caption(ctx, focus, f"neuron {j + 1}")
               + sample_table(["sample", header, f"{z_s}{_sub(j)}"], rows,
                              ctx.shown_samples(m)[1]))

    a_s = sym(ctx.symbol("a"))
    formula = f"{act}({z_s})"
    if ctx.small(z, a):
        eq.add(a_s, [formula, f"{act}({ctx.operand(matrix(z, focus.out_cols(m)), 'z')})",
                     value(a, focus.out_cols(m))], note=f"the activation {act}, entry by entry"
               if name != "softmax" else "softmax turns each row of z into probabilities",
               wrong=wrong_a)
    else:
        j = focus.j
        if name == "softmax":
            rows = [[ctx.sample_label(s), f"softmax({matrix(z[s])})",
                     value(a[s], {(0, j)})] for s in ctx.shown_samples(m)[0]]
        else:
            rows = [[ctx.sample_label(s), f"{act}({num(z[s, j])})", num(a[s, j])]
                    for s in ctx.shown_samples(m)[0]]
        eq.add(a_s, [formula, ctx.brief(a)], note=f"the activation {act}", wrong=wrong_a,
               extra=sample_table(["sample", f"{act}({z_s}{_sub(j)})", f"{a_s}{_sub(j)}"], rows,
                                  ctx.shown_samples(m)[1]))


def _sub(*indices: int) -> str:
    """1-based subscript indices: (0, 2) -> ₁,₃."""
    return "<sub>" + ",".join(str(i + 1) for i in indices) + "</sub>"


def _focus_caption(ctx: StageContext, focus, what: str) -> str:
    if focus.chosen in ("out", "weight"):
        return caption(f"The selected {what}, sample by sample:")
    return caption(f"{what.capitalize()} shown, sample by sample (click a neuron or weight in "
                   "the network to follow another):")


# -- loss --------------------------------------------------------------------------------------

LOSS_SHORT = {  # the loss for one sample with one output, in symbols
    "mse": "(ŷ − y)²", "bce": "−[y ln ŷ + (1 − y) ln(1 − ŷ)]", "ce": "−Σₖ yₖ ln ŷₖ"}


def _loss(ctx: StageContext, eq: Equations, selection) -> None:
    stage = ctx.stage
    y_hat, y, L = stage.get("y_hat"), stage.get("y"), stage.get("L")
    m, k = y_hat.shape
    name = ctx.loss_name()
    formula = next(q.formula for q in stage.quantities if q.key == "L")
    if m == 1 and k == 1 and name in LOSS_SHORT:
        formula = LOSS_SHORT[name]
    steps = [sym(formula)]
    terms = _loss_terms(name, y_hat, y)
    if terms:
        limit = ctx.max_entries if ctx.small(y_hat, y) else ctx.max_samples
        body = join_terms(terms, limit=limit)
        if name == "mse":
            steps.append(body if len(terms) == 1 else f"(1/{m})·[{body}]")
        else:
            steps.append(f"{MINUS}{body}" if m == 1 and len(terms) == 1
                         else f"{MINUS}(1/{m})·[{body}]")
    steps.append(num(L))
    n_layers = ctx.n_layers or 0
    focus = resolve_focus(selection, n_layers, 0, k)
    if ctx.small(y_hat, y):
        extra = (f"{caption('where')} &nbsp;{sym('ŷ')} = {value(y_hat, focus.out_cols(m))}"
                 " &nbsp;&nbsp; "
                 f"{sym('y')} = {matrix(y, focus.out_cols(m), target=True, paren=False)}")
    else:
        rows = [[ctx.sample_label(s), value(y_hat[s]), matrix(y[s], target=True, paren=False)]
                for s in ctx.shown_samples(m)[0]]
        extra = sample_table(["sample", sym("ŷ"), sym("y")], rows, ctx.shown_samples(m)[1])
    eq.add(sym("L"), steps, note="the loss of this step", extra=extra, wrong=ctx.wrong("L"))


def _loss_terms(name: str, y_hat: np.ndarray, y: np.ndarray) -> list[str]:
    """Each sample's (and output's) contribution with the numbers put in."""
    terms = []
    for s in range(len(y_hat)):
        if name == "mse":
            terms += [f"({num(p)} − {num(t, target=True)})²" for p, t in zip(y_hat[s], y[s])]
        elif name == "bce":
            for p, t in zip(y_hat[s], y[s]):
                if t == 1:
                    terms.append(f"ln {num(p)}")
                elif t == 0:
                    terms.append(f"ln(1 − {num(p)})")
                else:
                    terms.append(f"{num(t, target=True)}·ln {num(p)} + "
                                 f"(1 − {num(t, target=True)})·ln(1 − {num(p)})")
        elif name == "ce":
            terms += [f"ln {num(p)}" if t == 1 else f"{num(t, target=True)}·ln {num(p)}"
                      for p, t in zip(y_hat[s], y[s]) if t != 0]
        else:
            return []
    return terms


# -- update ------------------------------------------------------------------------------------

def _update(ctx: StageContext, eq: Equations, selection) -> None:
    stage, layer = ctx.stage, ctx.stage.layer
    W, b, W_new, b_new = (stage.get(k) for k in ("W", "b", "W_new", "b_new"))
    dW, db, lr = stage.get("dW"), stage.get("db"), stage.get("lr")
    n_in, n_out = W.shape
    focus = resolve_focus(selection, layer, n_in, n_out)
    # A rolled-back step changed nothing: only Δ (zero) tells the truth, not W − η·∂L/∂W.
    sgd = ctx.optimizer_name() == "sgd" and not stage.rolled_back
    eta = fmt_short(lr)
    for old, new, grad, key, marks in ((W, W_new, dW, "W", focus.weights(n_in, n_out)),
                                       (b, b_new, db, "b", focus.bias())):
        p, g = sym(ctx.symbol(key)), sym(ctx.symbol("d" + key))
        if sgd:
            formula, note = f"{p} − {sym('η')}·{g}", "a step of size η against the gradient"
        elif stage.rolled_back:
            formula = f"{p} − Δ"
            note = f"Δ = {p} − {p}<sub>new</sub> = 0: the step was rolled back (see above)"
        else:
            formula = f"{p} − Δ"
            note = (f"Δ = {p} − {p}<sub>new</sub>: the step {ctx.optimizer_name()} took "
                    f"(rule above), read off the recorded parameters; gradient {g} was used")
        wrong = ctx.wrong(key + "_new")
        # The gradient as the backward stage computed it (an injected bug marks it there).
        grad_wrong = ctx.wrong("d" + key) or ctx.wrong("d" + key, "backward", layer)
        if grad_wrong:
            note += f"; ⚠ the gradient {g} is wrong ({grad_wrong}), and so is this step"
        if ctx.small(old, new, grad):
            grad_text = matrix(grad, marks)
            step = (f"{matrix(old, marks)} − {eta}·"
                    f"{mark_numbers(grad_text) if grad_wrong else grad_text}" if sgd
                    else f"{matrix(old, marks)} − {matrix(old - new, marks)}")
            eq.add(p, [formula, step, value(new, marks)], note=note, op="←", wrong=wrong)
            continue
        entries = _update_entries(key, focus, n_in)
        rows = []
        for index in entries:
            grad_text = num(grad[index], paren=True)
            change = (f"{eta}·{mark_numbers(grad_text) if grad_wrong else grad_text}" if sgd
                      else num(old[index] - new[index], paren=True))
            label = f"{p}{_sub(*index)}" if key == "W" else f"{p}{_sub(index)}"
            result = mark_numbers(num(new[index])) if wrong else num(new[index])
            rows.append([label, f"{num(old[index])} − {change}", result])
        eq.add(p, [formula, ctx.brief(new)], note=note, op="←", wrong=wrong,
               extra=sample_table(["entry", "old − step", "new"], rows))


def _update_entries(key: str, focus, n_in: int) -> list:
    """Which entries to work out: the selected weight, else the weights into neuron j."""
    if key == "b":
        return [focus.j]
    if focus.chosen in ("weight", "in"):
        return [(focus.i, focus.j)]
    return [(i, focus.j) for i in range(min(n_in, 4))]
