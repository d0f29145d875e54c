"""What a class in front of a 1024-px projector needs: the step-through and the gradient check
float over the window where docking them would push it wider than the screen (and dock beside
the views where there is room), the keys work again after the step-through, and a value typed
into a box is kept."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.window_helpers import make_window, shown_window


@pytest.mark.parametrize("size,floating", [((1024, 640), True), ((1900, 1000), False)])
def test_the_step_through_fits_the_screen(qtbot, tmp_path, size, floating):
    w = make_window(qtbot, tmp_path)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.open_stepper()
    qtbot.waitUntil(lambda: w.stepper.trace is not None)
    qtbot.wait(50)
    dock = w.stepper.dock
    assert dock.isFloating() == floating
    assert w.width() <= size[0]
    if floating:  # inside the window's frame, its buttons on screen
        assert w.frameGeometry().contains(dock.frameGeometry().topRight())
        assert dock.geometry().bottom() <= w.frameGeometry().bottom()


def test_the_check_panel_follows_the_same_rule(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    w.resize(1024, 640)
    w.show()
    qtbot.waitExposed(w)
    w.checking.open()
    assert w.checking.dock.isFloating() and w.width() <= 1024


def test_after_the_step_through_the_keys_control_training_again(qtbot, tmp_path):
    """Issue 13's items 2 and 3: focus goes to the network graph, not the editor's first spin
    box (a digit there would edit the network), and a new step starts at its first stage."""
    w = make_window(qtbot, tmp_path)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.open_stepper()
    qtbot.waitUntil(lambda: w.stepper.trace is not None)
    w.stepper.panel.go_to(4)
    w.stepper.cancel()
    qtbot.waitUntil(lambda: w.graph.hasFocus())
    w.open_stepper()
    qtbot.waitUntil(lambda: w.stepper.trace is not None)
    assert w.stepper.panel.current_index == 0


@pytest.mark.parametrize("size", [(1400, 900), (1024, 640)])  # docked, floating
def test_the_step_through_takes_the_keys_when_it_opens(qtbot, tmp_path, size):
    w = shown_window(qtbot, tmp_path, size)
    w.activateWindow()
    w.open_stepper()
    qtbot.waitUntil(lambda: w.stepper.trace is not None)
    panel = w.stepper.panel
    assert panel.stage_list.hasFocus() or QApplication.focusWidget() is panel.stage_list
    qtbot.keyClick(panel.stage_list, Qt.Key_Right)  # → walks on, without a click first
    assert panel.current_index == 1
    w.stepper.cancel()


def test_a_huge_learning_rate_is_kept_not_turned_into_ten(qtbot, tmp_path):
    """Issue 13, item 10: 100000 stays 100000 (divergence is caught and can be rewound)."""
    w = make_window(qtbot, tmp_path)
    spin = w.editor.lr_spin
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "100000")
    spin.interpretText()
    assert spin.value() == 100000
    qtbot.waitUntil(lambda: w.worker.call(lambda: w.worker.trainer.learning_rate) == 100000)


def test_show_test_data_is_off_when_there_is_no_test_data(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)  # xor: four points, all for training
    check = w.boundary.show_test_check
    assert len(w.dataset.test_idx) == 0 and not check.isEnabled()
    assert "no test points" in check.toolTip()
    w.load_preset("playground")  # half of the circle is test data
    qtbot.waitUntil(lambda: len(w.dataset.test_idx) > 0)
    qtbot.waitUntil(check.isEnabled)


def test_a_few_points_are_drawn_large_many_small(qtbot, tmp_path):
    from gui.plots.boundary_view import FEW_POINTS_SIZE

    def sizes():  # pyqtgraph stores -1 for "the item's own size"
        scatter = w.boundary.train_scatter
        return {scatter.opts["size"] if s < 0 else s for s in scatter.data["size"]}

    w = make_window(qtbot, tmp_path)  # xor's four points
    assert sizes() == {FEW_POINTS_SIZE}
    w.load_preset("playground")  # 250 training points
    qtbot.waitUntil(lambda: len(w.dataset.train_idx) > 50)
    qtbot.waitUntil(lambda: max(sizes()) < FEW_POINTS_SIZE)


def test_regression_shows_rmse_and_r2_instead_of_an_empty_accuracy(qtbot, tmp_path):
    from engine.spec import Spec

    spec = Spec(hidden=[8], activations=["tanh"], output_activation="linear", loss="mse",
                dataset="regress-plane")
    from PySide6.QtCore import QSettings

    from gui.playground.main_window import MainWindow

    w = MainWindow(spec, settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    w.force_redraw()
    text = w.status_labels["accuracy"].text()
    assert text.startswith("RMSE ") and "R²" in text and "accuracy" not in text


def test_csv_data_of_two_columns_takes_input_features(qtbot, tmp_path):
    # Issue 13, item 8: x², sin x, … for CSV data with two numeric input columns.
    from PySide6.QtCore import QSettings

    from engine.spec import Spec
    from gui.playground.main_window import MainWindow
    two = tmp_path / "two.csv"
    two.write_text("a,b,label\n" + "".join(
        f"{i / 10},{(i * 7 % 10) / 10},{i % 2}\n" for i in range(20)))
    three = tmp_path / "three.csv"
    three.write_text("".join(f"{i},{i % 3},{i % 5},{i % 2}\n" for i in range(20)))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    w = MainWindow(Spec(dataset="csv", csv_path=str(two), features=[]), settings=settings)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    checks = w.editor.feature_checks
    assert all(check.isEnabled() for check in checks.values())
    assert checks["x1"].isChecked() and checks["x2"].isChecked()  # the raw columns
    assert w.editor.features_note.isHidden()
    checks["x1^2"].setChecked(True)
    qtbot.waitUntil(lambda: w.worker.call(lambda: w.worker.trainer.X.shape[1]) == 3)
    assert w.spec.features == ["x1", "x2", "x1^2"] and w.graph.node_count() == 3 + 4 + 2 + 1
    w.apply_spec(w.spec.replace(csv_path=str(three), features=[]))
    qtbot.waitUntil(lambda: w.worker.call(lambda: w.worker.trainer.X.shape[1]) == 3)
    assert not any(check.isEnabled() for check in checks.values())  # three raw columns


def test_the_graph_names_csv_inputs_by_their_header(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from engine.spec import Spec
    from gui.playground.main_window import MainWindow
    path = tmp_path / "named.csv"
    path.write_text("sepal length,petal width,label\n" + "".join(
        f"{i / 10},{(i * 3 % 10) / 10},{i % 2}\n" for i in range(20)))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    w = MainWindow(Spec(dataset="csv", csv_path=str(path), features=[]), settings=settings)
    qtbot.addWidget(w, before_close_func=lambda widget: widget.shutdown())
    qtbot.waitUntil(lambda: w.latest_stats is not None)
    assert w.graph._labels[:2] == ["sepal length", "petal width"]


def test_the_confusion_matrix_is_the_engines_on_both_sets(qtbot, tmp_path):
    # Issue 13, item 7: a confusion matrix (train and test) the user can open.
    import copy

    import numpy as np
    from window_helpers import make_window, train

    from engine.snapshot import classes_of
    w = make_window(qtbot, tmp_path, "playground")
    train(qtbot, w, 200)
    assert w.confusion_action.isEnabled()
    w.confusion_action.trigger()
    dialog = w.confusion_dialog
    qtbot.waitUntil(dialog.isVisible)
    trainer = w.worker.call(lambda: copy.deepcopy(w.worker.trainer))
    for table, X, Y in zip(dialog.tables.values(), (trainer.X_train, trainer.X_test),
                           (trainer.Y_train, trainer.Y_test)):
        true, predicted = classes_of(trainer.network.predict(X), Y)
        direct = np.zeros((2, 2), dtype=int)
        for t, p in zip(true, predicted):
            direct[t, p] += 1
        shown = [[int(table.item(i, j).text().replace(",", "")) for j in range(2)]
                 for i in range(2)]
        assert shown == direct.tolist()
    stats = w.latest_stats
    train_table = dialog.tables["training set"]
    right = sum(int(train_table.item(i, i).text().replace(",", "")) for i in range(2))
    assert right / len(trainer.X_train) == stats.accuracy
    dialog.close()
    w.apply_spec(w.spec.replace(dataset="regress-plane", output_activation="linear",
                                loss="mse"))
    qtbot.waitUntil(lambda: w.dataset.task == "regression")
    assert not w.confusion_action.isEnabled()


LONG = ("the training loss grew past 10× its start (52.95): the step's update was undone; lower "
        "the learning rate (now 3) and rewind to the best weights seen, or reset")


@pytest.mark.parametrize("size,short", [((1024, 640), True), ((1900, 1000), False)])
def test_the_divergence_banner_leaves_the_graph_its_room(qtbot, tmp_path, size, short):
    w = shown_window(qtbot, tmp_path, size)
    w.banner.show_divergence(LONG)
    qtbot.wait(50)
    shown = w.banner.label.text()
    assert ("hover here" in shown) == short  # the short form where the whole would not fit
    assert "52.95" in shown and "Rewind" in shown and "Reset" in shown
    assert "now 3" in w.banner.text() and "now 3" in w.banner.label.toolTip()
    assert w.banner.height() <= 0.35 * w.banner.parentWidget().height()
    assert w.graph.canvas.height() >= 150


def test_a_floating_step_through_folds_the_locked_sidebar_away(qtbot, tmp_path):
    """At 1024×640 the panel floats over the right part: the sidebar (locked while stepping)
    gives its room to the graph, and gets it back afterwards."""
    w = shown_window(qtbot, tmp_path, (1024, 640))
    before, graph_width = w.top_splitter.sizes(), w.graph.width()
    for leave in (w.stepper.cancel, w.stepper.finish):
        w.open_stepper()
        qtbot.waitUntil(lambda: w.stepper.trace is not None)
        assert w.stepper.dock.isFloating()
        qtbot.waitUntil(lambda: w.graph.width() > graph_width + 200)
        assert w.top_splitter.sizes()[0] == 0
        leave()
        qtbot.waitUntil(lambda: not w.stepper.active)
        assert w.top_splitter.sizes() == before
