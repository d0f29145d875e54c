"""The window's layout: the sidebar (training buttons and the editor, scrolling), the node graph
with the divergence banner in the centre, the decision boundary on the right, and the loss and
gradient-norm plots below (and, under feedback alignment, the alignment-angle plot beside them);
and how a trainer's network, data and history fill those views."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from engine.datasets import FEATURE_LABELS, Dataset
from engine.spec import Spec
from gui.graph.network_graph import NetworkGraph
from gui.lab.lab_mode import LabMode
from gui.playground.architecture_editor import ArchitectureEditor
from gui.playground.divergence_banner import DivergenceBanner
from gui.playground.metrics_banner import MetricsBanner
from gui.plots.alignment_plot import AlignmentPlot
from gui.plots.boundary_grid import grid_points, line_points, plane_bounds
from gui.plots.boundary_view import BoundaryView
from gui.plots.grad_norm_plot import GradNormPlot
from gui.plots.loss_plot import LossPlot

PLOTS_MIN_HEIGHT = 190  # the loss and gradient-norm plots: ~150 px of plot under their checkboxes


def build_layout(window) -> None:
    """Create the views as attributes of the window (editor, graph, boundary, plots, …)."""
    window.editor = ArchitectureEditor()
    # Play, Step, Reset… live in the toolbar (and the Train menu) only: a second set of big
    # buttons here pushed the learning rate and the optimiser below the fold.
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(4, 4, 4, 4)
    left_layout.addWidget(window.editor)
    left_layout.addStretch(1)
    window.sidebar = scroll = QScrollArea()
    scroll.setWidget(left)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(left.sizeHint().width() + 24)

    window.graph = NetworkGraph()
    window.banner = DivergenceBanner()
    centre = QWidget()
    centre_layout = QVBoxLayout(centre)
    centre_layout.setContentsMargins(0, 0, 0, 0)
    centre_layout.addWidget(window.banner)
    centre_layout.addWidget(window.graph, 1)

    window.boundary = BoundaryView()
    window.metrics = MetricsBanner()  # presentation mode's big scores, above the boundary
    window.metrics.hide()
    right = QWidget()
    right_layout = QVBoxLayout(right)
    right_layout.setContentsMargins(0, 0, 0, 0)
    right_layout.addWidget(window.metrics)
    right_layout.addWidget(window.boundary, 1)
    window.loss_plot = LossPlot()
    window.grad_plot = GradNormPlot()
    window.alignment_plot = AlignmentPlot()
    window.step_plots = StepPlots(window.loss_plot, window.grad_plot, window.alignment_plot)

    top = window.top_splitter = QSplitter(Qt.Horizontal)
    top.addWidget(scroll)
    top.addWidget(centre)
    top.addWidget(right)
    top.setStretchFactor(1, 5)
    top.setStretchFactor(2, 4)
    top.setSizes([340, 620, 480])
    bottom = QSplitter(Qt.Horizontal)
    bottom.addWidget(window.loss_plot)
    bottom.addWidget(window.grad_plot)
    bottom.addWidget(window.alignment_plot)  # shown under feedback alignment only
    window.splitter = QSplitter(Qt.Vertical)
    window.splitter.addWidget(top)
    window.splitter.addWidget(bottom)
    window.splitter.setStretchFactor(0, 3)
    window.splitter.setStretchFactor(1, 1)
    # At 3:1 a 640-pixel-high window left the plots ~85 px, their "step" label cut off; below
    # this the node graph and the boundary give way first (a drag can still fold the plots away).
    bottom.setMinimumHeight(PLOTS_MIN_HEIGHT)
    window.splitter.setObjectName("mainSplitter")
    # Two modes: the network playground (the default) and the graph lab.
    window.lab = LabMode()
    window.modes = QTabWidget()
    window.modes.setDocumentMode(True)
    window.modes.addTab(window.splitter, "Network playground")
    window.modes.addTab(window.lab, "Graph lab")
    window.modes.setTabToolTip(0, "Build a network, train it live, step through one step")
    window.modes.setTabToolTip(1, "The chain rule on any expression: its computational graph, "
                                  "forward and backward, op by op")
    window.setCentralWidget(window.modes)


class StepPlots:
    """The plots against the step, fed from the worker's reports and redrawn together."""

    def __init__(self, loss_plot, grad_plot, alignment_plot):
        self.loss, self.grad, self.alignment = loss_plot, grad_plot, alignment_plot

    def extend(self, report, new_evaluation: bool) -> None:
        """A report's per-step rows, and its whole-set losses when they are a new point."""
        stats = report.stats
        if new_evaluation:
            self.loss.append(stats.step, stats.train_loss, stats.test_loss)
        if len(report.steps):
            self.grad.extend(report.steps, report.grad_norms)
            self.alignment.extend(report.steps, report.alignment)  # None under backprop

    def refresh(self) -> None:
        self.loss.refresh()
        self.grad.refresh()
        if not self.alignment.isHidden():  # shown under feedback alignment only
            self.alignment.refresh()


def restore_geometry(window) -> None:
    """The remembered window and splitter layout, else a size that fits the screen."""
    if not window.remembered.restore_bytes("geometry", window.restoreGeometry):
        screen = window.screen().availableGeometry() if window.screen() is not None else None
        if screen is None or screen.isEmpty():
            window.resize(1440, 900)
        else:  # 1440×900, or less on a 1280×720 projector
            window.resize(min(1440, screen.width()), min(900, screen.height()))
    window.remembered.restore_bytes("splitter", window.splitter.restoreState)


@dataclass(frozen=True)
class TrainerView:
    """What the views show of a trainer, read while the GUI thread still owns it, so that
    nothing is read from it once it belongs to the worker."""

    spec: Spec
    data: Dataset
    sizes: list[int]
    history: dict[str, np.ndarray]  # History.arrays(): copies
    step: int  # steps taken (the history of a long run keeps only some of them)
    grid: np.ndarray | None  # where the boundary view samples the network


def trainer_view(trainer) -> TrainerView:
    d = trainer.data
    grid = None
    if d.input_dim == 1:
        grid = line_points(d.points)
    elif d.input_dim == 2:
        grid = grid_points(bounds=plane_bounds(d.points))
    # The GUI's own spec (the worker edits trainer.spec); lists are shared, never mutated.
    return TrainerView(dataclasses.replace(trainer.spec), d, trainer.network.sizes,
                       trainer.history.arrays(), trainer.step_count, grid)


def show_trainer(window, view: TrainerView) -> None:
    """Show a trainer's network in the graph, its data in the boundary view and its history in
    the plots (a session or an undone rebuild brings its own)."""
    spec, d, sizes = view.spec, view.data, view.sizes
    labels = ([FEATURE_LABELS[f] for f in spec.features] if spec.features
              else list(d.column_names or [f"x{i + 1}" for i in range(sizes[0])]))
    window.graph.set_architecture(sizes, labels, [*spec.activations, spec.output_activation])
    window.boundary.set_data(d.points, d.labels, d.train_idx, d.test_idx, d.task, d.n_classes,
                             d.column_names)  # the plane is the raw columns, features or not
    window.loss_plot.clear()
    window.grad_plot.clear()
    window.grad_plot.set_layers(len(sizes) - 1)
    h = view.history
    window.loss_plot.extend(h["eval_step"], h["train_loss"], h["test_loss"])
    window.grad_plot.extend(h["step"], h["grad_norms"])
    window.alignment_plot.set_network(len(sizes) - 1, spec.feedback)
    window.alignment_plot.extend(h["step"], h.get("alignment"))
    window.alignment_plot.setVisible(spec.feedback == "fa")
    # Full-batch gradients are exact, not noisy: smoothing would only add lag.
    mini_batch = spec.batch_size < len(d.train_idx)
    window.grad_plot.smooth_check.setChecked(mini_batch)
    window.alignment_plot.smooth_check.setChecked(mini_batch)
