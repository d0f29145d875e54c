"""The exported PyTorch script reproduces the engine's training (engine/torch_export.py).

Each scenario exports a trainer, runs the script for some steps and checks its per-step
mini-batch losses, final weights and final training loss against the engine continuing from
the same state, to 1e-10 in float64. One script runs as `python big.py` in a subprocess (its
data in a CSV file beside it); the others run in this process via runpy, which saves torch's
import (seconds) per script.
"""

import copy
import subprocess
import sys

import numpy as np
import pytest
from torch_helpers import assert_reproduces, run_in_process

from engine.presets import load_preset
from engine.torch_export import EMBED_LIMIT, export_script, write_export
from engine.trainer import Trainer

PLAYGROUND = load_preset("playground")


def scenario(name):
    """(trainer at the export, steps to run after it)."""
    if name == "playground sgd":  # 25 steps per pass: the script reshuffles once
        return Trainer(PLAYGROUND), 30
    if name == "softmax momentum":
        return Trainer(load_preset("softmax-2-3-2").replace(optimizer="momentum")), 12
    if name == "xor adam":
        return Trainer(load_preset("xor").replace(optimizer="adam", learning_rate=0.05)), 10
    if name == "worked example l2":
        return Trainer(load_preset("worked-example").replace(regularization="l2",
                                                             reg_rate=0.1)), 5
    if name == "deep sigmoid adam l1 clipped":
        return Trainer(load_preset("vanishing").replace(
            optimizer="adam", regularization="l1", reg_rate=1e-3, clip_norm=0.5)), 12
    if name == "regression momentum l2 clipped":
        spec = PLAYGROUND.replace(
            dataset="regress-plane", hidden=[5, 3], activations=["swish", "elu"],
            output_activation="linear", loss="mse", optimizer="momentum", momentum=0.8,
            regularization="l2", reg_rate=0.01, clip_norm=1.0, batch_size=7,
            features=["x1", "x2", "x1^2", "sin(x2)"])
        return Trainer(spec), 15
    if name == "softplus leaky relu ce adam":
        spec = PLAYGROUND.replace(dataset="blobs", hidden=[6, 4],
                                  activations=["softplus", "leaky_relu"],
                                  output_activation="softmax", loss="ce", optimizer="adam")
        return Trainer(spec), 8
    if name == "mid-run adam":  # exported mid-pass, continued across a reshuffle
        trainer = Trainer(PLAYGROUND.replace(optimizer="adam", regularization="l2",
                                             reg_rate=0.003))
        _steps(trainer, 37)
        return trainer, 20
    if name == "mid-run momentum, learning rate changed":
        trainer = Trainer(PLAYGROUND.replace(optimizer="momentum", clip_norm=0.3))
        _steps(trainer, 13)
        trainer.set_learning_rate(0.05)
        return trainer, 15
    if name == "end of a pass":
        trainer = Trainer(PLAYGROUND.replace(optimizer="momentum", batch_size=50))
        _steps(trainer, 5)  # exactly one pass: the next batch reshuffles
        return trainer, 6
    raise KeyError(name)


IN_PROCESS = ["playground sgd", "softmax momentum", "xor adam", "worked example l2",
              "deep sigmoid adam l1 clipped", "regression momentum l2 clipped",
              "softplus leaky relu ce adam", "mid-run adam",
              "mid-run momentum, learning rate changed", "end of a pass"]


def _steps(trainer, n):
    for _ in range(n):
        assert not trainer.step().diverged


@pytest.fixture
def torch_module():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("name", IN_PROCESS)
def test_the_script_reproduces_the_engine(name, tmp_path, monkeypatch, torch_module):
    trainer, steps = scenario(name)
    path = tmp_path / "net.py"
    assert write_export(trainer, path, steps=steps) == [str(path)]
    output = run_in_process(path, ["--print-every", "1", "--json"], monkeypatch)
    assert_reproduces(trainer, steps, output)


def test_the_script_runs_standalone_with_its_data_beside_it(tmp_path, torch_module):
    """`python big.py` in a subprocess, from another folder: the CSV is found beside the
    script; a mid-pass export with Adam's moments continues exactly."""
    big = Trainer(PLAYGROUND.replace(samples=2600, optimizer="adam", batch_size=32))
    assert big.X_train.size + big.Y_train.size > EMBED_LIMIT
    _steps(big, 7)
    (tmp_path / "out").mkdir()
    paths = write_export(big, tmp_path / "out" / "big.py", steps=9)
    assert paths == [str(tmp_path / "out" / "big.py"), str(tmp_path / "out" / "big.csv")]
    run = subprocess.run([sys.executable, paths[0], "--print-every", "1", "--json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert_reproduces(big, 9, run.stdout)


def test_the_default_output_is_for_people(tmp_path, monkeypatch, torch_module):
    trainer = Trainer(load_preset("xor"))
    path = tmp_path / "net.py"
    write_export(trainer, path, steps=40)
    lines = run_in_process(path, ["--print-every", "20"], monkeypatch).splitlines()
    assert len(lines) == 3
    assert lines[0].split()[:2] == ["step", "20"] and "mini-batch loss" in lines[0]
    assert lines[-1].startswith("after 40 steps: loss over the 4 training samples")


def test_a_float32_trainer_exports_float32(tmp_path, monkeypatch, torch_module):
    trainer = Trainer(PLAYGROUND.replace(dtype="float32", optimizer="adam"))
    path = tmp_path / "net.py"
    write_export(trainer, path, steps=10)
    assert "DTYPE = torch.float32" in path.read_text()
    output = run_in_process(path, ["--print-every", "1", "--json"], monkeypatch)
    assert_reproduces(trainer, 10, output, tolerance=1e-5)  # float32 rounding, not 1e-10


# -- the text and what is refused (no torch needed) -----------------------------------------------

def test_the_script_is_readable_python_with_its_sections():
    trainer = Trainer(PLAYGROUND.replace(optimizer="momentum", regularization="l1",
                                         reg_rate=0.01))
    _steps(trainer, 3)
    text = export_script(trainer, steps=77)
    compile(text, "net.py", "exec")
    assert text.startswith('"""A PyTorch script exported by Backprop Playground.')
    assert "Run:" in text and "torch==2.13.0" in text
    sections = ["# -- data", "# -- model", "# -- loss", "# -- optimiser", "# -- mini-batches",
                "# -- training loop"]
    positions = [text.index(s) for s in sections]
    assert positions == sorted(positions)
    assert "STEPS = 77" in text and "START_STEP = 3" in text
    assert "nn.Sequential(" in text and "nn.Tanh()" in text and "torch.optim.SGD(" in text
    assert "VELOCITIES = [" in text and "torch.sign(W.detach())" in text
    assert "import engine" not in text and "from engine" not in text  # standalone
    assert max(len(line) for line in text.splitlines()) <= 100


def test_export_leaves_the_trainer_as_it_was():
    trainer = Trainer(PLAYGROUND)
    _steps(trainer, 4)
    state = copy.deepcopy(trainer.batch_rng.bit_generator.state)
    order, cursor = trainer.order.copy(), trainer.cursor
    export_script(trainer)
    assert trainer.batch_rng.bit_generator.state == state
    assert np.array_equal(trainer.order, order) and trainer.cursor == cursor


def test_a_fresh_trainer_seeds_the_batch_order_as_the_playground_does():
    text = export_script(Trainer(PLAYGROUND.replace(seed=42)))
    assert "rng = np.random.default_rng([42, 2])" in text
    assert "order = np.array([], dtype=np.int64)" in text
    trainer = Trainer(PLAYGROUND)
    _steps(trainer, 1)
    assert "rng.bit_generator.state = " in export_script(trainer)


def test_feedback_alignment_is_refused():
    trainer = Trainer(PLAYGROUND)
    trainer.spec.feedback = "fa"
    with pytest.raises(ValueError, match="feedback alignment cannot be exported"):
        export_script(trainer)
    trainer = Trainer(PLAYGROUND)
    trainer.network.layers[1].B = np.ones((2, 4))
    with pytest.raises(ValueError, match="feedback alignment"):
        export_script(trainer)


def test_an_injected_bug_is_refused(tmp_path):
    bugs = pytest.importorskip("engine.bugs")
    trainer = Trainer(PLAYGROUND)
    name = next(n for n in bugs.BUGS if not bugs.applicable(trainer.network, n))
    bugs.inject(trainer.network, name)
    with pytest.raises(ValueError, match="injected bug"):
        write_export(trainer, tmp_path / "net.py")
    assert not list(tmp_path.iterdir())


def test_what_cannot_be_exported_is_one_line_and_writes_nothing(tmp_path):
    trainer = Trainer(PLAYGROUND)
    trainer.network.layers[0].W[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or Inf"):
        write_export(trainer, tmp_path / "net.py")
    trainer = Trainer(PLAYGROUND)
    for steps in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="steps must be"):
            write_export(trainer, tmp_path / "net.py", steps=steps)
    with pytest.raises(ValueError, match="folder does not exist"):
        write_export(trainer, tmp_path / "missing" / "net.py")
    assert not list(tmp_path.iterdir())
    big = Trainer(PLAYGROUND.replace(samples=2600))
    with pytest.raises(ValueError, match="with a .py ending"):
        write_export(big, tmp_path / "net.csv")


def test_large_data_goes_to_a_csv_that_reads_back_exactly(tmp_path):
    trainer = Trainer(PLAYGROUND.replace(samples=2600, features=["x1", "x2", "x1*x2"]))
    paths = write_export(trainer, tmp_path / "net", steps=5)
    assert paths == [str(tmp_path / "net"), str(tmp_path / "net.csv")]
    csv = (tmp_path / "net.csv").read_text()
    assert csv.splitlines()[0] == "x1,x2,x1*x2,y"
    table = np.loadtxt(tmp_path / "net.csv", delimiter=",", skiprows=1, ndmin=2)
    assert np.array_equal(table[:, :3], trainer.X_train)
    assert np.array_equal(table[:, 3:], trainer.Y_train)
    text = (tmp_path / "net").read_text()
    assert "DATA_CSV = 'net.csv'" in text and "X_TRAIN = torch.tensor(table[:, :3]" in text
