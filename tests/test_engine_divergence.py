"""Divergence: a step that produces NaN/Inf is caught, explained and undone, and a diverged
run can rewind to its best checkpoint."""

import numpy as np
import pytest
from engine_helpers import params_of, same_params

from engine.presets import load_preset
from engine.spec import Spec
from engine.trainer import Trainer


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


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_rewind_after_divergence_lets_training_continue(optimizer):
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
    with pytest.raises(ValueError, match="reset"):
        Trainer(load_preset("xor")).rewind()
