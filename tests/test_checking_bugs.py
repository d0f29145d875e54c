"""Injected bugs in the window: Train > Inject a bug and the panel's bug box, the banner, the
check failing exactly in the tensors a bug touches, removing it, a bug a network cannot have,
what happens to the bug when the network is replaced, and sessions never saving one."""

import dataclasses

import pytest

from engine import bugs
from engine.presets import load_preset
from engine.serialization import load_file
from engine.trainer import Trainer
from gui.checking.check_panel import NO_BUG, VERDICT
from tests.window_helpers import make_window, train

XOR_NETWORK = Trainer(load_preset("xor")).network
FOR_XOR = [n for n in bugs.BUGS if bugs.applicable(XOR_NETWORK, n) == ""]


@pytest.fixture
def window(qtbot, tmp_path):
    """xor after a few steps (at step 0 its first biases sit on ReLU's kink: not checked)."""
    w = make_window(qtbot, tmp_path)
    train(qtbot, w, 5)
    return w


def injected(w):
    return w.worker.call(lambda: bugs.injected(w.worker.trainer.network))


def affected(w, name):
    return set(w.worker.call(lambda: bugs.affected_tensors(w.worker.trainer.network, name)))


def verdicts(panel):
    return {r.name: panel.table.item(row, VERDICT).text() for row, r in enumerate(panel.results)}


def test_xor_can_take_a_bug():
    assert FOR_XOR, "no bug applies to the xor preset"


def test_the_menu_lists_every_bug_with_what_it_does(window):
    menu = window.checking.bug_menu
    titles = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert titles == [NO_BUG] + [b.title for b in bugs.BUGS.values()]
    assert window.checking.bug_group.isExclusive()
    for name, bug in bugs.BUGS.items():
        action = window.checking.bug_actions[name]
        assert action.isCheckable() and not action.isChecked()
        assert bug.description.rstrip(".") in action.statusTip()
        assert bug.effect.rstrip(".") in action.toolTip()
    assert window.checking.bug_actions[None].isChecked()
    assert menu.toolTipsVisible()


def test_each_bug_from_the_menu_fails_exactly_the_tensors_it_touches(window):
    link = window.checking
    for name in FOR_XOR:
        link.bug_actions[name].trigger()
        assert injected(window) == name
        assert link.banner.showing
        assert bugs.BUGS[name].title in link.banner.text()
        assert bugs.BUGS[name].effect.rstrip(".") in link.banner.text()
        assert link.panel.bug_combo.currentData() == name
        link.open()
        wrong = affected(window, name)
        assert wrong, f"{name} touches no tensor"
        shown = verdicts(link.panel)
        assert {t for t, v in shown.items() if v == "FAILED"} == wrong, name
        assert all(v == "passed" for t, v in shown.items() if t not in wrong)
        assert "injected" in link.panel.info_label.text()

        link.banner.remove_button.click()
        assert injected(window) is None and not link.banner.showing
        assert link.bug_actions[None].isChecked() and link.panel.bug_combo.currentData() is None
        assert set(verdicts(link.panel).values()) == {"passed"}  # re-checked at once


def test_the_panels_bug_box_agrees_with_the_menu_and_a_lax_threshold_passes_a_bug(window):
    link = window.checking
    link.open()
    combo = link.panel.bug_combo
    combo.setCurrentIndex(combo.findData(FOR_XOR[0]))
    assert injected(window) == FOR_XOR[0] and link.bug_actions[FOR_XOR[0]].isChecked()
    assert "FAILED" in link.panel.summary_label.text()
    worst = max(r.relative_difference for r in link.panel.results)
    line = link.panel.threshold_combo.lineEdit()
    line.setText(f"{min(worst * 1.01 + 1e-3, 0.9999):.4f}")
    line.editingFinished.emit()
    assert set(verdicts(link.panel).values()) == {"passed"}
    link.bug_actions[None].trigger()
    assert injected(window) is None and combo.currentData() is None


def _inapplicable(w):
    net = w.worker.call(lambda: w.worker.snapshot().network)
    return next(((n, bugs.applicable(net, n)) for n in bugs.BUGS if bugs.applicable(net, n)),
                None)


def test_a_bug_the_network_cannot_have_is_one_line_and_changes_nothing(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    found = _inapplicable(w)
    assert found, "every bug applies to the xor net"
    name, reason = found
    link = w.checking
    link.open()
    before = [r.relative_difference for r in link.panel.results]
    assert not link.choose_bug(name)
    message = w.statusBar().currentMessage()
    assert bugs.BUGS[name].title in message and reason.rstrip(".") in message
    assert "\n" not in message and link.panel.message_label.text() == message
    assert injected(w) is None and link.bug is None and not link.banner.showing
    assert link.bug_actions[None].isChecked() and link.panel.bug_combo.currentData() is None
    assert [r.relative_difference for r in link.panel.results] == before


def test_a_rebuild_that_cannot_keep_the_bug_removes_it_and_says_so(qtbot, window):
    no_hidden = dataclasses.replace(window.spec, hidden=[], activations=[])
    flat = Trainer(no_hidden).network
    name = next(n for n in FOR_XOR if bugs.applicable(flat, n))  # needs a hidden layer
    link = window.checking
    assert link.choose_bug(name) and link.banner.showing
    window.apply_spec(no_hidden)
    qtbot.waitUntil(lambda: "removed" in window.statusBar().currentMessage())
    message = window.statusBar().currentMessage()
    assert message.startswith("Rebuilt: hidden layers.")  # the window's own line stays
    assert bugs.BUGS[name].title in message and "\n" not in message
    assert injected(window) is None and link.bug is None and not link.banner.showing
    assert link.bug_actions[None].isChecked()


def test_the_bug_stays_through_reset_step_undo_and_a_preset(qtbot, window):
    link, name = window.checking, FOR_XOR[0]
    assert link.choose_bug(name)
    train(qtbot, window, 2)
    window.reset()
    qtbot.waitUntil(lambda: window.latest_stats is not None and window.latest_stats.step == 0)
    assert injected(window) == name and link.banner.showing
    window.undo_action.trigger()  # back to the trained network: it gets the bug as well
    assert injected(window) == name and link.bug_actions[name].isChecked()
    link.choose_bug(None)
    window.redo_action.trigger()  # the reset network had the bug: the window's choice wins
    assert injected(window) is None and not link.banner.showing
    link.choose_bug(name)
    window.load_preset("playground")
    qtbot.waitUntil(lambda: window.spec.dataset != "xor")
    assert injected(window) == (name if link.bug else None)
    assert link.banner.showing == (link.bug is not None)


def test_a_saved_session_never_holds_a_bug(qtbot, window, tmp_path):
    link, name = window.checking, FOR_XOR[0]
    assert link.choose_bug(name)
    train(qtbot, window, 3)
    path = tmp_path / "run.json"
    assert window.files.save_to(str(path))
    assert name not in path.read_text(encoding="utf-8")
    trainer = load_file(str(path))
    assert bugs.injected(trainer.network) is None and trainer.step_count == 8


def test_a_bug_injected_while_stepping_through_shows_in_the_trace(qtbot, window):
    window.open_stepper()
    stepper = window.stepper
    qtbot.waitUntil(lambda: stepper.trace is not None)
    first = stepper.trace
    assert window.checking.choose_bug(FOR_XOR[0])
    qtbot.waitUntil(lambda: stepper.trace is not first)
    wrong = [q for stage in stepper.trace.stages for q in stage.quantities + stage.inputs
             if q.wrong]
    assert wrong, "the new trace marks nothing as computed by the bug"


def test_every_bug_fails_exactly_its_tensors_on_a_tanh_mse_net(qtbot, tmp_path):
    # two square 4×4 tanh layers and MSE: every bug applies, the xor net's missing ones too
    w = make_window(qtbot, tmp_path)
    w.apply_spec(dataclasses.replace(w.spec, hidden=[4, 4], activations=["tanh", "tanh"],
                                     loss="mse"))
    qtbot.waitUntil(lambda: w.spec.hidden == [4, 4])
    train(qtbot, w, 5)
    link = w.checking
    link.open()
    net = w.worker.call(lambda: w.worker.snapshot().network)
    names = [n for n in bugs.BUGS if bugs.applicable(net, n) == ""]
    assert set(names) >= set(bugs.BUGS) - set(FOR_XOR)
    for name in names:
        assert link.choose_bug(name)
        shown = verdicts(link.panel)
        assert {t for t, v in shown.items() if v == "FAILED"} == affected(w, name), name
        assert all(v == "passed" for t, v in shown.items() if t not in affected(w, name))
    link.choose_bug(None)
    assert set(verdicts(link.panel).values()) == {"passed"}


def test_divergence_with_a_bug_in_names_the_bug_as_the_likely_cause(window):
    name = FOR_XOR[0]
    assert window.checking.choose_bug(name)
    window.banner.show_divergence("the training loss grew to 99")
    text = window.banner.text()
    assert "Likely cause" in text and bugs.BUGS[name].title in text
    assert window.checking.choose_bug(None)
    window.banner.show_divergence("the training loss grew to 99")
    assert "Likely cause" not in window.banner.text()


def test_a_bug_one_sample_cannot_show_is_explained_in_the_panel(window):
    link = window.checking
    assert link.choose_bug("missing-1-over-m")
    link.open()
    link.panel.data_combo.setCurrentIndex(1)  # one training sample
    assert link.check()
    assert set(verdicts(link.panel).values()) <= {"passed", "not checked"}
    assert "single sample" in link.panel.info_label.text()
    link.panel.data_combo.setCurrentIndex(0)  # the mini-batch shows it
    assert link.check() and "FAILED" in verdicts(link.panel).values()
    assert "single sample" not in link.panel.info_label.text()
