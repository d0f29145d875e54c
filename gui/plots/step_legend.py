"""Where a step plot's legend and left label go, so that in a short plot the legend hides no
curve and nothing is cut off: the legend sits outside the view box, either above it in one row
(few entries: the loss plot's two sets) or in a column to its right whose entries wrap into
more columns when the plot is too short for them (one entry per layer). pyqtgraph lays both
out; this module only says where and how many columns."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QSizePolicy

from gui.plots.plot_text import LABEL_COLOR, base_points, set_axis_label

SAMPLE_HEIGHT = 20  # px: pyqtgraph's legend samples (ItemSample) are 20 × 20
TOP_COLUMNS = 8  # entries side by side in the top legend: all of them, in one row
MARGIN = 4  # px left and right of the entries
SIDE_SHARE = 0.4  # of the plot's width, at most, for a legend beside the view
TITLE_ROW, VIEW_ROW, RIGHT_COLUMN = 0, 2, 3  # cells of pyqtgraph's PlotItem layout


def make_legend(plot, top: bool) -> pg.LegendItem:
    """A legend above the view box (top) or right of it, to which named curves are added."""
    legend = pg.LegendItem(labelTextColor=LABEL_COLOR, colCount=TOP_COLUMNS if top else 1,
                           horSpacing=5 if top else 0)
    legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    legend.layout.setContentsMargins(MARGIN, 0, MARGIN, 0)  # pyqtgraph's 9 px cost a row
    if top:  # over the title row, which these plots leave empty; fit_top gives it the height
        legend.setParentItem(plot)
        legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-4, 0))
    else:  # beside the view and the step axis: the column is empty below the view
        plot.layout.addItem(legend, VIEW_ROW, RIGHT_COLUMN, 2, 1, Qt.AlignmentFlag.AlignTop)
    plot.legend = legend
    return legend


def row_height(legend: pg.LegendItem) -> float:
    """Height of one legend row: a sample or a label, whichever is taller."""
    labels = [label.item.boundingRect().height() for _, label in legend.items]
    return max([SAMPLE_HEIGHT, *labels])


def set_label_size(legend: pg.LegendItem, scale: float) -> None:
    """The entries' text at scale × pyqtgraph's 9 pt (its setLabelTextSize alone only
    records the size: the labels keep their text until they are set again)."""
    size = f"{9 * scale:g}pt"
    legend.opts["labelTextSize"] = size
    for _, label in legend.items:
        label.setText(label.text, size=size)
    shrink(legend)


def shrink(legend: pg.LegendItem) -> None:
    """Size the legend to its entries. pyqtgraph sizes it by the entries' current sizes,
    which fill the legend: without this it never shrinks back after bigger text or fewer
    rows."""
    legend.layout.invalidate()
    legend.resize(legend.layout.effectiveSizeHint(Qt.SizeHint.PreferredSize))


def fit_top(plot, legend: pg.LegendItem) -> None:
    """Make the title row exactly one legend row high."""
    plot.layout.setRowFixedHeight(TITLE_ROW, row_height(legend) if legend.items else 0)


def fit_side(legend: pg.LegendItem, height: float, width: float) -> None:
    """As many columns as the entries need to fit `height` px (then the legend never makes
    the plot taller than its widget), but not wider than SIDE_SHARE of `width`: the curves
    keep most of the room, and in a plot too small for both the legend is cut off last."""
    n = len(legend.items)
    if not n:
        return
    rows = max(1, int(height // row_height(legend)))
    entry = max(sample.width() + label.minimumWidth() for sample, label in legend.items)
    widest = max(1, int(SIDE_SHARE * width // max(entry, 1.0)))
    columns = min(math.ceil(n / rows), widest)
    if columns != legend.columnCount:
        legend.setColumnCount(columns)
        shrink(legend)


def fit_left_label(plot, labels, available: float, scale: float) -> None:
    """The first of `labels` (longest first) that fits along `available` px, else the last:
    pyqtgraph centres a rotated label on its axis and cuts off what is longer."""
    axis = plot.getAxis("left")
    font = axis.label.font()  # a QGraphicsTextItem
    font.setPointSizeF(base_points() * scale)
    margin = 2 * axis.label.document().documentMargin()
    fm = QFontMetricsF(font)
    text = next((t for t in labels if fm.horizontalAdvance(t) + margin <= available),
                labels[-1])
    if text != axis.labelText:
        set_axis_label(plot, "left", text, scale)
