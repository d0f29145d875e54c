"""Rich-text building blocks for the step-through formulas: numbers, symbols, small matrices,
summaries and aligned equation tables, as Qt rich-text HTML (QTextDocument's subset).

Pure functions of the values they are given: nothing here computes anything the engine did.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np

# Stage colour accents: forward blue, loss purple, backward orange-red, update green.
ACCENTS = {"forward": "#0b6fb8", "loss": "#7a3e9d", "backward": "#c8501e", "update": "#23875a"}
TINTS = {"forward": "#eef5fc", "loss": "#f5eff9", "backward": "#fdf1ea", "update": "#ecf7f1"}
MARKERS = {"forward": "→", "loss": "L", "backward": "←", "update": "Δ"}
MUTED = "#666666"
HIGHLIGHT = "#ffe8a3"  # background of the selected neuron's / weight's entries
MATH_FONT = "'DejaVu Serif', 'Cambria Math', 'Times New Roman', serif"
MINUS = "−"

# Names as a textbook writes them; anything else is shown as the engine names it.
ACTIVATION_SYMBOLS = {"sigmoid": "σ", "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU",
                      "tanh": "tanh", "softplus": "softplus", "swish": "swish",
                      "linear": "linear", "softmax": "softmax"}

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def fmt(value, decimals: int = 4) -> str:
    """A number as shown everywhere: 4 decimals, the true minus sign, scientific when tiny/huge."""
    v = float(np.asarray(value).item())
    if math.isnan(v) or math.isinf(v):
        text = str(v)
    elif v != 0 and (abs(v) < 10 ** -decimals or abs(v) >= 1e6):
        mantissa, exponent = f"{v:.3e}".split("e")
        text = f"{mantissa}×10<sup>{int(exponent)}</sup>"
    else:
        text = f"{v:.{decimals}f}"
        if float(text) == 0:
            text = text.lstrip("-")  # no "−0.0000"
    return text.replace("-", MINUS)


def fmt_short(value) -> str:
    """A given constant such as a learning rate: as few digits as it needs (0.1, 0.03)."""
    return f"{float(value):g}".replace("-", MINUS)


def fmt_target(value) -> str:
    """Targets are usually labels: 1 rather than 1.0000."""
    v = float(np.asarray(value).item())
    return fmt_short(v) if v == int(v) else fmt(v)


def num(value, paren: bool = False, target: bool = False) -> str:
    """A number as an operand; negative numbers get parentheses after an operator."""
    text = fmt_target(value) if target else fmt(value)
    if paren and float(np.asarray(value).item()) < 0:
        text = f"({text})"
    return f"<span style='white-space:nowrap'>{text}</span>"


def sym(text: str) -> str:
    """An engine symbol ("∂L/∂z⁽²⁾", "W⁽²⁾[1,3]") as rich text: italic letters, <sup>(l)</sup>
    for the layer, subscripts for indices."""
    out = []
    for token in re.findall(r"⁽[⁰¹²³⁴⁵⁶⁷⁸⁹]+⁾|\[[\d, ]+\]|[A-Za-zŷα-ωΑ-Ω]+|.", text, re.S):
        if token.startswith("⁽"):
            out.append(f"<sup>({token[1:-1].translate(_SUPERSCRIPT_DIGITS)})</sup>")
        elif token.startswith("["):
            out.append(f"<sub>{html.escape(token[1:-1].replace(' ', ''))}</sub>")
        elif len(token) == 1 and token.isalpha():
            weight = "font-weight:bold;" if token in "W" else ""
            out.append(f"<span style='font-style:italic;{weight}'>{token}</span>")
        else:
            out.append(html.escape(token))
    return "".join(out)


BRACKET = "1px solid #8a8a8a"
# Qt lays a table out as a block, never inline: matrix() marks its table with these, and
# inline() turns an expression that mixes text and matrices into one row of cells.
BLOCK_START, BLOCK_END = "\x02", "\x03"


def matrix(values, highlight=None, target: bool = False, paren: bool = True) -> str:
    """A small array in brackets (rows = samples for batch arrays); a single entry as a bare
    number (in parentheses when negative and `paren`, as an operand after an operator).

    `highlight` is a set of (row, column) entries to tint (a vector uses column indices)."""
    a = np.asarray(values)
    if a.size == 1:
        return num(a.reshape(()), paren=paren, target=target)  # a scalar's transpose is itself
    rows = a.reshape(1, -1) if a.ndim <= 1 else a
    highlight = highlight or set()
    body, widths = [], [0] * rows.shape[1]
    for r, row in enumerate(rows):
        tds = []
        for c, v in enumerate(row):
            widths[c] = max(widths[c], _text_width(num(v, target=target)))
            bg = f" bgcolor='{HIGHLIGHT}'" if (r, c) in highlight else ""
            tds.append(f"<td align='right' style='padding:0px 4px'{bg}>"
                       f"{num(v, target=target)}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    side = f"border-top:{BRACKET}; border-bottom:{BRACKET};"
    width = sum(widths) + 8 * len(widths) + 10  # for inline()'s line breaking
    return (f"{BLOCK_START}<!--w:{width}--><table cellspacing='0' cellpadding='0' "
            f"style='border-collapse:collapse'>"
            f"<tr><td width='3' style='border-left:{BRACKET}; {side}'></td>"
            f"<td style='padding:1px 0px'><table cellspacing='0' cellpadding='0'>{''.join(body)}"
            f"</table></td><td width='3' style='border-right:{BRACKET}; {side}'></td>"
            f"</tr></table>{BLOCK_END}")


def inline(text: str, style: str = "", budget: int | None = None) -> str:
    """Text with matrices in it as rows of cells, so the matrices sit in the line.

    With a `budget` (pixels), a line that would be wider breaks before an operator and
    continues below, instead of pushing the page sideways."""
    if BLOCK_START not in text:
        return f"<span style='{style}'>{text}</span>" if style else text
    parts = [p for p in re.split(f"({BLOCK_START}.*?{BLOCK_END})", text, flags=re.S) if p]
    lines, line, width = [], [], 0
    for _n, part in enumerate(parts):
        w = _width(part)
        has_matrix = any(p.startswith(BLOCK_START) for p in line)
        if budget and has_matrix and width + w > budget:
            carry = []
            if part.startswith(BLOCK_START) and len(line) > 1 and \
                    not line[-1].startswith(BLOCK_START):
                carry = [line.pop()]  # the operator before a matrix leads the next line
            lines.append(line)
            line, width = carry, sum(_width(p) for p in carry)
        line.append(part)
        width += w
    lines.append(line)
    rows = []
    for parts_of_line in lines:
        cells = "".join(f"<td valign='middle' style='white-space:nowrap; {style}'>"
                        f"{_cell_text(p)}</td>" for p in parts_of_line)
        rows.append(f"<table cellspacing='0' cellpadding='0'><tr>{cells}</tr></table>")
    return "".join(rows)


def _cell_text(part: str) -> str:
    """A part as a cell's content; spaces at a text's ends would collapse, so keep them."""
    if part.startswith(BLOCK_START):
        return part.strip(BLOCK_START + BLOCK_END)
    core = part.strip(" ")
    lead = "&nbsp;" if part.startswith(" ") else ""
    trail = "&nbsp;" if part.endswith(" ") and core else ""
    return f"{lead}{core}{trail}"


def _width(part: str) -> int:
    """Rough width in pixels of a text or matrix part at the formula font size."""
    if part.startswith(BLOCK_START):
        return int(re.search(r"<!--w:(\d+)-->", part).group(1))
    return _text_width(part)


def matrix_width(values) -> int:
    """Estimated pixels matrix() needs for these values."""
    return _width(matrix(values)) if np.asarray(values).size > 1 else _text_width(num(values))


def _text_width(markup: str) -> int:
    return round(7.5 * len(re.sub(r"<[^>]+>", "", html.unescape(markup))))


def value(values, highlight=None) -> str:
    """A result: like matrix(), without parentheses around a negative number."""
    return matrix(values, highlight, paren=False)


def shape_text(values) -> str:
    a = np.asarray(values)
    return "×".join(str(n) for n in a.shape) if a.ndim else "scalar"


def summary(values) -> str:
    """A large array in brief: its shape, mean |·| and max |·|."""
    a = np.abs(np.asarray(values, dtype=np.float64))
    label = f"color:{MUTED}; font-weight:normal"
    return (f"<span style='{label}'>{shape_text(values)} array: mean |·| = </span>"
            f"{fmt(a.mean())}<span style='{label}'>, max |·| = </span>{fmt(a.max())}")


def caption(text: str) -> str:
    return f"<span style='color:{MUTED}; font-size:small'>{text}</span>"


def result(value_html: str, kind: str, budget: int | None = None) -> str:
    return inline(value_html, f"color:{ACCENTS[kind]}; font-weight:bold", budget)


class Equations:
    """Aligned equations, one quantity per block:

        lhs = formula in symbols
            = formula with the numbers put in
            = result
    """

    def __init__(self, kind: str, budget: int | None = None):
        self.kind = kind
        self.budget = budget  # pixels for a right-hand side before it breaks into lines
        self.rows: list[str] = []

    def add(self, lhs: str, steps: list[str], note: str = "", extra: str = "",
            op: str = "=") -> None:
        """`steps` are the right-hand sides; the last is the result. `extra` goes below.
        `op` joins the left-hand side to the first step ("←" for an update)."""
        if self.rows:
            self.rows.append("<tr><td colspan='3' style='font-size:4pt'>&nbsp;</td></tr>")
        if note:
            self.rows.append(f"<tr><td></td><td></td><td>{caption(note)}</td></tr>")
        for n, step in enumerate(steps):
            left = lhs if n == 0 else ""
            last = n == len(steps) - 1 and len(steps) > 1
            body = result(step, self.kind, self.budget) if last else inline(step, "", self.budget)
            sign = op if n == 0 else "="
            self.rows.append(f"<tr><td align='right' valign='middle' style='white-space:nowrap'>"
                             f"{left}</td><td valign='middle'>&nbsp;{sign}&nbsp;</td>"
                             f"<td valign='middle'>{body}</td></tr>")
        if extra:
            below = inline(extra, "", self.budget)
            self.rows.append(f"<tr><td></td><td></td><td>{below}</td></tr>")

    def html(self) -> str:
        return (f"<table cellspacing='0' cellpadding='2' style='font-family:{MATH_FONT}'>"
                + "".join(self.rows) + "</table>")


def sample_table(header: list[str], rows: list[list[str]], more: int = 0) -> str:
    """Per-sample rows (sample, expansion, value …) under a quantity."""
    head = "".join(f"<th align='left' style='color:{MUTED}; font-weight:normal'>{h}</th>"
                   for h in header)
    body = "".join("<tr>" + "".join(f"<td valign='middle' style='padding-right:10px'>"
                                    f"{inline(c)}</td>" for c in row)
                   + "</tr>" for row in rows)
    tail = (f"<tr><td colspan='{len(header)}'>{caption(f'… and {more} more sample(s)')}</td></tr>"
            if more else "")
    return (f"<table cellspacing='0' cellpadding='1' style='margin-top:2px; font-size:10pt'>"
            f"<tr>{head}</tr>"
            f"{body}{tail}</table>")


def html_to_text(markup: str) -> str:
    """What a reader sees, as plain text (for tests and copying)."""
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(markup)
    return doc.toPlainText()
