"""The window's layout: the sidebar (training buttons and the editor, scrolling), the node graph
with the divergence banner in the centre, the decision boundary on the right, and the loss and
gradient-norm plots below."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QSplitter, QVBoxLayout, QWidget

from gui.graph.network_graph import NetworkGraph
from gui.playground.architecture_editor import ArchitectureEditor
from gui.playground.divergence_banner import DivergenceBanner
from gui.playground.training_controls import TrainingControls
from gui.plots.boundary_view import BoundaryView
from gui.plots.loss_plot import GradNormPlot, LossPlot


def build_layout(window) -> None:
    """Create the views as attributes of the window (editor, graph, boundary, plots, …)."""
    window.editor = ArchitectureEditor()
    window.controls = TrainingControls(window.actions)
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(4, 4, 4, 4)
    left_layout.addWidget(window.controls)
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
    window.loss_plot = LossPlot()
    window.grad_plot = GradNormPlot()

    top = QSplitter(Qt.Horizontal)
    top.addWidget(scroll)
    top.addWidget(centre)
    top.addWidget(window.boundary)
    top.setStretchFactor(1, 5)
    top.setStretchFactor(2, 4)
    top.setSizes([340, 620, 480])
    bottom = QSplitter(Qt.Horizontal)
    bottom.addWidget(window.loss_plot)
    bottom.addWidget(window.grad_plot)
    window.splitter = QSplitter(Qt.Vertical)
    window.splitter.addWidget(top)
    window.splitter.addWidget(bottom)
    window.splitter.setStretchFactor(0, 3)
    window.splitter.setStretchFactor(1, 1)
    window.splitter.setObjectName("mainSplitter")
    window.setCentralWidget(window.splitter)
