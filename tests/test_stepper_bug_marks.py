"""The step-through marks what an injected bug computed wrongly: the quantities whose
Quantity.wrong the engine filled are red with the engine's note, in their own equation and
wherever a later formula uses their numbers; a correct network shows no marks."""

import pytest

from engine import bugs
from engine.presets import load_preset
from gui.common.formula_markup import fmt
from gui.stepper.bug_marks import WRONG_NUMBER, wrong_caption, wrong_notes
from tests.window_helpers import make_window

RED_NUMBER = WRONG_NUMBER  # how a wrong number is wrapped


def open_stepper(qtbot, w):
    w.step_through_action.trigger()
    qtbot.waitUntil(lambda: w.stepper.trace is not None, timeout=5000)
    return w.stepper.panel


def inject(w, name):
    """Inject a bug into the trainer the worker owns, between two of its steps."""
    w.worker.call(bugs.inject, w.worker.trainer.network, name)


def stage_htmls(panel):
    out = []
    for index in range(panel.stage_count()):
        panel.go_to(index)
        out.append(panel.html())
    return out


def test_a_correct_network_shows_no_marks(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "playground")
    panel = open_stepper(qtbot, w)
    assert all(not wrong_notes(stage) for stage in panel._trace.stages)
    assert not any("⚠" in html or RED_NUMBER in html for html in stage_htmls(panel))
    assert not any("bug" in panel.stage_list.item(i).text()
                   for i in range(panel.stage_list.count()))


@pytest.mark.parametrize("hidden", [[4, 2], [3, 3]])  # [3, 3]: a square W (w-not-transposed)
def test_every_bug_is_marked_where_the_engine_says(qtbot, tmp_path, hidden):
    w = make_window(qtbot, tmp_path, None)
    w.apply_spec(load_preset("playground").replace(hidden=hidden, activations=["tanh"] * 2))
    qtbot.waitUntil(lambda: w.spec.hidden == hidden)
    network = w.worker.trainer.network
    tried = []
    for name in bugs.BUGS:
        if bugs.applicable(network, name):
            continue
        inject(w, name)
        panel = open_stepper(qtbot, w)
        trace = w.stepper.trace
        marked = {(stage.layer, key) for stage in trace.stages for key in wrong_notes(stage)}
        assert marked == bugs.wrong_quantities(network, name), name
        for index, stage in enumerate(trace.stages):
            notes = wrong_notes(stage)
            item = panel.stage_list.item(index)
            assert ("⚠ bug" in item.text()) == bool(notes), (name, stage.title)
            panel.go_to(index)
            html = panel.html()
            for key, note in notes.items():
                assert note in panel.text() and note in item.toolTip()
                assert wrong_caption(note) in html, (name, stage.title, key)
            if notes:
                assert "An injected bug computes these wrongly" in html
                assert RED_NUMBER in html
            elif stage.kind == "backward" and (stage.layer, "dA") in _handed_down(trace):
                assert "which handed it down" in panel.text()  # the wrong ∂L/∂a from above
            elif _uses_wrong_numbers(trace, stage):  # right here, from wrong numbers: red
                assert RED_NUMBER in html, (name, stage.title)
                assert "this value is wrong" not in html
            else:
                assert "⚠" not in html and RED_NUMBER not in html, (name, stage.title)
        w.stepper.cancel()
        tried.append(name)
    assert len(tried) >= 4
    assert ("w-not-transposed" in tried) == (hidden == [3, 3])


def _uses_wrong_numbers(trace, stage) -> bool:
    """Whether a stage without wrong results of its own shows wrong numbers as operands: the
    ∂L/∂z of the layer above (handed down), or its own layer's ∂L/∂W, ∂L/∂b (the update)."""
    def wrong_in(kind, layer):
        return {key for s in trace.stages if (s.kind, s.layer) == (kind, layer)
                for key in wrong_notes(s)}
    if stage.kind == "backward":
        return "dZ" in wrong_in("backward", stage.layer + 1)
    if stage.kind == "update":
        return bool({"dW", "db"} & wrong_in("backward", stage.layer))
    return False


def _handed_down(trace) -> set:
    """(layer, "dA") of the backward stages whose ∂L/∂a is the wrong ∂L/∂a_prev from above."""
    return {(s.layer - 1, "dA") for s in trace.stages
            if s.kind == "backward" and "dA_prev" in wrong_notes(s)}


def section(html, start, end):
    """The part of a stage's rich text from one equation's caption to the next one's."""
    first = html.index(start)
    return html[first:html.index(end, first)]


def test_a_wrong_value_is_red_in_its_equation_and_where_it_is_used(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "worked-example")  # 1-1-1, one sample: every number shown
    network = w.worker.trainer.network
    inject(w, "no-activation-derivative")
    assert bugs.wrong_quantities(network, "no-activation-derivative") == {(1, "dZ")}
    panel = open_stepper(qtbot, w)
    index = next(i for i, s in enumerate(panel._trace.stages)
                 if s.kind == "backward" and s.layer == 1)
    panel.go_to(index)
    stage = panel.current_stage()
    assert wrong_notes(stage) == {"dZ": "bug: f′(z) left out"}
    html = panel.html()
    dZ = fmt(stage.get("dZ").item())
    own = section(html, wrong_caption("bug: f′(z) left out"), "each weight")
    assert "the chain rule: the gradient arriving" in own  # beside ∂L/∂z's own equation
    assert f"{RED_NUMBER}{dZ}</span>" in own  # the result, in red
    # ∂L/∂W = xᵀ·∂L/∂z and ∂L/∂x = ∂L/∂z·Wᵀ use the wrong ∂L/∂z: red again as an operand;
    # their own results are not marked (the engine marks only what the bug computes itself).
    for start, end in (("each weight", "a bias"), ("the gradient with respect to", "</table>")):
        block = section(html, start, end)
        assert f"{RED_NUMBER}({dZ})</span>" in block
        assert "this value is wrong" not in block
    text = panel.text()
    assert "⚠ bug: f′(z) left out: this value is wrong" in text
    assert "⚠ bug" in panel.stage_list.item(index).text()
    # The layer above is computed right: no marks there.
    panel.go_to(index - 1)
    assert "⚠" not in panel.html()

    w.stepper.cancel()
    w.worker.call(bugs.remove, w.worker.trainer.network)
    panel = open_stepper(qtbot, w)
    assert not any("⚠" in html for html in stage_htmls(panel))


def test_escape_leaves_the_step_through_like_cancel(qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from tests.window_helpers import make_window

    w = make_window(qtbot, tmp_path)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.open_stepper()
    qtbot.waitUntil(lambda: w.stepper.trace is not None)
    step = w.latest_stats.step
    w.graph.setFocus()
    qtbot.keyClick(w.graph, Qt.Key_Escape)
    qtbot.waitUntil(lambda: not w.stepper.active)
    assert w.latest_stats.step == step  # nothing was taken
