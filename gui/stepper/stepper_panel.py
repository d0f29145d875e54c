"""The step-through panel: walk one real training step of the current network stage by stage
(forward per layer, loss, backward per layer, update) with every number on screen, and the
chain rule for a selected weight.

The panel only displays a `engine.trace.Trace` it is given; re-tracing (another sample) and
applying the step (Finish) are the main window's business, asked for through signals. The
Previous/Next, Play and arrow-key controls are gui/stage_navigation.py's StageNavigator.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStyle,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.chain_rule import weight_chain
from gui.common.formula_markup import ACCENTS, MARKERS
from gui.common.text_scale import scaled_markup, title_font
from gui.stepper.bug_marks import WRONG, wrong_symbols
from gui.stepper.formulas import chain_html, stage_html
from gui.stepper.stage_navigation import StageNavigator

WIDE = 800  # from this width on, the stage list sits left of the formulas instead of above
MINI_BATCH, ONE_SAMPLE = 0, 1


class StepperPanel(QWidget):
    """Step through a traced training step.

    Signals:
      sigStageChanged(int)   the stage shown now (index into trace.stages)
      sigFinish()            apply the traced update and leave the step-through
      sigCancel()            leave without applying anything
      sigSampleChanged(object)  None: trace the current mini-batch; int: trace that one
                             training sample (the owner re-traces and calls set_trace)
    """

    sigStageChanged = Signal(int)
    sigFinish = Signal()
    sigCancel = Signal()
    sigSampleChanged = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._trace = None
        self._index = 0
        self._selection = None
        self._html_cache: dict = {}
        self._chain_cache: dict = {}
        self._user_sized = False  # once the user drags the splitter, leave it where they put it
        self._text_scale = 1.0  # presentation mode's (the formulas' point sizes grow by it)
        self._build()
        # Deferred re-layout after resizes; owned timers die with the panel (a bare
        # singleShot could fire into a deleted widget).
        self._refit_timer = self._deferred(self._fit_list)
        self._reflow_timer = self._deferred(self._show_current)
        self._navigator.watch_keys(self, self.stage_list, self.browser, self.prev_button,
                                   self.next_button, self.play_button, self.finish_button,
                                   self.cancel_button, self.sample_combo)
        self._viewport = self.browser.viewport()  # kept: no C++ call needed in eventFilter
        self._viewport.installEventFilter(self)
        self.splitter.installEventFilter(self)
        self._shown_width = None
        self._show_current()

    def _deferred(self, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(0)
        timer.timeout.connect(slot)
        return timer

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = title = QLabel("Step through one training step")
        title.setFont(title_font())
        self.info_label = QLabel("No step traced yet.")
        self.info_label.setStyleSheet("color: #555")
        self.info_label.setWordWrap(True)
        self.info_label.setToolTip("Which step is traced, on which samples, and its loss")

        self.sample_combo = QComboBox()
        self.sample_combo.addItems(["current mini-batch", "one training sample"])
        self.sample_combo.setToolTip("Trace the step on the mini-batch training would use next, "
                                     "or on a single training sample (easier to follow by hand)")
        self.sample_spin = QSpinBox()
        self.sample_spin.setPrefix("sample #")
        self.sample_spin.setToolTip("Index of the training sample to trace (training set order)")
        self.sample_spin.setEnabled(False)
        self.sample_combo.currentIndexChanged.connect(self._sample_mode_changed)
        self.sample_spin.valueChanged.connect(self._sample_index_changed)
        sample_row = QHBoxLayout()
        trace_label = QLabel("Trace:")
        trace_label.setToolTip(self.sample_combo.toolTip())
        sample_row.addWidget(trace_label)
        sample_row.addWidget(self.sample_combo)
        sample_row.addWidget(self.sample_spin)
        sample_row.addStretch(1)

        self.stage_list = QListWidget()
        self.stage_list.setToolTip("The stages of the step in the order they are computed: "
                                   "→ forward, L loss, ← backward, Δ update. Click to jump.")
        self.stage_list.currentRowChanged.connect(self._list_row_changed)
        self.stage_list.setMinimumHeight(80)
        self.browser = QTextBrowser()
        self.browser.setWordWrapMode(QTextOption.WordWrap)  # never split a number mid-digit
        self.browser.setOpenLinks(False)
        self.browser.setToolTip("Each quantity: its formula, the formula with this step's "
                                "numbers, and the result. Select a neuron or weight in the "
                                "network to follow it.")
        self.browser.document().setDocumentMargin(8)
        self.browser.setStyleSheet("QTextBrowser { background: white; }")
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(self.stage_list)
        self.splitter.addWidget(self.browser)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.splitterMoved.connect(self._splitter_moved)

        nav = self._navigator = StageNavigator(self)  # Previous/Next, Play, arrow keys
        self.prev_button, self.next_button = nav.prev_button, nav.next_button
        self.progress_label, self.play_button = nav.progress_label, nav.play_button
        self.speed_spin = nav.speed_spin
        style = self.style()
        self.finish_button = QPushButton(style.standardIcon(QStyle.SP_DialogApplyButton),
                                         "Finish")
        self.finish_button.setToolTip("Apply this step's update to the network and leave the "
                                      "step-through")
        self.finish_button.clicked.connect(self._finish)
        self.cancel_button = QPushButton(style.standardIcon(QStyle.SP_DialogCancelButton),
                                         "Cancel")
        self.cancel_button.setToolTip("Leave the step-through without changing the network")
        self.cancel_button.clicked.connect(self._cancel)
        action_row = QHBoxLayout()
        action_row.addWidget(self.play_button)
        action_row.addWidget(self.speed_spin)
        action_row.addStretch(1)
        action_row.addWidget(self.finish_button)
        action_row.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(title)
        layout.addWidget(self.info_label)
        layout.addLayout(sample_row)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(nav.nav_row)
        layout.addLayout(action_row)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Expanding)
        self.setFocusPolicy(Qt.StrongFocus)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        orientation = Qt.Horizontal if event.size().width() >= WIDE else Qt.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            self._user_sized = False
            self._fit_list()

    def _splitter_moved(self, *_) -> None:
        self._user_sized = True

    def _fit_list(self) -> None:
        """Stage list as tall as its rows (narrow) or a fixed column (wide), formulas the rest."""
        wide = self.splitter.orientation() == Qt.Horizontal
        total = self.splitter.width() if wide else self.splitter.height()
        if total <= 0:
            return
        if wide:
            first = 230
        else:
            rows = max(self.stage_list.count(), 4)
            row_height = self.stage_list.sizeHintForRow(0) if self.stage_list.count() else 18
            first = min(rows * row_height + 2 * self.stage_list.frameWidth() + 4, total // 3)
        self.splitter.setSizes([first, max(1, total - first)])

    # -- public API ----------------------------------------------------------------------------
    def set_trace(self, trace, sample: int | None = None, training_size: int = 0) -> None:
        """Show a new trace; keep the stage index when it is still valid. `sample` and
        `training_size` set the sample selector without emitting sigSampleChanged."""
        self._trace = trace
        self._html_cache.clear()
        self._chain_cache.clear()
        for widget in (self.sample_combo, self.sample_spin):
            widget.blockSignals(True)
        self.sample_spin.setRange(0, max(0, training_size - 1))
        self.sample_combo.setCurrentIndex(MINI_BATCH if sample is None else ONE_SAMPLE)
        if sample is not None:
            self.sample_spin.setValue(sample)
        self.sample_spin.setEnabled(sample is not None)
        for widget in (self.sample_combo, self.sample_spin):
            widget.blockSignals(False)
        if not 0 <= self._index < self.stage_count():
            self._index = 0
        self._fill_list()
        self._show_current()
        self.sigStageChanged.emit(self._index)

    def stage_count(self) -> int:
        return 0 if self._trace is None else len(self._trace.stages)

    @property
    def current_index(self) -> int:
        return self._index

    def current_stage(self):
        return self._trace.stages[self._index] if self.stage_count() else None

    def restart(self) -> None:
        """The next trace shown starts at its first stage (set_trace keeps the stage index
        while the same step is traced again, e.g. for another sample)."""
        self._index = 0

    def go_to(self, index: int) -> None:
        if not self.stage_count():
            return
        index = max(0, min(int(index), self.stage_count() - 1))
        if index == self._index:
            return
        self._index = index
        self._show_current()
        self.sigStageChanged.emit(index)

    def next_stage(self) -> None:
        self.go_to(self._index + 1)

    def previous_stage(self) -> None:
        self.go_to(self._index - 1)

    def set_selection(self, selection) -> None:
        """None, ("neuron", layer, n) with layer 0 = inputs, or ("weight", layer, i, j)."""
        selection = None if selection is None else tuple(selection)
        if selection == self._selection:
            return
        self._selection = selection
        self._show_current()
        if selection and selection[0] == "weight" and "name='chain'" in self._current_html():
            self.browser.scrollToAnchor("chain")  # the part the click asked about

    def selection(self):
        return self._selection

    def text(self) -> str:
        """What is displayed now (stage and chain rule) as plain text."""
        return self.browser.toPlainText()

    def html(self) -> str:
        """The rich text displayed now, as given to the browser."""
        return self._current_html()

    # -- rendering -----------------------------------------------------------------------------
    def _fill_list(self) -> None:
        self.stage_list.blockSignals(True)
        self.stage_list.clear()
        for stage in (self._trace.stages if self._trace else []):
            wrong = wrong_symbols(stage)
            item = QListWidgetItem(f"{MARKERS[stage.kind]}   {stage.title}" +
                                   ("   ⚠ bug" if wrong else ""))
            item.setForeground(QColor(WRONG if wrong else ACCENTS[stage.kind]))
            symbols = ", ".join(q.symbol for q in stage.quantities)
            tip = f"{stage.title}: computes {symbols}"
            if wrong:
                tip += "\nWrong because of the injected bug: " + "; ".join(
                    f"{symbol} ({note})" for symbol, note in wrong)
            item.setToolTip(tip)
            font = item.font()
            font.setBold(stage.kind == "loss")
            item.setFont(font)
            self.stage_list.addItem(item)
        self.stage_list.setCurrentRow(self._index if self.stage_count() else -1)
        self.stage_list.blockSignals(False)
        self._fit_list()

    def _current_html(self) -> str:
        if not self.stage_count():
            return ("<p style='color:#666'>Start a step-through to see one training step of "
                    "your network, stage by stage.</p>")
        width = self._formula_width()
        key = (self._index, self._selection, width)
        if key not in self._html_cache:
            stage = self.current_stage()
            body = stage_html(stage, self._selection, context=self._trace, width=width)
            self._html_cache[key] = body + self._chain_part(stage)
        return self._html_cache[key]

    def _formula_width(self) -> int:
        """The view's width in steps of 40 px: long matrix expressions break to fit it."""
        return max(240, int(self.browser.viewport().width() / self._text_scale) // 40 * 40)

    def _chain_part(self, stage) -> str:
        """The chain rule for a selected weight once the backward pass has computed it."""
        sel = self._selection
        if not sel or sel[0] != "weight" or stage.kind not in ("backward", "update"):
            return ""
        layer, i, j = sel[1:]
        if stage.kind == "backward" and stage.layer > layer:
            return (f"<p style='color:#666; margin-top:12px'>The selected weight's gradient "
                    f"∂L/∂W<sup>({layer})</sup> is computed when the backward pass reaches "
                    f"layer {layer}.</p>")
        if (layer, i, j) not in self._chain_cache:
            try:
                chain = weight_chain(self._trace, layer, i, j)
            except ValueError:
                return ""
            self._chain_cache[(layer, i, j)] = chain_html(chain, trace=self._trace)
        return self._chain_cache[(layer, i, j)]

    def _show_current(self) -> None:
        scroll = self.browser.verticalScrollBar()
        keep = scroll.value() if self.browser.property("shown_index") == self._index else 0
        self.browser.setHtml(scaled_markup(self._current_html(), self._text_scale))
        self.browser.setProperty("shown_index", self._index)
        self._shown_width = self._formula_width()
        scroll.setValue(keep)  # re-rendering the same stage keeps the reader's place
        count = self.stage_count()
        self._navigator.show_position(self._index, count)
        self.finish_button.setEnabled(count > 0)
        if count and self.stage_list.currentRow() != self._index:
            self.stage_list.blockSignals(True)
            self.stage_list.setCurrentRow(self._index)
            self.stage_list.blockSignals(False)
        self.info_label.setText(self._info())

    def set_text_scale(self, scale: float) -> None:
        """Presentation mode: the title and the formulas' fixed sizes grow by scale."""
        self._text_scale = float(scale)
        self.title.setFont(title_font(scale))
        self._show_current()

    def _info(self) -> str:
        if self._trace is None:
            return "No step traced yet."
        m = len(self._trace.batch)
        what = (f"training sample #{int(self._trace.batch[0])}" if m == 1
                else f"a mini-batch of {m} samples")
        stats = self._trace.stats
        return (f"Step {stats.step} on {what} · loss {stats.batch_loss:.4f}. "
                "Nothing changes in the network until you press Finish.")

    # -- controls ------------------------------------------------------------------------------
    def _list_row_changed(self, row: int) -> None:
        if row >= 0:
            self.go_to(row)

    def _sample_mode_changed(self, mode: int) -> None:
        one = mode == ONE_SAMPLE
        self.sample_spin.setEnabled(one)
        self.sigSampleChanged.emit(self.sample_spin.value() if one else None)

    def _sample_index_changed(self, value: int) -> None:
        if self.sample_combo.currentIndex() == ONE_SAMPLE:
            self.sigSampleChanged.emit(value)

    def _finish(self) -> None:
        self._navigator.stop()
        self.sigFinish.emit()

    def _cancel(self) -> None:
        self._navigator.stop()
        self.sigCancel.emit()

    def hideEvent(self, event) -> None:
        self._navigator.stop()
        super().hideEvent(event)

    # -- deferred re-layout -------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Refit the stage list when the splitter resizes (until the user drags it) and re-flow
        long formulas when the view's width changes. (The arrow keys: gui/stage_navigation.py.)"""
        if watched is self.splitter and event.type() == QEvent.Resize and not self._user_sized:
            self._refit_timer.start()
            return False
        if watched is self._viewport:
            if event.type() == QEvent.Resize and self._shown_width != self._formula_width():
                self._reflow_timer.start()  # re-flow long formulas to the new width
            return False
        return super().eventFilter(watched, event)
