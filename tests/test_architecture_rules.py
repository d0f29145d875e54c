"""Layering rules from DESIGN.md: engine/ is pure NumPy (no Qt, no pyqtgraph, no gui/), so it
runs in a notebook or on a headless server, and the headless CLI never loads Qt."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE_FILES = sorted((ROOT / "engine").glob("*.py"))
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph", "qtpy", "gui")


def imported_modules(path: Path) -> list[str]:
    """Every module an engine file imports, at any depth (also inside functions)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_engine_files_exist():
    assert {p.stem for p in ENGINE_FILES} >= {"activations", "trainer", "trace", "cli"}


@pytest.mark.parametrize("path", ENGINE_FILES, ids=[p.name for p in ENGINE_FILES])
def test_engine_module_imports_no_qt_and_no_gui(path):
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top not in FORBIDDEN and not top.startswith("Qt"), f"{path.name} imports {name}"
    # A plain-text check too, for imports hidden from the AST (importlib, __import__).
    text = path.read_text(encoding="utf-8")
    for word in ("PySide6", "pyqtgraph", "import_module", "__import__"):
        assert word not in text, f"{path.name} mentions {word}"


def _loaded_after(code: str) -> list[str]:
    check = (
        f"{code}\n"
        "import sys\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{FORBIDDEN!r} or m.startswith('Qt'))\n"
        "print('LOADED:' + ','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("LOADED:")
    return [m for m in last.removeprefix("LOADED:").split(",") if m]


def test_importing_every_engine_module_loads_no_qt():
    modules = ", ".join(f"engine.{p.stem}" for p in ENGINE_FILES if p.stem != "__init__")
    assert _loaded_after(f"import {modules}") == []


def test_headless_commands_load_no_qt():
    code = ("import main\n"
            "assert main.main(['trace', '--preset', 'worked-example']) == 0\n"
            "assert main.main(['train', '--preset', 'xor', '--steps', '5']) == 0\n")
    assert _loaded_after(code) == []


# The NumPy halves of the GUI (layout and formula text) know nothing of Qt, so they are tested
# and reasoned about without a window; "no module knows both NumPy internals and Qt widgets".
QT_FREE_GUI = ["graph/graph_layout.py", "lab/graph_layout.py", "plots/boundary_grid.py",
               "common/platform_check.py",
               "stepper/formulas.py",
               "stepper/formulas_backward.py",
               "stepper/formula_context.py", "stepper/chain_formulas.py"]


@pytest.mark.parametrize("name", QT_FREE_GUI)
def test_numpy_halves_of_the_gui_import_no_qt(name):
    for module in imported_modules(ROOT / "gui" / name):
        top = module.split(".")[0]
        assert top not in ("PySide6", "shiboken6", "pyqtgraph"), f"{name} imports {module}"


def test_the_gui_is_laid_out_by_feature():
    folders = {p.name for p in (ROOT / "gui").iterdir() if (p / "__init__.py").exists()}
    assert {"common", "playground", "graph", "plots", "stepper", "lab"} <= folders
    assert sorted(p.name for p in (ROOT / "gui").glob("*.py")) == ["__init__.py", "app.py"]


def test_every_package_is_shipped_by_pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for top in ("engine", "gui") for p in (ROOT / top).rglob("__init__.py")}
    assert found <= listed, f"add {sorted(found - listed)} to pyproject's packages"
