"""engine.trace: the lessons' worked example to 4 decimals, and the traced step is the real step
(bit-identical parameters after it), for several presets and optimiser settings."""

import numpy as np
import pytest

from engine.presets import load_preset
from engine.trace import trace
from engine.trainer import Trainer

# The worked example (x = 2, y = 1, W1 = 0.5, b1 = 0.1, W2 = 0.8, b2 = 0.2, ReLU → sigmoid,
# MSE, η = 0.1), as the lessons print it.
FORWARD = {1: {"z": 1.1, "a": 1.1}, 2: {"z": 1.08, "a": 0.7465}}
LOSS = 0.0643
BACKWARD = {
    2: {"dA": -0.5070, "fprime": 0.1892, "dZ": -0.0959, "dW": -0.1055, "db": -0.0959,
        "dA_prev": -0.0768},
    1: {"dA": -0.0768, "dZ": -0.0768, "dW": -0.1535, "db": -0.0768},
}
UPDATED = {1: {"W_new": 0.5154, "b_new": 0.1077}, 2: {"W_new": 0.8106, "b_new": 0.2096}}


def stage(result, kind, layer):
    return next(s for s in result.stages if s.kind == kind and s.layer == layer)


@pytest.fixture
def worked():
    return trace(Trainer(load_preset("worked-example")))


def test_worked_example_stages_in_order(worked):
    order = [(s.kind, s.layer) for s in worked.stages]
    assert order == [("forward", 1), ("forward", 2), ("loss", None), ("backward", 2),
                     ("backward", 1), ("update", 1), ("update", 2)]
    assert worked.batch.tolist() == [0]


def test_worked_example_values_to_four_decimals(worked):
    for layer, values in FORWARD.items():
        for key, expected in values.items():
            got = stage(worked, "forward", layer).get(key).item()
            assert got == pytest.approx(expected, abs=5e-5)
    assert stage(worked, "loss", None).get("L").item() == pytest.approx(LOSS, abs=5e-5)
    for layer, values in BACKWARD.items():
        for key, expected in values.items():
            got = stage(worked, "backward", layer).get(key).item()
            assert got == pytest.approx(expected, abs=5e-5), (layer, key)
    for layer, values in UPDATED.items():
        for key, expected in values.items():
            got = stage(worked, "update", layer).get(key).item()
            assert got == pytest.approx(expected, abs=5e-5)


def test_worked_example_against_the_chain_rule_by_hand(worked):
    """The same numbers from the textbook formulas, to full precision."""
    x, y, W1, b1, W2, b2, lr = 2.0, 1.0, 0.5, 0.1, 0.8, 0.2, 0.1
    z1 = W1 * x + b1
    a1 = max(z1, 0.0)
    z2 = W2 * a1 + b2
    y_hat = 1 / (1 + np.exp(-z2))
    dy = 2 * (y_hat - y)
    dz2 = dy * y_hat * (1 - y_hat)
    da1 = dz2 * W2
    dz1 = da1 * (z1 > 0)
    back2, back1 = stage(worked, "backward", 2), stage(worked, "backward", 1)
    assert stage(worked, "loss", None).get("L").item() == pytest.approx((y_hat - y) ** 2, rel=1e-12)
    assert back2.get("dZ").item() == pytest.approx(dz2, rel=1e-12)
    assert back2.get("dW").item() == pytest.approx(dz2 * a1, rel=1e-12)
    assert back1.get("dW").item() == pytest.approx(dz1 * x, rel=1e-12)
    W1_new = stage(worked, "update", 1).get("W_new").item()
    assert W1_new == pytest.approx(W1 - lr * dz1 * x, rel=1e-12)
    assert stage(worked, "update", 2).get("b_new").item() == pytest.approx(b2 - lr * dz2, rel=1e-12)


def test_relu_derivative_is_recorded_and_the_update_reads_the_old_parameters(worked):
    back1 = stage(worked, "backward", 1)
    assert back1.get("fprime").item() == 1.0
    update = stage(worked, "update", 1)
    assert update.get("W").item() == 0.5 and update.get("lr").item() == 0.1
    assert update.get("dW").item() == pytest.approx(-0.1535, abs=5e-5)


def test_trace_values_are_read_only(worked):
    for s in worked.stages:
        for q in (*s.quantities, *s.inputs):
            with pytest.raises(ValueError):
                np.asarray(q.value)[...] = 0


def test_trace_to_dict_is_plain_json_data(worked):
    import json

    data = json.loads(json.dumps(worked.to_dict()))
    assert data["batch"] == [0] and data["step"] == 1
    assert data["loss"] == pytest.approx(LOSS, abs=5e-5)
    assert [s["kind"] for s in data["stages"]] == ["forward", "forward", "loss", "backward",
                                                  "backward", "update", "update"]


def test_trace_leaves_the_callers_trainer_untouched():
    trainer = Trainer(load_preset("playground"))
    trainer.step()
    before = [p.copy() for p in trainer.network.params().values()]
    state = (trainer.step_count, trainer.cursor, trainer.epoch, trainer.order.copy())
    trace(trainer)
    after = trainer.network.params().values()
    assert all(np.array_equal(p, q) for p, q in zip(before, after, strict=True))
    assert (trainer.step_count, trainer.cursor, trainer.epoch) == state[:3]
    assert np.array_equal(trainer.order, state[3])


def _variants():
    yield "worked-example", load_preset("worked-example")
    yield "xor", load_preset("xor")
    yield "playground", load_preset("playground")
    yield "softmax-2-3-2", load_preset("softmax-2-3-2")
    yield "vanishing", load_preset("vanishing")
    playground = load_preset("playground")
    yield "adam+l2+clip", playground.replace(optimizer="adam", learning_rate=0.01,
                                            regularization="l2", reg_rate=0.01, clip_norm=0.5)
    yield "momentum+l1", playground.replace(optimizer="momentum", regularization="l1",
                                            reg_rate=0.003, clip_norm=0.1)
    yield "float32", playground.replace(dtype="float32", activations=["relu", "sigmoid"])


def params_of(trainer):
    return [p.copy() for p in trainer.network.params().values()]


@pytest.mark.parametrize("name, spec", list(_variants()), ids=[n for n, _ in _variants()])
def test_traced_step_is_bit_identical_to_an_ordinary_step(name, spec):
    trainer = Trainer(spec)
    for _ in range(3):  # optimiser state (velocity, moments) and the batch cursor in play
        trainer.step()
    traced = trace(trainer)
    stats = trainer.step()
    after = traced.trainer_after
    for ours, theirs in zip(params_of(trainer), params_of(after), strict=True):
        assert np.array_equal(ours, theirs)
    assert stats.batch_loss == traced.stats.batch_loss
    assert trainer.stats().train_loss == after.stats().train_loss
    assert after.step_count == trainer.step_count
    # The traced batch is the one the ordinary step drew, and the trace's values are its own.
    n = len(trainer.network.layers)
    assert np.array_equal(stage(traced, "update", n).get("W_new"), trainer.network.layers[-1].W)
    assert np.array_equal(stage(traced, "forward", 1).get("a_prev"),
                          trainer.X_train[traced.batch])


@pytest.mark.parametrize("name, spec", list(_variants())[2:6], ids=[n for n, _ in _variants()][2:6])
def test_trace_with_explicit_indices_equals_step_with_those_indices(name, spec):
    trainer = Trainer(spec)
    trainer.step()
    indices = np.array([5, 1, 17, 3])
    traced = trace(trainer, indices)
    trainer.step(indices)
    for ours, theirs in zip(params_of(trainer), params_of(traced.trainer_after), strict=True):
        assert np.array_equal(ours, theirs)
    assert traced.batch.tolist() == [5, 1, 17, 3]
    assert stage(traced, "loss", None).get("y").shape[0] == 4


def test_update_stage_shows_the_gradient_the_optimiser_used():
    spec = load_preset("playground").replace(regularization="l2", reg_rate=0.5)
    trainer = Trainer(spec)
    traced = trace(trainer)
    back, update = stage(traced, "backward", 1), stage(traced, "update", 1)
    # The backward stage keeps the data-loss gradient; the update adds λW (L2).
    expected = back.get("dW") + 0.5 * update.get("W")
    np.testing.assert_allclose(update.get("dW"), expected, rtol=1e-12)
    assert "regularisation" in update.note


def test_update_formula_names_the_optimiser():
    sgd = trace(Trainer(load_preset("worked-example")))
    assert stage(sgd, "update", 1).quantities[0].formula == "W⁽¹⁾ − η·∂L/∂W⁽¹⁾"
    adam = trace(Trainer(load_preset("worked-example").replace(optimizer="adam")))
    formula = stage(adam, "update", 1).quantities[0].formula
    assert "adam" in formula and "−" not in formula
    assert "m̂" in stage(adam, "update", 1).note


def test_fused_output_layer_records_dA_and_fprime_for_display():
    traced = trace(Trainer(load_preset("xor")))
    out = stage(traced, "backward", 2)
    assert out.fused and "fused" in out.note
    y_hat, y = stage(traced, "loss", None).get("y_hat"), stage(traced, "loss", None).get("y")
    m = len(traced.batch)
    np.testing.assert_allclose(out.get("dZ"), (y_hat - y) / m, rtol=1e-12)
    np.testing.assert_allclose(out.get("dZ"), out.get("dA") * out.get("fprime"), rtol=1e-6)


def test_softmax_output_has_no_elementwise_derivative_in_the_trace():
    traced = trace(Trainer(load_preset("softmax-2-3-2")))
    out = stage(traced, "backward", 2)
    keys = [q.key for q in out.quantities]
    assert "fprime" not in keys and keys[0] == "dA"
    with pytest.raises(KeyError):
        out.get("fprime")
