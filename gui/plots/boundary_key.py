"""The boundary view's colours and small helpers: class colours, the heatmap lookup table and
image item, the one-line colour key under the plot, which data points are drawn (a capped
sample) in which colours, and the points' tooltips."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from gui.common.colors import NEGATIVE_BLUE, POSITIVE_ORANGE, diverging_colormap, lookup_table
from gui.plots.plot_text import scale_widget

# Class 0 blue and class 1 orange as in TF Playground, then distinct qualitative colours.
CLASS_COLORS = np.array([
    NEGATIVE_BLUE, POSITIVE_ORANGE, (44, 160, 44), (148, 103, 189), (214, 39, 40),
], dtype=float)
WHITE = np.array([255.0, 255.0, 255.0])
# The heatmap is blended this far from white toward its colour, so that full-colour points with
# a white outline stay visible on top of a region of their own class.
HEATMAP_STRENGTH = 0.75
# Points drawn per set (training, test). pyqtgraph styles every symbol in Python: 100,000 took
# seconds and a gigabyte, and at such density the symbols only hide each other anyway.
MAX_DRAWN_POINTS = 3000
REGRESSION_LEVELS = 64  # colours for regression targets: one brush per level, not per point
NATIVE_FORMAT = QImage.Format.Format_ARGB32_Premultiplied  # what QPainter draws fastest

class HeatmapItem(pg.ImageItem):
    """An ImageItem that keeps its rendered image in the raster engine's own format: pyqtgraph
    renders a lookup-table heatmap as an indexed image, which Qt converts again at every paint
    (~0.9 ms for the boundary's, ten times the paint of a native image)."""

    def render(self):
        super().render()
        if self.qimage is not None and self.qimage.format() != NATIVE_FORMAT:
            self.qimage = self.qimage.convertToFormat(NATIVE_FORMAT)

    def show_levels(self, values: np.ndarray, lut, lo: float, hi: float, bounds) -> None:
        """Values on the square grid (res², as grid_points) coloured by `lut` over lo..hi."""
        img = grid_image(np.nan_to_num(values, nan=(lo + hi) / 2))
        self.setImage(img, lut=lut, levels=(lo, hi), autoLevels=False)
        self.place(bounds)

    def show_classes(self, probs: np.ndarray, strength: float, bounds) -> None:
        """Class probabilities (res², k) as their argmax colours (see class_rgba)."""
        self.setImage(grid_image(class_rgba(probs, strength)), lut=None, levels=(0, 255),
                      autoLevels=False)
        self.place(bounds)

    def place(self, bounds) -> None:
        """Cover the square plane bounds² (lo, hi)."""
        lo, hi = bounds
        self.setRect(lo, lo, hi - lo, hi - lo)


def grid_image(values: np.ndarray) -> np.ndarray:
    """Grid values (res², …) as an image (res, res, …): rows are y, as in grid_points."""
    res = int(round(np.sqrt(len(values))))
    if res * res != len(values):
        raise ValueError(f"{len(values)} outputs do not fill a square grid")
    return values.reshape(res, res, *values.shape[1:])


def heatmap_lut() -> np.ndarray:
    lut = lookup_table(diverging_colormap()).astype(float)
    lut[:, :3] = WHITE + (lut[:, :3] - WHITE) * HEATMAP_STRENGTH
    return lut.astype(np.uint8)


def overlay_levels(values: np.ndarray) -> tuple[float, float]:
    """0..1 for values already in [0, 1] (sigmoid-like), else symmetric around 0."""
    finite = values[np.isfinite(values)]
    if finite.size and finite.min() >= 0 and finite.max() <= 1:
        return 0.0, 1.0
    m = float(np.max(np.abs(finite))) if finite.size else 0.0
    return (-m, m) if m > 0 else (-1.0, 1.0)


def class_rgba(probs: np.ndarray, strength: float) -> np.ndarray:
    """(n, 4) RGBA: the argmax class colour, blended toward white as the top probability
    falls (`strength` < 1 lightens it further, for hard classes)."""
    colors = CLASS_COLORS[np.argmax(probs, axis=1) % len(CLASS_COLORS)]
    confidence = np.nan_to_num(probs.max(axis=1)) * strength * HEATMAP_STRENGTH
    rgba = np.full((len(probs), 4), 255, dtype=np.uint8)
    rgba[:, :3] = np.clip(WHITE + (colors - WHITE) * confidence[:, None], 0, 255)
    return rgba


def drawn_sample(idx: np.ndarray, cap: int = MAX_DRAWN_POINTS) -> np.ndarray:
    """At most `cap` of the indices, in their order: a random sample from a fixed seed, so the
    same data always shows the same points."""
    if len(idx) <= cap:
        return idx
    return idx[np.sort(np.random.default_rng(0).choice(len(idx), cap, replace=False))]


def sample_note(drawn: tuple[int, int], totals: tuple[int, int]) -> str:
    """"showing 3,000 of 50,000 training points" for the sets drawn as a sample, else ""."""
    parts = [f"{d:,} of {t:,} {name} points"
             for d, t, name in zip(drawn, totals, ("training", "test")) if d < t]
    return "showing " + " and ".join(parts) if parts else ""


def point_palette(labels: np.ndarray, regression: bool, label_range: float,
                  cmap) -> tuple[np.ndarray, np.ndarray]:
    """(palette index of every point, palette RGB rows): class colours, or for regression the
    target's level on the diverging map (±label_range at the ends)."""
    if not regression:
        return np.clip(labels.astype(int), 0, len(CLASS_COLORS) - 1), CLASS_COLORS
    t = np.nan_to_num(0.5 + 0.5 * np.clip(labels / label_range, -1, 1), nan=0.5)
    levels = np.linspace(0.0, 1.0, REGRESSION_LEVELS)
    palette = np.asarray(cmap.map(levels, mode="byte"))[:, :3].astype(float)
    return np.round(t * (REGRESSION_LEVELS - 1)).astype(int), palette


def point_style(labels: np.ndarray, regression: bool, label_range: float, cmap, filled: bool,
                one_d: bool) -> dict:
    """ScatterPlotItem.setData styles for points with these labels: training points (filled)
    are solid circles, test points white squares outlined in their colour. One brush or pen
    per colour, shared by its points: making one per point was most of the drawing time."""
    keys, palette = point_palette(labels, regression, label_range, cmap)

    def each(styles):
        return [styles[k] for k in keys.tolist()]

    # Regression colours fade to white near 0, so those points need a dark outline.
    outline = (70, 70, 70) if regression else (255, 255, 255)
    if filled:
        return {"brush": each([pg.mkBrush(*c) for c in palette]),
                "pen": pg.mkPen(outline, width=1), "symbol": "o", "size": 11 if one_d else 8}
    return {"brush": (each([pg.mkBrush(*c) for c in palette]) if regression
                      else pg.mkBrush(255, 255, 255, 230)),
            "pen": (pg.mkPen(outline, width=1.5) if regression
                    else each([pg.mkPen(*c, width=1.5) for c in palette])),
            "symbol": "s", "size": 10 if one_d else 7}


def _swatch(rgb, text: str, scale: float = 1.0) -> str:
    r, g, b = (int(c) for c in rgb)
    return (f'<span style="color: rgb({r},{g},{b}); font-size: {13 * scale:g}pt">■</span>'
            f'&nbsp;{text}')


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
        self._bar_image, self._scale, self._n_classes = image.copy(), 1.0, 2
        self.bar.setPixmap(QPixmap.fromImage(image.scaled(140, 12)))
        self.bar.setStyleSheet("border: 1px solid #999")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        for w in (self.classes, self.caption, self.low, self.bar, self.high):
            row.addWidget(w)
        row.addStretch(1)

    def show_classes(self, n: int) -> None:
        self._n_classes = n
        swatches = [_swatch(CLASS_COLORS[i % 5], str(i), self._scale) for i in range(max(2, n))]
        self.classes.setText("class &nbsp;" + " &nbsp; ".join(swatches))
        self._show_bar(False)

    def show_range(self, lo: float, hi: float, caption: str = "") -> None:
        self.low.setText(f"{lo:.3g}")
        self.high.setText(f"{hi:.3g}")
        self.caption.setText(caption)
        self._show_bar(True)

    def set_text_scale(self, scale: float) -> None:
        """Scale the key's text, swatches and bar (1.0: as built)."""
        self._scale = scale
        for label in (self.classes, self.caption, self.low, self.high):
            scale_widget(label, scale)
        size = (round(140 * scale), round(12 * scale))
        self.bar.setPixmap(QPixmap.fromImage(self._bar_image.scaled(*size)))
        if self.classes.text():  # the swatches' size is in their markup
            bar = self.bar.isVisibleTo(self)
            self.show_classes(self._n_classes)
            self._show_bar(bar)

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
