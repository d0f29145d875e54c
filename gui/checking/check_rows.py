"""What the gradient-check panel writes about engine.gradcheck's results: tensor names, counts,
verdicts, the one-line summary and each element's share of the disagreement.

The NumPy half of the panel (no Qt here): it only rearranges the engine's numbers for reading,
it computes no gradient of its own.
"""

from __future__ import annotations

import math

import numpy as np

from gui.graph.graph_layout import SUP

THRESHOLD_CHOICES = (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10)
VERDICTS = {"passed": "passed", "failed": "FAILED", "not checked": "not checked"}
# Element kinds in the per-element view.
COMPARED, SKIPPED, NOT_SAMPLED = 0, 1, 2


def layer_and_kind(name: str) -> tuple[int, str]:
    """"2.W" -> (2, "W")."""
    layer, kind = name.split(".", 1)
    return int(layer), kind


def tensor_label(name: str, shape: tuple[int, ...]) -> str:
    """"2.W" of shape (4, 1) -> "layer 2 W (4×1)"."""
    layer, kind = layer_and_kind(name)
    return f"layer {layer} {kind} ({'×'.join(str(n) for n in shape)})"


def element_name(name: str, index: tuple[int, ...]) -> str:
    """An element as the network graph names it: W²[1→3] (from neuron 1 below to neuron 3),
    b²[3]; 1-based neurons."""
    layer, kind = layer_and_kind(name)
    sup = str(layer).translate(SUP)
    if len(index) == 2:
        return f"{kind}{sup}[{index[0] + 1}→{index[1] + 1}]"
    return f"{kind}{sup}[{', '.join(str(i + 1) for i in index)}]"


def counts_text(result) -> str:
    """"4 checked / 0 skipped at a kink", with "(of 400, sampled)" when only some were tried."""
    text = f"{result.checked} checked / {result.skipped_kinks} skipped at a kink"
    if result.checked + result.skipped_kinks < result.total:
        text += f" (of {result.total:,}, sampled)"
    return text


def fmt_difference(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return "0" if value == 0 else f"{value:.2e}"


def fmt_value(value: float) -> str:
    """Enough digits to see where analytic and numeric part (they agree to ~10 digits)."""
    return "—" if not math.isfinite(value) else f"{value:.12g}".replace("-", "−")


def fmt_threshold(value: float) -> str:
    """1e-07 -> "1e-7"; other values as typed, at most 6 digits."""
    exponent = math.log10(value)
    return f"1e{round(exponent)}" if abs(exponent - round(exponent)) < 1e-9 else f"{value:g}"


def parse_threshold(text: str) -> float:
    """The user's threshold: a number in (0, 1); ValueError (one line) otherwise."""
    try:
        value = float(text.strip().replace("−", "-"))
    except ValueError:
        raise ValueError(f"the threshold must be a number such as 1e-7, not {text!r}") from None
    if not 0 < value < 1:
        raise ValueError(f"the threshold must be between 0 and 1 (e.g. 1e-7), not {text!r}")
    return value


def element_kinds(result) -> np.ndarray:
    """Per element: COMPARED, SKIPPED (at a kink) or NOT_SAMPLED (a big tensor is sampled)."""
    kinds = np.full(result.analytic.shape, NOT_SAMPLED, dtype=np.int8)
    kinds[~np.isnan(result.numeric)] = COMPARED
    kinds[result.skipped] = SKIPPED
    return kinds


def element_shares(result) -> np.ndarray:
    """|aᵢ − nᵢ| / (‖a‖ + ‖n‖) per compared element (NaN elsewhere), the norms over the
    compared elements as in the tensor's relative difference: the shares' root sum of squares
    is that relative difference, so no element can look worse than its tensor is."""
    compared = ~np.isnan(result.numeric)
    a, n = result.analytic[compared], result.numeric[compared]
    denominator = np.linalg.norm(a) + np.linalg.norm(n)
    shares = np.full(result.analytic.shape, np.nan)
    difference = np.abs(result.analytic - result.numeric)
    shares[compared] = 0.0 if denominator == 0 else difference[compared] / denominator
    return shares


def worst_elements(result, count: int = 3) -> list[tuple[tuple[int, ...], float, float, float]]:
    """The compared elements that disagree most, worst first: (index, analytic, numeric,
    share). The engine's own `worst` leads the list."""
    shares = element_shares(result)
    flat = np.nan_to_num(shares, nan=-1.0).reshape(-1)
    order = [i for i in np.argsort(-flat, kind="stable") if flat[i] >= 0][:count]
    indices = [tuple(int(k) for k in np.unravel_index(i, shares.shape)) for i in order]
    if result.worst is not None:
        worst = tuple(int(k) for k in result.worst)
        indices = [worst] + [i for i in indices if i != worst][:count - 1]
    return [(i, float(result.analytic[i]), float(result.numeric[i]), float(shares[i]))
            for i in indices]


def overall(results, threshold: float) -> tuple[str, str]:
    """(state, sentence) for all tensors: "failed" when any failed, "not checked" when some
    could not be checked and none failed, else "passed"."""
    statuses = [r.status(threshold) for r in results]
    label = {r.name: tensor_label(r.name, r.analytic.shape).rsplit(" (", 1)[0] for r in results}
    failed = [label[r.name] for r, s in zip(results, statuses) if s == "failed"]
    unchecked = [label[r.name] for r, s in zip(results, statuses) if s == "not checked"]
    limit = f"relative difference < {fmt_threshold(threshold)}"
    if failed:
        return "failed", (f"{len(failed)} of {len(results)} tensors FAILED (passing needs "
                          f"{limit}): {', '.join(failed)}.")
    if unchecked:
        return "not checked", (f"{len(results) - len(unchecked)} passed ({limit}); not checked: "
                               f"{', '.join(unchecked)} (hover the verdict for why).")
    return "passed", f"All {len(results)} tensors passed ({limit})."
