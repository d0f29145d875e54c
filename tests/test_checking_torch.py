"""PyTorch in the check panel and File > Export as PyTorch script…: the comparison column and
both losses, the panel without torch, the export writing a script that compiles, refusals in
one line, and the screenshot hooks."""

import importlib.util
import py_compile
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QInputDialog

from gui.checking.check_panel import TORCH, VERDICT
from tests.window_helpers import ROOT, make_window, train

# find_spec, not an import: a loaded torch makes every later test's thread scan slower.
needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch is not installed")


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    train(qtbot, w, 5)  # off ReLU's kink at xor's start (see test_checking_panel)
    return w


def export_action(w):
    file_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&File")
    return next(a for a in file_menu.actions() if a.text() == "&Export as PyTorch script…")


@needs_torch
def test_compare_with_pytorch_adds_a_column_and_both_losses(window):
    link = window.checking
    link.open()
    panel = link.panel
    assert panel.table.isColumnHidden(TORCH)
    panel.compare_button.click()
    assert not panel.table.isColumnHidden(TORCH)
    c = panel.comparison
    assert c is not None and [t.name for t in c.tensors] == [r.name for r in panel.results]
    assert all(t.max_relative_difference < 1e-10 for t in c.tensors)
    for row in range(panel.table.rowCount()):
        assert float(panel.table.item(row, TORCH).text()) < 1e-10
    text = panel.torch_label.text()
    assert "PyTorch" in text and "loss" in text and "engine" in text
    assert f"{c.torch_loss:.12g}" in text and f"{c.engine_loss:.12g}" in text
    # every later check compares too, on the same data
    panel.data_combo.setCurrentIndex(1)
    assert panel.comparison is not None and "training sample 0" in panel.info_label.text()


def test_without_torch_the_button_says_how_and_the_check_still_works(window, monkeypatch):
    import engine.torch_compare as tc

    monkeypatch.setattr(tc, "torch_missing", lambda: "PyTorch is not installed: pip install x")
    link = window.checking
    link.open()
    assert link.torch_missing() == "PyTorch is not installed: pip install x"
    panel = link.panel
    assert not panel.compare_button.isEnabled()
    assert panel.compare_button.toolTip() == "PyTorch is not installed: pip install x"
    link.compare()  # a stray call says the same line and changes nothing
    assert panel.message_label.text() == "PyTorch is not installed: pip install x"
    assert panel.comparison is None and panel.table.isColumnHidden(TORCH)
    assert [panel.table.item(r, VERDICT).text() for r in range(4)] == ["passed"] * 4


def choose_export(monkeypatch, path, steps=25, ok=True):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *a, **k: (steps, ok)))


def test_export_writes_a_script_that_compiles(window, monkeypatch, tmp_path):
    target = tmp_path / "net"  # the .py is added
    choose_export(monkeypatch, target)
    export_action(window).trigger()
    script = tmp_path / "net.py"
    text = script.read_text(encoding="utf-8")
    py_compile.compile(str(script), doraise=True)
    assert "nn.Sequential" in text
    assert "Wrote net.py" in window.statusBar().currentMessage()


def test_export_cancelled_or_refused_writes_nothing_and_says_why_in_one_line(
        window, monkeypatch, tmp_path):
    choose_export(monkeypatch, tmp_path / "net.py", ok=False)
    assert window.checking.export() is None
    assert not (tmp_path / "net.py").exists()

    choose_export(monkeypatch, tmp_path / "no" / "such" / "net.py")
    assert window.checking.export() is None
    assert window.last_error and "\n" not in window.last_error

    from engine import bugs

    name = next(n for n in bugs.BUGS if window.worker.call(
        lambda n=n: bugs.applicable(window.worker.trainer.network, n)) == "")
    assert window.checking.choose_bug(name)
    choose_export(monkeypatch, tmp_path / "net.py")
    assert window.checking.export() is None
    assert not (tmp_path / "net.py").exists()
    assert "bug" in window.last_error and "\n" not in window.last_error


def screenshot(tmp_path, *args):
    out = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--screenshot", str(out), "--size", "1024x640",
         *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return result, out


def test_screenshot_of_the_check_panel_with_a_bug(tmp_path):
    from engine import bugs
    from engine.presets import load_preset
    from engine.trainer import Trainer

    net = Trainer(load_preset("xor")).network
    name = next(n for n in bugs.BUGS if bugs.applicable(net, n) == "")
    result, out = screenshot(tmp_path, "--preset", "xor", "--check", "--bug", name)
    assert result.returncode == 0, result.stderr
    assert QImage(str(out)).width() == 1024 and "(1024x640)" in result.stdout


def test_screenshot_with_an_unknown_bug_is_one_line(tmp_path):
    result, out = screenshot(tmp_path, "--preset", "xor", "--bug", "nonsense")
    assert result.returncode == 2 and not out.exists()
    assert result.stderr.startswith("error: unknown bug 'nonsense'")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
