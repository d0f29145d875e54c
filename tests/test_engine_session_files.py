"""Session and spec files: fresh trainers from specs, relative CSV paths, format 1, the CLI
continuing and saving sessions, and counts beyond any run."""

import io
import json
import os

import numpy as np
import pytest
from engine_helpers import stepped
from session_helpers import assert_continues_identically, assert_same_state, trained

from engine.cli import run
from engine.presets import load_preset
from engine.serialization import (
    load_file,
    load_spec_file,
    save_session,
    session_dict,
    spec_from_data,
    trainer_session,
)
from engine.trainer import Trainer

# -- spec files, format 1, relative CSV paths ------------------------------------------------

def test_a_spec_file_gives_a_fresh_trainer(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text("\ufeff" + load_preset("xor").to_json(), encoding="utf-8")  # a BOM is fine
    t = load_file(path)
    assert t.step_count == 0 and len(t.history) == 0
    assert_continues_identically(t, Trainer(load_preset("xor")), 10)


def test_a_relative_csv_path_is_read_from_the_spec_files_folder(tmp_path, monkeypatch):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "points.csv").write_text("x,y,label\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n2,2,1\n")
    spec = load_preset("playground").replace(dataset="csv", csv_path="points.csv")
    (folder / "spec.json").write_text(spec.to_json())
    monkeypatch.chdir(tmp_path)  # somewhere else
    t = load_file("project/spec.json")
    assert len(t.data.points) == 5
    assert os.path.isabs(t.spec.csv_path) and os.path.exists(t.spec.csv_path)
    assert load_spec_file("project/spec.json").csv_path == t.spec.csv_path
    monkeypatch.chdir(folder)
    assert load_file("spec.json").spec.csv_path == t.spec.csv_path


def test_a_missing_relative_csv_is_one_line_naming_the_spec(tmp_path):
    spec = load_preset("playground").replace(dataset="csv", csv_path="gone.csv")
    (tmp_path / "spec.json").write_text(spec.to_json())
    with pytest.raises(ValueError, match=r"^spec '.*spec\.json': cannot read CSV") as info:
        load_file(tmp_path / "spec.json")
    assert "\n" not in str(info.value)


def test_format_1_sessions_still_open(tmp_path):
    t = trained(load_preset("playground"), 20)
    layers = t.network.layers
    old = session_dict(t.spec, [la.W for la in layers], [la.b for la in layers], t.step_count)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    spec = load_spec_file(path)
    assert spec == spec_from_data(old)
    u = load_file(path)
    assert u.step_count == 20
    for a, b in zip(u.network.layers, layers, strict=True):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert u.step().step == 21
    bad = {**old, "weights": old["weights"][:1]}
    path.write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="given weights need 3 layers"):
        load_file(path)


# -- the command line ------------------------------------------------------------------------

def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = run([str(a) for a in args], out, err)
    return code, out.getvalue(), err.getvalue()


def test_cli_train_continues_a_session_and_saves_one(tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    code, out, err = run_cli("train", "--preset", "playground", "--steps", 30, "--save", first,
                             "--json")
    assert code == 0 and err == "" and json.loads(out)["step"] == 30
    assert load_file(first).step_count == 30
    code, out, err = run_cli("train", "--config", first, "--steps", 20, "--save", second,
                             "--json")
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["step"] == 50
    straight = Trainer(load_preset("playground"))
    for _ in range(50):  # runs this short evaluate the whole set at every step
        stepped(straight)
    assert result["loss"] == straight.history.arrays()["train_loss"][-1]
    assert_same_state(straight, load_file(second))


def test_cli_save_to_an_unwritable_place_is_one_line(tmp_path):
    code, _, err = run_cli("train", "--preset", "xor", "--steps", 3, "--save",
                           tmp_path / "no-folder" / "s.json")
    assert code == 2 and err.startswith("error: cannot write") and err.count("\n") == 1


def test_cli_trace_and_gradcheck_use_a_sessions_current_weights(tmp_path):
    t = trained(load_preset("softmax-2-3-2").replace(dtype="float32"), 40)
    path = tmp_path / "s.json"
    save_session(trainer_session(t), path)
    code, out, _ = run_cli("trace", "--config", path, "--json")
    assert code == 0
    traced = json.loads(out)
    assert traced["step"] == 41 and t.cursor < len(t.order)
    first = next(s for s in traced["stages"] if s["kind"] == "forward")
    W = next(q["value"] for q in first["inputs"] if q["key"] == "W")
    assert np.array_equal(np.array(W, dtype=np.float32), t.network.layers[0].W)
    assert traced["batch"] == t.order[t.cursor:t.cursor + t.batch_size].tolist()
    code, out, _ = run_cli("gradcheck", "--config", path, "--json")
    assert code == 0 and json.loads(out)["passed"]


@pytest.mark.parametrize("key", ["step", "epoch", "t"])
def test_counts_beyond_any_run_are_refused_in_one_line(key):
    import json as _json

    from engine.presets import load_preset as _preset
    from engine.serialization import trainer_from_session as _restore
    from engine.serialization import trainer_session as _session
    from engine.trainer import Trainer as _Trainer

    t = _Trainer(_preset("xor"))
    t.step()
    data = _json.loads(_json.dumps(_session(t)))
    if key == "step":
        data["step"] = 2**63
    elif key == "epoch":
        data["batches"]["epoch"] = 2**70
    else:
        data["optimizer"]["t"] = 2**64
    with pytest.raises(ValueError) as error:
        _restore(data)
    assert "\n" not in str(error.value) and "whole number" in str(error.value)
