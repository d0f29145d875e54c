"""The graph lab in the window: the mode switch, the examples, editing an input, stepping,
clicking a node, the numeric check, bad expressions and the screenshot path."""

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsSimpleTextItem

from engine.presets import load_preset
from gui.playground.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def window(qtbot, tmp_path):
    w = MainWindow(load_preset("xor"),
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    return w


def open_lab(w):
    view_menu = next(m for m in w.menuBar().findChildren(type(w.recent_menu))
                     if m.title() == "&View")
    next(a for a in view_menu.actions() if "Graph lab" in a.text()).trigger()
    assert w.modes.currentIndex() == 1
    return w.lab


def test_the_view_menu_switches_modes_and_the_lab_owns_the_keys(qtbot, window):
    lab = open_lab(window)
    assert not window.actions.play.isEnabled() and not window.actions.step.isEnabled()
    assert all(s.isEnabled() for s in lab.shortcuts)
    # the training toolbar and read-out make room for the graph: they say nothing about it
    assert window.toolbar.isHidden()
    assert all(label.isHidden() for label in window.status_labels.values())
    window.modes.setCurrentIndex(0)
    assert window.actions.play.isEnabled() and not any(s.isEnabled() for s in lab.shortcuts)
    assert not window.toolbar.isHidden()
    assert not any(label.isHidden() for label in window.status_labels.values())


def test_the_chain_rule_example_is_there_at_once(window):
    lab = open_lab(window)
    assert lab.graph.output.value == 125 and lab.graph.inputs["x"].grad == 150


@pytest.mark.parametrize("k,output,grad", [(1, 1.21, ("w", 4.4)),
                                           (3, 0.0642653, ("w1", -0.153516))])
def test_examples_give_the_lessons_numbers(window, k, output, grad):
    lab = open_lab(window)
    lab.controls.example_buttons[k].click()
    assert lab.graph.output.value == pytest.approx(output, abs=1e-6)
    assert lab.graph.inputs[grad[0]].grad == pytest.approx(grad[1], abs=1e-6)


def test_editing_an_input_value_rebuilds_the_graph(qtbot, window):
    lab = open_lab(window)
    lab.controls.table.item(0, 1).setText("3")  # x = 3 in (2x + 1)³
    qtbot.waitUntil(lambda: lab.graph.output.value == 343)
    assert lab.graph.inputs["x"].grad == 294
    lab.controls.table.item(0, 1).setText("not a number")
    qtbot.waitUntil(lambda: "give 'x' a value" in lab.last_error)
    assert lab.graph.output.value == 343  # the last good graph stays


def test_stepping_highlights_each_stage(window):
    lab = open_lab(window)
    stepper = lab.stepper
    assert stepper.stage_count() == 3 + 1 + 3  # forward ×3, ∂f/∂f = 1, backward ×3
    for _ in range(stepper.stage_count()):
        stepper.next_button.click()
    assert stepper.current() == stepper.stage_count() - 1
    assert "∂f/∂x" in stepper.formula.text() and not stepper.next_button.isEnabled()
    stepper.previous_button.click()
    assert stepper.current() == stepper.stage_count() - 2


def test_clicking_a_node_explains_it(qtbot, window):
    lab = open_lab(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    index = lab.graph.index(lab.graph.inputs["x"])
    centre = lab.view.node_rect(index).center().toPoint()
    with qtbot.waitSignal(lab.view.sigNodeClicked, timeout=2000) as blocker:
        qtbot.mouseClick(lab.view.viewport(), Qt.LeftButton, pos=centre)
    assert blocker.args == [index]
    text = lab.stepper.formula.text()
    assert "x" in text and "150" in text


def test_the_numeric_check_shows_central_differences(window):
    lab = open_lab(window)
    lab.controls.check_box.setChecked(True)
    assert "numeric" in lab.check_label.text() and "150" in lab.check_label.text()


def test_a_gradient_step_lowers_the_loss(window):
    lab = open_lab(window)
    lab.controls.example_buttons[2].click()  # one neuron
    before = lab.graph.output.value
    lab.controls.step_button.click()
    assert lab.graph.output.value < before
    assert lab.controls.values()["x"] == 1.5  # x is an input, not learned


def test_every_hostile_expression_keeps_the_last_graph(window):
    from test_engine_lab import HOSTILE

    lab = open_lab(window)
    graph = lab.graph
    assert len(HOSTILE) >= 20
    for text, expected in HOSTILE:
        lab.controls.editor.setPlainText(text)
        lab.controls.show_inputs(["x", "y"], {"x": 2.0, "y": 3.0})
        lab.controls.apply_button.click()
        if text == "q + x":  # in the lab a new input gets a row (value 1) to edit instead
            assert lab.controls.table.rowCount() == 2 and lab.graph.inputs["q"].value == 1
            graph = lab.graph
            continue
        assert lab.graph is graph, text
        assert lab.controls.error_label.isVisibleTo(lab.controls), text
        assert lab.last_error and "\n" not in lab.last_error and expected in lab.last_error, (
            text, lab.last_error)
    lab.controls.example_buttons[0].click()  # and a good one works again
    assert lab.graph is not graph and not lab.last_error


def test_the_screenshot_path_renders_the_lab_at_a_stage(tmp_path):
    out = tmp_path / "lab.png"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--screenshot", str(out), "--graph",
         "z = w*x + b; L = z**2", "--at", "w=0.5,x=2,b=0.1", "--stage", "5", "--size",
         "1024x640"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert QImage(str(out)).width() == 1024
    bad = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--screenshot", str(out), "--graph", "x.y"],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1



def test_the_forward_walk_shows_only_values_computed_so_far(window):
    lab = open_lab(window)
    lab.controls.example_buttons[3].click()  # the worked example
    view, graph = lab.view, lab.graph
    value_text = {i: texts[1].text() for i, texts in enumerate(view._texts)}
    assert all("?" not in t for t in value_text.values())  # no stage: the finished graph
    lab.stepper.go_to(0)  # the first forward stage: only its node is computed
    first = lab.stages[0].node
    for i, node in enumerate(graph.order):
        text = view._texts[i][1].text()
        if node.op in ("input", "const") or i == first:
            assert "?" not in text
        else:
            assert text == "value ?"
    backward = next(k for k, s in enumerate(lab.stages) if s.kind == "backward")
    lab.stepper.go_to(backward)
    assert all("?" not in texts[1].text() for texts in view._texts)


def test_edges_from_constants_carry_no_derivative_label(window):
    lab = open_lab(window)  # (2x + 1)³: three constants
    labels = [item for item in lab.view.scene().items()
              if isinstance(item, QGraphicsSimpleTextItem) and item.parentItem() is not None
              and item.parentItem().toolTip().startswith("local derivative")]
    edges = sum(len(n.parents) for n in lab.graph.order)
    constants = sum(p.op == "const" for n in lab.graph.order for p in n.parents)
    assert constants == 3 and len(labels) == edges - constants
