"""engine.datasets: generators, seeding, noise limits, CSV loading, feature expansion."""

import os
import re

import numpy as np
import pytest

from engine.datasets import (
    EXTENT,
    FEATURES,
    GENERATORS,
    REGRESSION,
    expand_features,
    load_csv,
    make_dataset,
)

GENERATED = [name for name in GENERATORS if name != "xor4"]  # xor4 is four fixed points


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("samples", [4, 101, 500])
def test_generator_gives_the_requested_count_of_2d_points(name, samples):
    data = make_dataset(name, samples=samples, noise=0.2, seed=3)
    assert data.points.shape == (samples, 2) and data.labels.shape == (samples,)
    assert np.all(np.isfinite(data.points)) and np.all(np.isfinite(data.labels))
    assert data.input_dim == 2


@pytest.mark.parametrize("name", GENERATED)
def test_labels_are_in_range(name):
    data = make_dataset(name, samples=300, noise=0.1, seed=1)
    if name in REGRESSION:
        assert data.task == "regression" and data.n_classes == 0
        assert len(np.unique(data.labels)) > 20
    else:
        assert data.task == "classification"
        classes = 3 if name == "blobs" else 2
        assert data.n_classes == classes
        assert set(np.unique(data.labels)) == set(range(classes))


@pytest.mark.parametrize("name", GENERATED)
def test_generators_are_seeded(name):
    a = make_dataset(name, samples=200, noise=0.2, seed=7)
    b = make_dataset(name, samples=200, noise=0.2, seed=7)
    c = make_dataset(name, samples=200, noise=0.2, seed=8)
    assert np.array_equal(a.points, b.points) and np.array_equal(a.labels, b.labels)
    assert np.array_equal(a.train_idx, b.train_idx)
    assert not np.array_equal(a.points, c.points)
    assert not np.array_equal(a.train_idx, c.train_idx)


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
def test_noise_from_0_to_half_is_accepted(name, noise):
    data = make_dataset(name, samples=50, noise=noise)
    assert len(data.points) == 50


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("noise", [0.6, -0.1])
def test_noise_outside_0_to_half_is_refused(name, noise):
    with pytest.raises(ValueError, match="noise"):
        make_dataset(name, samples=50, noise=noise)


def test_noise_spreads_the_points():
    clean = make_dataset("xor", samples=400, noise=0.0, seed=2)
    noisy = make_dataset("xor", samples=400, noise=0.5, seed=2)
    # Without noise every point keeps a margin around the axes and sits in its quadrant.
    assert np.all(np.abs(clean.points) >= 0.3)
    assert np.all((clean.points[:, 0] * clean.points[:, 1] > 0) == (clean.labels == 1))
    assert np.abs(noisy.points).max() > np.abs(clean.points).max()


def test_points_stay_near_the_playground_square():
    for name in GENERATED:
        data = make_dataset(name, samples=300, noise=0.0, seed=0)
        assert np.abs(data.points).max() <= EXTENT + 1, name


@pytest.mark.parametrize("classes", [3, 4, 5])
def test_blobs_have_3_to_5_balanced_classes(classes):
    data = make_dataset("blobs", samples=200, classes=classes, seed=0)
    assert data.n_classes == classes
    counts = np.bincount(data.labels.astype(int))
    assert len(counts) == classes and counts.max() - counts.min() <= 1


def test_xor4_is_the_seed_notebooks_four_points_all_for_training():
    data = make_dataset("xor4", samples=500, noise=0.3)
    assert data.points.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert data.labels.tolist() == [0, 1, 1, 0]
    assert data.train_idx.tolist() == [0, 1, 2, 3] and len(data.test_idx) == 0


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.8, 1.0])
def test_train_test_split_is_a_partition(fraction):
    data = make_dataset("circle", samples=200, train_fraction=fraction, seed=4)
    assert len(data.train_idx) == round(200 * fraction)
    both = np.concatenate([data.train_idx, data.test_idx])
    assert sorted(both.tolist()) == list(range(200))


def test_given_points_and_labels():
    data = make_dataset("given", points=[[1, 2], [3, 4], [5, 6]], labels=[0, 1, 1])
    assert data.task == "classification" and data.n_classes == 2
    one_d = make_dataset("given", points=[1.0, 2.0], labels=[0.5, 1.5])
    assert one_d.points.shape == (2, 1) and one_d.task == "regression"


@pytest.mark.parametrize("points, labels, message", [
    (None, None, "needs"),
    ([[1, 2], [3, 4]], [0], "one label per point: got 2 points and 1 label"),
    ([[1, "a"]], [0], 'given point 1: "a" is not a number'),
    ([[1, True]], [0], "given point 1: true is not a number"),
    ([[1, 2], [3]], [0, 1], "given point 2 has 1 number, the points above have 2"),
    ([[1, 2], 3], [0, 1], "given point 2 is 3, the points above have 2"),
    ([1, [2]], [0, 1], "given point 2 is a list"),
    ([[[1, 2]]], [0], "given point 1: [1, 2] is not a number"),
    ([[1, float("nan")]], [0], "given point 1: NaN is not a finite number"),
    ([[10**400, 1]], [0], "is too large"),
    ([[]], [0], "a given point needs 1 to 99 numbers, got 0"),
    ([], [], 'needs "points"'),
    ({"x": 1}, [0], 'needs "points"'),
    ([[1, 2]], [None], "given label 1: null is not a number"),
    ([[1, 2]], [[0]], "given label 1: [0] is not a number"),
    ([[1, 2]], "0", "given labels must be a list"),
    ([[1, 2]], [-1], "class labels"),
    ([[1, 2]], [50], "at most 20 classes"),
    ([[1.0]] * 100_001, [0] * 100_001, "at most 100000 given points"),
])
def test_bad_given_data_is_refused(points, labels, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_dataset("given", points=points, labels=labels)


def test_unknown_dataset_is_refused():
    with pytest.raises(ValueError, match="unknown dataset"):
        make_dataset("mnist")


# -- CSV -----------------------------------------------------------------------------------

def test_csv_without_header(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("1.0,2.0,0\n-1.5,0.5,1\n3,4,1\n")
    X, y = load_csv(str(path))
    np.testing.assert_array_equal(X, [[1, 2], [-1.5, 0.5], [3, 4]])
    np.testing.assert_array_equal(y, [0, 1, 1])


def test_csv_with_header_and_a_chosen_label_column(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("label,x1,x2\n1,0.5,0.25\n0,-1,2\n")
    X, y = load_csv(str(path), label_column=0)
    np.testing.assert_array_equal(X, [[0.5, 0.25], [-1, 2]])
    np.testing.assert_array_equal(y, [1, 0])


def test_csv_dataset_detects_the_task(tmp_path):
    classes = tmp_path / "classes.csv"
    classes.write_text("".join(f"{i * 0.1},{-i * 0.2},{i % 3}\n" for i in range(30)))
    data = make_dataset("csv", csv_path=str(classes), train_fraction=0.5)
    assert data.task == "classification" and data.n_classes == 3
    assert len(data.train_idx) == 15
    values = tmp_path / "values.csv"
    values.write_text("".join(f"{i},{i * 2},{i * 0.37}\n" for i in range(30)))
    assert make_dataset("csv", csv_path=str(values)).task == "regression"


@pytest.mark.parametrize("content, message", [
    ("1,2,3\n4,x,6\n", "row 2, column 2: 'x' is not a number"),
    ("a,b,c\n1,2,3\n4,5,x\n", "row 3, column 3: 'x' is not a number"),
    ("1,2,3\n4,5\n", "row 2 has 2 columns, the rows above have 3"),
    ("a,b,c,d\n" + "1,2,3,4\n" * 5 + "1,2,3\n", "row 7 has 3 columns, the rows above have 4"),
    ("1,2,3\n4,5,6,7\n", "row 2 has 4 columns, the rows above have 3"),
    ("1\n2\n3\n", "has only one column; it needs at least one input column"),
    ("1;2;0\n3;4;1\n", "separated by semicolons; use commas"),
    ("1,2,0\n3;4;1\n", "separated by semicolons"),
    ("", "is empty"),
    ("\n\n  \n", "is empty"),
    ("x1,x2,label\n", "has a header row but no data rows"),
    ("1,2,0\n3,nan,1\n", "row 2, column 2: 'nan' is not a finite number"),
    ("1,2,0\n3,4,-inf\n", "row 2, column 3: '-inf' is not a finite number"),
    ("1,2,0\n3,,1\n", "row 2, column 2 is empty"),
    ("1,2,0\n3,1e999,1\n", "row 2, column 2: '1e999' is not a finite number"),
    (",".join(["1"] * 101) + "\n", "row 1 has 101 columns; at most 100"),
    ("1,2,0\n" * 100_001, "has 100001 data rows; at most 100000"),
])
def test_bad_csv_is_refused_with_a_value_error(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        load_csv(str(path))
    text = str(info.value)
    assert text.startswith("CSV ") and "bad.csv" in text and "\n" not in text
    for advice in ("usecols", "numpy", "dtype", "float64", "skiprows"):
        assert advice not in text


def test_unreadable_csv_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        load_csv(str(tmp_path / "missing.csv"))
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01,2\n")
    with pytest.raises(ValueError, match="UTF-8"):
        load_csv(str(binary))
    path = tmp_path / "ok.csv"
    path.write_text("1,2\n3,4\n")
    with pytest.raises(ValueError, match="has 2 columns, so there is no label column 5"):
        load_csv(str(path), label_column=5)
    with pytest.raises(ValueError, match="no label column -3"):
        load_csv(str(path), label_column=-3)
    assert load_csv(str(path), label_column=-2)[1].tolist() == [1, 3]
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        load_csv(str(fifo))


# -- features ------------------------------------------------------------------------------

def test_feature_expansion_columns_match_their_definitions():
    points = np.array([[1.5, -2.0], [0.0, 3.0], [-0.5, 0.25]])
    x1, x2 = points[:, 0], points[:, 1]
    expected = {"x1": x1, "x2": x2, "x1^2": x1 ** 2, "x2^2": x2 ** 2, "x1*x2": x1 * x2,
                "sin(x1)": np.sin(x1), "sin(x2)": np.sin(x2)}
    assert set(expected) == set(FEATURES)
    names = list(FEATURES)
    X = expand_features(points, names)
    assert X.shape == (3, len(names)) and X.dtype == np.float64
    for column, name in enumerate(names):
        np.testing.assert_array_equal(X[:, column], expected[name], err_msg=name)


def test_feature_expansion_keeps_the_order_asked_for_and_the_dtype():
    points = np.array([[2.0, 3.0]])
    X = expand_features(points, ["x1*x2", "x1"], dtype=np.float32)
    assert X.tolist() == [[6.0, 2.0]] and X.dtype == np.float32


def test_no_features_passes_raw_columns_through():
    points = np.arange(12.0).reshape(4, 3)
    X = expand_features(points, [])
    np.testing.assert_array_equal(X, points)
    assert X.flags.c_contiguous


def test_bad_features_are_refused():
    with pytest.raises(ValueError, match="unknown feature"):
        expand_features(np.zeros((2, 2)), ["cos(x1)"])
    with pytest.raises(ValueError, match="2-D points"):
        expand_features(np.zeros((2, 3)), ["x1"])


def test_class_labels_with_gaps_are_refused_with_the_labels_found(tmp_path):
    from engine.datasets import make_dataset

    path = tmp_path / "gaps.csv"
    path.write_text("1,2,1\n3,4,2\n5,6,3\n7,8,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"every class present; found 1, 2, 3, so class 0 "):
        make_dataset("csv", csv_path=str(path))


def test_csv_with_a_byte_order_mark_header_and_blank_lines(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffx1, x2 ,label\r\n1,2,0\r\n\r\n3, 4 ,1\r\n\r\n\r\n".encode())
    X, y = load_csv(str(path))
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(y, [0, 1])


def test_a_first_row_with_any_number_is_data_not_a_header(tmp_path):
    path = tmp_path / "typo.csv"
    path.write_text("1,abc,0\n3,4,1\n")
    with pytest.raises(ValueError, match="row 1, column 2: 'abc' is not a number"):
        load_csv(str(path))


def test_a_large_csv_loads(tmp_path):
    path = tmp_path / "large.csv"
    path.write_text("x1,x2,y\n" + "".join(f"{i * 0.001},{-i * 0.002},{i % 3}\n"
                                           for i in range(100_000)))
    X, y = load_csv(str(path))
    assert X.shape == (100_000, 2) and y[-1] == 99_999 % 3


# -- one rule for class labels -------------------------------------------------------------

@pytest.mark.parametrize("labels, classes", [
    ([0, 1, 1, 0], 2), ([0, 1, 2, 2], 3), ([2, 0, 1, 3], 4), ([1, 1], 2), ([0, 0], 2),
    ([0.0, 1.0], 2)])
def test_class_labels_0_to_k_minus_1(labels, classes):
    data = make_dataset("given", points=[[i] for i in range(len(labels))], labels=labels)
    assert data.task == "classification" and data.n_classes == classes


@pytest.mark.parametrize("labels, missing", [
    ([0, 2], "class 1 has no example"), ([0, 1, 3], "class 2 has no example"),
    ([1, 2], "class 0 has no example"), ([2, 2], "classes 0, 1 have no example"),
    ([1, 2, 3], "class 0 has no example")])
@pytest.mark.parametrize("source", ["given", "csv"])
def test_class_labels_with_a_missing_class_are_refused_everywhere(labels, missing, source,
                                                                  tmp_path):
    points = [[i, -i] for i in range(len(labels))]
    if source == "given":
        build = dict(points=points, labels=labels)
    else:
        path = tmp_path / "labels.csv"
        path.write_text("".join(f"{a},{b},{c}\n" for (a, b), c in zip(points, labels)))
        build = dict(csv_path=str(path))
    with pytest.raises(ValueError, match="whole numbers 0 to k−1 with every class present") \
            as info:
        make_dataset(source, **build)
    assert missing in str(info.value)


def test_regression_is_still_detected(tmp_path):
    assert make_dataset("given", points=[[1], [2]], labels=[0.5, 2.0]).task == "regression"
    path = tmp_path / "many.csv"
    path.write_text("".join(f"{i},{i}\n" for i in range(30)))  # 30 whole values: regression
    assert make_dataset("csv", csv_path=str(path)).task == "regression"


def test_the_task_of_a_csv_is_read_once_per_version_of_the_file(tmp_path, monkeypatch):
    import os

    import engine.datasets as datasets

    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n0,1,0\n1,0,1\n", encoding="utf-8")
    reads = []
    real = datasets.load_csv
    monkeypatch.setattr(datasets, "load_csv", lambda *a: reads.append(a) or real(*a))
    datasets._csv_task.cache_clear()
    assert datasets.data_task("csv", csv_path=str(path)) == ("classification", 2)
    assert datasets.data_task("csv", csv_path=str(path)) == ("classification", 2)
    assert len(reads) == 1
    path.write_text("a,b,y\n0,1,0\n1,0,1\n2,2,2\n", encoding="utf-8")
    os.utime(path, ns=(1, 10**18))  # a new version even within the clock's resolution
    assert datasets.data_task("csv", csv_path=str(path)) == ("classification", 3)
    assert datasets.data_task("csv", csv_path=["not", "a", "path"]) == ("classification", 2)


def test_a_csv_with_quoted_cells_reads_as_numbers(tmp_path):
    from engine.datasets import load_csv

    path = tmp_path / "quoted.csv"
    path.write_text('"x","y","label"\r\n"0","0.5","0"\r\n"1","-2","1"\r\n', encoding="utf-8")
    X, y = load_csv(str(path))
    assert X.tolist() == [[0.0, 0.5], [1.0, -2.0]] and y.tolist() == [0.0, 1.0]


def test_a_csv_header_names_the_input_columns_and_sessions_keep_them(tmp_path):
    # Issue 13, item 8: CSV data keeps its column names (not x1, x2).
    import json as _json

    from engine.serialization import trainer_from_session, trainer_session
    from engine.spec import Spec
    from engine.trainer import Trainer
    path = tmp_path / "named.csv"
    path.write_text("height,label,weight\n" + "".join(f"{i},{i % 2},{i * 3}\n" for i in range(8)))
    t = Trainer(Spec(dataset="csv", csv_path=str(path), label_column=1, features=[]))
    assert t.data.column_names == ("height", "weight")
    session = _json.loads(_json.dumps(trainer_session(t)))
    assert session["data"]["columns"] == ["height", "weight"]
    assert trainer_from_session(session).data.column_names == ("height", "weight")
    session["data"]["columns"] = ["only one"]
    with pytest.raises(ValueError, match="columns must be 2 names"):
        trainer_from_session(session)
    plain = tmp_path / "plain.csv"
    plain.write_text("".join(f"{i},{i * 3},{i % 2}\n" for i in range(8)))
    no_header = Trainer(Spec(dataset="csv", csv_path=str(plain), features=[]))
    assert no_header.data.column_names is None
    assert "columns" not in trainer_session(no_header)["data"]
