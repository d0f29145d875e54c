"""The gradient-check panel in the window: opening it from the menu, the xor preset passing
tensor by tensor with its counts, the threshold, the data choice, the element view, and that a
check leaves training exactly as it was."""

import ast
import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from engine.gradcheck import GradcheckResult
from gui.checking import check_rows
from gui.checking.check_panel import COUNTS, TENSOR, VERDICT
from tests.window_helpers import ROOT, headless, make_window, same, train, weights


@pytest.fixture
def fresh(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


@pytest.fixture
def window(qtbot, fresh):
    """xor after a few steps: its biases have left 0, where the (0, 0) point sits on a kink."""
    train(qtbot, fresh, 5)
    return fresh


def check_action(w):
    return next(a for a in w.train_menu.actions() if a.text() == "&Check gradients…")


def open_panel(w):
    check_action(w).trigger()
    panel = w.checking.panel
    assert w.checking.dock.isVisible() and panel.results
    return panel


def column(panel, col):
    return [panel.table.item(r, col).text() for r in range(panel.table.rowCount())]


def test_the_menu_opens_the_panel_and_xor_passes_tensor_by_tensor(window):
    assert check_action(window).shortcut() == QKeySequence("Ctrl+G")
    panel = open_panel(window)
    assert column(panel, TENSOR) == ["layer 1 W (2×4)", "layer 1 b (4)", "layer 2 W (4×1)",
                                     "layer 2 b (1)"]
    assert column(panel, VERDICT) == ["passed"] * 4
    for text, r in zip(column(panel, COUNTS), panel.results):
        assert text == f"{r.checked} checked / {r.skipped_kinks} skipped at a kink"
    assert sum(r.checked for r in panel.results) == 8 + 4 + 4 + 1
    assert panel.summary_label.text().startswith("All 4 tensors passed")
    # what was checked, and whose numbers they are
    info = panel.info_label.text()
    assert "the last mini-batch" in info and "step 5" in info and "engine's" in info

    # a selected row fills the element view, the worst element outlined and spelled out
    panel.table.selectRow(2)
    view, result = panel.elements, panel.results[2]
    assert view.result is result and result.name == "2.W"
    assert view.image.image.shape[:2] == (4, 1)
    assert view.marker.isVisible()
    rect = view.marker.rect()
    assert (int(rect.y()), int(rect.x())) == result.worst  # row, column of the worst element
    name = check_rows.element_name("2.W", result.worst)
    assert name.startswith("W²[") and name in view.details.text()
    hover = view.element_text(*result.worst)
    assert "analytic" in hover and "numeric" in hover
    assert check_rows.fmt_value(result.analytic[result.worst]) in hover

    # the graph lab is about something else: the panel makes way and comes back
    window.modes.setCurrentIndex(1)
    assert window.checking.dock.isHidden() and not check_action(window).isEnabled()
    window.modes.setCurrentIndex(0)
    assert window.checking.dock.isVisible() and check_action(window).isEnabled()


def test_at_the_start_xors_first_biases_sit_on_a_kink_and_are_not_checked(fresh):
    # b¹ starts at 0 and the point (0, 0) gives z = b: every ±ε nudge crosses ReLU's kink
    panel = open_panel(fresh)
    row = [r.name for r in panel.results].index("1.b")
    assert panel.table.item(row, VERDICT).text() == "not checked"
    assert panel.table.item(row, COUNTS).text() == "0 checked / 4 skipped at a kink"
    assert "kink" in panel.table.item(row, VERDICT).toolTip()
    assert "not checked: layer 1 b" in panel.summary_label.text()
    assert "passed" not in panel.summary_label.text().split(";")[1]
    panel.table.selectRow(row)
    assert not panel.elements.marker.isVisible()
    details = panel.elements.details.text()
    assert "Not checked" in details and "kink" in details


def test_the_threshold_flips_a_verdict_and_a_bad_one_is_one_line(window):
    panel = open_panel(window)
    results = panel.results
    worst = max(results, key=lambda r: r.relative_difference)
    line = panel.threshold_combo.lineEdit()
    line.setText(f"{worst.relative_difference / 2:.3e}")
    line.editingFinished.emit()
    # below what rounding can resolve a correct gradient is "not checked", never "FAILED"
    row = results.index(worst)
    assert column(panel, VERDICT)[row] == "not checked (rounding)"  # elements were compared
    assert "rounding" in panel.table.item(row, VERDICT).toolTip()
    assert "not checked" in panel.summary_label.text()
    assert panel.results is results  # judged again, not re-run
    panel.threshold_combo.setCurrentText("1e-7")
    line.editingFinished.emit()
    assert column(panel, VERDICT) == ["passed"] * 4
    for text in ("abc", "0", "2", "-1e-7", "", "nan"):
        line.setText(text)
        line.editingFinished.emit()
        assert panel.threshold == 1e-7 and panel.threshold_combo.currentText() == "1e-7"
        message = panel.message_label.text()
        assert not panel.message_label.isHidden() and "threshold" in message, text
        assert "\n" not in message
        assert column(panel, VERDICT) == ["passed"] * 4


def test_one_training_sample_and_every_eps_can_be_checked(window):
    panel = open_panel(window)
    panel.data_combo.setCurrentIndex(1)
    panel.sample_spin.setValue(1)
    assert "training sample 1" in panel.info_label.text()
    assert column(panel, VERDICT) == ["passed"] * 4
    assert panel.sample_spin.maximum() == len(window.dataset.train_idx) - 1
    for i in range(panel.eps_combo.count()):
        panel.eps_combo.setCurrentIndex(i)
        assert len(panel.results) == 4 and panel.message_label.isHidden()


def test_checking_changes_nothing_in_training_and_says_when_it_is_stale(qtbot, window):
    panel = open_panel(window)
    train(qtbot, window, 3)
    qtbot.waitUntil(lambda: "trained since" in panel.info_label.text(), timeout=3000)
    window.checking.check()
    assert "trained since" not in panel.info_label.text()
    panel.data_combo.setCurrentIndex(1)  # checks again on one sample
    train(qtbot, window, 4)
    assert same(weights(window), headless("xor", 12))
    info = panel.info_label.text()
    assert "training sample 0" in info and "step 8" in info


def test_the_help_lists_the_shortcut():
    from gui.playground.menus import SHORTCUTS_HELP

    assert "Ctrl+G" in SHORTCUTS_HELP


# -- the NumPy half ------------------------------------------------------------------------------
def result(analytic, numeric, skipped=None, worst=None, checked=None):
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    skipped = np.zeros(analytic.shape, bool) if skipped is None else np.asarray(skipped)
    compared = ~np.isnan(numeric)
    from engine.gradcheck import relative_difference

    diff = relative_difference(analytic[compared], numeric[compared])
    return GradcheckResult("1.W", diff, int(compared.sum()) if checked is None else checked,
                           analytic.size, int(skipped.sum()), analytic, numeric, skipped, worst)


def test_an_all_skipped_tensor_is_not_checked_never_passed():
    r = result([[1.0, 2.0]], [[np.nan, np.nan]], skipped=[[True, True]])
    assert r.status(1e-7) == "not checked"
    state, sentence = check_rows.overall([r], 1e-7)
    assert state == "not checked" and "passed" not in sentence.split(";")[1]
    assert check_rows.counts_text(r) == "0 checked / 2 skipped at a kink"
    assert check_rows.worst_elements(r) == []


def test_element_shares_add_up_to_the_tensors_relative_difference():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 4))
    n = a + rng.normal(scale=1e-6, size=a.shape)
    n[0, 1] = np.nan  # not sampled
    r = result(a, n, worst=(2, 3))
    shares = check_rows.element_shares(r)
    assert np.isnan(shares[0, 1])
    assert np.sqrt(np.nansum(shares ** 2)) == pytest.approx(r.relative_difference, rel=1e-9)
    kinds = check_rows.element_kinds(r)
    assert kinds[0, 1] == check_rows.NOT_SAMPLED and (kinds == check_rows.COMPARED).sum() == 11
    assert check_rows.worst_elements(r)[0][0] == (2, 3)  # the engine's worst leads


def test_names_counts_and_thresholds_read_as_the_window_writes_them():
    assert check_rows.tensor_label("2.W", (4, 1)) == "layer 2 W (4×1)"
    assert check_rows.element_name("2.W", (0, 2)) == "W²[1→3]"
    assert check_rows.element_name("1.b", (3,)) == "b¹[4]"
    assert check_rows.fmt_threshold(1e-7) == "1e-7"
    assert check_rows.parse_threshold(" 3e-9 ") == 3e-9
    with pytest.raises(ValueError, match="threshold"):
        check_rows.parse_threshold("1e-7x")


@pytest.mark.parametrize("name", ["check_rows.py", "check_jobs.py"])
def test_the_numpy_halves_import_no_qt(name):
    tree = ast.parse((ROOT / "gui" / "checking" / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                   else [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
        for module in modules:
            assert module.split(".")[0] not in ("PySide6", "shiboken6", "pyqtgraph"), module


def test_under_feedback_alignment_the_hidden_layers_fail_and_the_panel_says_why(qtbot, fresh):
    fresh.apply_spec(dataclasses.replace(fresh.spec, feedback="fa"))
    qtbot.waitUntil(lambda: fresh.spec.feedback == "fa")
    train(qtbot, fresh, 5)
    panel = open_panel(fresh)
    assert column(panel, VERDICT) == ["FAILED", "FAILED", "passed", "passed"]
    assert "Feedback alignment is on" in panel.info_label.text()


def test_a_failed_tensor_always_shows_a_cell_above_the_cells_limit(qtbot):
    """Each cell is judged against threshold/√n: n cells below it keep the tensor below the
    threshold, so a tensor that fails just above it still shows a cell that is not green."""
    from gui.checking.element_view import GREEN, ElementView

    view = ElementView()
    qtbot.addWidget(view)
    a = np.ones((2, 4))
    n = a * (1 + 2.2e-7)  # every share ≈ 0.39e-7 < 1e-7, the tensor ≈ 1.1e-7 > 1e-7
    r = result(a, n)
    assert r.relative_difference > 1e-7 and np.nanmax(check_rows.element_shares(r)) < 1e-7
    view.set_result(r, 1e-7)
    cells = view.image.image[..., :3].reshape(-1, 3)
    assert not any((c == GREEN).all() or c[1] > c[0] for c in cells)  # none green-ish
    assert "1e-7/√8" in view.key.text()


def test_escape_closes_the_panel_while_the_focus_is_in_it(qtbot, window):
    panel = open_panel(window)
    panel.table.setFocus()
    qtbot.waitUntil(panel.table.hasFocus)
    qtbot.keyClick(panel.table, Qt.Key_Escape)
    qtbot.waitUntil(lambda: not window.checking.dock.isVisible())
