"""The architecture & hyper-parameter editor: the left-hand panel that edits an engine Spec.

Changes that need a rebuild go out as a new validated Spec on `sigSpecChanged`; learning rate,
regularisation rate and batch size go out on `sigLiveChanged` and apply without a reset.
`set_spec` fills the widgets behind an `_updating` guard, so loading never echoes a signal.
The editor keeps the last spec and replaces only the fields the user edits, so fields it does not
show (explicit weights, given points) survive; any data or architecture edit drops the weights.
The architecture and training sections are built in gui/layer_list.py and gui/training_settings.py;
this module connects their widgets.
"""

from __future__ import annotations

import copy
import dataclasses
import random
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.datasets import ALL_DATASETS, DATASET_LABELS, FEATURE_LABELS, FEATURES, load_csv
from engine.spec import Spec
from gui.common.wheel_guard import guard_wheel
from gui.playground.layer_list import (
    FIXED_DATASETS,
    ArchitectureBox,
    CompactDoubleSpinBox,
    form_layout,
    hbox,
    narrow_combo,
    output_loss_pairs,
    select_data,
    show_value,
    spin_box,
    task_of,
)
from gui.playground.training_settings import TrainingBox

GENERATED_DATASETS = [d for d in ALL_DATASETS if d not in FIXED_DATASETS]
# Spec fields the editor never edits (it only carries them along, or drops the weights). Copies
# share them instead of deep-copying: a loaded dataset can hold 100,000 points.
CARRIED_FIELDS = frozenset({"points", "labels", "weights"})


def editable_copy(spec: Spec) -> Spec:
    """A copy of the spec with its own copies of every field but the carried data, which the
    copy shares with `spec` (neither the editor nor its listeners modify those lists)."""
    return spec.replace(**{f.name: copy.deepcopy(getattr(spec, f.name))
                           for f in dataclasses.fields(spec) if f.name not in CARRIED_FIELDS})


class ArchitectureEditor(QWidget):
    sigSpecChanged = Signal(object)  # a new validated Spec: the network must be rebuilt
    sigLiveChanged = Signal(str, object)  # ("learning_rate"|"reg_rate"|"batch_size", value)
    sigFileError = Signal(str)  # a chosen file was refused (the window shows a dialog)

    def __init__(self, spec: Spec | None = None, parent=None):
        super().__init__(parent)
        self._spec = Spec()
        self._updating = False
        self._last_features = ["x1", "x2"]  # restored when leaving a dataset without features
        self._raw_dim = None  # raw input columns of the data shown (set_data_dim)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(8)
        data, features = self._data_group(), self._features_group()
        architecture, training = self._architecture_group(), self._training_group()
        # Training first: the learning rate and the optimiser apply live and are what a class
        # changes most, so they sit above the fold (at 1440×900 they were below it).
        for group in (training, data, features, architecture):
            layout.addWidget(group)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error_label.setToolTip("Why the last change was not applied")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.set_spec(spec if spec is not None else Spec())

    # ---- public API -------------------------------------------------------------------------
    @property
    def layer_rows(self):
        return self.layer_list.rows

    @property
    def add_layer_button(self) -> QPushButton:
        return self.layer_list.add_layer_button

    def spec(self) -> Spec:
        """The spec the widgets describe (not necessarily valid if an error is shown): a copy,
        but sharing the points, labels and weights lists, which nobody may modify in place."""
        return editable_copy(self._spec)

    def set_spec(self, spec: Spec) -> None:
        """Show a spec in every widget without emitting anything."""
        self._spec = editable_copy(spec)
        s = self._spec
        if s.features:
            self._last_features = list(s.features)
        with self._quiet():
            self._fill_datasets()
            show_value(self.classes_spin, s.classes)
            show_value(self.noise_spin, s.noise)
            show_value(self.train_fraction_spin, round(s.train_fraction * 100))
            show_value(self.samples_spin, s.samples)
            show_value(self.seed_spin, s.seed)
            self._show_features()
            self._architecture.show_spec(s)
            self._training.show_spec(s)
        self._sync_enabled()
        self._show_error("")

    def choose_csv(self) -> str:
        """Ask for a CSV file; returns "" when cancelled (tests replace this method)."""
        path, _filter = QFileDialog.getOpenFileName(
            self, "Load a CSV dataset", "", "CSV files (*.csv);;All files (*)")
        return path

    # ---- sections ---------------------------------------------------------------------------
    def _data_group(self) -> QGroupBox:
        group = QGroupBox("Data")
        form = form_layout(group)
        self.dataset_combo = guard_wheel(narrow_combo(QComboBox()))
        self.dataset_combo.setToolTip(
            "The 2-D dataset to learn. Circle and gaussians are nearly linear; XOR and spiral "
            "need hidden layers (or product/sine features); the regression sets predict a number.")
        self.dataset_combo.currentIndexChanged.connect(self._on_dataset)
        self.csv_button = QPushButton("Load CSV…")
        self.csv_button.setToolTip(
            "Train on your own numeric CSV: one row per sample, the last column is the label "
            "(a header row is allowed). Input features are the raw columns; with two of them, "
            "x₁², sin x₁, … can be added too.")
        self.csv_button.clicked.connect(self._on_csv)
        form.addRow("Dataset", self.dataset_combo)
        self.classes_spin = spin_box(2, 5, tip=(
            "Number of blobs (classes). More than two classes need a softmax output with "
            "cross-entropy, one output neuron per class."))
        self.classes_spin.valueChanged.connect(lambda v: self._data_edit(classes=v))
        form.addRow("Classes", self.classes_spin)
        self.noise_spin = CompactDoubleSpinBox(0.0, 0.5, 2, step=0.05)
        self.noise_spin.setToolTip(
            "How much the points are jittered (0–0.5). Noise blurs the boundary between classes: "
            "the loss cannot reach zero and a big network starts fitting the noise (overfitting).")
        self.noise_spin.valueChanged.connect(lambda v: self._data_edit(noise=v))
        form.addRow("Noise", self.noise_spin)
        self.train_fraction_spin = spin_box(10, 90, step=5, suffix=" %", tip=(
            "Share of the points used for training; the rest is the test set. Less training data "
            "makes the gap between training and test loss (overfitting) easier to see."))
        self.train_fraction_spin.valueChanged.connect(
            lambda v: self._data_edit(train_fraction=v / 100))
        form.addRow("Training data", self.train_fraction_spin)
        self.samples_spin = spin_box(50, 2000, step=50, tip=(
            "Number of points generated (train + test). More points give a smoother loss but "
            "each epoch takes longer."))
        self.samples_spin.valueChanged.connect(lambda v: self._data_edit(samples=v))
        form.addRow("Samples", self.samples_spin)
        self.seed_spin = spin_box(0, 999_999, tip=(
            "Random seed for the data, the train/test split and the initial weights. The same "
            "seed gives exactly the same run."))
        self.seed_spin.valueChanged.connect(lambda v: self._data_edit(seed=v))
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.setToolTip(
            "Pick a new random seed: new data points and new initial weights.")
        self.regenerate_button.clicked.connect(self._on_regenerate)
        form.addRow("Seed", hbox(self.seed_spin, self.regenerate_button))
        form.addRow("Own data", hbox(self.csv_button))
        return group

    def _features_group(self) -> QGroupBox:
        group = QGroupBox("Input features")
        group.setToolTip("What the network sees of each point (x₁, x₂).")
        grid = QGridLayout(group)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.feature_checks: dict[str, QCheckBox] = {}
        for i, name in enumerate(FEATURES):
            check = QCheckBox(FEATURE_LABELS[name])
            check.setToolTip(
                f"Feed {FEATURE_LABELS[name]} to the network as an input. Hand-made features like "
                "x₁² or x₁·x₂ let even a tiny network draw curved boundaries; with only x₁, x₂ the "
                "hidden layers must learn them. At least one feature stays on.")
            check.toggled.connect(lambda on, name=name: self._on_feature(name, on))
            grid.addWidget(check, i // 4, i % 4)
            self.feature_checks[name] = check
        self.features_note = QLabel("This dataset feeds its raw columns to the network.")
        self.features_note.setEnabled(False)
        self.features_note.setWordWrap(True)
        grid.addWidget(self.features_note, 2, 0, 1, 4)
        return group

    def _architecture_group(self) -> QGroupBox:
        group = ArchitectureBox()
        self.layer_list, self.output_combo = group.layer_list, group.output_combo
        self.init_combo, self._architecture = group.init_combo, group
        self.layer_list.sigChanged.connect(self._on_layers)
        self.output_combo.currentIndexChanged.connect(self._on_output)
        self.init_combo.currentIndexChanged.connect(
            lambda _i: self._commit(True, initializer=self.init_combo.currentData()))
        return group

    def _training_group(self) -> QGroupBox:
        group = self._training = TrainingBox()
        self.optimizer_combo, self.lr_spin = group.optimizer_combo, group.lr_spin
        self.momentum_spin, self.batch_spin = group.momentum_spin, group.batch_spin
        self.reg_combo, self.reg_rate_spin = group.reg_combo, group.reg_rate_spin
        self.clip_spin, self.float32_check = group.clip_spin, group.float32_check
        self.optimizer_combo.currentIndexChanged.connect(self._on_optimizer)
        self.lr_spin.valueChanged.connect(lambda v: self._live("learning_rate", v))
        self.momentum_spin.valueChanged.connect(lambda v: self._live("momentum", v))
        self.batch_spin.valueChanged.connect(lambda v: self._live("batch_size", v))
        self.reg_combo.currentIndexChanged.connect(self._on_reg)
        self.reg_rate_spin.valueChanged.connect(lambda v: self._live("reg_rate", v))
        self.clip_spin.valueChanged.connect(lambda v: self._live("clip_norm", v))
        self.float32_check.toggled.connect(
            lambda on: self._commit(False, dtype="float32" if on else "float64"))
        self.feedback_combo = group.feedback_combo
        self.feedback_combo.currentIndexChanged.connect(
            lambda _i: self._commit(False, feedback=self.feedback_combo.currentData()))
        return group

    # ---- filling widgets --------------------------------------------------------------------
    def _fill_datasets(self) -> None:
        s, combo = self._spec, self.dataset_combo
        combo.clear()
        for name in GENERATED_DATASETS:
            combo.addItem(DATASET_LABELS.get(name, name), name)
        extras = {"given": s.dataset == "given" or s.points is not None,
                  "csv": s.dataset == "csv" or bool(s.csv_path)}
        for name, shown in extras.items():
            if not shown:
                continue
            label = f"CSV: {Path(s.csv_path).name}" if name == "csv" else "given points (loaded)"
            combo.addItem(label, name)
            i = combo.count() - 1
            combo.setItemData(i, QBrush(QColor("#808080")), Qt.ForegroundRole)
            combo.setItemData(i, "Data carried by the loaded spec, not generated: "
                              "samples, noise and features do not apply.", Qt.ToolTipRole)
        select_data(combo, s.dataset)

    def set_data_dim(self, dim: int) -> None:
        """The raw input columns of the data shown: data of two columns take features (x₁²,
        sin x₁, …) wherever they come from, a CSV file too."""
        self._raw_dim = dim
        with self._quiet():
            self._show_features()
        self._sync_enabled()

    def _show_features(self) -> None:
        # No features means the raw columns: for two of them, that is x₁ and x₂.
        shown = self._spec.features or (["x1", "x2"] if self._raw_dim == 2 else [])
        for name, check in self.feature_checks.items():
            check.setChecked(name in shown)

    def _sync_enabled(self) -> None:
        s = self._spec
        generated = s.dataset not in FIXED_DATASETS
        self.classes_spin.setEnabled(s.dataset == "blobs")
        self.noise_spin.setEnabled(generated and s.dataset != "xor4")
        self.samples_spin.setEnabled(generated and s.dataset != "xor4")
        self.train_fraction_spin.setEnabled(s.dataset not in ("xor4", "given"))
        features = generated or self._raw_dim == 2
        for check in self.feature_checks.values():
            check.setEnabled(features)
        self.features_note.setVisible(not features)
        self._training.sync_enabled(s)
        self._architecture.weights_note.setVisible(s.weights is not None)

    # ---- edits ------------------------------------------------------------------------------
    @contextmanager
    def _quiet(self):
        self._updating, was = True, self._updating
        try:
            yield
        finally:
            self._updating = was

    def _commit(self, drop_weights: bool, **changes) -> None:
        """Apply edited fields; emit the new spec only if it validates."""
        if self._updating:
            return
        if drop_weights:
            changes["weights"] = None  # explicit weights no longer fit the changed network
        self._spec = self._spec.replace(**changes)
        self._sync_enabled()
        try:
            valid = editable_copy(self._spec).validate()
        except ValueError as e:
            self._show_error(str(e))
            return
        self._show_error("")
        self.sigSpecChanged.emit(valid)

    def _live(self, name: str, value) -> None:
        """A setting the trainer takes between steps: no rebuild, training goes on."""
        if self._updating:
            return
        self._spec = self._spec.replace(**{name: value})
        self.sigLiveChanged.emit(name, value)

    def _sync_enabled_after(self, change) -> None:
        change()
        self._sync_enabled()  # e.g. momentum only for the momentum optimiser

    def _data_edit(self, **changes) -> None:
        """A data change: features follow the data's dimension, the output pair its task."""
        if self._updating:
            return
        s = self._spec.replace(**changes)
        if "dataset" in changes:
            if s.dataset in FIXED_DATASETS:
                changes["features"] = []  # raw columns: x₁, x₂ … would not fit
            elif not s.features:
                changes["features"] = list(self._last_features)
        pairs = output_loss_pairs(task_of(s))
        if (s.output_activation, s.loss) not in pairs:
            changes["output_activation"], changes["loss"] = pairs[0]
        with self._quiet():
            self._spec = self._spec.replace(**changes)
            self._architecture.show_output_pairs(self._spec)
            self._show_features()
        self._commit(True, **changes)

    def _on_dataset(self, _index: int) -> None:
        self._data_edit(dataset=self.dataset_combo.currentData())

    def _on_csv(self) -> None:
        path = self.choose_csv()
        if not path:
            return
        try:
            load_csv(path)  # refuse an unreadable file here rather than at rebuild
        except ValueError as e:
            self._show_error(str(e))
            self.sigFileError.emit(str(e))
            return
        self._spec = self._spec.replace(csv_path=path)
        with self._quiet():
            self._fill_datasets()  # adds (or renames) the CSV entry
            select_data(self.dataset_combo, "csv")
        self._data_edit(dataset="csv", csv_path=path)

    def _on_regenerate(self) -> None:
        seed = self._spec.seed
        while seed == self._spec.seed:
            seed = random.randrange(self.seed_spin.maximum() + 1)
        with self._quiet():
            self.seed_spin.setValue(seed)
        self._data_edit(seed=seed)

    def _on_feature(self, name: str, on: bool) -> None:
        if self._updating:
            return
        chosen = [n for n, check in self.feature_checks.items() if check.isChecked()]
        if not chosen:
            with self._quiet():
                self.feature_checks[name].setChecked(True)
            self._show_error("At least one input feature must stay on.")
            return
        self._last_features = list(chosen)
        self._commit(True, features=chosen)

    def _on_layers(self) -> None:
        hidden, activations = self.layer_list.layers()
        self._commit(True, hidden=hidden, activations=activations)

    def _on_output(self, _index: int) -> None:
        pair = self._architecture.output_pair()
        if pair:
            self._commit(True, output_activation=pair[0], loss=pair[1])

    def _on_optimizer(self, _index: int) -> None:
        name = self.optimizer_combo.currentData()
        self._sync_enabled_after(lambda: self._live("optimizer", name))

    def _on_reg(self, _index: int) -> None:
        kind = self.reg_combo.currentData()
        self._sync_enabled_after(lambda: self._live("regularization", kind))
        if kind != "none" and self._spec.reg_rate == 0 and not self._updating:
            with self._quiet():
                self.reg_rate_spin.setValue(0.001)
            self._live("reg_rate", 0.001)  # a rate of 0 would make the choice do nothing

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
