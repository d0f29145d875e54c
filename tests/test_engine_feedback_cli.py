"""`train --feedback backprop|fa`: it overrides a spec's gradient signal, --json reports it
and the last step's angles, a saved FA run continues, and a trained session keeps its signal."""

import io
import json

from engine.cli import run
from engine.presets import load_preset
from engine.trainer import Trainer


def fa_trainer(preset):
    return Trainer(load_preset(preset).replace(feedback="fa"))


def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def test_train_feedback_fa_json_reports_the_feedback_and_the_last_angles():
    code, out, err = run_cli("train", "--preset", "xor", "--feedback", "fa", "--steps", "1000",
                             "--json")
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["feedback"] == "fa" and result["accuracy"] == 1.0
    direct = fa_trainer("xor")
    for _ in range(1000):
        last = direct.step()
    assert result["alignment"] == list(last.alignment)  # the same run as the engine's
    assert result["loss"] == direct.stats().train_loss
    assert len(result["alignment"]) == 2 and result["alignment"][1] == 0.0


def test_train_json_under_backprop_says_so():
    code, out, _ = run_cli("train", "--preset", "xor", "--steps", "5", "--json")
    result = json.loads(out)
    assert code == 0 and result["feedback"] == "backprop" and result["alignment"] is None


def test_train_text_shows_the_angles_under_fa():
    code, out, _ = run_cli("train", "--preset", "playground", "--feedback", "fa", "--steps", "50")
    assert code == 0
    assert "feedback alignment (fixed random B): the last step's angle to the true gradient, " \
           "per layer: " in out and out.rstrip().endswith("0.0°")
    code, out, _ = run_cli("train", "--preset", "playground", "--steps", "5")
    assert "angle" not in out


def test_train_feedback_overrides_a_spec_file_and_a_saved_fa_run_continues(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(load_preset("xor").to_json(), encoding="utf-8")
    saved = tmp_path / "fa.json"
    code, _, err = run_cli("train", "--config", str(spec), "--feedback", "fa", "--steps", "40",
                           "--save", str(saved))
    assert code == 0, err
    code, out, err = run_cli("train", "--config", str(saved), "--steps", "60", "--json")
    assert code == 0, err
    resumed = json.loads(out)
    straight = fa_trainer("xor")
    for _ in range(100):
        last = straight.step()
    assert resumed["feedback"] == "fa" and resumed["step"] == 100
    assert resumed["loss"] == straight.stats().train_loss
    assert resumed["alignment"] == list(last.alignment)
    code, _, err = run_cli("train", "--config", str(saved), "--feedback", "fa", "--steps", "1")
    assert code == 0, err  # the same signal as the session's: nothing to override


def test_train_feedback_cannot_change_a_trained_session(tmp_path):
    saved = tmp_path / "bp.json"
    assert run_cli("train", "--preset", "xor", "--steps", "10", "--save", str(saved))[0] == 0
    code, out, err = run_cli("train", "--config", str(saved), "--feedback", "fa")
    assert code == 2 and out == ""
    assert err == ("error: --feedback fa: this session was trained with backprop for 10 steps; "
                   "another gradient signal is a new run (leave --feedback out)\n")


def test_train_feedback_bad_value_is_a_usage_error():
    code, out, err = run_cli("train", "--preset", "xor", "--feedback", "dfa")
    assert code == 2 and out == "" and err.count("\n") == 1 and "invalid choice: 'dfa'" in err
