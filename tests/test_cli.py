"""The headless command line (main.py train / trace / gradcheck): the worked example's numbers,
training to a result, and bad input as one line on stderr with exit code 2."""

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from engine_helpers import huge_weights_spec

from engine.cli import run
from engine.presets import load_preset, preset_names

ROOT = Path(__file__).resolve().parent.parent

# The worked example's printed values in order: (symbol, value to 4 decimals).
WORKED_EXAMPLE = [
    ("z⁽¹⁾", "1.1000"), ("a⁽¹⁾", "1.1000"), ("z⁽²⁾", "1.0800"), ("ŷ", "0.7465"),
    ("L", "0.0643"), ("∂L/∂ŷ", "-0.5070"), ("sigmoid′(z⁽²⁾)", "0.1892"),
    ("∂L/∂z⁽²⁾", "-0.0959"), ("∂L/∂W⁽²⁾", "-0.1055"), ("∂L/∂b⁽²⁾", "-0.0959"),
    ("∂L/∂a⁽¹⁾", "-0.0768"), ("∂L/∂W⁽¹⁾", "-0.1535"), ("∂L/∂b⁽¹⁾", "-0.0768"),
    ("W⁽¹⁾", "0.5154"), ("b⁽¹⁾", "0.1077"), ("W⁽²⁾", "0.8106"), ("b⁽²⁾", "0.2096"),
]


def main_py(*args, timeout=120):
    """Run main.py in a fresh interpreter (the project's venv python running these tests)."""
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, encoding="utf-8")


def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def printed_values(text):
    """(symbol, value) of every '  symbol = formula   = value' line of the trace output."""
    pairs = []
    for line in text.splitlines():
        if line.startswith("  ") and " = " in line and not line.strip().startswith("("):
            symbol = line.strip().split(" = ")[0].strip()
            pairs.append((symbol, line.rsplit("= ", 1)[1].strip()))
    return pairs


def assert_in_order(expected, pairs):
    position = 0
    for item in expected:
        try:
            position = pairs.index(item, position) + 1
        except ValueError:
            pytest.fail(f"{item} not printed after position {position}: {pairs}")


def test_trace_worked_example_in_process():
    code, out, err = run_cli("trace", "--preset", "worked-example")
    assert code == 0 and err == ""
    assert out.startswith("one training step on 1 sample(s)")
    assert_in_order(WORKED_EXAMPLE, printed_values(out))


def test_trace_worked_example_via_main_py():
    result = main_py("trace", "--preset", "worked-example")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert_in_order(WORKED_EXAMPLE, printed_values(result.stdout))


def test_trace_json_output():
    code, out, _ = run_cli("trace", "--preset", "worked-example", "--json")
    assert code == 0
    data = json.loads(out)
    # Every value of this one-neuron network is a single number (nested in lists by shape).
    values = [(s["kind"], s["layer"], q["key"], round(float(np.ravel(q["value"])[0]), 4))
              for s in data["stages"] for q in s["quantities"]]
    expected = [
        ("forward", 1, "z", 1.1), ("forward", 1, "a", 1.1), ("forward", 2, "z", 1.08),
        ("forward", 2, "a", 0.7465), ("loss", None, "L", 0.0643),
        ("backward", 2, "dA", -0.507), ("backward", 2, "fprime", 0.1892),
        ("backward", 2, "dZ", -0.0959), ("backward", 2, "dW", -0.1055),
        ("backward", 2, "db", -0.0959), ("backward", 2, "dA_prev", -0.0768),
        ("backward", 1, "dW", -0.1535), ("backward", 1, "db", -0.0768),
        ("update", 1, "W_new", 0.5154), ("update", 1, "b_new", 0.1077),
        ("update", 2, "W_new", 0.8106), ("update", 2, "b_new", 0.2096),
    ]
    position = 0
    for item in expected:
        position = values.index(item, position) + 1
    assert data["batch"] == [0] and data["step"] == 1


def test_train_xor_reaches_full_accuracy_json():
    result = main_py("train", "--preset", "xor", "--steps", "2000", "--json")
    assert result.returncode == 0, result.stderr
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["step"] == 2000 and last["accuracy"] == 1.0
    assert last["loss"] < 0.05 and last["diverged"] is False
    assert {"step", "loss", "accuracy", "epoch", "test_loss"} <= last.keys()


def test_train_text_output_and_regression_accuracy_is_null(tmp_path):
    code, out, _ = run_cli("train", "--preset", "playground", "--steps", "20")
    assert code == 0 and out.startswith("step 20  epoch 0  loss ") and "accuracy" in out
    config = tmp_path / "regression.json"
    config.write_text(load_preset("playground").replace(
        dataset="regress-plane", output_activation="linear", loss="mse").to_json())
    code, out, err = run_cli("train", "--config", str(config), "--steps", "30", "--json")
    assert code == 0, err
    last = json.loads(out.strip().splitlines()[-1])
    assert last["accuracy"] is None and last["test_accuracy"] is None
    assert last["step"] == 30 and last["loss"] > 0


def test_train_reports_divergence_with_exit_code_1(tmp_path):
    config = tmp_path / "explode.json"
    config.write_text(load_preset("playground").replace(
        dataset="regress-plane", output_activation="linear", loss="mse",
        learning_rate=1e6).to_json())
    code, out, err = run_cli("train", "--config", str(config), "--steps", "500")
    assert code == 1 and "diverged:" in out and err == ""


@pytest.mark.parametrize("preset", preset_names())
def test_gradcheck_passes_for_every_preset(preset):
    result = main_py("gradcheck", "--preset", preset)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("passed")


def test_gradcheck_json():
    code, out, _ = run_cli("gradcheck", "--preset", "softmax-2-3-2", "--json")
    data = json.loads(out)
    assert code == 0 and data["passed"] is True and data["threshold"] == 1e-7
    assert [p["name"] for p in data["parameters"]] == ["1.W", "1.b", "2.W", "2.b"]
    assert all(p["relative_difference"] < 1e-7 for p in data["parameters"])


# -- bad input: exit code 2, exactly one line on stderr, no traceback -----------------------

def _config(tmp_path, text, name="config.json"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _valid_with(**changes):
    return json.dumps({**load_preset("playground").to_dict(), **changes})


BAD_INPUTS = {
    "unknown preset": lambda p: ["train", "--preset", "no-such-preset"],
    "missing file": lambda p: ["train", "--config", str(p / "missing.json")],
    "directory": lambda p: ["trace", "--config", str(p)],
    "malformed JSON": lambda p: ["train", "--config", _config(p, '{"hidden": [4,')],
    "not an object": lambda p: ["train", "--config", _config(p, "[1, 2]")],
    "negative learning rate": lambda p: ["train", "--config", _config(p, _valid_with(
        learning_rate=-1))],
    "zero neurons": lambda p: ["trace", "--config", _config(p, _valid_with(
        hidden=[0], activations=["tanh"]))],
    "hidden not a list": lambda p: ["train", "--config", _config(p, _valid_with(hidden=3))],
    "string number": lambda p: ["train", "--config", _config(p, _valid_with(noise="0.1"))],
    "unknown field": lambda p: ["train", "--config", _config(p, _valid_with(colour="red"))],
    "format 2": lambda p: ["train", "--config", _config(p, _valid_with(format=2))],
    "weights wrong shape": lambda p: ["train", "--config", _config(p, _valid_with(
        weights=[{"W": [[1]], "b": [0]}] * 3))],
    "bad csv": lambda p: ["train", "--config", _config(p, _valid_with(
        dataset="csv", csv_path=_config(p, "1,2,0\n3,x,1\n", "data.csv")))],
    "empty csv": lambda p: ["train", "--config", _config(p, _valid_with(
        dataset="csv", csv_path=_config(p, "", "empty.csv")))],
    "no command": lambda p: [],
    "unknown command": lambda p: ["fly", "--preset", "xor"],
    "no source": lambda p: ["train"],
    "two sources": lambda p: ["trace", "--preset", "xor", "--config", "x.json"],
    "steps zero": lambda p: ["train", "--preset", "xor", "--steps", "0"],
    "steps not a number": lambda p: ["train", "--preset", "xor", "--steps", "many"],
    "max elements zero": lambda p: ["gradcheck", "--preset", "xor", "--max-elements", "0"],
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_code_2(case, tmp_path):
    code, out, err = run_cli(*BAD_INPUTS[case](tmp_path))
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize("case", ["unknown preset", "missing file", "malformed JSON",
                                  "zero neurons"])
def test_bad_input_via_main_py(case, tmp_path):
    result = main_py(*BAD_INPUTS[case](tmp_path))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_help_lists_the_commands():
    result = main_py("--help")
    assert result.returncode == 0
    for command in ("train", "trace", "gradcheck"):
        assert command in result.stdout


# -- interrupt, last guards ----------------------------------------------------------------

def _interrupt_soon(delay=0.3):
    import os
    import signal
    import threading

    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.mark.parametrize("json_output", [False, True])
def test_ctrl_c_in_process_stops_between_steps_with_a_summary(json_output, tmp_path):
    session = tmp_path / "saved.json"
    timer = _interrupt_soon()
    try:
        code, out, err = run_cli("train", "--preset", "xor", "--steps", "100000000",
                                 "--save", str(session), *(["--json"] if json_output else []))
    finally:
        timer.cancel()
    assert code == 130 and err == ""
    if json_output:
        result = json.loads(out)
        assert result["interrupted"] is True and result["step"] > 0
        step = result["step"]
    else:
        summary, note = out.splitlines()
        step = int(summary.split()[1])
        assert note == f"interrupted at step {step}"
    # What was trained is saved whole: the session continues at the step reported.
    saved = json.loads(session.read_text())
    assert saved["step"] == step


def test_a_second_run_after_an_interrupt_is_not_affected():
    timer = _interrupt_soon(0.2)
    try:
        assert run_cli("train", "--preset", "xor", "--steps", "100000000")[0] == 130
    finally:
        timer.cancel()
    code, out, _ = run_cli("train", "--preset", "xor", "--steps", "50", "--json")
    assert code == 0 and json.loads(out)["interrupted"] is False


def test_any_message_is_collapsed_to_one_line(monkeypatch):
    import engine.cli

    def broken(args):
        raise ValueError("first line\nsecond line\r\nthird")

    monkeypatch.setattr(engine.cli, "load_trainer", broken)
    code, out, err = run_cli("train", "--preset", "xor")
    assert code == 2 and err == "error: first line second line third\n"


def test_a_non_finite_loss_is_null_in_json(tmp_path):
    config = tmp_path / "huge.json"
    config.write_text(huge_weights_spec().to_json())
    code, out, _ = run_cli("train", "--config", str(config), "--steps", "3", "--json")
    result = json.loads(out, parse_constant=pytest.fail)  # strict JSON: no NaN or Infinity
    assert code == 1 and result["diverged"] is True and result["loss"] is None


def test_the_trace_of_an_infinite_step_is_strict_json(tmp_path):
    config = tmp_path / "huge.json"
    config.write_text(huge_weights_spec().to_json())
    code, out, _ = run_cli("trace", "--config", str(config), "--json")
    data = json.loads(out, parse_constant=pytest.fail)
    assert code == 1 and data["rolled_back"] is True and data["loss"] is None


def test_a_preset_name_is_never_a_path():
    import io

    from engine.cli import run

    out, err = io.StringIO(), io.StringIO()
    assert run(["train", "--preset", "../presets/xor", "--steps", "1"], out=out, err=err) == 2
    assert "unknown preset" in err.getvalue()


@pytest.mark.parametrize("target", ["folder", "missing/run.json", "/dev/full", "/dev/null"])
def test_save_refuses_a_target_that_cannot_take_a_file_before_training(tmp_path, target):
    import io
    import os

    from engine.cli import run

    if target.startswith("/dev/") and not os.path.exists(target):
        pytest.skip(f"no {target} here")
    (tmp_path / "folder").mkdir()
    path = target if target.startswith("/") else str(tmp_path / target)
    out, err = io.StringIO(), io.StringIO()
    assert run(["train", "--preset", "xor", "--steps", "1", "--save", path],
               out=out, err=err) == 2
    assert err.getvalue().startswith("error: cannot write") and err.getvalue().count("\n") == 1
    assert out.getvalue() == ""  # refused before any training
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_a_diverged_loss_prints_in_exponent_form_not_three_hundred_digits():
    from engine.cli import _loss_text

    assert _loss_text(0.0279) == "0.027900"
    assert _loss_text(3.2e301) == "3.2e+301" and len(_loss_text(-1.5e300, 4)) < 12
    assert _loss_text(float("inf")) == "inf" and _loss_text(float("nan")) == "nan"
