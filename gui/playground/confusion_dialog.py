"""View > Confusion matrix: for a classifier, how many points of each true class the network
puts in each class, on the training and on the test set. The counts are the engine's
(Trainer.confusion, by the rule accuracy uses), read from the worker between two steps, and
refreshed every second while the window trains."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

RIGHT, WRONG = QColor(214, 236, 214), QColor(248, 222, 214)
TABLE_TIP = ("Rows: the true class. Columns: the class the network predicts. The diagonal "
             "(green) counts the points it gets right.")
NO_CLASSES = "Regression has no classes: the status bar shows RMSE and R² instead"


class ConfusionDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.setWindowTitle("Confusion matrix")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tables = {name: QTableWidget() for name in ("training set", "test set")}
        row = QHBoxLayout()
        for name, table in self.tables.items():
            table.setEditTriggers(QTableWidget.NoEditTriggers)
            table.setSelectionMode(QTableWidget.NoSelection)
            table.setFocusPolicy(Qt.NoFocus)
            box = QGroupBox(f"On the {name}")
            inner = QVBoxLayout(box)
            inner.addWidget(table)
            inner.addStretch()
            row.addWidget(box)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        refresh = buttons.addButton("&Refresh", QDialogButtonBox.ActionRole)
        refresh.clicked.connect(self.refresh)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.timer = QTimer(self, interval=1000)
        self.timer.timeout.connect(lambda: self.window.playing and self.refresh())

    def showEvent(self, event) -> None:
        self.refresh()
        self.timer.start()
        super().showEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange and self.isVisible():
            self.refresh()  # the tables sized again for the new text, the dialog round them
            self.adjustSize()

    def hideEvent(self, event) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        worker = self.window.worker
        try:
            step, matrices = worker.call(lambda: (worker.trainer.step_count,
                                                  worker.trainer.confusion()))
        except ValueError as e:  # the training thread did not answer
            self.summary.setText(str(e))
            return
        if matrices is None:
            self.summary.setText(NO_CLASSES + ".")
            for table in self.tables.values():
                table.clear()
            return
        self.summary.setText(f"At step {step:,}: rows are the true class, columns the class "
                             "predicted; the diagonal counts the points classified right.")
        for table, counts in zip(self.tables.values(), matrices):
            _fill(table, counts)


def _fill(table: QTableWidget, counts) -> None:
    k = len(counts)
    table.setRowCount(k)
    table.setColumnCount(k)
    table.setVerticalHeaderLabels([f"true {c}" for c in range(k)])
    table.setHorizontalHeaderLabels([f"predicted {c}" for c in range(k)])
    total = int(counts.sum())
    for i in range(k):
        for j in range(k):
            item = QTableWidgetItem(f"{int(counts[i, j]):,}")
            item.setTextAlignment(Qt.AlignCenter)
            if counts[i, j]:
                item.setBackground(QBrush(RIGHT if i == j else WRONG))
            table.setItem(i, j, item)
    # Exactly as large as its cells at the current font (presentation mode's, say): no
    # scroll bars, no empty space below.
    table.resizeColumnsToContents()
    table.resizeRowsToContents()
    frame = 2 * table.frameWidth()
    table.setFixedSize(
        table.verticalHeader().sizeHint().width() + frame
        + sum(table.columnWidth(j) for j in range(k)),
        table.horizontalHeader().sizeHint().height() + frame
        + sum(table.rowHeight(i) for i in range(k)))
    table.setToolTip("No points in this set" if total == 0 else TABLE_TIP)


def install_confusion(window) -> QAction:
    """View > Confusion matrix… (Ctrl+M); window.sync_confusion(task) enables it."""
    dialog = None

    def show():
        nonlocal dialog
        if dialog is None:
            dialog = window.confusion_dialog = ConfusionDialog(window)
        dialog.show()
        dialog.raise_()

    act = QAction("&Confusion matrix…", window)
    act.setShortcut(QKeySequence("Ctrl+M"))
    act.setStatusTip("How many points of each class the network puts in each class, on the "
                     "training and test sets")
    act.triggered.connect(show)
    window.addAction(act)
    window.view_menu.addSeparator()
    window.view_menu.addAction(act)
    window.confusion_dialog = None
    return act


def sync_confusion(action: QAction, task: str) -> None:
    """Only a classifier has a confusion matrix; say why not otherwise."""
    action.setEnabled(task != "regression")
    action.setStatusTip(NO_CLASSES if task == "regression" else
                        "How many points of each class the network puts in each class")
