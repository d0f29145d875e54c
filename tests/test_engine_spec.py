"""engine.spec, engine.presets, engine.serialization: JSON round trips, versions, validation."""

import json
import re

import numpy as np
import pytest
from engine_helpers import stepped

from engine.presets import load_preset, preset_description, preset_names
from engine.serialization import (
    SESSION_FORMAT,
    load_spec_file,
    save_session,
    session_dict,
    spec_from_data,
    trainer_session,
)
from engine.spec import FORMAT, Spec
from engine.trainer import Trainer

PRESETS = ["playground", "softmax-2-3-2", "vanishing", "worked-example", "xor"]


def test_presets_are_listed_and_described():
    assert set(PRESETS) <= set(preset_names())
    for name in preset_names():
        assert preset_description(name), name
    with pytest.raises(ValueError, match="unknown preset"):
        load_preset("no-such-preset")


@pytest.mark.parametrize("name", PRESETS)
def test_spec_json_round_trip(name):
    spec = load_preset(name)
    text = spec.to_json()
    assert json.loads(text)["format"] == FORMAT
    assert Spec.from_json(text) == spec


def test_default_spec_and_a_full_spec_round_trip():
    assert Spec.from_json(Spec().to_json()) == Spec()
    spec = Spec(hidden=[3, 2], activations=["relu", "elu"], output_activation="softmax",
                loss="ce", features=["x1", "x2", "x1*x2"], optimizer="adam", learning_rate=0.01,
                regularization="l1", reg_rate=0.001, clip_norm=2.0, dataset="blobs", classes=4,
                noise=0.2, train_fraction=0.7, seed=42, dtype="float32", batch_size=16,
                weights=None)
    assert Spec.from_json(spec.to_json()) == spec


def test_spec_from_dict_ignores_name_and_description_but_not_unknown_fields():
    data = {**Spec().to_dict(), "name": "x", "description": "y"}
    assert Spec.from_dict(data) == Spec()
    with pytest.raises(ValueError, match="unknown spec field"):
        Spec.from_dict({**Spec().to_dict(), "learnig_rate": 0.1})


@pytest.mark.parametrize("version", [0, 2, "1", None])
def test_other_format_versions_are_refused(version):
    with pytest.raises(ValueError, match="format"):
        Spec.from_dict({**Spec().to_dict(), "format": version})
    session = {"format": version, "kind": "session", "spec": Spec().to_dict(), "weights": None}
    with pytest.raises(ValueError, match="format"):
        spec_from_data(session)


def test_malformed_json_is_a_value_error():
    with pytest.raises(ValueError, match="not valid JSON: .* at line 1, column 2"):
        Spec.from_json("{'hidden': [1]")
    with pytest.raises(ValueError, match="JSON object"):
        Spec.from_json("[1, 2]")


@pytest.mark.parametrize("changes, message", [
    ({"learning_rate": -1}, "learning rate"),
    ({"learning_rate": 0}, "learning rate"),
    ({"learning_rate": float("nan")}, "learning rate"),
    ({"learning_rate": float("inf")}, "learning rate"),
    ({"learning_rate": "0.1"}, "learning rate"),
    ({"learning_rate": True}, "learning rate"),
    ({"hidden": [0], "activations": ["tanh"]}, "1 to 32 neurons"),
    ({"hidden": [33], "activations": ["tanh"]}, "1 to 32 neurons"),
    ({"hidden": [2.5], "activations": ["tanh"]}, "neurons"),
    ({"hidden": [True], "activations": ["tanh"]}, "neurons"),
    ({"hidden": [1] * 11, "activations": ["tanh"] * 11}, "at most 10 hidden layers"),
    ({"hidden": 3}, "hidden must be a list"),
    ({"hidden": [2], "activations": ["tanh", "tanh"]}, "need 1 activations"),
    ({"activations": "tanh"}, "activations must be a list"),
    ({"activations": ["tanh", "softmax"]}, "unknown hidden activation"),
    ({"activations": [["tanh"], "tanh"]}, "must be names"),
    ({"output_activation": "tanh"}, "needs an output activation"),
    ({"output_activation": ["sigmoid"]}, "must be a name"),
    ({"loss": "hinge"}, "unknown loss"),
    ({"features": ["x3"]}, "unknown feature"),
    ({"features": None}, "features must be a list"),
    ({"initializer": "orthogonal"}, "unknown initializer"),
    ({"optimizer": "rmsprop"}, "unknown optimizer"),
    ({"regularization": "l3"}, "unknown regularization"),
    ({"dataset": "mnist"}, "unknown dataset"),
    ({"dtype": "float16"}, "unknown dtype"),
    ({"momentum": 1.5}, "momentum"),
    ({"reg_rate": -0.1}, "regularization rate"),
    ({"clip_norm": -1}, "clip"),
    ({"noise": 0.6}, "noise"),
    ({"train_fraction": 0.0}, "train fraction"),
    ({"batch_size": 0}, "batch size"),
    ({"batch_size": 1.5}, "batch size"),
    ({"samples": 3}, "samples"),
    ({"classes": 6}, "classes"),
    ({"seed": -1}, "seed"),
    ({"label_column": "x"}, "label column"),
    ({"csv_path": 5}, "csv_path"),
    ({"weights": [{"W": [[1]]}]}, "weights"),
    ({"weights": [1, 2, 3]}, "weights"),
    ({"weights": [{"W": [[1]], "b": [0]}]}, "given weights need 3 layers"),
    ({"points": "abc"}, "points must be a list"),
])
def test_invalid_specs_are_refused_with_one_line(changes, message):
    with pytest.raises(ValueError, match=message) as info:
        Spec.from_dict({**Spec().to_dict(), **changes})
    assert "\n" not in str(info.value)


def test_given_weights_must_fit_the_architecture():
    spec = load_preset("worked-example")
    Trainer(spec)  # fits
    bad = spec.replace(weights=[{"W": [[0.5, 1.0]], "b": [0.1]}, {"W": [[0.8]], "b": [0.2]}])
    with pytest.raises(ValueError, match="layer 1's W needs 1×1 values, got 2"):
        Trainer(bad)
    with pytest.raises(ValueError, match="finite"):
        Trainer(spec.replace(weights=[{"W": [[float("nan")]], "b": [0.1]},
                                      {"W": [[0.8]], "b": [0.2]}]))
    with pytest.raises(ValueError, match="must hold numbers"):
        Trainer(spec.replace(weights=[{"W": [["a"]], "b": [0.1]}, {"W": [[0.8]], "b": [0.2]}]))


# -- sessions ------------------------------------------------------------------------------

def _weights(trainer):
    return [(layer.W.copy(), layer.b.copy()) for layer in trainer.network.layers]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_session_round_trip_rebuilds_the_same_weights(tmp_path, dtype):
    trainer = Trainer(load_preset("playground").replace(dtype=dtype))
    for _ in range(25):
        trainer.step()
    path = tmp_path / "session.json"
    save_session(trainer_session(trainer), str(path))
    data = json.loads(path.read_text())
    assert data["kind"] == "session" and data["format"] == SESSION_FORMAT and data["step"] == 25
    spec = load_spec_file(str(path))
    reopened = Trainer(spec)
    for (W, b), (W2, b2) in zip(_weights(trainer), _weights(reopened), strict=True):
        assert np.array_equal(W, W2) and np.array_equal(b, b2)
        assert W2.dtype == np.dtype(dtype)
    assert spec.replace(weights=None) == trainer.spec.replace(weights=None)


def test_session_dict_from_snapshot_arrays(tmp_path):
    trainer = Trainer(load_preset("softmax-2-3-2"))
    stats = stepped(trainer)
    session = session_dict(trainer.spec, stats.weights, stats.biases, stats.step)
    path = tmp_path / "s.json"
    save_session(session, str(path))
    reopened = Trainer(load_spec_file(str(path)))
    layers = reopened.network.layers
    for W, b, layer in zip(stats.weights, stats.biases, layers, strict=True):
        assert np.array_equal(W, layer.W) and np.array_equal(b, layer.b)


def test_a_spec_file_loads_as_a_spec(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(load_preset("xor").to_json())
    assert load_spec_file(str(path)) == load_preset("xor")


def test_bad_files_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        load_spec_file(str(tmp_path / "missing.json"))
    with pytest.raises(ValueError, match="cannot read"):
        load_spec_file(str(tmp_path))  # a directory
    broken = tmp_path / "broken.json"
    broken.write_text('{"hidden": [2,')
    with pytest.raises(ValueError, match="not valid JSON"):
        load_spec_file(str(broken))
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="not a UTF-8 text file"):
        load_spec_file(str(binary))
    with pytest.raises(ValueError, match="cannot write"):
        save_session({"kind": "session"}, str(tmp_path / "no-dir" / "x.json"))


def test_session_with_weights_of_the_wrong_shape_is_refused(tmp_path):
    trainer = Trainer(load_preset("playground"))
    session = trainer_session(trainer)
    session["weights"][0]["W"] = [[1.0, 2.0]]
    with pytest.raises(ValueError, match="layer 1's W"):
        Trainer(spec_from_data(session))
    session["weights"] = session["weights"][:1]
    with pytest.raises(ValueError, match="given weights need 3 layers"):
        spec_from_data(session)


# -- values the window cannot hold, and hostile JSON ----------------------------------------

def test_whole_number_floats_are_accepted_as_integers():
    spec = Spec.from_dict({**Spec().to_dict(), "hidden": [4.0, 2.0], "batch_size": 16.0,
                           "samples": 200.0, "seed": 7.0, "classes": 3.0, "label_column": -1.0})
    assert spec.hidden == [4, 2] and all(type(n) is int for n in spec.hidden)
    assert (spec.batch_size, spec.samples, spec.seed, spec.label_column) == (16, 200, 7, -1)
    assert type(spec.batch_size) is int and type(spec.seed) is int
    assert Spec.from_json(spec.to_json()) == spec


@pytest.mark.parametrize("field, value", [
    ("hidden", [4.5]), ("batch_size", 4.5), ("samples", 100.5), ("seed", 0.25),
    ("classes", 3.5), ("label_column", 1.5)])
def test_fractions_are_not_whole_numbers(field, value):
    data = {**Spec().to_dict(), field: value}
    if field == "hidden":
        data["activations"] = ["tanh"]
    with pytest.raises(ValueError, match="is not a whole number"):
        Spec.from_dict(data)


@pytest.mark.parametrize("field, value, message", [
    ("seed", 2**31, "seed must be a whole number from 0 to 2147483647"),
    ("seed", 2**31 - 1, None),
    ("seed", 10**300, "seed must be a whole number from 0 to 2147483647"),
    ("batch_size", 2**31, "batch size must be a whole number from 1 to 100000"),
    ("batch_size", 100_000, None),
    ("samples", 100_001, "samples must be a whole number from 4 to 100000"),
    ("label_column", 2**40, "label column"),
    ("learning_rate", 1e6, None),
    ("learning_rate", 1e300, None),
    ("learning_rate", 10**400, "learning rate must be a finite number above 0"),
    ("reg_rate", float("inf"), "regularization rate must be a finite number"),
    ("clip_norm", float("inf"), "gradient clip norm must be a finite number"),
    ("momentum", float("nan"), "momentum must be between 0 and 1"),
    ("noise", float("nan"), "noise"),
    ("train_fraction", float("inf"), "train fraction"),
    ("batch_size", True, "true is not a number"),
    ("seed", "5", '"5" is not a number'),
    ("seed", None, "null is not a number"),
    ("learning_rate", None, "learning rate must be a number, got null"),
    ("loss", None, "loss must be a name (a string), got null"),
    ("hidden", {"a": 1}, "hidden must be a list"),
    ("features", ["x1", "x1"], "listed twice"),
    ("features", [["x1"]], "must be names"),
    ("dataset", "x" * 100_000, "unknown dataset"),
    ("hidden", [4] * 10**6, "at most 10 hidden layers, got 1000000"),
    ("activations", ["tanh"] * 10**6, "need 2 activations, got 1000000"),
    ("weights", [{"W": [[True]], "b": [0]}] * 3, "must hold numbers, got true"),
    ("weights", [{"W": [[10**400]], "b": [0]}] * 3, "finite"),
    ("weights", [{"W": [1.0], "b": [0]}] * 3, "list of rows of numbers"),
    ("weights", [{"W": [[1.0]], "b": [[0]]}] * 3, "must hold numbers"),
    ("weights", [{"W": [[float("nan")]], "b": [0]}] * 3, "finite"),
])
def test_limits_and_kinds(field, value, message):
    data = {**Spec().to_dict(), field: value}
    if message is None:
        assert getattr(Spec.from_dict(data), field) == value
        return
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        Spec.from_dict(data)
    text = str(info.value)
    assert "\n" not in text and len(text) < 200, text


def test_a_json_number_with_thousands_of_digits_is_one_line():
    text = Spec().to_json().replace('"seed": 0', '"seed": ' + "9" * 5000)
    with pytest.raises(ValueError, match="too many digits") as info:
        Spec.from_json(text)
    assert "sys." not in str(info.value)


def test_deeply_nested_json_is_one_line():
    with pytest.raises(ValueError, match="nested too deeply"):
        Spec.from_json("[" * 100_000 + "]" * 100_000)


def test_unknown_names_are_quoted_on_one_line():
    data = {**Spec().to_dict(), "bad\nkey": 1, "other\r\nkey": 2}
    with pytest.raises(ValueError, match="unknown spec field") as info:
        Spec.from_dict(data)
    assert "\n" not in str(info.value) and "\r" not in str(info.value)
    with pytest.raises(ValueError) as info:
        Spec.from_dict({**Spec().to_dict(), "dataset": "two\nlines"})
    assert "\n" not in str(info.value)
    many = {**Spec().to_dict(), **{f"k{i}": i for i in range(1000)}}
    with pytest.raises(ValueError, match="and 995 more"):
        Spec.from_dict(many)


@pytest.mark.parametrize("version", [True, 1.5, [1], {"v": 1}])
def test_odd_format_values_are_refused(version):
    with pytest.raises(ValueError, match="spec format .* is not supported"):
        Spec.from_dict({**Spec().to_dict(), "format": version})


def test_numpy_numbers_from_a_notebook_are_plain_numbers_in_the_spec():
    spec = Spec(seed=np.int64(3), batch_size=np.float32(8.0), hidden=[np.int32(4), 2.0],
                activations=["tanh", "tanh"], learning_rate=np.float32(0.5)).validate()
    assert (spec.seed, spec.batch_size, spec.hidden) == (3, 8, [4, 2])
    assert type(spec.seed) is int and type(spec.learning_rate) is float
    json.loads(spec.to_json())
    with pytest.raises(ValueError, match="true is not a number"):
        Spec(seed=np.bool_(True)).validate()
    with pytest.raises(ValueError, match="got 1e"):
        Spec(seed=1e300).validate()  # shown as written, not as a 301-digit integer
