"""engine.trainer and engine.optimizers: learning, determinism, divergence, optimiser
arithmetic, mini-batching, per-step statistics."""

import numpy as np
import pytest

from engine.optimizers import (
    SGD,
    Adam,
    Momentum,
    add_regularization,
    clip_by_global_norm,
    make_optimizer,
    regularization_penalty,
)
from engine.presets import load_preset
from engine.trainer import Trainer


def params_of(trainer):
    return {k: p.copy() for k, p in trainer.network.params().items()}


def same_params(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


# -- learning ------------------------------------------------------------------------------

def test_xor_reaches_full_accuracy_within_2000_steps():
    trainer = Trainer(load_preset("xor"))
    for _ in range(2000):
        stats = trainer.step()
    assert stats.accuracy == 1.0 and not stats.diverged
    assert stats.train_loss < 0.05  # confidently right, not just on the right side of 0.5
    assert stats.step == 2000 and isinstance(stats.accuracy, float)


def test_loss_falls_on_the_playground_preset():
    trainer = Trainer(load_preset("playground"))
    first = trainer.current_stats().train_loss
    for _ in range(300):
        stats = trainer.step()
    assert stats.train_loss < first


# -- determinism ---------------------------------------------------------------------------

def _run(spec, steps=200):
    trainer = Trainer(spec)
    history = [(s.batch_loss, s.train_loss, s.test_loss) for s in
               (trainer.step() for _ in range(steps))]
    return params_of(trainer), history


@pytest.mark.parametrize("preset", ["playground", "softmax-2-3-2"])
def test_same_spec_gives_a_bit_identical_run(preset):
    params_a, history_a = _run(load_preset(preset))
    params_b, history_b = _run(load_preset(preset))
    assert same_params(params_a, params_b)
    assert history_a == history_b


def test_a_different_seed_gives_a_different_run():
    spec = load_preset("playground")
    params_a, history_a = _run(spec, 50)
    params_b, history_b = _run(spec.replace(seed=1), 50)
    assert not same_params(params_a, params_b)
    assert history_a != history_b


def test_trainer_does_not_change_the_callers_spec():
    spec = load_preset("playground")
    trainer = Trainer(spec)
    trainer.set_learning_rate(0.5)
    trainer.set_batch_size(3)
    assert spec.learning_rate == 0.03 and spec.batch_size == 10
    assert trainer.spec.learning_rate == 0.5 and trainer.spec.batch_size == 3


# -- divergence ----------------------------------------------------------------------------

def _exploding_spec():
    return load_preset("playground").replace(
        dataset="regress-plane", output_activation="linear", loss="mse", learning_rate=1e6)


def test_huge_learning_rate_is_caught_before_it_reaches_the_parameters():
    trainer = Trainer(_exploding_spec())
    for _ in range(200):
        last_finite = params_of(trainer)
        stats = trainer.step()
        if stats.diverged:
            break
    assert stats.diverged, "a learning rate of 1e6 should diverge"
    assert "NaN/Inf" in stats.message and "learning rate" in stats.message
    now = params_of(trainer)
    assert all(np.all(np.isfinite(p)) for p in now.values())
    assert same_params(now, last_finite)
    assert trainer.diverged


def test_huge_weights_give_an_infinite_loss_and_no_update():
    spec = load_preset("playground").replace(
        dataset="regress-plane", output_activation="linear", loss="mse",
        activations=["linear", "linear"])
    sizes = [2, 4, 2, 1]
    weights = [{"W": np.full((i, o), 1e300).tolist(), "b": [0.0] * o}
               for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    trainer = Trainer(spec.replace(weights=weights))
    before = params_of(trainer)
    stats = trainer.step()
    assert stats.diverged and stats.message
    assert not np.isfinite(stats.batch_loss)
    assert same_params(params_of(trainer), before)


def test_an_update_that_overflows_is_undone():
    # Finite loss and gradients (a big input and target), but η·g overflows to ±inf.
    spec = load_preset("worked-example").replace(
        output_activation="linear", activations=["linear"], points=[[1000.0]], labels=[1e6 + 0.5])
    trainer = Trainer(spec)
    before = params_of(trainer)
    trainer.set_learning_rate(1e300)
    stats = trainer.step()
    assert stats.diverged and "restored" in stats.message
    assert same_params(params_of(trainer), before)
    # Lowering the learning rate recovers without a reset.
    trainer.set_learning_rate(1e-9)
    assert not trainer.step().diverged


def test_divergence_prints_no_numpy_warnings(recwarn):
    trainer = Trainer(_exploding_spec())
    for _ in range(60):
        trainer.step()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# -- optimisers ----------------------------------------------------------------------------

def test_sgd_update_by_hand():
    p, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    SGD(0.1).step({"1.W": p}, {"1.W": g})
    np.testing.assert_array_equal(p, [1.0 - 0.05, -2.0 - 0.025])


def test_momentum_updates_by_hand():
    p, g = np.array([1.0]), np.array([2.0])
    opt = Momentum(0.1, momentum=0.9)
    opt.step({"w": p}, {"w": g})
    assert p[0] == pytest.approx(1.0 - 0.2)  # v = −ηg
    opt.step({"w": p}, {"w": g})
    assert p[0] == pytest.approx(0.8 + (0.9 * -0.2 - 0.2))  # v = μv − ηg


def test_adam_first_and_second_update_by_hand():
    p, g = np.array([1.0, 1.0]), np.array([0.5, -4.0])
    opt = Adam(0.01)
    opt.step({"w": p}, {"w": g})
    # Bias correction makes the first step m̂ = g, v̂ = g²: θ −= η·g/(|g| + ε).
    np.testing.assert_allclose(p, [1.0 - 0.01 * 0.5 / (0.5 + 1e-8), 1.0 + 0.01 * 4 / (4 + 1e-8)])
    g2 = np.array([1.0, 1.0])
    m = 0.9 * 0.1 * g + 0.1 * g2
    v = 0.999 * 0.001 * g * g + 0.001 * g2 * g2
    expected = p - 0.01 * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    opt.step({"w": p}, {"w": g2})
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    assert opt.t == 2


def test_optimizer_state_is_keyed_by_name_and_reset_for_a_new_shape():
    opt = Momentum(0.1, momentum=0.9)
    small = np.zeros((2, 3))
    opt.step({"1.W": small, "1.b": np.zeros(3)}, {"1.W": np.ones((2, 3)), "1.b": np.ones(3)})
    assert set(opt.state) == {"1.W.v", "1.b.v"}
    # Layer 1 rebuilt with another shape: its velocity starts from zero, not the old one.
    rebuilt = np.zeros((3, 3))
    opt.step({"1.W": rebuilt}, {"1.W": np.ones((3, 3))})
    np.testing.assert_allclose(rebuilt, -0.1)
    assert opt.state["1.W.v"].shape == (3, 3)


def test_make_optimizer():
    assert isinstance(make_optimizer("momentum", 0.1, 0.5), Momentum)
    assert make_optimizer("momentum", 0.1, 0.5).momentum == 0.5
    assert isinstance(make_optimizer("adam", 0.1), Adam)
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("rmsprop", 0.1)


def test_l1_and_l2_add_the_penalty_gradient_to_weights_only():
    W = np.array([[0.5, -2.0], [0.0, 3.0]])
    for kind, expected in [("l2", 0.1 * W), ("l1", 0.1 * np.sign(W))]:
        grads = {"1.W": np.ones((2, 2)), "1.b": np.ones(2)}
        add_regularization(kind, 0.1, {"1.W": W}, grads)
        np.testing.assert_allclose(grads["1.W"], 1 + expected)
        np.testing.assert_array_equal(grads["1.b"], 1)
    assert regularization_penalty("l2", 0.1, [W]) == pytest.approx(0.5 * 0.1 * np.sum(W * W))
    assert regularization_penalty("l1", 0.1, [W]) == pytest.approx(0.1 * np.sum(np.abs(W)))
    assert regularization_penalty("none", 0.1, [W]) == 0.0


def test_regularization_in_the_trainer_changes_the_update_not_the_reported_gradient():
    spec = load_preset("playground").replace(regularization="l2", reg_rate=0.1)
    trainer = Trainer(spec)
    W_before = trainer.network.layers[0].W.copy()
    trainer.step()
    used = trainer.update_gradients()["1.W"]
    np.testing.assert_allclose(used, trainer.network.layers[0].dW + 0.1 * W_before, rtol=1e-12)


def test_clipping_caps_the_global_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0], [4.0]])}
    norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    assert total == pytest.approx(1.0)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0])  # direction kept
    small = {"a": np.array([0.3, 0.4])}
    assert clip_by_global_norm(small, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(small["a"], [0.3, 0.4])  # under the cap: untouched
    assert clip_by_global_norm({"a": np.array([30.0, 40.0])}, 0) == pytest.approx(50)


def test_clipping_in_the_trainer_bounds_the_update():
    spec = load_preset("playground").replace(clip_norm=1e-3)
    trainer = Trainer(spec)
    trainer.step()
    used = trainer.update_gradients()
    assert np.sqrt(sum(np.sum(g * g) for g in used.values())) == pytest.approx(1e-3)


def test_learning_rate_changes_between_steps_without_a_reset():
    trainer = Trainer(load_preset("playground").replace(optimizer="adam"))
    for _ in range(5):
        trainer.step()
    moments = {k: v.copy() for k, v in trainer.optimizer.state.items()}
    trainer.set_learning_rate(0.2)
    assert trainer.learning_rate == 0.2 and trainer.step_count == 5
    assert trainer.optimizer.t == 5
    assert all(np.array_equal(moments[k], trainer.optimizer.state[k]) for k in moments)
    before = params_of(trainer)
    trainer.step()
    assert trainer.step_count == 6 and trainer.optimizer.t == 6
    # The step used the new rate: Adam's first-order step size is about η per element.
    delta = max(np.max(np.abs(params_of(trainer)[k] - before[k])) for k in before)
    assert 0.05 < delta <= 0.2 * 1.01
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            trainer.set_learning_rate(bad)


# -- mini-batching -------------------------------------------------------------------------

def test_every_training_index_once_per_epoch():
    trainer = Trainer(load_preset("playground").replace(batch_size=7))
    n = len(trainer.X_train)
    for epoch in range(3):
        seen = []
        while len(seen) < n:
            batch = trainer.next_batch()
            assert 1 <= len(batch) <= 7
            seen.extend(batch.tolist())
        assert sorted(seen) == list(range(n)), f"epoch {epoch}"
        assert trainer.epoch == epoch + 1


def test_batches_are_reshuffled_each_epoch_and_sized_as_asked():
    trainer = Trainer(load_preset("playground"))
    n = len(trainer.X_train)
    steps_per_epoch = -(-n // 10)
    first = [trainer.next_batch().copy() for _ in range(steps_per_epoch)]
    second = [trainer.next_batch().copy() for _ in range(steps_per_epoch)]
    assert all(len(b) == 10 for b in first[:-1])
    assert not all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_epoch_counter_counts_completed_passes():
    trainer = Trainer(load_preset("playground").replace(batch_size=50))
    steps_per_epoch = -(-len(trainer.X_train) // 50)
    epochs = [trainer.step().epoch for _ in range(2 * steps_per_epoch)]
    assert epochs[: steps_per_epoch - 1] == [0] * (steps_per_epoch - 1)
    assert epochs[steps_per_epoch - 1] == 1 and epochs[-1] == 2
    stats = trainer.run_epoch()
    assert stats.epoch == 3 and trainer.cursor == len(trainer.order)


def test_full_batch_xor_completes_an_epoch_every_step():
    trainer = Trainer(load_preset("xor"))
    assert [trainer.step().epoch for _ in range(3)] == [1, 2, 3]


def test_batch_size_changes_live():
    trainer = Trainer(load_preset("playground"))
    n = len(trainer.X_train)
    seen = trainer.next_batch().tolist()  # 10 points
    trainer.set_batch_size(32)
    assert trainer.spec.batch_size == 32
    batch = trainer.next_batch()
    assert len(batch) == 32
    seen += batch.tolist()
    while trainer.cursor < n:
        seen += trainer.next_batch().tolist()
    assert sorted(seen) == list(range(n))  # the epoch still covers every point once
    with pytest.raises(ValueError):
        trainer.set_batch_size(0)


def test_step_on_explicit_indices_leaves_the_schedule_alone():
    trainer = Trainer(load_preset("playground"))
    cursor = trainer.cursor
    stats = trainer.step(np.array([0, 1, 2]))
    assert trainer.cursor == cursor and stats.step == 1
    assert trainer.network.layers[0].x.shape == (3, 2)


# -- statistics ----------------------------------------------------------------------------

def test_vanishing_preset_first_layer_gradient_is_100x_smaller():
    trainer = Trainer(load_preset("vanishing"))
    for _ in range(5):
        stats = trainer.step()
    assert stats.grad_norms[0] * 100 <= stats.grad_norms[-1], stats.grad_norms


def test_step_stats_are_read_only_and_shaped_per_layer():
    trainer = Trainer(load_preset("playground"))
    stats = trainer.step()
    layers = trainer.network.layers
    sizes = trainer.network.sizes  # [2, 4, 2, 1]
    assert stats.grad_norms.shape == (len(layers),)
    assert [g.shape for g in stats.neuron_grads] == [(n,) for n in sizes]
    assert [a.shape for a in stats.neuron_activations] == [(n,) for n in sizes]
    assert [w.shape for w in stats.weight_grads] == [layer.W.shape for layer in layers]
    assert [w.shape for w in stats.weights] == [layer.W.shape for layer in layers]
    assert [b.shape for b in stats.biases] == [layer.b.shape for layer in layers]
    arrays = [stats.grad_norms, *stats.neuron_grads, *stats.neuron_activations,
              *stats.weight_grads, *stats.weights, *stats.biases]
    for array in arrays:
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[...] = 0


def test_step_stats_are_snapshots_and_match_the_layers():
    trainer = Trainer(load_preset("playground"))
    stats = trainer.step()
    layers = trainer.network.layers
    np.testing.assert_array_equal(stats.weights[0], layers[0].W)
    np.testing.assert_array_equal(stats.weight_grads[1], np.abs(layers[1].dW))
    np.testing.assert_allclose(stats.neuron_grads[0], np.abs(layers[0].dX).mean(axis=0))
    np.testing.assert_allclose(stats.neuron_grads[2], np.abs(layers[1].dZ).mean(axis=0))
    np.testing.assert_allclose(stats.neuron_activations[3], layers[2].a.mean(axis=0))
    expected_norm = np.sqrt(np.sum(layers[0].dW ** 2) + np.sum(layers[0].db ** 2))
    assert stats.grad_norms[0] == pytest.approx(expected_norm)
    kept = stats.weights[0].copy()
    trainer.step()
    np.testing.assert_array_equal(stats.weights[0], kept)  # not a view of the live weights


def test_step_stats_losses_and_accuracy_match_evaluate():
    trainer = Trainer(load_preset("softmax-2-3-2"))
    stats = trainer.step()
    train = trainer.evaluate(trainer.X_train, trainer.Y_train)
    test = trainer.evaluate(trainer.X_test, trainer.Y_test)
    assert (stats.train_loss, stats.accuracy) == train
    assert (stats.test_loss, stats.test_accuracy) == test
    assert 0 <= stats.accuracy <= 1 and stats.step == 1


def test_regression_has_no_accuracy_and_xor4_has_no_test_set():
    regression = Trainer(load_preset("playground").replace(
        dataset="regress-gaussian", output_activation="linear", loss="mse")).step()
    assert regression.accuracy is None and regression.test_accuracy is None
    assert regression.test_loss is not None
    xor = Trainer(load_preset("xor")).step()
    assert xor.test_loss is None and xor.test_accuracy is None


def test_current_stats_change_nothing():
    trainer = Trainer(load_preset("playground"))
    before = params_of(trainer)
    stats = trainer.current_stats()
    assert stats.step == 0 and trainer.step_count == 0 and not stats.diverged
    assert same_params(params_of(trainer), before)


def test_set_parameter_edits_one_weight():
    trainer = Trainer(load_preset("playground"))
    trainer.set_parameter(2, "W", (1, 0), 0.25)
    trainer.set_parameter(1, "b", (3,), -1.5)
    assert trainer.network.layers[1].W[1, 0] == 0.25 and trainer.network.layers[0].b[3] == -1.5
    with pytest.raises(ValueError):
        trainer.set_parameter(1, "W", (0, 0), float("nan"))
    with pytest.raises(ValueError):
        trainer.set_parameter(9, "W", (0, 0), 1.0)


def test_float32_training_stays_float32():
    trainer = Trainer(load_preset("playground").replace(dtype="float32"))
    stats = trainer.step()
    assert all(p.dtype == np.float32 for p in trainer.network.params().values())
    assert stats.weights[0].dtype == np.float32


def test_trainer_refuses_mismatched_data_and_loss():
    with pytest.raises(ValueError, match="regression dataset needs the mse loss"):
        Trainer(load_preset("playground").replace(dataset="regress-plane"))
    with pytest.raises(ValueError, match="softmax"):
        Trainer(load_preset("playground").replace(dataset="blobs", classes=4))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_rewind_after_divergence_lets_training_continue(optimizer):
    from engine.spec import Spec

    spec = Spec(dataset="regress-plane", output_activation="linear", loss="mse",
                learning_rate=3.0, optimizer=optimizer)
    trainer = Trainer(spec)
    for _ in range(400):
        stats = trainer.step()
        if stats.diverged:
            break
    assert stats.diverged
    best = trainer.best
    assert best is not None and np.isfinite(best.train_loss)
    assert trainer.rewind() == best.step
    assert all(np.array_equal(p, q) for p, q in zip(trainer.network.params().values(),
                                                     best.params))
    trainer.set_learning_rate(0.001)
    for _ in range(30):
        stats = trainer.step()
    assert not stats.diverged and np.isfinite(stats.train_loss)


def test_an_overflowing_update_restores_the_optimiser_state_too():
    from engine.spec import Spec

    trainer = Trainer(Spec(dataset="regress-plane", output_activation="linear", loss="mse",
                           optimizer="momentum", learning_rate=0.01))
    for _ in range(5):
        trainer.step()
    before = {k: v.copy() for k, v in trainer.optimizer.state.items()}
    trainer.set_learning_rate(1e308)  # the next update overflows
    stats = trainer.step()
    assert stats.diverged and "restored" in stats.message
    assert all(np.array_equal(before[k], v) for k, v in trainer.optimizer.state.items())


def test_rewind_before_any_step_is_refused():
    from engine.presets import load_preset

    with pytest.raises(ValueError, match="reset"):
        Trainer(load_preset("xor")).rewind()


def test_live_settings_keep_weights_and_steps():
    from engine.presets import load_preset

    trainer = Trainer(load_preset("playground"))
    for _ in range(10):
        trainer.step()
    weights = [p.copy() for p in trainer.network.params().values()]
    trainer.set_live("optimizer", "momentum")
    trainer.set_live("momentum", 0.5)
    trainer.set_live("clip_norm", 0.1)
    trainer.set_live("regularization", "l2")
    assert trainer.optimizer.name == "momentum" and trainer.optimizer.momentum == 0.5
    assert trainer.step_count == 10
    assert all(np.array_equal(a, b) for a, b in zip(weights, trainer.network.params().values()))
    stats = trainer.step()
    assert stats.step == 11 and np.isfinite(stats.train_loss)
    with pytest.raises(ValueError):
        trainer.set_live("hidden", [3])
    with pytest.raises(ValueError):
        trainer.set_live("momentum", 2.0)
