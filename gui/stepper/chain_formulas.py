"""The chain rule for one weight as rich text, from engine.chain_rule.ChainRule:

    ∂L/∂w = Σₛ δⱼ·aᵢ,   δⱼ = f′(zⱼ)·Σₖ wⱼₖ·δₖ,

and the same gradient as the sum over every path from the weight to the loss of the product
of the local derivatives along it. Under feedback alignment (ChainRule.feedback) the δs came
down through the fixed B of each layer above, so Bₖⱼ stands where wⱼₖ would. Every number is
one the ChainRule carries.
"""

from __future__ import annotations

import re

from engine.chain_rule import ChainRule
from gui.common.formula_markup import (
    ACCENTS,
    ACTIVATION_SYMBOLS,
    MUTED,
    TINTS,
    Equations,
    caption,
    num,
    sample_table,
    sym,
)
from gui.stepper.formula_context import StageContext, join_terms, sum_of_products

KIND = "backward"


def chain_html(chain: ChainRule, max_samples: int = 4, max_paths: int = 12, trace=None) -> str:
    """The chain rule for w = W⁽ˡ⁾[i, j]. With `trace`, f′ is named after each layer's
    activation and samples by their training-set index. Starts with the anchor "chain"."""
    names = _Names(chain, trace)
    parts = [_header(chain, names), _sum_over_samples(chain, names, max_samples),
             _delta_expansion(chain, names, max_samples), _paths(chain, names, max_paths)]
    return ("<a name='chain'></a><div style='font-size:11pt'>" + "".join(parts) + "</div>")


class _Names:
    def __init__(self, chain: ChainRule, trace):
        stages = getattr(trace, "stages", None) or []
        self.ctx = StageContext(stages[0], trace) if stages else None
        layer, i, j = chain.layer, chain.i, chain.j
        self.w = f"{sym('W')}<sup>({layer})</sup><sub>{i + 1},{j + 1}</sub>"
        self.a_i = (f"{sym('x')}<sub>{i + 1}</sub>" if layer == 1
                    else f"{sym('a')}<sup>({layer - 1})</sup><sub>{i + 1}</sub>")
        self.delta_j = f"δ<sup>({layer})</sup><sub>{j + 1}</sub>"

    def act(self, layer: int) -> str:
        if self.ctx is None:
            return "f"
        name = self.ctx.activation(layer)
        return ACTIVATION_SYMBOLS.get(name, name)

    def sample(self, s: int) -> str:
        return self.ctx.sample_label(s) if self.ctx else f"s{s + 1}"

    def factor(self, engine_symbol: str) -> str:
        """"f′(z⁽²⁾[1])" -> σ′(z⁽²⁾₁); the rest through sym()."""
        def named(match):
            layer = int(match.group(1).translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")))
            return f"{self.act(layer)}′(z⁽{match.group(1)}⁾"
        return sym(re.sub(r"f′\(z⁽([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾", named, engine_symbol))


def _header(chain: ChainRule, names: _Names) -> str:
    source = f"input {chain.i + 1}" if chain.layer == 1 else \
        f"neuron {chain.i + 1} of layer {chain.layer - 1}"
    accent, tint = ACCENTS[KIND], TINTS[KIND]
    fa = (" Under feedback alignment the δs come down through the fixed random B, not Wᵀ, so "
          "the sums below give this step's update, not the true gradient."
          if chain.feedback else "")
    return (f"<table width='100%' cellspacing='0' cellpadding='6' bgcolor='{tint}' "
            f"style='margin-top:14px'><tr><td width='5' bgcolor='{accent}'></td><td>"
            f"<span style='font-size:large; font-weight:bold; color:{accent}'>"
            f"∂&nbsp;&nbsp;The chain rule for the weight {names.w}</span><br>"
            f"<span style='color:{MUTED}; font-size:10pt'>from {source} to neuron "
            f"{chain.j + 1} of layer {chain.layer}: how the loss changes when this one weight "
            f"changes.{fa}</span></td></tr></table>")


def _section(title: str) -> str:
    return (f"<p style='margin-top:10px; margin-bottom:2px; font-weight:bold; "
            f"color:{ACCENTS[KIND]}'>{title}</p>")


def _sum_over_samples(chain: ChainRule, names: _Names, max_samples: int) -> str:
    m = len(chain.samples)
    lhs = f"∂{sym('L')}/∂{names.w}"
    eq = Equations(KIND)
    engine = f"{num(chain.gradient)} &nbsp;" + caption(
        "(the engine’s FA update ∂L/∂W)" if chain.feedback else "(the engine’s ∂L/∂W)")
    if m == 1:
        s = chain.samples[0]
        eq.add(lhs, [f"{names.delta_j}·{names.a_i}",
                     f"{num(s.delta_j)} · {num(s.a_i, paren=True)}", engine],
               note="the δ of the neuron the weight feeds, times the weight's input")
        return _section("1 · Gradient = δ × input") + eq.html()
    shown = chain.samples[:max_samples]
    terms = [num(s.contribution, paren=True) for s in chain.samples]
    eq.add(lhs, [f"Σ<sub>s</sub> {names.delta_j}·{names.a_i}", join_terms(terms), engine],
           note=f"one term per sample, summed over the batch of m = {m}")
    rows = [[names.sample(s.sample), num(s.a_i), num(s.delta_j), num(s.contribution)]
            for s in shown]
    table = sample_table(["sample", names.a_i, names.delta_j, f"{names.delta_j}·{names.a_i}"],
                         rows, m - len(shown))
    return _section("1 · Gradient = Σ over samples of δ × input") + eq.html() + table


def _delta_expansion(chain: ChainRule, names: _Names, max_samples: int) -> str:
    layer, j = chain.layer, chain.j
    out = _section(f"2 · Where {names.delta_j} comes from")
    first = chain.samples[0]
    if not first.terms:  # a weight into the output layer: δ comes from the loss
        output = names.ctx.find("backward", layer) if names.ctx else None
        fused = first.fprime_j is None or (output is not None and output.fused)
        text = ("δ of an output neuron comes straight from the loss: "
                + ("(ŷ − y)/m, activation and loss fused" if fused
                   else f"∂L/∂ŷ · {names.act(layer)}′(z)") + f" (see Backward · layer {layer}).")
        rows = [[names.sample(s.sample), num(s.delta_j)] for s in chain.samples[:max_samples]]
        return out + caption(sym(text)) + sample_table(
            ["sample", names.delta_j], rows, max(0, len(chain.samples) - max_samples))
    act = names.act(layer)
    eq = Equations(KIND)
    # What carried δ down: the connecting weight wⱼₖ, or under feedback alignment Bₖⱼ.
    down = (f"B<sup>({layer + 1})</sup><sub>k,{j + 1}</sub>" if chain.feedback
            else f"W<sup>({layer + 1})</sup><sub>{j + 1},k</sub>")
    k_sym = f"{down}·δ<sup>({layer + 1})</sup><sub>k</sub>"
    slope = f"{act}′(z<sup>({layer})</sup><sub>{j + 1}</sub>)"
    eq.add(names.delta_j, [f"{slope}·Σ<sub>k</sub> {k_sym}"],
           note=f"the slope of neuron {j + 1}, times the δs of layer {layer + 1} it feeds, "
                + ("each weighted by the fixed random feedback entry B (feedback alignment), "
                   "not by the connecting weight" if chain.feedback
                   else "each weighted by the connecting weight"))
    out += eq.html()
    for s in chain.samples[:max_samples]:
        terms = sum_of_products([(t.weight, t.delta) for t in s.terms])
        eq = Equations(KIND)
        eq.add(f"{names.delta_j}", [f"{num(s.fprime_j)} · [{terms}]",
                                    num(s.delta_j)],
               note=f"sample {names.sample(s.sample)}")
        rows = [[f"k = {t.k + 1}", num(t.weight), num(t.delta), num(t.product)]
                for t in s.terms]
        table = sample_table(["", down, f"δ<sup>({layer + 1})</sup><sub>k</sub>", "product"],
                             rows)
        out += eq.html() + f"<div style='margin-left:24px'>{table}</div>"
    if len(chain.samples) > max_samples:
        out += caption(f"… and {len(chain.samples) - max_samples} more sample(s)")
    return out


def _route(chain: ChainRule, names: _Names, neurons) -> str:
    n_last = chain.layer + len(neurons) - 1
    hops = [names.a_i]
    for depth, n in enumerate(neurons):
        layer = chain.layer + depth
        hops.append(f"{sym('ŷ')}<sub>{n + 1}</sub>" if layer == n_last and names.ctx and
                    layer == names.ctx.n_layers else
                    f"{sym('a')}<sup>({layer})</sup><sub>{n + 1}</sub>")
    return " → ".join(hops)


def _paths(chain: ChainRule, names: _Names, max_paths: int) -> str:
    m = len(chain.samples)
    out = _section("3 · The same gradient as a sum over paths to the loss")
    count = chain.path_count
    intro = ("Each path from the weight to the loss multiplies the local derivatives along it"
             + (" (on the way back, through B under feedback alignment)" if chain.feedback
                else "") + "; "
             f"{'this weight has one path' if count == 1 else f'this weight has {count} paths'}.")
    if m > 1:
        intro += (f" Factors are shown for the first sample, with that sample's product; the "
                  f"path's term of the gradient is its product summed over the batch of "
                  f"m = {m}.")
    listed = chain.paths[:max_paths]
    if chain.path_sum is None:
        intro += (" That is too many to form one by one here; the layer-by-layer expansion "
                  "above gives the same gradient.")
    elif len(listed) < count:
        intro += f" The {len(listed)} largest are listed; the sum runs over all {count}."
    out += caption(intro)
    eq = Equations(KIND)
    for n, path in enumerate(listed, 1):
        symbols = " · ".join(f"<span style='white-space:nowrap'>{names.factor(s)}</span>"
                             for s, _ in path.factors)
        values = " · ".join(num(v, paren=True) for _, v in path.factors)
        if m == 1:
            eq.add(f"path {n}", [symbols, values, num(path.product)],
                   note=_route(chain, names, path.neurons))
            continue
        sample = caption(f"(sample {names.sample(0)})")
        eq.add(f"path {n}", [symbols, f"{values} &nbsp;{sample}",
                             f"{num(path.first_product)} &nbsp;{sample}"],
               note=_route(chain, names, path.neurons))
        summed = caption(f"(its product summed over the {m} samples)")
        eq.add(f"Σ<sub>s</sub> path {n}", [f"{num(path.product)} &nbsp;{summed}"])
    out += eq.html()
    eq = Equations(KIND)
    products = [num(p.product, paren=True) for p in listed]
    if len(listed) < count:
        products.append(f"… ({count - len(listed)} more)")
    total = f"{num(chain.gradient)} &nbsp;{caption('= ∂L/∂w as the engine computed it')}"
    steps = [" + ".join(products), total] if count > 1 else [total]
    if chain.path_sum is not None and len(listed) < count:
        steps.insert(1, f"{num(chain.path_sum)} &nbsp;{caption(f'(all {count} paths)')}")
    eq.add("sum of paths", steps)
    return out + f"<div style='margin-top:6px'>{eq.html()}</div>"
