"""engine.trainer: learning, determinism, live settings, mini-batching, per-step statistics.
(Divergence and the optimisers' arithmetic have files of their own.)"""

import numpy as np
import pytest
from engine_helpers import params_of, same_params, stepped

from engine.presets import load_preset
from engine.trainer import Trainer

# -- learning ------------------------------------------------------------------------------

def test_xor_reaches_full_accuracy_within_2000_steps():
    trainer = Trainer(load_preset("xor"))
    for _ in range(2000):
        stats = stepped(trainer)
    assert stats.accuracy == 1.0 and not stats.diverged
    assert stats.train_loss < 0.05  # confidently right, not just on the right side of 0.5
    assert stats.step == 2000 and isinstance(stats.accuracy, float)


def test_loss_falls_on_the_playground_preset():
    trainer = Trainer(load_preset("playground"))
    first = trainer.current_stats().train_loss
    for _ in range(300):
        stats = stepped(trainer)
    assert stats.train_loss < first


# -- determinism ---------------------------------------------------------------------------

def _run(spec, steps=200):
    trainer = Trainer(spec)
    history = [(s.batch_loss, *s.grad_norms) for s in (trainer.step() for _ in range(steps))]
    final = trainer.stats()
    return params_of(trainer), [*history, (final.train_loss, final.test_loss)]


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
    assert stats.epoch == 3 and trainer.epoch_complete


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
    stats = stepped(trainer, np.array([0, 1, 2]))
    assert trainer.cursor == cursor and stats.step == 1
    assert trainer.last_batch.tolist() == [0, 1, 2]
    assert trainer.network.layers[0].dZ.shape == (3, 4)  # the step's own backward pass


# -- statistics ----------------------------------------------------------------------------

def test_vanishing_preset_first_layer_gradient_is_100x_smaller():
    trainer = Trainer(load_preset("vanishing"))
    for _ in range(5):
        stats = stepped(trainer)
    assert stats.grad_norms[0] * 100 <= stats.grad_norms[-1], stats.grad_norms


def test_step_stats_are_read_only_and_shaped_per_layer():
    trainer = Trainer(load_preset("playground"))
    stats = stepped(trainer)
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
    stats = stepped(trainer)
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
    stats = stepped(trainer)
    train = trainer.evaluate(trainer.X_train, trainer.Y_train)
    test = trainer.evaluate(trainer.X_test, trainer.Y_test)
    assert (stats.train_loss, stats.accuracy) == train
    assert (stats.test_loss, stats.test_accuracy) == test
    assert 0 <= stats.accuracy <= 1 and stats.step == 1


def test_regression_has_no_accuracy_and_xor4_has_no_test_set():
    regression = stepped(Trainer(load_preset("playground").replace(
        dataset="regress-gaussian", output_activation="linear", loss="mse")))
    assert regression.accuracy is None and regression.test_accuracy is None
    assert regression.test_loss is not None
    xor = stepped(Trainer(load_preset("xor")))
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
    stats = stepped(trainer)
    assert all(p.dtype == np.float32 for p in trainer.network.params().values())
    assert stats.weights[0].dtype == np.float32


def test_trainer_refuses_mismatched_data_and_loss():
    with pytest.raises(ValueError, match="regression dataset needs the mse loss"):
        Trainer(load_preset("playground").replace(dataset="regress-plane"))
    with pytest.raises(ValueError, match="softmax"):
        Trainer(load_preset("playground").replace(dataset="blobs", classes=4))


def test_live_settings_keep_weights_and_steps():
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
    stats = stepped(trainer)
    assert stats.step == 11 and np.isfinite(stats.train_loss)
    with pytest.raises(ValueError):
        trainer.set_live("hidden", [3])
    with pytest.raises(ValueError):
        trainer.set_live("momentum", 2.0)
