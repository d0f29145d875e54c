"""The big read-out above the decision boundary in presentation mode: the loss and the accuracy
(or RMSE and R² for regression) on the training and the test set, large enough to read from the
back of a room, as TensorFlow Playground shows them above its output. The numbers and their
formatting are the status bar's (training_status.score_rows)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel

from gui.playground.training_status import FIELDS, score_rows

NUMBER_SCALES = (2.2, 2.0, 1.8, 1.6, 1.45, 1.3, 1.15)  # the numbers against the window's
#   (already scaled) text: the largest that fits the pane's width and MAX_SHARE of its height
MAX_SHARE = 0.2  # of the output's column: the decision boundary keeps the rest
TIPS = dict(FIELDS)


class MetricsBanner(QFrame):
    """A grid: a row per measure (loss, accuracy | RMSE, R²), a column per set."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("metricsBanner")
        self.setFrameShape(QFrame.StyledPanel)
        self.setAccessibleName("Training and test scores")
        self._stats = None
        self._shown = None  # the stats last drawn: redraws without news cost nothing
        grid = self._grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(0)
        for column, name in ((1, "training"), (2, "test")):
            head = QLabel(name)
            head.setAlignment(Qt.AlignRight | Qt.AlignBottom)
            grid.addWidget(head, 0, column)
        grid.setAlignment(Qt.AlignHCenter)  # a compact table in the middle, not spread out
        self.rows: list[tuple[QLabel, QLabel, QLabel]] = []
        self._number_scale = NUMBER_SCALES[-1]
        self._watched = None

    def show_stats(self, stats) -> None:
        """Keep the latest stats; they are drawn only while the banner is shown."""
        self._stats = stats
        if not self.isHidden():
            self._draw()

    def texts(self) -> list[tuple[str, str, str]]:
        """What the banner shows: (measure, training, test) per row."""
        return [tuple(label.text() for label in row) for row in self.rows
                if not row[0].isHidden()]

    def showEvent(self, event) -> None:
        column = self.parentWidget()
        if column is not None and column is not self._watched:
            column.installEventFilter(self)  # its height bounds the numbers' size
            self._watched = column
        self._draw()
        super().showEvent(event)

    def eventFilter(self, watched, event) -> bool:
        if watched is self._watched and event.type() == QEvent.Resize:
            self._fit_numbers()
        return False

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:  # the window's text scale changed
            self._fit_numbers()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_numbers()

    def _draw(self) -> None:
        stats = self._stats
        if stats is None or stats is self._shown:
            return
        self._shown = stats
        scores = score_rows(stats)
        while len(self.rows) < len(scores):
            self._add_row()
        for row, (name, train, test) in zip(self.rows, scores):
            for label, text in zip(row, (name, train, test)):
                label.setText(text)
                label.show()
            key = "loss" if name == "loss" else "accuracy"
            row[0].setToolTip(TIPS[key])
        for row in self.rows[len(scores):]:  # regression had three rows, classification two
            for label in row:
                label.hide()
        self._fit_numbers()

    def _add_row(self) -> None:
        r = len(self.rows) + 1
        labels = (QLabel(), QLabel(), QLabel())
        for column, label in enumerate(labels):
            label.setAlignment((Qt.AlignLeft if column == 0 else Qt.AlignRight) | Qt.AlignVCenter)
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self._grid.addWidget(label, r, column)
        self._size_numbers(*labels)
        self.rows.append(labels)

    def _number_font(self, scale: float):
        font = self.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * scale)
        return font

    def _fit_numbers(self) -> None:
        """The largest number size at which the widest row fits the banner's width, and all
        rows fit MAX_SHARE of the column it heads (regression has three rows)."""
        rows = [row for row in self.rows if not row[0].isHidden()]
        if not rows:
            return
        names = QFontMetricsF(self.font())
        name_width = max(names.horizontalAdvance(row[0].text()) for row in rows)
        room = self.contentsRect().width() - 16 - 2 * self._grid.horizontalSpacing() - name_width
        column = self.parentWidget()
        height = (column.height() * MAX_SHARE if column is not None else float("inf"))
        height -= names.height() + 10  # the heading row and the margins
        scale = NUMBER_SCALES[-1]
        for candidate in NUMBER_SCALES:
            numbers = QFontMetricsF(self._number_font(candidate))
            widest = max(numbers.horizontalAdvance(label.text()) + 4
                         for row in rows for label in row[1:])
            if 2 * widest <= room and len(rows) * numbers.height() <= height:
                scale = candidate
                break
        if scale != self._number_scale or rows[0][1].font() != self._number_font(scale):
            self._number_scale = scale
            for row in self.rows:
                self._size_numbers(*row)

    def _size_numbers(self, _name: QLabel, *numbers: QLabel) -> None:
        """The numbers bold and larger than the text around them (their names are not)."""
        font = self._number_font(self._number_scale)
        for label in numbers:
            label.setFont(font)
