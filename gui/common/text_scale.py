"""Text that grows with presentation mode's scale where Qt's font inheritance cannot reach it:
point sizes written into rich text, and titles with a font of their own."""

from __future__ import annotations

import re

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

TITLE = 1.25  # a panel title's size, relative to the text
# Qt's rich text takes the size keywords as steps from the application's font, not the
# widget's; these are its factors (QTextHtmlParser's font-size table).
KEYWORDS = {"x-small": 0.7, "small": 0.8, "medium": 1.0, "large": 1.2, "x-large": 1.5,
            "xx-large": 2.0}
_SIZE = re.compile(r"font-size:\s*(?:(\d+(?:\.\d+)?)pt|(" + "|".join(
    sorted(KEYWORDS, key=len, reverse=True)) + r"))\b")


def scaled_markup(html: str, scale: float) -> str:
    """The markup with every font size, in points or a keyword, multiplied by scale."""
    if scale == 1.0:
        return html
    base = QApplication.font().pointSizeF()

    def scaled(match) -> str:
        points = float(match[1]) if match[1] else base * KEYWORDS[match[2]]
        return f"font-size:{points * scale:.3g}pt"

    return _SIZE.sub(scaled, html)


def title_font(scale: float = 1.0) -> QFont:
    """Bold, a quarter larger than the application's text, times scale."""
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * TITLE * scale)
    font.setBold(True)
    return font
