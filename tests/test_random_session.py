"""A seeded random session in the window: hundreds of edits, plays, steps, step-throughs,
saves, opens, undos and redos, with no exception, no warning and no thread left running."""

import random
import warnings

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from engine.presets import load_preset, preset_names
from engine.serialization import load_file
from gui.playground.main_window import MainWindow
from gui.playground.training_settings import LR_LADDER

ACTIONS = 300


def _combo(rng, combo):
    if combo.isEnabled() and combo.count():
        combo.setCurrentIndex(rng.randrange(combo.count()))


def _action(rng, w, qtbot, tmp_path):
    e = w.editor
    kind = rng.choice(["neurons", "activation", "add", "remove", "dataset", "feature", "output",
                       "rate", "batch", "optimizer", "play", "step", "epoch", "stepper", "save",
                       "open", "undo", "undo", "redo", "reset", "preset", "weight", "init"])
    if w.stepper.active and kind not in ("stepper", "undo", "open"):
        kind = "stepper"
    rows = e.layer_rows
    if kind == "neurons" and rows:
        rng.choice(rows).neurons_spin.setValue(rng.randint(1, 6))
    elif kind == "activation" and rows:
        _combo(rng, rng.choice(rows).activation_combo)
    elif kind == "add" and e.add_layer_button.isEnabled() and len(rows) < 4:
        e.add_layer_button.click()
    elif kind == "remove" and rows:
        rng.choice(rows).remove_button.click()
    elif kind == "dataset":
        _combo(rng, e.dataset_combo)
    elif kind == "feature":
        check = rng.choice(list(e.feature_checks.values()))
        if check.isEnabled():
            check.setChecked(not check.isChecked())
    elif kind == "output":
        _combo(rng, e.output_combo)
    elif kind == "init":
        _combo(rng, e.init_combo)
    elif kind == "rate":
        e.lr_spin.setValue(rng.choice(LR_LADDER))
    elif kind == "batch":
        e.batch_spin.setValue(rng.randint(1, 50))
    elif kind == "optimizer":
        _combo(rng, e.optimizer_combo)
    elif kind == "play":
        w.actions.play.trigger()
        qtbot.wait(rng.randint(0, 30))
    elif kind == "step":
        w.actions.step.trigger()
    elif kind == "epoch":
        w.actions.epoch.trigger()
    elif kind == "stepper":
        if not w.stepper.active:
            w.open_stepper()
            qtbot.wait(10)
        elif w.stepper.trace is not None and rng.random() < 0.5:
            panel = w.stepper.panel
            panel.go_to(rng.randrange(panel.stage_count()))
        else:
            (w.stepper.finish if rng.random() < 0.5 else w.stepper.cancel)()
    elif kind == "save":
        w.files.save_to(str(tmp_path / f"s{rng.randrange(3)}.json"))
    elif kind == "open":
        path = tmp_path / f"s{rng.randrange(3)}.json"
        if path.exists():
            w.files.open_path(str(path))
    elif kind == "undo":
        w.undo_action.trigger()
    elif kind == "redo":
        w.redo_action.trigger()
    elif kind == "reset":
        w.actions.reset.trigger()
    elif kind == "preset":
        w.load_preset(rng.choice(preset_names()))
    elif kind == "weight" and w.latest_stats is not None:
        W = w.latest_stats.weights[-1]
        w.graph.sigWeightEdited.emit(len(w.latest_stats.weights), rng.randrange(W.shape[0]),
                                     rng.randrange(W.shape[1]), rng.uniform(-2, 2))
    if rng.random() < 0.3:
        qtbot.wait(rng.randint(1, 15))


@pytest.mark.parametrize("seed", [1, 2])
def test_random_session(qtbot, qtlog, tmp_path, seed):
    rng = random.Random(seed)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = MainWindow(load_preset("xor"), settings=settings,
                       autosave_folder=str(tmp_path / "autosave"), autosave_interval=0.3)
        qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
        w.show()
        for _ in range(ACTIONS):
            _action(rng, w, qtbot, tmp_path)
        w.stepper.cancel()
        if w.playing:
            w.actions.play.trigger()
        qtbot.waitUntil(lambda: not w.playing and not w.builder.busy, timeout=10000)
        w.force_redraw()
        trainer = w.worker.trainer
        assert trainer.network.sizes[1:-1] == w.spec.hidden == w.editor.spec().hidden
        assert w.latest_stats is not None
        # Whatever happened, the network on screen saves and reopens bit-identically.
        path = tmp_path / "final.json"
        assert w.files.save_to(str(path)) and not w.files.unsaved
        own = w.worker.call(w.worker.snapshot)
        reopened = load_file(str(path))
        own.step()
        reopened.step()
        assert all(np.array_equal(x, y) for x, y in zip(own.network.params().values(),
                                                         reopened.network.params().values()))
    assert not [str(c.message) for c in caught]
    assert not [r.message for r in qtlog.records if "QThread" in r.message or "Destroyed"
                in r.message]
