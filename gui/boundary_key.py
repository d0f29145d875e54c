"""The boundary view's colours and small helpers: class colours, the heatmap lookup table,
the one-line colour key under the plot and the data points' tooltips."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from gui.colors import NEGATIVE_BLUE, POSITIVE_ORANGE, diverging_colormap, lookup_table

# Class 0 blue and class 1 orange as in TF Playground, then distinct qualitative colours.
CLASS_COLORS = np.array([
    NEGATIVE_BLUE, POSITIVE_ORANGE, (44, 160, 44), (148, 103, 189), (214, 39, 40),
], dtype=float)
WHITE = np.array([255.0, 255.0, 255.0])
# The heatmap is blended this far from white toward its colour, so that full-colour points with
# a white outline stay visible on top of a region of their own class.
HEATMAP_STRENGTH = 0.75

def heatmap_lut() -> np.ndarray:
    lut = lookup_table(diverging_colormap()).astype(float)
    lut[:, :3] = WHITE + (lut[:, :3] - WHITE) * HEATMAP_STRENGTH
    return lut.astype(np.uint8)


def _swatch(rgb, text: str) -> str:
    r, g, b = (int(c) for c in rgb)
    return f'<span style="color: rgb({r},{g},{b}); font-size: 13pt">■</span>&nbsp;{text}'


class ColorKey(QWidget):
    """One line under the plot: class swatches, or a colour bar with its two end values."""

    def __init__(self, lut: np.ndarray, parent=None):
        super().__init__(parent)
        self.classes = QLabel()  # at most 5 classes: fits on one line without wrapping
        self.classes.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.low, self.high, self.caption = QLabel(), QLabel(), QLabel()
        self.bar = QLabel()
        rgba = np.ascontiguousarray(np.repeat(lut[None, :, :], 2, axis=0))
        image = QImage(rgba.data, rgba.shape[1], 2, 4 * rgba.shape[1],
                       QImage.Format.Format_RGBA8888)
        self.bar.setPixmap(QPixmap.fromImage(image.scaled(140, 12)))
        self.bar.setStyleSheet("border: 1px solid #999")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        for w in (self.classes, self.caption, self.low, self.bar, self.high):
            row.addWidget(w)
        row.addStretch(1)

    def show_classes(self, n: int) -> None:
        swatches = [_swatch(CLASS_COLORS[i % 5], str(i)) for i in range(max(2, n))]
        self.classes.setText("class &nbsp;" + " &nbsp; ".join(swatches))
        self._show_bar(False)

    def show_range(self, lo: float, hi: float, caption: str = "") -> None:
        self.low.setText(f"{lo:.3g}")
        self.high.setText(f"{hi:.3g}")
        self.caption.setText(caption)
        self._show_bar(True)

    def text(self) -> str:
        if self.bar.isVisibleTo(self):
            return f"{self.caption.text()} {self.low.text()} … {self.high.text()}".strip()
        return self.classes.text()

    def _show_bar(self, bar: bool) -> None:
        self.classes.setVisible(not bar)
        for w in (self.low, self.bar, self.high):
            w.setVisible(bar)
        self.caption.setVisible(bar and bool(self.caption.text()))


class PointTips:
    """Tooltip text for a hovered data point."""

    def __init__(self):
        self.points, self.labels, self.task = np.zeros((0, 2)), np.zeros(0), "classification"

    def describe(self, x, y, data) -> str:
        i = int(data)
        label = self.labels[i]
        kind = "class" if self.task == "classification" else "target"
        shown = f"{int(label)}" if self.task == "classification" else f"{label:.3g}"
        coords = ", ".join(f"{v:.3g}" for v in self.points[i])
        return f"point {i}: ({coords}) · {kind} {shown}\nclick to trace this sample"
