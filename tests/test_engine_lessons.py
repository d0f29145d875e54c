"""The shipped lessons: they parse and validate, follow the course order, stay 4-10 steps, name
only what the registry has, and every number a task expects is the engine's own."""

import copy
import math

import pytest
from engine_helpers import stepped

from engine import bugs
from engine.gradcheck import check_data
from engine.lab import build, parse
from engine.lab_cli import parse_values
from engine.lab_trace import descend
from engine.lesson_registry import ACTIONS, CHECKS, FIELDS, WIDGETS, describe
from engine.lessons import (
    Lesson,
    answer_matches,
    lesson_by_name,
    load_lesson,
    parse_lesson,
    shipped_lessons,
)
from engine.presets import load_preset
from engine.trainer import Trainer

COURSE = ["chain-rule", "computational-graphs", "one-neuron", "worked-example", "xor",
          "gradient-checking", "pytorch", "vanishing-gradients", "optimisers",
          "feedback-alignment"]


def all_lessons() -> list[Lesson]:
    return [load_lesson(p) for p in shipped_lessons()]


def test_ten_lessons_in_course_order_each_4_to_10_steps():
    lessons = all_lessons()
    assert [lesson.name for lesson in lessons] == COURSE
    assert [p.name[:3] for p in shipped_lessons()] == [f"{i:02d}-" for i in range(1, 11)]
    for lesson in lessons:
        assert 4 <= len(lesson.steps) <= 10, lesson.name
        assert all(step.text and step.title for step in lesson.steps)
        assert lesson_by_name(lesson.name) == lesson


def test_registry_covers_every_name_the_lessons_use():
    used = {"actions": set(), "checks": set(), "widgets": set()}
    for lesson in all_lessons():
        for step in lesson.steps:
            if step.show:
                assert step.show.name in ACTIONS
                used["actions"].add(step.show.name)
            if step.task:
                assert step.task.name in CHECKS
                used["checks"].add(step.task.name)
            if step.highlight:
                assert step.highlight in WIDGETS
                used["widgets"].add(step.highlight)
    # The registry stays small and real: most of it is used by the course itself.
    assert len(used["actions"]) >= len(ACTIONS) - 3
    assert len(used["checks"]) >= len(CHECKS) - 1
    for entry in (*ACTIONS.values(), *CHECKS.values()):
        for key in entry.at_least_one_of:
            assert key in {a.name for a in entry.args}
    text = "\n".join(describe())
    assert all(name in text for name in (*ACTIONS, *CHECKS, *WIDGETS, *FIELDS))


def test_every_lab_expression_and_every_lab_check_names_something_real():
    for lesson in all_lessons():
        lab = None
        for step in lesson.steps:
            if step.show and step.show.name == "load_lab":
                lab = parse(step.show.get("expression"))
                build(lab, parse_values(step.show.get("values")))
            if step.task and step.task.name.startswith("lab_"):
                assert lab is not None and step.task.get("name") in (
                    *lab.inputs, *(n for n, _, _ in lab.lines if n))


def test_dataclasses_are_frozen():
    step = all_lessons()[0].steps[0]
    with pytest.raises(AttributeError):
        step.title = "x"


def test_answer_matching_rounds_or_cuts():
    assert answer_matches(-0.154, -0.15352, 3) and answer_matches(-0.153, -0.15352, 3)
    assert not answer_matches(-0.152, -0.15352, 3)
    assert answer_matches(150, 150, 0) and not answer_matches(149, 150, 0)
    assert not answer_matches(math.nan, 1.0, 2)


def _tasks(name):
    return [s.task for s in lesson_by_name(name).steps if s.task]


def _lab(expression, values):
    return build(parse(expression), parse_values(values))


def test_lab_lessons_numbers_are_the_engines():
    f = _lab("f = (2*x + 1)**3", "x=2")
    assert f.output.value == 125 and f.inputs["x"].grad == 150
    assert _lab("f = (2*x + 1)**3", "x=1").inputs["x"].grad == 54
    assert [t.get("equals") for t in _tasks("chain-rule")] == [125, 2, 75, 150, 54]
    g = _lab("a = w*x; z = a + b; L = z**2", "w=2,x=3,b=1")
    assert g.output.value == 49 and g.named["z"].value == 7 and g.named["z"].grad == 14
    assert (g.inputs["w"].grad, g.inputs["x"].grad, g.inputs["b"].grad) == (42, 28, 14)
    assert [t.get("equals") for t in _tasks("computational-graphs")] == [49, 7, 14, 42, 7]
    assert _lab("y = x*x + x", "x=3").inputs["x"].grad == 7


NEURON = "z = w1*x1 + w2*x2 + w3*x3 + b; a = sigmoid(z); L = 0.5*(y - a)**2"
NEURON_AT = {"w1": 0.5, "w2": -0.2, "w3": 0.1, "x1": 1.0, "x2": 2.0, "x3": 3.0, "b": 0.3,
             "y": 1.0}
LEARNED = ["w1", "w2", "w3", "b"]


def test_one_neuron_lesson_numbers_are_the_engines():
    program = parse(NEURON)
    n = build(program, NEURON_AT)
    loaded, dz, dw3, w3, w3_lab, below = _tasks("one-neuron")
    assert abs(n.output.value - loaded.get("equals")) < loaded.get("tol")
    assert answer_matches(n.inputs["b"].grad, dz.get("equals"), 6)  # ∂L/∂z = ∂L/∂b
    assert answer_matches(n.inputs["w3"].grad, dw3.get("equals"), 6)
    stepped = descend(program, dict(NEURON_AT), LEARNED, 0.1, 1)[0]
    assert abs(stepped["w3"] - w3_lab.get("equals")) < 1e-6
    assert answer_matches(stepped["w3"], w3.get("equals"), 6)
    losses = descend(program, stepped, LEARNED, 1.0, 5)[1]  # L before each of 5 presses
    assert losses[2] > below.get("below") > losses[3]  # below after the third press


def test_worked_example_and_pytorch_lessons_match_the_trace():
    trainer = Trainer(load_preset("worked-example"))
    stats = stepped(trainer)
    net = Trainer(load_preset("worked-example")).network
    expected = [t.get("equals") for t in _tasks("worked-example") if t.name == "answer"]
    L, dw2, dw1, w1 = expected
    assert answer_matches(stats.batch_loss, L, 6)  # the loss the step measured
    assert answer_matches(trainer.network.layers[0].W[0, 0], w1, 6)
    X, y, _ = check_data(Trainer(load_preset("worked-example")), None, max_rows=8)
    net.forward(X)
    net.backward(y)
    grads = net.grads()
    assert answer_matches(grads["2.W"][0, 0], dw2, 6) and answer_matches(grads["1.W"][0, 0], dw1, 6)
    assert [t.get("equals") for t in _tasks("pytorch") if t.name == "answer"] == [dw1]


def _train(spec, steps):
    trainer = Trainer(spec)
    for _ in range(steps):
        stats = stepped(trainer)
    return trainer, stats


def test_training_lessons_thresholds_are_met_as_the_text_says():
    assert _train(load_preset("xor"), 300)[1].train_loss < 0.05
    seed0 = load_preset("xor").replace(seed=0)
    assert _train(seed0, 2000)[1].accuracy == 0.75
    assert _train(load_preset("xor"), 2000)[1].accuracy == 1.0
    vanishing = load_preset("vanishing")
    norms = _train(vanishing, 1)[1].grad_norms
    assert norms[6] / norms[0] >= 100
    relu = vanishing.replace(activations=["relu"] * 6)
    norms = _train(relu, 1)[1].grad_norms
    assert norms[6] / norms[0] <= 10
    playground = load_preset("playground")
    assert _train(playground, 300)[1].train_loss > 0.6
    assert _train(playground.replace(optimizer="momentum"), 300)[1].train_loss < 0.1
    assert _train(playground.replace(learning_rate=10.0), 300)[1].train_loss > 0.9


def test_feedback_alignment_lesson_angle_falls_below_45():
    fa = load_preset("playground").replace(feedback="fa")
    trainer = Trainer(fa)
    assert trainer.step().alignment[0] > 45
    assert _train(fa, 1000)[1].alignment[0] < 45


def test_gradient_checking_lesson_bugs():
    from engine.gradcheck import gradcheck

    trainer = Trainer(load_preset("playground").replace(dtype="float64"))
    X, y, _ = check_data(trainer, None, max_rows=16)
    net = copy.deepcopy(trainer.network)
    bugs.inject(net, "derivative-at-a")
    failed = [r.name for r in gradcheck(net, X, y) if r.relative_difference > 1e-7]
    assert sorted({name.split(".")[0] for name in failed}) == ["1", "2"]
    assert answer_matches(0.25 ** 6, [t for t in _tasks("vanishing-gradients")
                                      if t.name == "answer"][0].get("equals"), 6)


def test_parse_lesson_from_text():
    lesson = parse_lesson("---\nname: tiny\ntitle: Tiny\n---\n## One\nHello.\n"
                          "task: training_loss below=0.1\n", "tiny.md")
    assert lesson.mode == "playground" and lesson.steps[0].task.get("below") == 0.1
