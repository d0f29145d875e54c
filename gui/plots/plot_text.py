"""Text sizes of the plots, for presentation mode's set_text_scale: tick fonts, axis labels and
Qt labels grow by one factor, and a factor of 1.0 puts back exactly the default look (no font
set, labels styled as before), so that nothing changes for who never scales."""

from __future__ import annotations

import math

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

LABEL_COLOR = "#333"
MIN_SCALE, MAX_SCALE = 0.5, 4.0
TITLE_MIN_WIDTH = 40  # px a scaled title may shrink to
AXIS_TEXT_WIDTH, AXIS_TEXT_HEIGHT = 30, 18  # px: pyqtgraph's AxisItem starts with this room


def checked_scale(scale: float) -> float:
    """`scale` as a float in MIN_SCALE..MAX_SCALE (a presenter's slider may overshoot)."""
    scale = float(scale)
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"a text scale must be a positive number, got {scale!r}")
    return min(max(scale, MIN_SCALE), MAX_SCALE)


def base_points() -> float:
    """The application's font size in points: what unscaled text is drawn at."""
    points = QApplication.font().pointSizeF()
    return points if points > 0 else 9.0


def scaled_font(scale: float, points: float | None = None) -> QFont:
    """A font that sets only its size (points × scale): family, weight, … stay inherited."""
    font = QFont()
    font.setPointSizeF((points or base_points()) * scale)
    return font


def scale_widget(widget: QWidget, scale: float, points: float | None = None) -> None:
    """Scale a Qt widget's text; at 1.0 its font is inherited again, as before any scaling."""
    widget.setFont(QFont() if scale == 1 else scaled_font(scale, points))


def scale_title(label: QWidget, scale: float) -> None:
    """A title's text scaled, but never its minimum width: a long title at 3× is cut off at
    the right rather than widen the window past the screen (0 = the text's own minimum)."""
    scale_widget(label, scale)
    label.setMinimumWidth(0 if scale == 1 else TITLE_MIN_WIDTH)


def label_style(scale: float, points: float | None = None) -> dict:
    """pyqtgraph's axis-label style: as the plots set it, plus a font size when scaled."""
    style = {"color": LABEL_COLOR}
    if scale != 1:
        style["font-size"] = f"{(points or base_points()) * scale:g}pt"
    return style


def set_axis_label(plot, side: str, text: str, scale: float = 1.0) -> None:
    plot.setLabel(side, text, **label_style(scale))


def scale_axes(plot, scale: float, sides=("bottom", "left")) -> None:
    """Tick fonts and labels of a PlotItem's axes. The axes reserve room for their widest tick
    text as they draw it (pyqtgraph's autoExpandTextSpace), so bigger ticks are not clipped;
    that room starts again from pyqtgraph's first guess, as in a new plot (it only follows
    changes of 10 px or more, so 2.0 and back would otherwise leave a wider axis)."""
    for side in sides:
        axis = plot.getAxis(side)
        axis.setTickFont(None if scale == 1 else scaled_font(scale))
        axis.textWidth, axis.textHeight = AXIS_TEXT_WIDTH * scale, AXIS_TEXT_HEIGHT * scale
        if axis.labelText:
            set_axis_label(plot, side, axis.labelText, scale)
