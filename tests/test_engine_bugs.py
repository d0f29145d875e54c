"""engine.bugs: each classic mistake makes the gradient check fail in exactly the tensors it
touches (hand-written sets on one net per bug, affected_tensors on more), remove() gives back
the bit-identical correct engine, a deep copy keeps the bug, the trainer's cached gradient
arrays see it, the step trace marks what it computed, and bad requests are one-line errors."""

import copy

import numpy as np
import pytest
from gradcheck_helpers import random_net, random_weights, targets

from engine import bugs
from engine.gradcheck import gradcheck
from engine.network import Network
from engine.presets import load_preset
from engine.trace import trace
from engine.trainer import Trainer


def make(sizes, activations, output, loss, seed=0, m=5):
    rng = np.random.default_rng(seed)
    net = Network.build(sizes, [*activations, output], loss,
                        weights=random_weights(rng, sizes, 1.0))
    X = rng.normal(size=(m, sizes[0]))
    return net, X, targets(rng, output, loss, m, sizes[-1])


NETS = {  # small deep nets with a square W above layer 1, batch 5
    "tanh-sigmoid/mse": ([2, 3, 3, 1], ["tanh", "sigmoid"], "sigmoid", "mse"),
    "relu-elu/softmax-ce": ([3, 4, 4, 2], ["relu", "elu"], "softmax", "ce"),
    "swish-softplus-leaky/bce": ([2, 5, 5, 5, 1], ["swish", "softplus", "leaky_relu"],
                                 "sigmoid", "bce"),
    "tanh-linear/linear-mse": ([1, 2, 2, 2], ["tanh", "linear"], "linear", "mse"),
}
ALL = {"A": ["1.W", "1.b", "2.W", "2.b", "3.W", "3.b"],
       "C": ["1.W", "1.b", "2.W", "2.b", "3.W", "3.b", "4.W", "4.b"]}
# Written out by hand from what each mistake touches (the highest layer it changes, and every
# layer below it that receives its error), not read back from affected_tensors.
EXPECTED = {
    ("no-activation-derivative", "tanh-sigmoid/mse"): ["1.W", "1.b", "2.W", "2.b"],
    ("no-activation-derivative", "swish-softplus-leaky/bce"):
        ["1.W", "1.b", "2.W", "2.b", "3.W", "3.b"],
    ("derivative-at-a", "tanh-sigmoid/mse"): ALL["A"],  # the sigmoid output too (not fused)
    ("derivative-at-a", "relu-elu/softmax-ce"): ["1.W", "1.b", "2.W", "2.b"],  # elu only
    ("derivative-at-a", "swish-softplus-leaky/bce"): ["1.W", "1.b", "2.W", "2.b"],
    ("bias-last-sample", "tanh-sigmoid/mse"): ["1.b", "2.b", "3.b"],
    ("bias-last-sample", "swish-softplus-leaky/bce"): ["1.b", "2.b", "3.b", "4.b"],
    ("loss-gradient-sign", "tanh-sigmoid/mse"): ALL["A"],
    ("loss-gradient-sign", "relu-elu/softmax-ce"): ALL["A"],  # fused: through ∂L/∂z
    ("missing-1-over-m", "swish-softplus-leaky/bce"): ALL["C"],
    ("missing-1-over-m", "tanh-linear/linear-mse"): ALL["A"],
    ("mse-missing-2", "tanh-sigmoid/mse"): ALL["A"],
    ("mse-missing-2", "tanh-linear/linear-mse"): ALL["A"],
    ("w-not-transposed", "tanh-sigmoid/mse"): ["1.W", "1.b"],  # W² is square
    ("w-not-transposed", "swish-softplus-leaky/bce"): ["1.W", "1.b", "2.W", "2.b"],  # W³
}
NOT_APPLICABLE = {
    ("no-activation-derivative", "tanh-linear/linear-mse"): "is linear",
    ("mse-missing-2", "relu-elu/softmax-ce"): "only the mean squared error",
    ("mse-missing-2", "swish-softplus-leaky/bce"): "only the mean squared error",
}


def failed_tensors(net, X, y):
    results = gradcheck(net, X, y)
    assert all(r.status() in ("passed", "failed") for r in results)
    return [r.name for r in results if r.status() == "failed"]


def test_the_menu():
    assert len(bugs.BUGS) >= 7
    for name, bug in bugs.BUGS.items():
        assert bug.name == name and name == name.lower() and " " not in name
        for text in (bug.title, bug.description, bug.effect):
            assert text and "\n" not in text


def test_every_bug_is_tested_on_at_least_two_nets():
    for name in bugs.BUGS:
        assert sum(bug == name for bug, _ in EXPECTED) >= 2, name


@pytest.mark.parametrize("bug, net_name", sorted(EXPECTED))
def test_the_check_fails_exactly_where_the_bug_is(bug, net_name):
    net, X, y = make(*NETS[net_name])
    assert bugs.applicable(net, bug) == ""
    assert failed_tensors(net, X, y) == []  # correct before
    bugs.inject(net, bug)
    assert bugs.injected(net) == bug
    assert failed_tensors(net, X, y) == EXPECTED[bug, net_name]
    assert bugs.affected_tensors(net, bug) == EXPECTED[bug, net_name]
    bugs.remove(net)
    assert failed_tensors(net, X, y) == [] and bugs.injected(net) is None


def smooth_random_nets(count):
    """Random deep nets without relu, leaky_relu or linear hidden layers: with those a bug can
    be invisible on a given batch (a dead unit's zero gradient stays zero whatever the formula;
    a unit on for the whole batch has f′ = 1)."""
    seed = 50
    while count:
        net, X, y = random_net(seed, max_batch=6, max_width=5)
        seed += 1
        if not {la.activation.name for la in net.layers[:-1]} & {"relu", "leaky_relu", "linear"}:
            count -= 1
            yield net, X, y


@pytest.mark.parametrize("net, X, y", list(smooth_random_nets(6)),
                         ids=[f"random-{i}" for i in range(6)])
def test_affected_tensors_on_random_deep_nets(net, X, y):
    tried = 0
    for name in bugs.BUGS:
        if bugs.applicable(net, name):
            continue
        bugs.inject(net, name)
        assert failed_tensors(net, X, y) == bugs.affected_tensors(net, name), name
        tried += 1
    assert tried >= 3


@pytest.mark.parametrize("bug, net_name", sorted(NOT_APPLICABLE))
def test_a_bug_that_does_not_apply_is_a_one_line_value_error(bug, net_name):
    net, _, _ = make(*NETS[net_name])
    reason = bugs.applicable(net, bug)
    assert NOT_APPLICABLE[bug, net_name] in reason and "\n" not in reason
    for call in (bugs.inject, bugs.affected_tensors, bugs.wrong_quantities):
        with pytest.raises(ValueError) as info:
            call(net, bug)
        assert str(info.value) == reason
    assert bugs.injected(net) is None


def test_more_reasons_not_to_apply():
    one_layer = Network.build([2, 1], ["sigmoid"], "bce")
    assert "hidden layer" in bugs.applicable(one_layer, "no-activation-derivative")
    relus = Network.build([2, 3, 3, 1], ["relu", "leaky_relu", "sigmoid"], "bce")
    assert "f′(a) = f′(z)" in bugs.applicable(relus, "derivative-at-a")
    no_square = Network.build([2, 3, 1, 1], ["tanh", "tanh", "linear"], "mse")  # 1×1 only
    assert "square" in bugs.applicable(no_square, "w-not-transposed")
    assert "unknown bug" in bugs.applicable(no_square, "off-by-one")
    with pytest.raises(ValueError, match="unknown bug 'off-by-one'; choose from"):
        bugs.inject(no_square, "off-by-one")


def test_a_failed_injection_leaves_an_injected_bug_alone():
    net, _, _ = make(*NETS["relu-elu/softmax-ce"])
    bugs.inject(net, "bias-last-sample")
    with pytest.raises(ValueError):
        bugs.inject(net, "mse-missing-2")
    assert bugs.injected(net) == "bias-last-sample"


def grads_and_factors(net, X, y):
    net.forward(X)
    net.backward(y, record=True)
    out = {k: g.copy() for k, g in net.grads().items()}
    for i, layer in enumerate(net.layers, 1):
        for key in ("dA", "fprime", "dZ", "dX"):
            value = getattr(layer, key)
            out[f"{i}.{key}"] = None if value is None else value.copy()
    return out


def assert_bit_identical(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert (a[k] is None) == (b[k] is None), k
        if a[k] is not None:
            assert np.array_equal(a[k], b[k]) and a[k].dtype == b[k].dtype, k


@pytest.mark.parametrize("net_name", sorted(NETS))
def test_remove_gives_back_the_bit_identical_engine(net_name):
    for name in bugs.BUGS:
        net, X, y = make(*NETS[net_name])
        clean, _, _ = make(*NETS[net_name])  # never bugged
        if bugs.applicable(net, name):
            continue
        bugs.inject(net, name)
        grads_and_factors(net, X, y)
        bugs.remove(net)
        assert all("backward" not in vars(la) and "backward_from_dZ" not in vars(la)
                   for la in net.layers)
        assert_bit_identical(grads_and_factors(net, X, y), grads_and_factors(clean, X, y))
        bugs.remove(net)  # a no-op on a clean network


def test_inject_replaces_the_bug_injected_before():
    net, X, y = make(*NETS["tanh-sigmoid/mse"])
    bugs.inject(net, "w-not-transposed")
    bugs.inject(net, "bias-last-sample")
    assert bugs.injected(net) == "bias-last-sample"
    assert failed_tensors(net, X, y) == ["1.b", "2.b", "3.b"]


@pytest.mark.parametrize("name", list(bugs.BUGS))
def test_a_deep_copy_keeps_the_bug_on_its_own_layers(name):
    net, X, y = make(*NETS["tanh-sigmoid/mse"])
    if bugs.applicable(net, name):
        net, X, y = make(*NETS["relu-elu/softmax-ce"])
    bugs.inject(net, name)
    twin = copy.deepcopy(net)
    assert bugs.injected(twin) == name
    expected = grads_and_factors(net, X, y)
    original_dW = net.layers[0].dW.copy()
    assert_bit_identical(grads_and_factors(twin, X * 1.0, y), expected)
    twin.forward(X * 2.0)
    twin.backward(y)
    assert np.array_equal(net.layers[0].dW, original_dW)  # the copy's bug writes to the copy
    bugs.remove(twin)
    assert bugs.injected(twin) is None and bugs.injected(net) == name


def test_the_trainer_steps_with_the_bugs_gradient_in_its_own_arrays():
    trainer = Trainer(load_preset("playground"))
    cached = trainer._grads  # the arrays the optimiser reads
    bugs.inject(trainer.network, "bias-last-sample")
    before = {k: p.copy() for k, p in trainer.network.params().items()}
    trainer.step()
    dZ = trainer.network.layers[0].dZ
    assert np.array_equal(cached["1.b"], dZ[-1]) and cached["1.b"] is trainer.network.layers[0].db
    lr = trainer.learning_rate
    np.testing.assert_allclose(trainer.network.params()["1.b"], before["1.b"] - lr * dZ[-1])


def test_the_trace_marks_what_the_bug_computed():
    trainer = Trainer(load_preset("playground"))
    bugs.inject(trainer.network, "no-activation-derivative")
    result = trace(trainer)
    marked = {(s.layer, q.key): q.wrong for s in result.stages for q in s.quantities if q.wrong}
    assert marked == {(2, "dZ"): "bug: f′(z) left out"}
    stage = next(s for s in result.stages if s.kind == "backward" and s.layer == 2)
    np.testing.assert_array_equal(stage.get("dZ"), stage.get("dA"))  # the mistake, visibly
    assert bugs.injected(trainer.network) == "no-activation-derivative"  # the copy's too
    as_dict = result.to_dict()["stages"]
    assert any(q["wrong"] == "bug: f′(z) left out" for s in as_dict for q in s["quantities"])


@pytest.mark.parametrize("name", list(bugs.BUGS))
def test_every_bugs_marks_are_recorded_quantities(name):
    spec = load_preset("playground").replace(hidden=[4, 4], activations=["tanh", "tanh"],
                                             loss="mse")
    trainer = Trainer(spec)
    bugs.inject(trainer.network, name)
    result = trace(trainer)
    marked = {(s.layer, q.key) for s in result.stages for q in s.quantities if q.wrong}
    assert marked == bugs.wrong_quantities(trainer.network, name)
    assert {q.wrong for s in result.stages for q in s.quantities if q.wrong} == {
        bugs.WRONG_NOTES[name]}


def test_a_correct_trace_has_no_marks():
    result = trace(Trainer(load_preset("playground")))
    assert not any(q.wrong for s in result.stages for q in (*s.quantities, *s.inputs))
