"""The architecture editor: spec round-trips, which edits rebuild and which apply live,
consistent output/loss pairs, and that an invalid or refused edit never emits."""

import pytest

from engine.presets import load_preset, preset_names
from engine.spec import MAX_HIDDEN_LAYERS, Spec
from gui.playground.architecture_editor import ArchitectureEditor


@pytest.fixture
def editor(qtbot):
    widget = ArchitectureEditor(load_preset("playground"))
    qtbot.addWidget(widget)
    return widget


def emitted_spec(qtbot, editor, action) -> Spec:
    with qtbot.waitSignal(editor.sigSpecChanged, timeout=1000) as blocker:
        action()
    spec = blocker.args[0]
    assert isinstance(spec, Spec)
    spec.validate()
    return spec


@pytest.mark.parametrize("name", preset_names())
def test_set_spec_round_trips_every_preset_silently(qtbot, editor, name):
    spec = load_preset(name)
    with qtbot.assertNotEmitted(editor.sigSpecChanged), \
            qtbot.assertNotEmitted(editor.sigLiveChanged):
        editor.set_spec(spec)
    assert editor.spec() == spec
    assert len(editor.layer_rows) == len(spec.hidden)
    assert [r.neurons_spin.value() for r in editor.layer_rows] == spec.hidden
    assert [r.activation_combo.currentData() for r in editor.layer_rows] == spec.activations


def test_spec_is_a_copy(editor):
    editor.spec().hidden.append(7)
    assert editor.spec().hidden == [4, 2]


def test_add_layer_emits_one_more_layer(qtbot, editor):
    spec = emitted_spec(qtbot, editor, editor.add_layer_button.click)
    assert spec.hidden == [4, 2, 2] and spec.activations == ["tanh"] * 3
    assert len(editor.layer_rows) == 3


def test_remove_layer(qtbot, editor):
    spec = emitted_spec(qtbot, editor, editor.layer_rows[0].remove_button.click)
    assert spec.hidden == [2]
    assert len(editor.layer_rows) == 1
    assert editor.layer_rows[0].label.text() == "Layer 1"


def test_neuron_count_and_activation_changes(qtbot, editor):
    spec = emitted_spec(qtbot, editor, lambda: editor.layer_rows[1].neurons_spin.setValue(12))
    assert spec.hidden == [4, 12]
    row = editor.layer_rows[0]
    relu = row.activation_combo.findData("relu")
    spec = emitted_spec(qtbot, editor, lambda: row.activation_combo.setCurrentIndex(relu))
    assert spec.activations == ["relu", "tanh"]
    assert spec.hidden == [4, 12]


def test_architecture_edit_drops_explicit_weights_and_keeps_hidden_fields(qtbot, editor):
    worked = load_preset("worked-example")
    editor.set_spec(worked)
    spec = emitted_spec(qtbot, editor, lambda: editor.layer_rows[0].neurons_spin.setValue(2))
    assert spec.weights is None
    assert spec.points == worked.points and spec.labels == worked.labels
    assert spec.dataset == "given" and spec.features == []


def test_training_edit_keeps_explicit_weights(qtbot, editor):
    worked = load_preset("worked-example")
    editor.set_spec(worked)
    spec = emitted_spec(qtbot, editor, lambda: editor.float32_check.setChecked(True))
    assert spec.dtype == "float32" and spec.weights == worked.weights


def test_feature_toggle_and_refusing_the_last_one(qtbot, editor):
    spec = emitted_spec(qtbot, editor, lambda: editor.feature_checks["x1*x2"].setChecked(True))
    assert spec.features == ["x1", "x2", "x1*x2"]
    emitted_spec(qtbot, editor, lambda: editor.feature_checks["x1"].setChecked(False))
    spec = emitted_spec(qtbot, editor, lambda: editor.feature_checks["x2"].setChecked(False))
    assert spec.features == ["x1*x2"]
    with qtbot.assertNotEmitted(editor.sigSpecChanged):
        editor.feature_checks["x1*x2"].setChecked(False)
    assert editor.feature_checks["x1*x2"].isChecked()
    assert editor.spec().features == ["x1*x2"]
    assert "feature" in editor.error_label.text()


def test_regression_dataset_forces_an_mse_pair(qtbot, editor):
    combo = editor.dataset_combo
    plane = combo.findData("regress-plane")
    spec = emitted_spec(qtbot, editor, lambda: combo.setCurrentIndex(plane))
    assert spec.dataset == "regress-plane"
    assert spec.loss == "mse" and spec.output_activation == "linear"
    output = editor.output_combo
    losses = {output.itemData(i).split("|")[1] for i in range(output.count())}
    assert losses == {"mse"}


def test_blobs_with_four_classes_forces_softmax_cross_entropy(qtbot, editor):
    combo = editor.dataset_combo
    spec = emitted_spec(qtbot, editor, lambda: combo.setCurrentIndex(combo.findData("blobs")))
    assert editor.classes_spin.isEnabled()
    spec = emitted_spec(qtbot, editor, lambda: editor.classes_spin.setValue(4))
    assert spec.classes == 4
    assert (spec.output_activation, spec.loss) == ("softmax", "ce")
    assert editor.output_combo.count() == 1
    spec = emitted_spec(qtbot, editor, lambda: combo.setCurrentIndex(combo.findData("circle")))
    assert not editor.classes_spin.isEnabled()
    assert (spec.output_activation, spec.loss) == ("softmax", "ce")  # still valid for 2 classes
    assert editor.output_combo.findData("sigmoid|bce") >= 0


def test_learning_rate_applies_live_without_rebuild(qtbot, editor):
    with qtbot.assertNotEmitted(editor.sigSpecChanged):
        with qtbot.waitSignal(editor.sigLiveChanged, timeout=1000) as blocker:
            editor.lr_spin.setValue(0.3)
    assert blocker.args == ["learning_rate", pytest.approx(0.3)]
    assert editor.spec().learning_rate == pytest.approx(0.3)


def test_learning_rate_arrows_walk_tf_playground_values(qtbot, editor):
    editor.lr_spin.stepBy(1)
    assert editor.lr_spin.value() == pytest.approx(0.1)
    editor.lr_spin.stepBy(-2)
    assert editor.lr_spin.value() == pytest.approx(0.01)
    assert editor.lr_spin.text() == "0.01"


def test_batch_size_and_reg_rate_are_live(qtbot, editor):
    with qtbot.assertNotEmitted(editor.sigSpecChanged):
        with qtbot.waitSignal(editor.sigLiveChanged, timeout=1000) as blocker:
            editor.batch_spin.setValue(25)
    assert blocker.args == ["batch_size", 25]
    with qtbot.assertNotEmitted(editor.sigSpecChanged):
        with qtbot.waitSignal(editor.sigLiveChanged, timeout=1000) as blocker:
            editor.reg_combo.setCurrentIndex(editor.reg_combo.findData("l2"))
    assert blocker.args == ["regularization", "l2"]
    assert editor.spec().reg_rate > 0  # a rate of 0 would make L2 do nothing
    with qtbot.assertNotEmitted(editor.sigSpecChanged):
        with qtbot.waitSignal(editor.sigLiveChanged, timeout=1000) as blocker:
            editor.reg_rate_spin.setValue(0.01)
    assert blocker.args == ["reg_rate", pytest.approx(0.01)]


def live_change(qtbot, editor, action) -> list:
    with qtbot.assertNotEmitted(editor.sigSpecChanged):
        with qtbot.waitSignal(editor.sigLiveChanged, timeout=1000) as blocker:
            action()
    return blocker.args


def test_optimiser_settings_apply_live(qtbot, editor):
    combo = editor.optimizer_combo
    assert live_change(qtbot, editor, lambda: combo.setCurrentIndex(
        combo.findData("momentum"))) == ["optimizer", "momentum"]
    assert editor.momentum_spin.isEnabled()
    assert live_change(qtbot, editor, lambda: editor.momentum_spin.setValue(0.5)) == [
        "momentum", 0.5]
    assert live_change(qtbot, editor, lambda: editor.clip_spin.setValue(1.0)) == [
        "clip_norm", 1.0]
    assert editor.clip_spin.specialValueText() == "off"
    assert editor.spec().optimizer == "momentum" and editor.spec().clip_norm == 1.0


def test_rebuild_settings_emit_spec(qtbot, editor):
    spec = emitted_spec(qtbot, editor, lambda: editor.init_combo.setCurrentIndex(
        editor.init_combo.findData("he")))
    assert spec.initializer == "he"


def test_regenerate_changes_the_seed(qtbot, editor):
    spec = emitted_spec(qtbot, editor, editor.regenerate_button.click)
    assert spec.seed != 0
    assert editor.seed_spin.value() == spec.seed


def test_add_layer_disabled_at_the_maximum(qtbot, editor):
    while len(editor.layer_rows) < MAX_HIDDEN_LAYERS:
        emitted_spec(qtbot, editor, editor.add_layer_button.click)
    assert not editor.add_layer_button.isEnabled()
    assert len(editor.spec().hidden) == MAX_HIDDEN_LAYERS
    emitted_spec(qtbot, editor, editor.layer_rows[-1].remove_button.click)
    assert editor.add_layer_button.isEnabled()


def test_choose_csv_sets_dataset_csv(qtbot, editor, tmp_path, monkeypatch):
    path = tmp_path / "points.csv"
    path.write_text("a,b,label\n0.1,0.2,0\n0.5,0.9,1\n-0.3,0.4,1\n", encoding="utf-8")
    monkeypatch.setattr(editor, "choose_csv", lambda: str(path))
    spec = emitted_spec(qtbot, editor, editor.csv_button.click)
    assert spec.dataset == "csv" and spec.csv_path == str(path) and spec.features == []
    assert editor.dataset_combo.currentData() == "csv"
    assert not any(check.isEnabled() for check in editor.feature_checks.values())
    # back to a generated dataset: features come back, the CSV stays selectable
    combo = editor.dataset_combo
    spec = emitted_spec(qtbot, editor, lambda: combo.setCurrentIndex(combo.findData("moons")))
    assert spec.features == ["x1", "x2"]
    assert combo.findData("csv") >= 0


def test_unreadable_csv_is_refused(qtbot, editor, tmp_path, monkeypatch):
    path = tmp_path / "words.csv"
    path.write_text("a,b\nx,y\n", encoding="utf-8")
    monkeypatch.setattr(editor, "choose_csv", lambda: str(path))
    with qtbot.assertNotEmitted(editor.sigSpecChanged):
        editor.csv_button.click()
    assert editor.spec().dataset == "circle"
    assert editor.error_label.text()


def test_loaded_given_dataset_is_shown_and_disables_data_controls(editor):
    editor.set_spec(load_preset("worked-example"))
    assert editor.dataset_combo.currentData() == "given"
    assert not editor.noise_spin.isEnabled() and not editor.samples_spin.isEnabled()
    assert not any(check.isEnabled() for check in editor.feature_checks.values())
    assert editor.output_combo.currentData() == "sigmoid|mse"


def test_invalid_spec_shows_error_and_does_not_emit(qtbot, editor):
    editor.set_spec(load_preset("playground").replace(learning_rate=-1.0))
    with qtbot.assertNotEmitted(editor.sigSpecChanged):
        editor.add_layer_button.click()
    assert "learning rate" in editor.error_label.text()
    spec = emitted_spec(qtbot, editor, lambda: editor.lr_spin.setValue(0.1) or
                        editor.add_layer_button.click())
    assert len(spec.hidden) == 4 and not editor.error_label.text()


def test_every_control_has_a_tooltip(editor):
    controls = [editor.dataset_combo, editor.classes_spin, editor.noise_spin,
                editor.train_fraction_spin, editor.samples_spin, editor.seed_spin,
                editor.regenerate_button, editor.csv_button, editor.add_layer_button,
                editor.output_combo, editor.init_combo, editor.optimizer_combo, editor.lr_spin,
                editor.momentum_spin, editor.batch_spin, editor.reg_combo, editor.reg_rate_spin,
                editor.clip_spin, editor.float32_check, *editor.feature_checks.values()]
    for row in editor.layer_rows:
        controls += [row.neurons_spin, row.activation_combo, row.remove_button]
    assert all(w.toolTip() for w in controls)


@pytest.mark.parametrize("rows, expected", [
    ("1.5,2.0,0.3\n0.1,0.2,1.7\n0.4,0.9,-0.2\n", ("linear", "mse")),
    ("1,2,0\n3,4,1\n5,6,2\n7,8,1\n", ("softmax", "ce")),
])
def test_loading_a_csv_picks_an_output_that_fits_its_labels(qtbot, editor, tmp_path, monkeypatch,
                                                             rows, expected):
    path = tmp_path / "data.csv"
    path.write_text("a,b,label\n" + rows, encoding="utf-8")
    monkeypatch.setattr(editor, "choose_csv", lambda: str(path))
    spec = emitted_spec(qtbot, editor, editor.csv_button.click)
    assert (spec.output_activation, spec.loss) == expected
    from engine.trainer import Trainer

    Trainer(spec)  # and the engine accepts it
