"""Neuron maps: every neuron's output over the input plane, as a small picture inside its node
(TensorFlow Playground draws its neurons this way).

The pictures are made from the layer outputs the engine computed on the boundary view's grid
(`Trainer.neuron_outputs`), the same numbers the boundary view shows when a neuron is hovered,
in the same colours and levels; nothing here evaluates the network.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QImage, QPainter, QPixmap

from gui.plots.boundary_key import grid_image, heatmap_lut

THUMB = 25  # pixels a side: the 100 × 100 grid averaged in 4 × 4 blocks
MIN_RADIUS = 7.0  # px: smaller nodes are too small for a picture; they keep their plain colour
INNER = 0.74  # the picture's radius as a share of the node's: the rest is a ring that keeps
#               the node's own colour (its gradient, activation or bias)
DIM_OPACITY = 0.2  # pictures of nodes faded by a step-through highlight fade too


def thumbnails(values: np.ndarray, size: int = THUMB) -> np.ndarray:
    """(n, size, size) block means of n neurons' outputs on a square grid: `values` is
    (res², n), row-major with rows going up in y (gui/plots/boundary_grid.grid_points)."""
    grid = grid_image(np.asarray(values, dtype=np.float64).reshape(len(values), -1))
    res = len(grid)
    block = max(res // size, 1)
    side = res // block
    grid = grid[:side * block, :side * block]
    with np.errstate(all="ignore"):  # a diverged network's ±inf and NaN stay what they are
        grid = grid.reshape(side, block, side, block, -1).mean(axis=(1, 3))
    return np.moveaxis(grid, -1, 0)[:, ::-1]  # image rows go down: the top row is the top y


def layer_levels(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """boundary_key.overlay_levels of every column of (points, n) outputs at once: (lo, hi),
    each (n,)."""
    values = np.asarray(values, dtype=np.float64)
    if np.isfinite(values).all():  # the usual case: two reductions, no masked copies
        low, high, any_finite = values.min(axis=0), values.max(axis=0), True
    else:
        finite = np.isfinite(values)
        low = np.where(finite, values, np.inf).min(axis=0)
        high = np.where(finite, values, -np.inf).max(axis=0)
        any_finite = finite.any(axis=0)
    unit = any_finite & (low >= 0) & (high <= 1)  # all in [0, 1]: sigmoid-like
    m = np.where(any_finite, np.maximum(np.abs(low), np.abs(high)), 0.0)
    m = np.where(m > 0, m, 1.0)
    return np.where(unit, 0.0, -m), np.where(unit, 1.0, m)


def neuron_images(outputs, lut: np.ndarray | None = None) -> list[QImage]:
    """One RGBA picture per neuron, column by column (inputs first, as the graph's nodes), each
    coloured as the boundary view colours a hovered neuron: on its own levels, 0…1 or
    symmetric around 0 (overlay_levels), in the same colours."""
    lut = heatmap_lut() if lut is None else lut
    images = []
    for layer in outputs:
        thumbs = thumbnails(layer)  # (n, h, w)
        # Levels from the pictures, not the whole grid: 16 times fewer numbers, and block
        # means span all but the last sliver of the grid's range.
        lo, hi = layer_levels(thumbs.reshape(len(thumbs), -1).T)
        mid = ((lo + hi) / 2)[:, None, None]
        t = (np.where(np.isnan(thumbs), mid, thumbs) - lo[:, None, None]) / (hi - lo)[:, None, None]
        index = np.round(np.clip(t, 0.0, 1.0) * (len(lut) - 1)).astype(np.intp)
        rgba = np.ascontiguousarray(lut[index])  # (n, h, w, 4) bytes
        for picture in rgba:
            h, w = picture.shape[:2]
            images.append(QImage(picture.data, w, h, 4 * w, QImage.Format_RGBA8888).copy())
    return images


class NeuronMaps:
    """The graph's pictures: outputs are kept as they come (at the boundary's rate) and turned
    into pictures at the next paint only, so a hidden graph costs nothing."""

    def __init__(self):
        self.visible = True
        self._outputs = None
        self._images: list[QImage] | None = None
        self._discs: list[QPixmap] = []
        self._discs_of, self._discs_size = None, None  # the pictures, (radius, pixel ratio)

    def set_outputs(self, outputs) -> bool:
        """Every layer's outputs on a square grid (inputs first), or None: no pictures. The
        same outputs again (the window re-sends them when the hovered neuron changes) keep
        the pictures made of them; True if they are new."""
        if outputs is self._outputs:
            return False
        self._outputs, self._images = outputs, None
        return True

    def has_outputs(self) -> bool:
        return self._outputs is not None

    def images(self, sizes) -> list[QImage] | None:
        """The pictures for a network of these layer sizes, or None when the outputs are of
        another network (sent before a rebuild) or there are none."""
        outputs = self._outputs
        if outputs is None or [o.shape[1] for o in outputs] != list(sizes):
            return None
        if self._images is None:
            self._images = neuron_images(outputs)
        return self._images

    def draw(self, p, layout, dim_nodes) -> None:
        """Each picture as a disc inside its node (over the node's filled circle)."""
        if not self.visible or layout.radius < MIN_RADIUS:
            return
        images = self.images(layout.sizes)
        if images is None:
            return
        r = layout.radius * INNER
        discs = self._discs_for(images, r, p.device().devicePixelRatioF())
        for (x, y), disc, dim in zip(layout.node_xy.tolist(), discs, dim_nodes):
            p.setOpacity(DIM_OPACITY if dim else 1.0)
            p.drawPixmap(QPointF(x - r, y - r), disc)
        p.setOpacity(1.0)

    def _discs_for(self, images, r: float, dpr: float) -> list[QPixmap]:
        """The pictures cut to discs of radius r, made once per new pictures or size: the
        graph repaints at every redraw while training, and a clip path per node per paint
        cost the training thread a tenth of its speed."""
        if self._discs_of is not images or self._discs_size != (r, dpr):
            self._discs = [disc_pixmap(image, r, dpr) for image in images]
            self._discs_of, self._discs_size = images, (r, dpr)  # kept: never a stale match
        return self._discs


def disc_pixmap(image: QImage, r: float, dpr: float) -> QPixmap:
    """`image` scaled into a disc of radius r (logical px), transparent around it."""
    side = max(int(round(2 * r * dpr)), 1)
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.transparent)
    scaled = image.scaled(side, side, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setPen(Qt.NoPen)
    painter.setBrush(QBrush(scaled))
    painter.drawEllipse(QRectF(0, 0, side, side))
    painter.end()
    pixmap.setDevicePixelRatio(dpr)
    return pixmap
