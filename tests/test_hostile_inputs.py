"""Every hostile input (tests/hostile_corpus.py) is one line on stderr and exit code 2, through
train and trace, in process and through main.py; Ctrl+C during train stops with a summary."""

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_corpus import (
    DATA_FILES,
    EXPECTED,
    HOSTILE,
    committed_cases,
    generated_cases,
    hostile_cases,
)

import engine.files
from engine.cli import run
from engine.presets import load_preset

ROOT = Path(__file__).resolve().parent.parent
# Words of Python's or NumPy's own advice, which mean a message leaked from inside.
ADVICE = ("traceback", "sys.", "set_int_max_str_digits", "usecols", "numpy", "np.", "dtype",
          "float64", "object of type", "python", "errno", "keyerror", "typeerror",
          "indexerror", "inhomogeneous", "could not convert", "not subscriptable",
          "unhashable")
# A spec may name these itself (its "dtype" field takes "float64" or "float32").
SPEC_WORDS = {"dtype": ("dtype", "float64")}


def allowed_words(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").lower() if path.is_file() \
            else ""
    except OSError:
        text = ""
    allowed = {word for word in ADVICE if word in text}
    for word, also in SPEC_WORDS.items():
        if f'"{word}"' in text:
            allowed.update(also)
    return allowed


def problems(path: Path, expected: str, command: str) -> list[str]:
    """What is wrong with the CLI's answer to this case ([] when it is right)."""
    out, err = io.StringIO(), io.StringIO()
    args = [command, "--config", str(path)] + (["--steps", "1"] if command == "train" else [])
    code = run(args, out, err)
    message = err.getvalue()
    found = []
    if code != 2:
        found.append(f"exit code {code}")
    if not message.startswith("error: ") or message.count("\n") != 1 or "\r" in message:
        found.append("not exactly one line starting 'error:'")
    if out.getvalue():
        found.append("output on stdout")
    if expected not in message.lower():
        found.append(f"no {expected!r}")
    leaked = [w for w in ADVICE if w in message.lower() and w not in allowed_words(path)]
    if leaked:
        found.append(f"leaks {leaked}")
    return [f"{path.name} ({command}): {', '.join(found)}: {message!r}"] if found else []


def test_the_corpus_is_complete():
    files = {p.name for p in HOSTILE.iterdir()}
    assert files == set(EXPECTED) | DATA_FILES, "every file needs an expected message"
    assert len(files) >= 45
    referenced = {json.loads((HOSTILE / name).read_text()).get("csv_path")
                  for name in EXPECTED if name.startswith("csv-")}
    assert DATA_FILES - {"data-good.csv"} <= referenced | {"data-good.csv"}
    assert all(expected == expected.lower() for expected in EXPECTED.values())


@pytest.mark.parametrize("command", ["train", "trace"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_committed_case(name, command):
    assert problems(HOSTILE / name, EXPECTED[name], command) == []


@pytest.mark.parametrize("command", ["train", "trace"])
def test_generated_cases(tmp_path, command):
    cases = generated_cases(tmp_path)
    assert len(cases) >= 15
    found = [p for path, expected in cases for p in problems(path, expected, command)]
    assert found == []


def test_hostile_cases_lists_both(tmp_path):
    cases = hostile_cases(tmp_path)
    (tmp_path / "again").mkdir()
    assert len(cases) == len(committed_cases()) + len(generated_cases(tmp_path / "again"))
    assert all(isinstance(p, Path) and isinstance(e, str) for p, e in cases)


def test_files_over_the_size_limit(tmp_path, monkeypatch):
    spec = tmp_path / "big.json"
    spec.write_text(json.dumps({**load_preset("xor").to_dict(), "description": "x" * 5000}))
    data = tmp_path / "big.csv"
    data.write_text("1,2,0\n3,4,1\n" * 500)
    csv_spec = tmp_path / "csv.json"
    csv_spec.write_text(json.dumps({"format": 1, "dataset": "csv", "csv_path": "big.csv",
                                    "features": []}))
    monkeypatch.setattr(engine.files, "MAX_FILE_BYTES", 4096)
    assert problems(spec, "is too large", "train") == []
    for command in ("train", "trace"):
        assert problems(csv_spec, "csv '", command) == []
        assert problems(csv_spec, "big.csv' is too large", command) == []


# -- through main.py, in a fresh interpreter ---------------------------------------------------

def main_py(*args, timeout=60):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, encoding="utf-8")


@pytest.mark.parametrize("name", ["csv-ragged.json", "weights-huge-integer.json",
                                  "unknown-key-newline.json", "session-weights-shape.json"])
def test_committed_cases_via_main_py(name):
    result = main_py("train", "--config", str(HOSTILE / name), "--steps", "1")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")
    assert EXPECTED[name] in result.stderr.lower() and "Traceback" not in result.stderr


def test_generated_cases_via_main_py(tmp_path):
    # The named pipe first: reading it would hang, so the timeout is the test.
    for path, expected in generated_cases(tmp_path):
        if path.name not in ("pipe.json", "deep.json", "digits.json", "csv-pipe.json"):
            continue
        result = main_py("train", "--config", str(path), "--steps", "1", timeout=30)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.splitlines()) == 1 and expected in result.stderr.lower()
        assert "Traceback" not in result.stderr


def interrupt_train(args, presses=1):
    """Run `main.py train ARGS`, press Ctrl+C once training runs, return (code, out, err).

    On a loaded machine start-up can take longer than any fixed wait; a press that lands
    before the training loop (the interpreter still starting, or the data still loading) is
    answered differently, by design, so such a run is repeated with a longer wait."""
    for wait in (1.0, 2.0, 4.0, 8.0):
        process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "train", *args],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, encoding="utf-8")
        try:
            time.sleep(wait)
            for _ in range(presses):
                process.send_signal(signal.SIGINT)
                time.sleep(0.02)
            out, err = process.communicate(timeout=30)
        finally:
            process.kill()
        too_early = process.returncode == -signal.SIGINT or err == "error: interrupted\n"
        if not too_early:
            return process.returncode, out, err
    pytest.fail("the training loop never started within 8 s")


@pytest.mark.parametrize("json_output", [False, True])
def test_ctrl_c_during_train_prints_the_summary_and_exits_130(json_output):
    code, out, err = interrupt_train(["--preset", "xor", "--steps", "10000000"]
                                     + (["--json"] if json_output else []))
    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err and err == ""
    if json_output:
        result = json.loads(out)
        assert result["interrupted"] is True and result["step"] > 0
        assert result["diverged"] is False and result["loss"] < 1
    else:
        summary, note = out.splitlines()
        assert summary.startswith("step ") and "loss" in summary and "accuracy" in summary
        step = int(summary.split()[1])
        assert step > 0 and note == f"interrupted at step {step}"


def test_ctrl_c_pressed_twice_still_saves_and_summarises(tmp_path):
    """The second Ctrl+C lands while the summary and --save are written: it is ignored."""
    saved = tmp_path / "run.json"
    code, out, err = interrupt_train(["--preset", "playground", "--steps", "100000000",
                                      "--save", str(saved)], presses=2)
    assert code == 130 and err == "", err
    assert out.splitlines()[-1].startswith("interrupted at step ")
    assert json.loads(saved.read_text(encoding="utf-8"))["kind"] == "session"
