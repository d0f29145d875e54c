"""The graph lab, the window's second mode: an expression, its computational graph, and the
forward and backward pass through it stage by stage.

Every number comes from engine/lab.py and engine/lab_trace.py. A bad expression or value is
explained in one line under the editor and the last good graph stays on screen.

The lab is the window's second tab: its widgets are built, its first example computed and the
lab engine imported when it is first shown or first asked for (see _build), not for the
window's first frame.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QWidget

# What _build makes: asking for any of them builds the lab.
BUILT_ON_FIRST_USE = frozenset({"program", "graph", "stages", "last_error", "controls", "view",
                                "stepper", "check_label", "shortcuts"})


class LabMode(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._built = False
        self._keys_active = False
        QHBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    def __getattr__(self, name):  # only for attributes not (yet) set
        if name in BUILT_ON_FIRST_USE and not self._built:
            self._build()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def showEvent(self, event) -> None:
        if not self._built:
            self._build()
        super().showEvent(event)

    def _build(self) -> None:
        from gui.lab.graph_view import LabGraphView
        from gui.lab.lab_controls import LabControls
        from gui.lab.lab_stepper import LabStepper

        self._built = True
        self.program = self.graph = None
        self.stages = []
        self.last_error = ""
        self.controls = LabControls()
        self.view = LabGraphView()
        self.stepper = LabStepper()
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        self.check_label.setTextFormat(Qt.RichText)
        self.controls.layout().addWidget(self.check_label)
        # The graph gets the room, it is what a class looks at; op graphs run left to right, so
        # the stages and formulas lie under it rather than beside it.
        column = QSplitter(Qt.Vertical)
        column.addWidget(self.view)
        column.addWidget(self.stepper)
        column.setStretchFactor(0, 1)
        column.setSizes([420, 200])
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.controls)
        splitter.addWidget(column)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 1000])
        self.layout().addWidget(splitter)
        splitter.show()  # at once, also when built while the lab is being shown
        self.controls.sigApply.connect(self.apply)
        self.controls.sigStep.connect(self.gradient_step)
        self.controls.sigNumericCheck.connect(lambda _on: self._show_check())
        self.stepper.sigStageChanged.connect(self._on_stage)
        self.view.sigNodeClicked.connect(self.show_node)
        self.shortcuts = [
            QShortcut(QKeySequence(key), self, activated=slot)
            for key, slot in (("Right", lambda: self.stepper.next_button.click()),
                              ("Left", lambda: self.stepper.previous_button.click()),
                              ("Space", lambda: self.stepper.play_button.toggle()))]
        self.set_keys_active(self._keys_active)
        self.controls.load_example(0)

    def set_keys_active(self, on: bool) -> None:
        """→ ← Space step the lab while it is shown (the playground's actions are off then)."""
        self._keys_active = on
        if not self._built:
            return  # _build applies it
        for shortcut in self.shortcuts:
            shortcut.setEnabled(on)

    # -- computing ------------------------------------------------------------------------------
    def apply(self) -> bool:
        """Rebuild the graph from the editor and the inputs; False (and a message, the old
        graph kept) when the expression or a value is refused."""
        from engine.lab import build, parse
        from engine.lab_trace import lab_trace

        try:
            program = parse(self.controls.expression())
            self.controls.show_inputs(list(program.inputs), {})
            graph = build(program, self.controls.values())
        except ValueError as e:
            self.last_error = str(e)
            self.controls.show_error(self.last_error)
            return False
        self.last_error = ""
        self.controls.show_error("")
        keep = self.stepper.current() if self.program is not None and \
            program.text == self.program.text else -1
        self.program, self.graph = program, graph
        self.stages = lab_trace(graph)
        self.view.set_graph(graph)
        self.stepper.set_stages(self.stages, keep)
        self._show_check()
        return True

    def gradient_step(self) -> None:
        from engine.lab_trace import descend

        if self.program is None:
            return
        try:
            values, _losses = descend(self.program, self.controls.values(),
                                      self.controls.parameters(), self.controls.lr_spin.value())
        except ValueError as e:
            self.controls.show_error(str(e))
            return
        self.controls.show_inputs(list(self.program.inputs), values)
        self.apply()

    # -- showing --------------------------------------------------------------------------------
    def _on_stage(self, index: int) -> None:
        if self.graph is None:
            return
        if not 0 <= index < len(self.stages):  # no stage: the finished graph
            self.view.set_pending(())
            self.view.set_show_gradients(True)
            self.view.set_highlight(None)
            return
        stage = self.stages[index]
        # The forward walk shows the values computed so far, no further.
        done = {s.node for s in self.stages[:index + 1] if s.kind == "forward"}
        self.view.set_pending(
            i for i, n in enumerate(self.graph.order)
            if stage.kind == "forward" and n.op not in ("input", "const") and i not in done)
        self.view.set_show_gradients(stage.kind != "forward")
        node = self.graph.order[stage.node]
        parents = ([c.parent for c in stage.contributions] if stage.kind == "backward"
                   else [self.graph.index(p) for p in node.parents])
        self.view.set_highlight(stage.node, parents)

    def show_node(self, index: int) -> None:
        """A clicked node: how it was computed, and its gradient as a chain-rule sum."""
        from engine.lab_trace import name_of

        graph = self.graph
        node = graph.order[index]
        name, top = name_of(graph, node), name_of(graph, graph.output)
        lines = [f"<b>{name}</b> ({node.op}) = {node.value:.6g}"]
        forward = next((s for s in self.stages if s.kind == "forward" and s.node == index), None)
        if forward is not None:
            lines.append(f"{forward.formula}<br>{forward.numbers}")
        terms = []
        for child in graph.order:
            for parent, local in zip(child.parents, child.local):
                if parent is node:
                    terms.append(f"{child.grad:.6g} × {local:.6g}  (through "
                                 f"{name_of(graph, child)})")
        if terms:
            lines.append(f"∂{top}/∂{name} = " + " + ".join(terms)
                         + f" = <b>{node.grad:.6g}</b>")
        elif node is graph.output:
            lines.append(f"∂{top}/∂{name} = 1 (the output)")
        self.stepper.show_text("<p>" + "</p><p>".join(lines) + "</p>")

    def _show_check(self) -> None:
        if not self.controls.check_box.isChecked() or self.program is None:
            self.check_label.setText("")
            return
        from engine.lab_trace import numeric_check

        try:
            checks = numeric_check(self.program, self.controls.values())
        except ValueError as e:
            self.check_label.setText(str(e))
            return
        rows = "".join(f"<tr><td>∂L/∂{c.name}</td><td>{c.backprop:.6g}</td>"
                       f"<td>{c.numeric:.6g}</td><td>{c.relative_difference:.1e}</td></tr>"
                       for c in checks)
        self.check_label.setText(
            "<table cellpadding=2><tr><th></th><th>backprop</th><th>numeric</th>"
            f"<th>rel. diff.</th></tr>{rows}</table>")
