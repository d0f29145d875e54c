"""`main.py gradcheck`: checked/skipped counts and a verdict per tensor (text and --json), an
all-skipped tensor "not checked", --bug NAME / --bug list, --eps, --threshold, --sample, and
bad input as one line with exit code 2."""

import io
import json

import numpy as np
import pytest

from engine import bugs
from engine.cli import run
from engine.presets import load_preset
from engine.serialization import save_session, trainer_session
from engine.trainer import Trainer


def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def tensor_lines(text):
    return {line.split()[0]: line for line in text.splitlines()[1:-1]}


def test_text_says_checked_skipped_and_a_verdict_per_tensor():
    code, out, err = run_cli("gradcheck", "--preset", "playground")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == ("checking the first mini-batch (10 samples, before any step), "
                        "auto ε (Richardson)")
    tensors = tensor_lines(out)
    assert list(tensors) == ["1.W", "1.b", "2.W", "2.b", "3.W", "3.b"]
    for line in tensors.values():
        assert " checked, " in line and " skipped" in line and line.endswith("passed")
    assert lines[-1] == "passed (threshold 1e-07)"


def test_xor_no_longer_passes_a_tensor_with_nothing_compared():
    """XOR's biases start at 0 and (0, 0) is a sample: every bias sits on a ReLU kink."""
    code, out, _ = run_cli("gradcheck", "--preset", "xor")
    line = tensor_lines(out)["1.b"]
    assert "0 checked, 4 skipped at a ReLU kink" in line
    assert "not checked" in line and "passed" not in line
    assert code == 0 and out.splitlines()[-1] == "passed (threshold 1e-07; 1 tensor not checked)"
    data = json.loads(run_cli("gradcheck", "--preset", "xor", "--json")[1])
    bias = next(p for p in data["parameters"] if p["name"] == "1.b")
    assert bias == {"name": "1.b", "status": "not checked", "relative_difference": 0.0,
                    "resolution": 0.0, "checked": 0, "skipped": 4, "skipped_kinks": 4,
                    "total": 4, "worst": None}


def test_json_has_counts_and_status_per_tensor():
    code, out, _ = run_cli("gradcheck", "--preset", "softmax-2-3-2", "--json")
    data = json.loads(out)
    assert code == 0 and data["passed"] is True and data["status"] == "passed"
    assert data["threshold"] == 1e-7 and data["eps"] is None and data["bug"] is None
    for p in data["parameters"]:
        assert p["status"] == "passed" and p["checked"] + p["skipped"] == p["total"]
        assert len(p["worst"]) in (1, 2)


@pytest.mark.parametrize("preset, name", [("playground", "derivative-at-a"),
                                          ("playground", "loss-gradient-sign"),
                                          ("worked-example", "mse-missing-2"),
                                          ("vanishing", "w-not-transposed")])
def test_a_bug_fails_the_check_where_it_is(preset, name):
    code, out, err = run_cli("gradcheck", "--preset", preset, "--bug", name)
    assert code == 1 and err == ""
    failed = [k for k, line in tensor_lines(out).items() if line.endswith("FAILED")]
    trainer = Trainer(load_preset(preset))
    assert failed == bugs.affected_tensors(trainer.network, name)
    assert out.splitlines()[-1].startswith("FAILED")
    assert f"with bug {name}: {bugs.BUGS[name].description}" in out.splitlines()[0]
    data = json.loads(run_cli("gradcheck", "--preset", preset, "--bug", name, "--json")[1])
    assert data["bug"] == name and data["status"] == "FAILED" and data["passed"] is False


def test_bug_list_names_every_bug_without_a_network():
    code, out, err = run_cli("gradcheck", "--bug", "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == list(bugs.BUGS)
    for line, bug in zip(lines, bugs.BUGS.values(), strict=True):
        assert line.endswith(bug.title)
    listed = json.loads(run_cli("gradcheck", "--bug", "list", "--json")[1])
    assert [b["name"] for b in listed] == list(bugs.BUGS) and listed[0]["effect"]


def test_threshold_eps_and_sample():
    _, out, _ = run_cli("gradcheck", "--preset", "playground", "--bug", "bias-last-sample",
                        "--threshold", "2")
    assert out.splitlines()[-1] == "passed (threshold 2)"  # every difference is below 2
    code, out, _ = run_cli("gradcheck", "--preset", "playground", "--sample", "3",
                           "--eps", "1e-6")
    assert code == 0 and out.splitlines()[0] == "checking training sample 3, ε = 1e-06"
    # The bias gradient of one sample is that sample's ∂L/∂z: the bug has nothing to drop.
    code, _, _ = run_cli("gradcheck", "--preset", "playground", "--sample", "3",
                         "--bug", "bias-last-sample")
    assert code == 0


def test_a_float32_session_is_checked_on_its_last_mini_batch(tmp_path):
    trainer = Trainer(load_preset("playground").replace(dtype="float32"))
    for _ in range(3):
        trainer.step()
    path = tmp_path / "s.json"
    save_session(trainer_session(trainer), path)
    code, out, _ = run_cli("gradcheck", "--config", str(path))
    assert code == 0 and out.startswith("checking the last mini-batch (10 samples)")
    assert np.asarray(trainer.last_batch).size == 10


BAD = {
    "unknown bug": (["--preset", "xor", "--bug", "nope"], "unknown bug 'nope'"),
    "bug that does not apply": (["--preset", "xor", "--bug", "w-not-transposed"],
                                "does not apply here"),
    "mse bug on bce": (["--preset", "xor", "--bug", "mse-missing-2"], "mean squared error"),
    "zero eps": (["--preset", "xor", "--eps", "0"], "--eps: must be a positive number"),
    "text eps": (["--preset", "xor", "--eps", "small"], "--eps: must be a positive number"),
    "negative threshold": (["--preset", "xor", "--threshold", "-1"], "--threshold"),
    "sample out of range": (["--preset", "xor", "--sample", "4"], "no training sample 4"),
    "negative sample": (["--preset", "xor", "--sample", "-1"], "no training sample -1"),
    "no network": (["--max-elements", "3"], "needs --preset NAME or --config FILE"),
    "zero elements": (["--preset", "xor", "--max-elements", "0"], "--max-elements"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_line_and_exit_code_2(case):
    argv, message = BAD[case]
    code, out, err = run_cli("gradcheck", *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err


def test_a_bug_a_single_sample_cannot_show_is_said_so():
    """On one sample the batch sum and the 1/m are that sample's: the bug changes nothing, and
    a "passed" beside an injected bug must say why."""
    code, out, _ = run_cli("gradcheck", "--preset", "playground", "--bug", "missing-1-over-m",
                           "--sample", "0")
    assert code == 0 and "note: " in out and "single sample" in out
    code, out, _ = run_cli("gradcheck", "--preset", "playground", "--bug", "missing-1-over-m",
                           "--json")
    assert code == 1 and json.loads(out)["notes"] == []


def test_feedback_alignment_failing_the_check_is_explained(tmp_path):
    import dataclasses

    spec = dataclasses.replace(load_preset("xor"), feedback="fa")
    path = tmp_path / "fa.json"
    save_session(trainer_session(Trainer(spec)), str(path))
    code, out, _ = run_cli("gradcheck", "--config", str(path))
    assert "feedback alignment is on" in out and "by design" in out
