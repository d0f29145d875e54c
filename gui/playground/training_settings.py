"""The "Training" section of the architecture editor: optimiser, learning rate, momentum, batch
size, regularisation, gradient clipping, float32 and the gradient signal (backprop or feedback
alignment).

`TrainingBox` only builds, fills and enables its widgets; the editor connects their signals,
since most of these settings apply live (no rebuild) and float32 needs one.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel

from engine.feedback import FEEDBACK_LABELS, FEEDBACK_MODES
from engine.optimizers import OPTIMIZER_LABELS, OPTIMIZERS
from engine.spec import Spec
from gui.playground.layer_list import (
    CompactDoubleSpinBox,
    choice_combo,
    form_layout,
    hbox,
    select_data,
    show_value,
    spin_box,
)

LR_LADDER = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # TF Playground
REG_LABELS = {"none": "none", "l1": "L1", "l2": "L2"}


class TrainingBox(QGroupBox):
    """The training hyper-parameters. The editor connects to the widgets."""

    def __init__(self, parent=None):
        super().__init__("Training", parent)
        form = form_layout(self)
        self.optimizer_combo = choice_combo(
            {k: OPTIMIZER_LABELS.get(k, k) for k in OPTIMIZERS},
            "The update rule. SGD steps against the gradient; momentum keeps a running "
            "velocity that rolls through flat regions; Adam scales each weight's step by its "
            "gradient history.")
        form.addRow("Optimiser", self.optimizer_combo)
        # Up to 1e6, not 10: a student trying a huge rate should see it diverge (the run is
        # caught and can be rewound), not have the box quietly turn it into 10.
        self.lr_spin = CompactDoubleSpinBox(0.00001, 1e6, 5, ladder=LR_LADDER)
        self.lr_spin.setToolTip(
            "Step size η (applies live). Too small: the loss creeps down; too large: it jumps "
            "around or explodes. The arrows walk through TF Playground's values.")
        form.addRow("Learning rate", self.lr_spin)
        self.momentum_spin = CompactDoubleSpinBox(0.0, 0.999, 3, step=0.05)
        self.momentum_spin.setToolTip(
            "Momentum μ (SGD + momentum only): how much of the previous step is kept. 0.9 "
            "smooths zig-zags and speeds up long valleys; near 1 it overshoots.")
        form.addRow("Momentum", self.momentum_spin)
        self.batch_spin = spin_box(1, 500, tip=(
            "Points per gradient step (applies live). Small batches give noisy but frequent "
            "updates; large ones give smooth, slower steps."))
        form.addRow("Batch size", self.batch_spin)
        self.reg_combo = choice_combo(REG_LABELS, (
            "Weight penalty added to the loss. L2 shrinks all weights a little each step; "
            "L1 pushes small weights to exactly zero. Both fight overfitting."))
        self.reg_combo.setMinimumContentsLength(4)  # "none", "L1", "L2"
        self.reg_rate_spin = CompactDoubleSpinBox(0.0, 10.0, 5, ladder=(0.0, *LR_LADDER))
        self.reg_rate_spin.setToolTip(
            "Regularisation rate λ (applies live): how strongly weights are pulled toward "
            "zero. Too high and the network underfits.")
        form.addRow("Regularisation", hbox(self.reg_combo, self.reg_rate_spin))
        self.clip_spin = CompactDoubleSpinBox(0.0, 100.0, 2, step=0.5)
        self.clip_spin.setSpecialValueText("off")
        self.clip_spin.setToolTip(
            "Gradient clipping: if the gradient of all weights together is longer than this, "
            "scale it down to this length. Stops exploding updates; 0 = off.")
        form.addRow("Gradient clip", self.clip_spin)
        self.float32_check = QCheckBox("Use float32 (faster, less precise)")
        self.float32_check.setToolTip(
            "Compute in 32-bit floats: roughly twice as fast, but rounding is visible in tiny "
            "gradients and gradient checks. The default float64 is exact enough for checks.")
        form.addRow(self.float32_check)
        self.feedback_combo = choice_combo(
            {k: FEEDBACK_LABELS.get(k, k) for k in FEEDBACK_MODES},
            "How the error travels back to the hidden layers (changing it rebuilds the network): "
            "backprop sends it through the transposed weights Wᵀ, feedback alignment through a "
            "fixed random matrix B instead, and the network still learns because its weights "
            "come to align with B (the angle plot below shows how closely).")
        # On a row of its own, as wide as the panel: the FA label is long.
        signal_label = QLabel("Gradient signal")
        signal_label.setToolTip(self.feedback_combo.toolTip())
        form.addRow(signal_label)
        form.addRow(self.feedback_combo)

    def show_spec(self, spec: Spec) -> None:
        """Fill every widget from a spec (the caller guards against echoed signals)."""
        select_data(self.optimizer_combo, spec.optimizer)
        show_value(self.lr_spin, spec.learning_rate)
        show_value(self.momentum_spin, spec.momentum)
        show_value(self.batch_spin, spec.batch_size)
        select_data(self.reg_combo, spec.regularization)
        show_value(self.reg_rate_spin, spec.reg_rate)
        show_value(self.clip_spin, spec.clip_norm)
        self.float32_check.setChecked(spec.dtype == "float32")
        select_data(self.feedback_combo, spec.feedback)

    def sync_enabled(self, spec: Spec) -> None:
        """Momentum only for the momentum optimiser, a rate only with a penalty chosen."""
        self.momentum_spin.setEnabled(spec.optimizer == "momentum")
        self.reg_rate_spin.setEnabled(spec.regularization != "none")
