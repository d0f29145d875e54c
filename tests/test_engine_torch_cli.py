"""`python main.py export-torch`: the CLI side of the PyTorch export (engine/torch_cli.py)."""

import io
import json

import pytest
from torch_helpers import assert_reproduces, run_in_process

from engine.cli import run
from engine.presets import load_preset
from engine.serialization import load_file, save_session, trainer_session
from engine.trainer import Trainer


def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = run(list(map(str, args)), out, err)
    return code, out.getvalue(), err.getvalue()


def test_a_preset_exports_a_script_and_prints_its_path(tmp_path):
    path = tmp_path / "net.py"
    code, out, err = run_cli("export-torch", "--preset", "xor", "-o", path, "--steps", "50")
    assert (code, out, err) == (0, f"wrote {path}\n", "")
    text = path.read_text()
    compile(text, str(path), "exec")
    assert "STEPS = 50" in text and "START_STEP = 0" in text


def test_large_data_prints_both_files(tmp_path):
    config = tmp_path / "big.json"
    config.write_text(load_preset("playground").replace(samples=3000).to_json())
    code, out, _ = run_cli("export-torch", "--config", config, "--output", tmp_path / "big.py")
    assert code == 0
    assert out.splitlines() == [f"wrote {tmp_path / 'big.py'}", f"wrote {tmp_path / 'big.csv'}"]


def test_a_session_exports_where_it_left_off_and_the_script_continues_it(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")  # noqa: F841 (the script needs it)
    trainer = Trainer(load_preset("softmax-2-3-2").replace(optimizer="adam"))
    for _ in range(11):
        trainer.step()
    session = tmp_path / "session.json"
    save_session(trainer_session(trainer), session)
    code, _, err = run_cli("export-torch", "--config", session, "-o", tmp_path / "net.py",
                           "--steps", "8")
    assert code == 0, err
    output = run_in_process(tmp_path / "net.py", ["--print-every", "1", "--json"], monkeypatch)
    assert json.loads(output.splitlines()[0])["step"] == 12
    assert_reproduces(load_file(session), 8, output)


def _fa_spec(tmp_path):
    path = tmp_path / "fa.json"
    path.write_text(load_preset("playground").replace(feedback="fa").to_json())
    return ["--config", path]


BAD = {
    "no output": lambda tmp: ["export-torch", "--preset", "xor"],
    "no source": lambda tmp: ["export-torch", "-o", tmp / "net.py"],
    "two sources": lambda tmp: ["export-torch", "--preset", "xor", "--config", tmp / "x.json",
                                "-o", tmp / "net.py"],
    "unknown preset": lambda tmp: ["export-torch", "--preset", "nope", "-o", tmp / "net.py"],
    "zero steps": lambda tmp: ["export-torch", "--preset", "xor", "-o", tmp / "n.py",
                               "--steps", "0"],
    "steps not a number": lambda tmp: ["export-torch", "--preset", "xor", "-o", tmp / "n.py",
                                       "--steps", "many"],
    "missing folder": lambda tmp: ["export-torch", "--preset", "xor", "-o", tmp / "no" / "n.py"],
    "output is a folder": lambda tmp: ["export-torch", "--preset", "xor", "-o", tmp],
    "missing config": lambda tmp: ["export-torch", "--config", tmp / "x.json", "-o", tmp / "n.py"],
    "feedback alignment": lambda tmp: ["export-torch", *_fa_spec(tmp), "-o", tmp / "n.py"],
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_line_exit_2_and_writes_no_script(case, tmp_path):
    code, out, err = run_cli(*BAD[case](tmp_path))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert not list(tmp_path.glob("*.py")) and not list(tmp_path.glob("*.csv"))
    if case == "feedback alignment":
        assert "feedback alignment cannot be exported" in err


def test_main_py_sends_every_cli_command_to_the_cli_not_the_window():
    import main
    from engine.cli import COMMANDS

    assert set(COMMANDS) <= main.HEADLESS_COMMANDS
