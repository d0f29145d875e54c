"""A step computes only what the step needs; the whole-set statistics are evaluated when read
(Trainer.stats()), and they equal a direct evaluation of that state. The look-ahead (the next
step's forward pass, run at the end of a step) never changes the run."""

import copy

import numpy as np
import pytest
from engine_helpers import params_of

from engine.presets import load_preset
from engine.spec import Spec
from engine.trainer import Trainer


def _direct(trainer):
    """Everything recomputed from scratch on a copy: no cache of the trainer's is trusted."""
    fresh = copy.deepcopy(trainer)
    return fresh.evaluate(fresh.X_train, fresh.Y_train), fresh.evaluate(fresh.X_test,
                                                                         fresh.Y_test)


@pytest.mark.parametrize("preset", ["playground", "xor", "softmax-2-3-2"])
def test_stats_equal_a_direct_evaluation_at_the_moment_they_are_made(preset):
    trainer = Trainer(load_preset(preset))
    for _ in range(37):
        trainer.step()
    stats = trainer.stats()
    (train, acc), (test, test_acc) = _direct(trainer)
    assert (stats.train_loss, stats.accuracy) == (train, acc)
    assert (stats.test_loss, stats.test_accuracy) == (test, test_acc)
    assert stats.step == 37 and stats.batch_loss == trainer.last_result.batch_loss
    a = trainer.history.arrays()
    assert a["eval_step"][-1] == 37 and a["train_loss"][-1] == train


def test_grad_norms_are_the_per_layer_norms_of_the_step_gradients():
    trainer = Trainer(load_preset("playground").replace(hidden=[8, 8, 8],
                                                        activations=["tanh"] * 3))
    result = trainer.step()
    expected = [np.sqrt(np.sum(layer.dW ** 2) + np.sum(layer.db ** 2))
                for layer in trainer.network.layers]
    np.testing.assert_allclose(result.grad_norms, expected, rtol=1e-12)


def test_a_weight_edited_in_place_between_steps_is_used_by_the_next_step():
    # The look-ahead ran the next batch at the old weights; an edit in place must void it.
    spec = load_preset("playground")
    edited, reference = Trainer(spec), Trainer(spec)
    edited.step()
    reference.step()
    edited.network.layers[0].W[0, 0] += 0.5
    reference.network.layers[0].W[0, 0] += 0.5
    reference._drop_look_ahead()  # the reference recomputes its forward pass for sure
    assert edited.step().batch_loss == reference.step().batch_loss
    assert all(np.array_equal(p, q) for p, q in zip(params_of(edited).values(),
                                                     params_of(reference).values()))


def test_the_look_ahead_never_changes_the_run():
    spec = load_preset("playground").replace(batch_size=7)  # epochs end mid-batch
    ahead, plain = Trainer(spec), Trainer(spec)
    for _ in range(120):
        ahead.step()
        plain.step(record=True)  # record=True runs no look-ahead
    assert all(np.array_equal(p, q) for p, q in zip(params_of(ahead).values(),
                                                     params_of(plain).values()))
    assert ahead.epoch == plain.epoch and np.array_equal(ahead.order, plain.order)
    assert ahead.history == plain.history


def test_a_deep_copy_keeps_the_parameters_packed_and_independent():
    trainer = Trainer(load_preset("playground"))
    trainer.step()
    twin = copy.deepcopy(trainer)
    net = twin.network
    assert all(np.shares_memory(layer.W, net.flat_params) for layer in net.layers)
    assert all(np.shares_memory(layer.dW, net.flat_grads) for layer in net.layers)
    assert not np.shares_memory(net.flat_params, trainer.network.flat_params)
    assert twin._params["1.W"] is net.layers[0].W
    twin.step()
    assert twin.step_count == 2 and trainer.step_count == 1


def test_growth_the_look_ahead_missed_is_caught_when_the_whole_set_is_evaluated():
    trainer = Trainer(Spec(dataset="regress-plane", output_activation="linear", loss="mse"))
    trainer.step()
    trainer.start_loss = 1e-6  # as if the run had started 10⁸ times lower
    trainer.network.layers[-1].b[...] = 50.0  # the whole set is now far off
    stats = trainer.stats()
    assert stats.diverged and trainer.diverged
    assert stats.message.startswith("the training loss grew from 1e-06 to ")
    assert "rewind" in stats.message


def _fragile_xor():
    # One sample per step and a linear output: a mini-batch can be far easier than the set.
    return Trainer(Spec(dataset="xor", learning_rate=1.0, batch_size=1, loss="mse",
                        output_activation="linear"))


def _until_diverged(trainer, limit=200):
    for _ in range(limit):
        result = trainer.step()
        if result.diverged:
            return result
    raise AssertionError("expected divergence")


def test_an_update_that_sends_the_whole_set_past_the_limit_is_undone_at_its_own_step():
    trainer = _fragile_xor()
    before = None
    for _ in range(200):
        before = params_of(trainer)
        result = trainer.step()
        if result.diverged:
            break
        assert trainer.stats().train_loss <= trainer.loss_limit  # never a grown state kept
    assert result.diverged and "grew from" in result.message
    assert all(np.array_equal(p, q) for p, q in zip(before.values(),
                                                     params_of(trainer).values()))


def test_a_traced_step_is_judged_as_the_real_step_is():
    from engine.trace import trace
    for spec in (_fragile_xor().spec, load_preset("xor").replace(learning_rate=1e6)):
        trainer = Trainer(spec)
        for _ in range(60):
            traced = trace(trainer)
            result = trainer.step()
            assert traced.rolled_back == result.diverged
            assert all(np.array_equal(p, q) for p, q in zip(
                params_of(traced.trainer_after).values(), params_of(trainer).values()))
            if result.diverged:
                break


def test_the_divergence_message_stays_while_the_state_is_diverged():
    trainer = Trainer(load_preset("xor").replace(learning_rate=1e6))
    result = _until_diverged(trainer)
    assert trainer.stats().message == result.message == trainer.stats().message != ""
    trainer.rewind()
    assert not trainer.stats().diverged and trainer.stats().message == ""


def test_after_a_rolled_back_step_the_layers_show_the_weights_kept():
    trainer = Trainer(Spec(dataset="spiral", learning_rate=30.0, batch_size=1, loss="mse",
                           output_activation="linear"))
    _until_diverged(trainer)
    stats = trainer.stats()
    direct = trainer.network.activations(trainer.X_train[trainer.last_batch])
    np.testing.assert_allclose(stats.neuron_activations[-1], direct[-1].mean(axis=0))
