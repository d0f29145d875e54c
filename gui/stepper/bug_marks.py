"""Marks for quantities an injected bug computes wrongly (engine.trace Quantity.wrong).

The engine says which quantities are wrong and why ("bug: f′(z) left out"); this module only
paints them: the equation's left-hand side and result in red with the note beside it, the same
numbers in red wherever another formula uses them, and a box at the top of the stage.
"""

from __future__ import annotations

import html

from gui.common.formula_markup import BLOCK_START, Equations

WRONG = "#c62828"
WRONG_TINT = "#fdecea"
# Wrong numbers on a pale red ground: red text alone hardly differs from the backward stages'
# orange-red accent.
WRONG_GROUND = "#ffd5d5"
_NUMBER = "<span style='white-space:nowrap'>"  # how formula_markup.num() wraps every number
WRONG_NUMBER = (f"<span style='white-space:nowrap; color:{WRONG}; "
                 f"background-color:{WRONG_GROUND}'>")


def wrong_of(q) -> str:
    """The engine's note on a trace Quantity computed by an injected bug ("" if right)."""
    return q.wrong


def wrong_notes(stage) -> dict[str, str]:
    """{quantity key: the engine's note} for the stage's wrongly computed quantities."""
    notes = {}
    for q in (*stage.quantities, *stage.inputs):
        if wrong_of(q) and q.key not in notes:
            notes[q.key] = wrong_of(q)
    return notes


def wrong_symbols(stage) -> list[tuple[str, str]]:
    """(symbol, note) of the stage's wrong quantities, in the stage's order."""
    seen, out = set(), []
    for q in (*stage.quantities, *stage.inputs):
        if wrong_of(q) and q.key not in seen:
            seen.add(q.key)
            out.append((q.symbol, wrong_of(q)))
    return out


def mark_numbers(markup: str) -> str:
    """The same markup with every number in red (a value an injected bug got wrong)."""
    marked = markup.replace(_NUMBER, WRONG_NUMBER)
    if BLOCK_START not in marked:  # text, e.g. a summary "mean |·| = …": colour it all
        marked = f"<span style='color:{WRONG}; background-color:{WRONG_GROUND}'>{marked}</span>"
    return marked


def wrong_caption(note: str) -> str:
    return (f"<span style='color:{WRONG}; font-weight:bold'>⚠ {html.escape(note)}: this value "
            "is wrong</span>")


class MarkedEquations(Equations):
    """Equations whose blocks can be marked as computed by an injected bug."""

    def add(self, lhs: str, steps: list[str], note: str = "", extra: str = "", op: str = "=",
            wrong: str = "") -> None:
        if wrong:
            lhs = f"<span style='color:{WRONG}'>⚠&nbsp;{lhs}</span>"
            steps = [*steps[:-1], mark_numbers(steps[-1])] if len(steps) > 1 else \
                [mark_numbers(s) for s in steps]
            note = wrong_caption(wrong) + (f" · {note}" if note else "")
        super().add(lhs, steps, note=note, extra=extra, op=op)


def stage_warning(stage, sym) -> str:
    """A red box naming the stage's wrong quantities and the engine's reasons ("" if none)."""
    items = wrong_symbols(stage)
    if not items:
        return ""
    rows = "<br>".join(f"{sym(symbol)}: {html.escape(note)}" for symbol, note in items)
    return (f"<table width='100%' cellspacing='0' cellpadding='5' style='margin-top:4px'><tr>"
            f"<td width='3' bgcolor='{WRONG}'></td><td bgcolor='{WRONG_TINT}'>"
            f"<span style='color:{WRONG}; font-weight:bold'>⚠ An injected bug computes these "
            f"wrongly (marked in red below):</span><br>"
            f"<span style='color:#333; font-size:10pt'>{rows}</span></td></tr></table>")
