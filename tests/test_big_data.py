"""100,000 points: the boundary view draws a fixed, capped sample (and says so), hovering still
names the drawn points, and the editor carries the points through without copying them."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from engine.spec import Spec
from gui.playground.architecture_editor import ArchitectureEditor
from gui.plots.boundary_key import MAX_DRAWN_POINTS, REGRESSION_LEVELS, drawn_sample, sample_note
from gui.plots.boundary_view import BoundaryView

N = 100_000


@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(7)
    points = rng.uniform(-6, 6, (N, 2))
    labels = (points[:, 0] * points[:, 1] > 0).astype(int)
    order = rng.permutation(N)
    return points, labels, np.sort(order[:70_000]), np.sort(order[70_000:])


def make_view(qtbot, big, task="classification", labels=None) -> BoundaryView:
    points, classes, train, test = big
    view = BoundaryView()
    qtbot.addWidget(view)
    view.resize(480, 520)
    view.set_data(points, classes if labels is None else labels, train, test, task,
                  2 if labels is None else 1)
    return view


def drawn(scatter) -> np.ndarray:
    return np.array([p.data() for p in scatter.points()], int)


def test_big_data_draws_a_capped_stable_sample_and_says_so(qtbot, big):
    points, labels, train, test = big
    view = make_view(qtbot, big)
    shown_train, shown_test = drawn(view.train_scatter), drawn(view.test_scatter)
    assert len(shown_train) == len(shown_test) == MAX_DRAWN_POINTS
    assert np.isin(shown_train, train).all() and np.isin(shown_test, test).all()
    assert len(np.unique(shown_train)) == MAX_DRAWN_POINTS
    x, y = view.train_scatter.getData()
    np.testing.assert_array_equal(np.column_stack([x, y]), points[shown_train])
    note = "showing 3,000 of 70,000 training points and 3,000 of 30,000 test points"
    assert view.points_note == note
    assert view.sample_label.text() == note and not view.sample_label.isHidden()
    # The same data draws the same sample (a fixed seed), whatever was shown before.
    view.set_data(points[:100], labels[:100], np.arange(60), np.arange(60, 100),
                  "classification", 2)
    assert view.points_note == "" and view.sample_label.isHidden()
    assert len(view.train_scatter.points()) == 60  # few points: all of them
    view.set_data(points, labels, train, test, "classification", 2)
    np.testing.assert_array_equal(drawn(view.train_scatter), shown_train)


def test_points_share_a_brush_per_colour(qtbot, big):
    points, labels, train, _ = big
    view = make_view(qtbot, big)
    brushes = {id(b) for b in view.train_scatter.data["brush"]}
    pens = {id(p) for p in view.test_scatter.data["pen"]}
    assert len(brushes) <= 2 and len(pens) <= 2  # two classes
    targets = np.sin(points[:, 0]) * 3
    view = make_view(qtbot, big, task="regression", labels=targets)
    assert len({id(b) for b in view.train_scatter.data["brush"]}) <= REGRESSION_LEVELS
    assert len(view.train_scatter.points()) == MAX_DRAWN_POINTS


def test_hovering_a_drawn_point_names_it(qtbot, big):
    points = big[0]
    view = make_view(qtbot, big)
    view.show()
    qtbot.waitExposed(view)
    shown = np.concatenate([drawn(view.train_scatter), drawn(view.test_scatter)])
    xy = points[shown]
    gaps = [np.delete(np.linalg.norm(xy - xy[k], axis=1), k).min() for k in range(len(xy))]
    index = int(shown[int(np.argmax(gaps))])  # the drawn point farthest from other drawn ones

    def where():
        scene = view.plot.getViewBox().mapViewToScene(QPointF(*points[index]))
        return view.plot_widget.mapFromScene(scene)

    seen = [None]

    def settled():  # the note above the plot moves the view box once it is laid out
        view.plot_widget.grab()
        seen[0], before = where(), seen[0]
        return seen[0] == before

    qtbot.waitUntil(settled)
    pos = seen[0]
    with qtbot.waitSignal(view.train_scatter.sigHovered, timeout=1000):
        qtbot.mouseMove(view.plot_widget.viewport(), pos)
    qtbot.waitUntil(lambda: view.plot.getViewBox().toolTip() != "")
    assert view.plot.getViewBox().toolTip().startswith(f"point {index}: ")


def test_sampling_helpers():
    idx = np.arange(10, 20)
    assert drawn_sample(idx, cap=20) is idx
    sample = drawn_sample(idx, cap=4)
    assert len(sample) == 4 and np.all(np.diff(sample) > 0) and np.isin(sample, idx).all()
    np.testing.assert_array_equal(drawn_sample(idx, cap=4), sample)
    assert sample_note((5, 3), (5, 3)) == ""
    assert sample_note((3000, 40), (50_000, 40)) == "showing 3,000 of 50,000 training points"


def test_editor_round_trip_keeps_the_points_without_copying_them(qtbot, big):
    points, labels, _, _ = big
    spec = Spec(dataset="given", points=points.tolist(), labels=labels.tolist(), features=[],
                weights=None)
    editor = ArchitectureEditor()
    qtbot.addWidget(editor)
    editor.set_spec(spec)
    out = editor.spec()
    assert out.points == spec.points and out.labels == spec.labels
    assert out.points is spec.points  # shared: the editor never edits them
    assert out.hidden is not spec.hidden  # what the editor edits is its own
    assert editor.dataset_combo.currentData() == "given"
    with qtbot.waitSignal(editor.sigSpecChanged) as blocker:
        editor.add_layer_button.click()
    emitted = blocker.args[0]
    assert emitted.hidden == [4, 2, 2] and spec.hidden == [4, 2]
    assert emitted.points is spec.points and len(emitted.labels) == N
    assert editor.spec().points is spec.points
