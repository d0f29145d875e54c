"""PyTorch is optional: the engine, the export and the CLI import and work without it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WITHOUT_TORCH = r"""
import sys
import engine.cli, engine.torch_cli, engine.torch_compare, engine.torch_export, engine.torch_script
assert "torch" not in sys.modules, "importing the modules loaded torch"
sys.modules["torch"] = None  # from here on `import torch` fails, as without the package
from engine.presets import load_preset
from engine.torch_compare import compare_with_torch, torch_missing
from engine.torch_export import export_script
from engine.trainer import Trainer
message = torch_missing()
assert message == ("PyTorch is not installed: pip install torch==2.13.0 "
                   "(or the project's [torch] extra)"), message
trainer = Trainer(load_preset("xor"))
try:
    compare_with_torch(trainer.network, trainer.X_train, trainer.Y_train)
except ValueError as e:
    assert str(e) == message
else:
    raise AssertionError("compare_with_torch ran without torch")
compile(export_script(trainer), "net.py", "exec")  # writing the script needs no torch
print("ok")
"""


def test_everything_but_running_the_script_works_without_torch():
    result = subprocess.run([sys.executable, "-c", WITHOUT_TORCH], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
