"""The gradient-check panel: on which data, with which ε and threshold, with which injected bug;
a row per parameter tensor (relative difference, elements checked and skipped, verdict, and
after "Compare with PyTorch" the largest difference from torch.autograd); the selected tensor
element by element below.

The panel shows the results it is given (set_results, set_comparison) and asks for runs through
signals; running the engine is gui/checking/checking_link.py's business.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.bugs import BUGS
from engine.gradcheck import DEFAULT_THRESHOLD, EPS_CHOICES
from gui.checking.bug_banner import NO_BUG
from gui.checking.check_rows import (
    THRESHOLD_CHOICES,
    VERDICTS,
    counts_text,
    fmt_difference,
    fmt_threshold,
    fmt_value,
    overall,
    parse_threshold,
    tensor_label,
)
from gui.checking.element_view import ElementView

# Verdict colours: text, background.
VERDICT_COLOURS = {"passed": ("#1d6b3f", "#e3f4e8"), "failed": ("#a11b1b", "#fbe0de"),
                   "not checked": ("#6b5a00", "#f6efc8")}
# The verdict beside the number it judges; the long counts last, where the table may scroll.
TENSOR, DIFFERENCE, VERDICT, TORCH, COUNTS = range(5)
HEADERS = ["tensor", "relative\ndifference", "verdict", "max rel. diff.\nvs PyTorch",
           "checked / skipped"]
HIDDEN_BUG, HIDDEN_TITLE = "hidden", "A hidden bug (yours to find)"  # a lesson's mystery
MIN_TABLE_ROWS = 4


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


class CheckPanel(QWidget):
    """Signals:
      sigRun()              run the check again with the panel's settings (sample(), eps())
      sigCompare()          run it and compare with PyTorch
      sigBugChosen(object)  a bug name from engine.bugs.BUGS, or None for the correct engine
    """

    sigRun = Signal()
    sigCompare = Signal()
    sigBugChosen = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.results: list = []
        self.comparison = None
        self.threshold = DEFAULT_THRESHOLD
        self._updating = False
        self._build()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.data_combo = QComboBox()
        self.data_combo.addItems(["the last mini-batch", "one training sample"])
        self.data_combo.setToolTip("Check on the mini-batch the last step trained on (before "
                                   "any step: the first one), or on one training sample")
        self.sample_spin = QSpinBox()
        self.sample_spin.setPrefix("sample #")
        self.sample_spin.setToolTip("Index of the training sample (training set order, from 0)")
        self.sample_spin.setEnabled(False)
        self.sample_spin.setKeyboardTracking(False)  # typing "12" checks sample 12, not 1 first
        self.eps_combo = QComboBox()
        for label, value in EPS_CHOICES:
            self.eps_combo.addItem(label, value)
        self.eps_combo.setToolTip("The nudge ε of the central difference "
                                  "(L(θ+ε) − L(θ−ε)) / 2ε")
        self.threshold_combo = QComboBox()
        self.threshold_combo.setEditable(True)
        self.threshold_combo.addItems([fmt_threshold(v) for v in THRESHOLD_CHOICES])
        self.threshold_combo.setCurrentText(fmt_threshold(DEFAULT_THRESHOLD))
        self.threshold_combo.setToolTip("A tensor passes when its relative difference "
                                        "‖a − n‖ / (‖a‖ + ‖n‖) is below this (type any value)")
        self.bug_combo = QComboBox()
        self.bug_combo.addItem(NO_BUG, None)
        for name, bug in BUGS.items():
            self.bug_combo.addItem(bug.title, name)
            self.bug_combo.setItemData(self.bug_combo.count() - 1,
                                       f"{bug.description}. Effect: {bug.effect}.",
                                       Qt.ToolTipRole)
        self.bug_combo.setToolTip("Inject a classic backprop mistake into the engine "
                                  "(also Train > Inject a bug)")
        self.run_button = QPushButton("Run check")
        self.run_button.setToolTip("Compare backprop's gradients with central differences "
                                   "on the chosen data (Ctrl+G)")
        self.compare_button = QPushButton("Compare with PyTorch")
        self.compare_button.setToolTip("The same network, data and loss in PyTorch (float64): "
                                       "its autograd gradients next to the engine's")

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        rows = [("Data:", [self.data_combo, self.sample_spin]),
                ("ε:", [self.eps_combo, QLabel("Pass below:"), self.threshold_combo]),
                ("Bug:", [self.bug_combo])]
        for row, (text, widgets) in enumerate(rows):
            label = QLabel(text)
            label.setToolTip(widgets[0].toolTip())
            grid.addWidget(label, row, 0)
            line = QHBoxLayout()
            for w in widgets:
                line.addWidget(w, 1 if w in (self.data_combo, self.bug_combo) else 0)
            line.addStretch(0 if len(widgets) == 1 else 1)
            grid.addLayout(line, row, 1)
        grid.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.compare_button)
        buttons.addStretch(1)

        self.info_label = QLabel("Press Run check.")
        self.info_label.setWordWrap(True)
        self.info_label.setStyleSheet("color:#555")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color:#a11b1b")
        self.message_label.hide()

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setColumnHidden(TORCH, True)
        self.table.setToolTip("Per parameter tensor: analytic (backprop) against numeric "
                              "(central differences); select a row to see its elements")
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.torch_label = QLabel()
        self.torch_label.setWordWrap(True)
        self.torch_label.hide()

        self.elements = ElementView()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.info_label)
        layout.addWidget(self.torch_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.elements, 1)

        self.data_combo.currentIndexChanged.connect(self._data_changed)
        self.sample_spin.valueChanged.connect(lambda _v: self.sigRun.emit())
        self.eps_combo.currentIndexChanged.connect(lambda _i: self.sigRun.emit())
        self.threshold_combo.lineEdit().editingFinished.connect(self._threshold_edited)
        self.threshold_combo.activated.connect(lambda _i: self._threshold_edited())
        self.bug_combo.currentIndexChanged.connect(self._bug_changed)
        self.run_button.clicked.connect(self.sigRun.emit)
        self.compare_button.clicked.connect(self.sigCompare.emit)

    # -- the settings ----------------------------------------------------------------------------
    def sample(self) -> int | None:
        """None: the last mini-batch; else the training sample to check on."""
        return None if self.data_combo.currentIndex() == 0 else self.sample_spin.value()

    def eps(self) -> float | None:
        return self.eps_combo.currentData()

    def set_sample_count(self, count: int) -> None:
        """How many training samples the network on screen has (the spin box's range)."""
        self.sample_spin.blockSignals(True)
        self.sample_spin.setMaximum(max(count - 1, 0))
        self.sample_spin.blockSignals(False)

    def set_bug(self, name: str | None, hidden: bool = False) -> None:
        """Show the injected bug without asking for it again; a lesson's hidden bug shows as
        one, unnamed (never as "None (correct backprop)", which would be untrue)."""
        combo = self.bug_combo
        combo.blockSignals(True)
        extra = combo.findData(HIDDEN_BUG)
        if hidden and extra < 0:
            combo.addItem(HIDDEN_TITLE, HIDDEN_BUG)
        elif not hidden and extra >= 0:
            combo.removeItem(extra)
        combo.setCurrentIndex(max(combo.findData(HIDDEN_BUG if hidden else name), 0))
        combo.blockSignals(False)

    def set_torch_missing(self, message: str) -> None:
        """Without torch the comparison button says how to get it; the rest works."""
        self.compare_button.setEnabled(not message)
        if message:
            self.compare_button.setToolTip(message)

    def _data_changed(self, index: int) -> None:
        self.sample_spin.setEnabled(index == 1)
        self.sigRun.emit()

    def _bug_changed(self, _index: int) -> None:
        if self.bug_combo.currentData() != HIDDEN_BUG:  # choosing it would change nothing
            self.sigBugChosen.emit(self.bug_combo.currentData())

    def _threshold_edited(self) -> None:
        text = self.threshold_combo.currentText()
        try:
            value = parse_threshold(text)
        except ValueError as e:
            self.show_message(str(e)[:1].upper() + str(e)[1:] + ".")
            self.threshold_combo.setCurrentText(fmt_threshold(self.threshold))
            return
        self.show_message("")
        if value != self.threshold:
            self.set_threshold(value)

    def set_threshold(self, value: float) -> None:
        """Judge the same results against another threshold (nothing is recomputed)."""
        self.threshold = value
        if self.threshold_combo.currentText() != fmt_threshold(value):
            self.threshold_combo.setCurrentText(fmt_threshold(value))
        self._fill_table()

    def show_message(self, text: str) -> None:
        """One line about a request that changed nothing ('' hides it)."""
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    # -- results ---------------------------------------------------------------------------------
    def set_results(self, results: list, info: str, comparison=None) -> None:
        """Show a check (engine.gradcheck results) with a sentence on what was checked, and the
        PyTorch comparison made on the same network and data, if any."""
        self.results, self.comparison = list(results), comparison
        self.info_label.setText(info)
        self._fill_table()

    def set_stale(self, note: str) -> None:
        """A note when the network has changed since the results were computed."""
        text = self.info_label.text().split("<br><b>")[0]
        text += f"<br><b>{note}</b>" if note else ""
        if text != self.info_label.text():  # polled: relayout only on a change
            self.info_label.setText(text)

    def _fill_table(self) -> None:
        selected = self.selected_name()
        self._updating = True
        table = self.table
        table.setRowCount(len(self.results))
        torch = {} if self.comparison is None else {
            t.name: t.max_relative_difference for t in self.comparison.tensors}
        for row, r in enumerate(self.results):
            status = r.status(self.threshold)
            rounding = " (rounding)" if status == "not checked" and r.checked else ""
            cells = [tensor_label(r.name, r.analytic.shape),
                     fmt_difference(r.relative_difference) if r.checked else "—",
                     VERDICTS[status] + rounding,
                     fmt_difference(torch[r.name]) if r.name in torch else "",
                     counts_text(r)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (DIFFERENCE, TORCH):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if column == VERDICT:
                    item.setToolTip(self._verdict_tip(r, status))
                    fg, bg = VERDICT_COLOURS[status]
                    item.setForeground(QBrush(QColor(fg)))
                    item.setBackground(QBrush(QColor(bg)))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(row, column, item)
        table.setColumnHidden(TORCH, self.comparison is None)
        self._updating = False
        self._fit_table()
        self._show_summary()
        names = [r.name for r in self.results]
        if names:
            row = names.index(selected) if selected in names else self._first_interesting()
            table.selectRow(row)
            self._row_selected()
        else:
            self.elements.clear()

    def _verdict_tip(self, result, status: str) -> str:
        if status == "not checked":
            return _sentence(result.note(self.threshold))
        sign = "<" if status == "passed" else "≥"
        return (f"Relative difference {fmt_difference(result.relative_difference)} {sign} "
                f"the threshold {fmt_threshold(self.threshold)}.")

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:  # presentation mode: rows as tall as the text
            self._fit_table()

    def _fit_table(self) -> None:
        """Never taller than its rows; on a small screen it keeps MIN_TABLE_ROWS and scrolls,
        so that the element view below keeps its room."""
        table = self.table
        table.resizeRowsToContents()
        heights = [table.rowHeight(r) for r in range(table.rowCount())]
        frame = (table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
                 + table.horizontalScrollBar().sizeHint().height())  # room for it, if it shows
        table.setMinimumHeight(frame + sum(heights[:MIN_TABLE_ROWS]))
        table.setMaximumHeight(frame + sum(heights))

    def _first_interesting(self) -> int:
        statuses = [r.status(self.threshold) for r in self.results]
        for wanted in ("failed", "not checked"):
            if wanted in statuses:
                return statuses.index(wanted)
        return 0

    def _show_summary(self) -> None:
        if not self.results:
            self.summary_label.setText("")
            self.torch_label.hide()
            return
        state, sentence = overall(self.results, self.threshold)
        fg, bg = VERDICT_COLOURS[state]
        self.summary_label.setStyleSheet(f"color:{fg}; background:{bg}; padding:3px;"
                                         "border-radius:3px; font-weight:bold")
        self.summary_label.setText(sentence)
        c = self.comparison
        self.torch_label.setVisible(c is not None)
        if c is not None:
            worst = max((t.max_relative_difference for t in c.tensors), default=0.0)
            self.torch_label.setText(
                f"<b>PyTorch (float64):</b> loss {fmt_value(c.torch_loss)}, engine "
                f"{fmt_value(c.engine_loss)}; gradients differ by at most "
                f"{fmt_difference(worst)} (relative, per element).")

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self.results):
            return None
        return self.results[rows[0].row()].name

    def _row_selected(self) -> None:
        if self._updating:
            return
        name = self.selected_name()
        result = next((r for r in self.results if r.name == name), None)
        if result is None:
            self.elements.clear()
        else:
            self.elements.set_result(result, self.threshold)
