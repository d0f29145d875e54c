"""Divergence: a step that produces NaN/Inf, or a loss grown by orders of magnitude, is caught,
explained and undone; a diverged run can rewind to its best sane checkpoint (the initial state
at worst); the trace of a rolled-back step says so."""

import io
import json

import numpy as np
import pytest
from engine_helpers import huge_weights_spec, params_of, same_params, stepped

from engine.cli import run
from engine.presets import load_preset
from engine.spec import Spec
from engine.trace import trace
from engine.trainer import LOSS_FLOOR, LOSS_GROWTH_LIMIT, Trainer


def _exploding_spec():
    return load_preset("playground").replace(
        dataset="regress-plane", output_activation="linear", loss="mse", learning_rate=1e6)


def test_huge_learning_rate_is_caught_before_it_reaches_the_parameters():
    trainer = Trainer(_exploding_spec())
    for _ in range(200):
        last_finite = params_of(trainer)
        stats = stepped(trainer)
        if stats.diverged:
            break
    assert stats.diverged, "a learning rate of 1e6 should diverge"
    assert "grew from" in stats.message and "lower the learning rate" in stats.message
    now = params_of(trainer)
    assert all(np.all(np.isfinite(p)) for p in now.values())
    assert same_params(now, last_finite)
    assert trainer.diverged


def test_huge_weights_give_an_infinite_loss_and_no_update():
    trainer = Trainer(huge_weights_spec())
    before = params_of(trainer)
    stats = stepped(trainer)
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
    stats = stepped(trainer)
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
        stats = stepped(trainer)
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
        stats = stepped(trainer)
    assert not stats.diverged and np.isfinite(stats.train_loss)


def test_an_overflowing_update_restores_the_optimiser_state_too():
    trainer = Trainer(Spec(dataset="regress-plane", output_activation="linear", loss="mse",
                           optimizer="momentum", learning_rate=0.01))
    for _ in range(5):
        trainer.step()
    before = {k: v.copy() for k, v in trainer.optimizer.state.items()}
    trainer.set_learning_rate(1e308)  # the next update overflows
    stats = stepped(trainer)
    assert stats.diverged and "restored" in stats.message
    assert all(np.array_equal(before[k], v) for k, v in trainer.optimizer.state.items())


def test_rewind_before_any_step_goes_to_the_initial_state():
    trainer = Trainer(load_preset("xor"))
    before = params_of(trainer)
    assert trainer.rewind() == 0 and same_params(params_of(trainer), before)


def test_rewind_is_refused_only_when_the_start_itself_is_not_finite():
    trainer = Trainer(huge_weights_spec())
    assert trainer.step().diverged
    with pytest.raises(ValueError, match="starting weights already give a NaN/Inf loss; reset"):
        trainer.rewind()


# -- (a) a loss that grows without bound but stays finite ------------------------------------

def test_a_finite_loss_growing_by_orders_of_magnitude_is_divergence():
    # XOR at 1e6 swings between 225 and 249,775 for ever without reaching Inf.
    trainer = Trainer(load_preset("xor").replace(learning_rate=1e6))
    before = params_of(trainer)
    stats = stepped(trainer)
    assert stats.diverged and trainer.diverged
    assert stats.message.startswith("the training loss grew from 0.6931 to ")
    assert "lower the learning rate (now 1e+06)" in stats.message
    assert "restored" in stats.message
    # Paused as for NaN: the update was undone, so the state is the sane one before the step.
    assert same_params(params_of(trainer), before)
    assert stats.train_loss == pytest.approx(trainer.start_loss)


def test_the_cli_reports_growth_as_divergence(tmp_path):
    config = tmp_path / "xor.json"
    config.write_text(load_preset("xor").replace(learning_rate=1e6).to_json())
    out, err = io.StringIO(), io.StringIO()
    code = run(["train", "--config", str(config), "--steps", "500", "--json"], out, err)
    result = json.loads(out.getvalue())
    assert code == 1 and result["diverged"] is True and result["step"] == 1
    assert result["loss"] < 1


def test_a_gentle_run_is_never_flagged():
    for name in ("xor", "playground", "softmax-2-3-2"):
        trainer = Trainer(load_preset(name))
        assert not any(trainer.step().diverged for _ in range(300)), name


def test_the_floor_keeps_a_near_zero_start_from_false_alarms():
    trainer = Trainer(Spec(dataset="regress-plane", output_activation="linear", loss="mse"))
    trainer.start_loss = 1e-9  # as if the given weights fitted the data almost exactly
    assert trainer.loss_limit == LOSS_GROWTH_LIMIT * LOSS_FLOOR
    assert not any(trainer.step().diverged for _ in range(100))


def test_the_limit_scales_with_a_large_starting_loss():
    # Regression targets in the thousands: an MSE of 1e6 at the start is not divergence.
    spec = load_preset("worked-example").replace(
        output_activation="linear", activations=["linear"], points=[[1.0]], labels=[1000.5])
    trainer = Trainer(spec)
    assert trainer.start_loss > 1e5
    assert trainer.loss_limit == LOSS_GROWTH_LIMIT * trainer.start_loss
    trainer.set_learning_rate(1e-4)
    history = [trainer.step() for _ in range(50)]
    assert not any(s.diverged for s in history) and trainer.stats().train_loss < 1


# -- (b) rewind to the last sane state, the initial one at worst -----------------------------

def _deep_relu(learning_rate):
    return Spec(hidden=[8] * 8, activations=["relu"] * 8, initializer="he", dataset="circle",
                learning_rate=learning_rate, batch_size=10)


@pytest.mark.parametrize("learning_rate", [3.0, 10.0, 100.0])
def test_a_deep_relu_net_rewinds_to_a_sane_state_and_then_trains(learning_rate):
    trainer = Trainer(_deep_relu(learning_rate))
    initial = params_of(trainer)
    for _ in range(200):
        stats = stepped(trainer)
        if stats.diverged:
            break
    assert stats.diverged
    step = trainer.rewind()
    assert trainer.best.train_loss <= trainer.start_loss  # never an exploded state
    if step == 0:
        assert same_params(params_of(trainer), initial)
    trainer.set_learning_rate(0.01)
    history = [trainer.step() for _ in range(300)]
    assert not any(s.diverged for s in history)
    assert trainer.stats().train_loss < trainer.start_loss


def test_divergence_at_step_1_rewinds_to_the_initial_weights():
    trainer = Trainer(_deep_relu(100.0))
    initial = params_of(trainer)
    stats = stepped(trainer)
    assert stats.step == 1 and stats.diverged
    assert trainer.rewind() == 0
    assert same_params(params_of(trainer), initial)
    assert trainer.optimizer.state == {} and trainer.optimizer.t == 0 and not trainer.diverged


def test_rewind_after_good_training_goes_to_the_best_sane_checkpoint():
    trainer = Trainer(load_preset("playground"))
    for _ in range(200):
        trainer.step()
        trainer.stats()  # checkpoints are taken where the whole-set loss is evaluated
    best = trainer.best
    assert best.step > 0 and best.train_loss < trainer.start_loss
    trainer.set_learning_rate(1e6)
    assert any(trainer.step().diverged for _ in range(20))
    assert trainer.best is best  # diverged steps are never checkpoints
    assert trainer.rewind() == best.step
    trainer.set_learning_rate(0.01)
    assert not any(trainer.step().diverged for _ in range(100))


def test_checkpoints_only_hold_sane_states():
    trainer = Trainer(_deep_relu(3.0))
    for _ in range(100):
        stats = stepped(trainer)
        assert trainer.best.train_loss <= trainer.loss_limit
        assert all(np.isfinite(p).all() for p in trainer.best.params)
        if stats.diverged:
            break


# -- (c) the trace of a rolled-back step says so ---------------------------------------------

def test_the_trace_of_a_rolled_back_step_says_so():
    trainer = Trainer(load_preset("xor").replace(learning_rate=1e6))
    result = trace(trainer)
    assert result.rolled_back
    updates = [s for s in result.stages if s.kind == "update"]
    for stage in updates:
        assert stage.note.startswith("This step was rolled back: the training loss grew from")
        assert "values from before it" in stage.note
        assert np.array_equal(stage.get("W_new"), stage.get("W"))
    data = result.to_dict()
    assert data["rolled_back"] is True and "grew from" in data["message"]
    ok = trace(Trainer(load_preset("xor"))).to_dict()
    assert ok["rolled_back"] is False and ok["message"] == ""
    assert "rolled back" not in " ".join(s["note"] for s in ok["stages"])


def test_the_cli_trace_of_a_rolled_back_step_says_so(tmp_path):
    config = tmp_path / "xor.json"
    config.write_text(load_preset("xor").replace(learning_rate=1e6).to_json())
    out, err = io.StringIO(), io.StringIO()
    assert run(["trace", "--config", str(config)], out, err) == 1
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("this step diverged and was rolled back: the training loss grew")
    assert "This step was rolled back" in out.getvalue() and err.getvalue() == ""
    out = io.StringIO()
    run(["trace", "--config", str(config), "--json"], out, err)
    assert json.loads(out.getvalue())["rolled_back"] is True


def test_a_weight_edited_by_hand_is_not_taken_for_divergence():
    from engine.presets import load_preset
    from engine.trainer import Trainer

    t = Trainer(load_preset("xor"))
    limit = t.loss_limit
    t.set_parameter(2, "W", (1, 0), 5000.0)  # a deliberately terrible weight: the loss soars
    assert t.evaluate(t.X_train, t.Y_train)[0] > limit
    t.set_learning_rate(1e-6)  # so the next step cannot fix it
    assert not t.step().diverged
