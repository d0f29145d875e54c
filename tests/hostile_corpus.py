"""The hostile-input corpus: malformed specs, sessions and CSV data, each with a lowercase part
of the one-line message it must produce.

Files that can be committed live in tests/hostile/ (specs refer to the CSV files there by
relative "csv_path", which is read relative to the spec's folder). Cases that cannot be
committed (a named pipe, nesting 100,000 deep, a 5000-digit number, megabyte lists) are made
by `hostile_cases(tmp_path)` at test time. The window's tests reuse the same list.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

HOSTILE = Path(__file__).resolve().parent / "hostile"

# file in tests/hostile/ -> a lowercase part of the message it must give
EXPECTED = {
    # wrong kinds and values in a spec
    "hidden-dict.json": "hidden must be a list",
    "hidden-nested.json": "[4] is not a number",
    "hidden-fraction.json": "4.5 is not a whole number",
    "hidden-zero.json": "needs 1 to 32 neurons, got 0",
    "hidden-too-wide.json": "needs 1 to 32 neurons, got 33",
    "hidden-many.json": "at most 10 hidden layers, got 1000",
    "activations-count.json": "2 hidden layers need 2 activations, got 1",
    "activation-newline.json": "unknown hidden activation",
    "unknown-key-newline.json": "unknown spec field(s): \"learning\\nrate\"",
    "unknown-keys-many.json": "and 35 more",
    "loss-null.json": "loss must be a name (a string), got null",
    "loss-unknown.json": "unknown loss \"hinge\"",
    "output-loss-mismatch.json": "needs an output activation of sigmoid",
    "batch-true.json": "batch size must be a whole number from 1 to 100000; true is not a number",
    "batch-2-31.json": "batch size must be a whole number from 1 to 100000, got 2147483648",
    "batch-zero.json": "batch size must be a whole number from 1 to 100000, got 0",
    "samples-huge.json": "samples must be a whole number from 4 to 100000",
    "seed-2-31.json": "seed must be a whole number from 0 to 2147483647, got 2147483648",
    "seed-negative.json": "seed must be a whole number from 0 to 2147483647, got -1",
    "seed-fraction.json": "1.5 is not a whole number",
    "seed-string.json": "\"42\" is not a number",
    "lr-string.json": "learning rate must be a number, got \"0.1\"",
    "lr-negative.json": "learning rate must be a finite number above 0, got -0.1",
    "lr-zero.json": "learning rate must be a finite number above 0, got 0",
    "lr-infinite.json": "learning rate must be a finite number above 0, got infinity",
    "lr-nan.json": "learning rate must be a finite number above 0, got nan",
    "momentum-two.json": "momentum must be between 0 and 1, got 2",
    "reg-rate-infinite.json": "regularization rate must be a finite number",
    "clip-negative.json": "gradient clip norm must be a finite number of at least 0",
    "noise-string.json": "noise must be a number, got \"a little\"",
    "train-fraction-zero.json": "train fraction must be between 0.05 and 1",
    "classes-billion.json": "blobs needs 2 to 5 classes",
    "label-column-huge.json": "label column must be a whole number from -100 to 99",
    "features-string.json": "features must be a list",
    "features-nested.json": "must be names",
    "features-twice.json": "feature 'x1' is listed twice",
    "dtype-float16.json": "unknown dtype \"float16\"",
    "dataset-unknown.json": "unknown dataset \"mnist\"",
    "csv-path-number.json": "csv_path must be a name",
    # versions and syntax
    "format-2-spec.json": "spec format 2 is not supported",
    "format-string.json": "spec format \"1\" is not supported",
    "format-true.json": "spec format true is not supported",
    "top-level-array.json": "a spec must be a json object",
    "top-level-string.json": "a spec must be a json object",
    "truncated.json": "not valid json: expecting value at line 2, column 1",
    "empty.json": "not valid json: expecting value at line 1, column 1",
    "trailing-garbage.json": "not valid json: extra data at line 1",
    "single-quotes.json": "not valid json",
    "comments.json": "not valid json",
    "not-utf8.json": "is not a utf-8 text file",
    "utf16.json": "is not a utf-8 text file",
    # given points and labels
    "points-ragged.json": "given point 2 has 1 number, the points above have 2",
    "points-strings.json": "given point 1: \"1\" is not a number",
    "points-nested.json": "given point 1: [1, 2] is not a number",
    "points-not-list.json": "points must be a list",
    "points-booleans.json": "given point 1: true is not a number",
    "points-empty-rows.json": "a given point needs 1 to 99 numbers, got 0",
    "labels-wrong-length.json": "one label per point: got 3 points and 2 labels",
    "labels-gap.json": "every class present; found 0, 2, so class 1 has no example",
    "labels-one-based.json": "found 1, 2, 3, so class 0 has no example",
    "labels-negative.json": "includes a negative label",
    "labels-null.json": "given label 2: null is not a number",
    "labels-missing.json": "needs \"points\" and \"labels\"",
    "features-need-2d.json": "need 2-d points",
    # given weights
    "weights-wrong-shape.json": "layer 1's w needs 2×2 values, got 1",
    "weights-count.json": "given weights need 2 layers, got 1",
    "weights-not-objects.json": "object per layer, layer 1 is 1",
    "weights-missing-b.json": "object per layer",
    "weights-true.json": "layer 1's w must hold numbers, got true",
    "weights-nan.json": "layer 1's w must hold finite numbers, got nan",
    "weights-huge-integer.json": "layer 1's w must hold finite numbers",
    "weights-flat-w.json": "layer 1's w must be a list of rows of numbers",
    # CSV data named by a spec
    "csv-ragged.json": "data-ragged.csv': row 4 has 2 columns, the rows above have 3",
    "csv-not-number.json": "row 2, column 2: 'abc' is not a number",
    "csv-nan.json": "row 2, column 2: 'nan' is not a finite number",
    "csv-inf.json": "row 2, column 3: '-inf' is not a finite number",
    "csv-empty.json": "data-empty.csv' is empty",
    "csv-blank-lines.json": "data-blank-lines.csv' is empty",
    "csv-one-column.json": "has only one column",
    "csv-header-only.json": "has a header row but no data rows",
    "csv-gap-labels.json": "so class 1 has no example",
    "csv-one-based-labels.json": "so class 0 has no example",
    "csv-semicolons.json": "separated by semicolons",
    "csv-empty-cell.json": "row 2, column 2 is empty",
    "csv-not-utf8.json": "data-not-utf8.csv' is not a utf-8 text file",
    "csv-label-column.json": "has 3 columns, so there is no label column 7",
    "csv-missing.json": "cannot read csv",
    "csv-folder.json": "it is a folder",
    "csv-regression-with-bce.json": "a regression dataset needs the mse loss",
    "csv-three-classes-with-bce.json": "3 classes need a softmax output",
    # format-1 (and one format-2) sessions
    "session-format-9.json": "session format 9 is not supported",
    "session-no-spec.json": "a spec must be a json object, got null",
    "session-spec-list.json": "a spec must be a json object",
    "session-weights-string.json": "weights must be a list",
    "session-weights-shape.json": "layer 1's w needs 2×2 values, got 3",
    "session-weights-nan.json": "finite",
    "session-step-string.json": "step count must be a whole number",
    "session-bad-spec.json": "4.5 is not a whole number",
    "session-format-2-empty.json": "a format-2 session has no",
}

# CSV files in tests/hostile/ are data, read through the specs above.
DATA_FILES = {p.name for p in HOSTILE.glob("*.csv")}


def committed_cases() -> list[tuple[Path, str]]:
    return [(HOSTILE / name, expected) for name, expected in EXPECTED.items()]


def generated_cases(tmp_path: Path) -> list[tuple[Path, str]]:
    """Cases too big, or not files git can hold, made in tmp_path."""
    cases = []

    def spec_file(name, text, expected):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        cases.append((path, expected))
        return path

    def spec(name, expected, **fields):
        return spec_file(name, json.dumps({"format": 1, **fields}), expected)

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # opening it for reading would block for ever
    cases.append((fifo, "not a regular file"))
    spec_file("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply")
    spec_file("deep-in-field.json", '{"points": ' + "[" * 50_000 + "]" * 50_000 + "}",
              "nested too deeply")
    spec_file("digits.json", '{"format": 1, "seed": ' + "7" * 5000 + "}",
              "holds a number with too many digits")
    spec("hidden-million.json", "at most 10 hidden layers, got 1000000", hidden=[4] * 10**6)
    spec("string-million.json", "unknown dataset", dataset="x" * 10**6)
    spec("keys-many.json", "and 99995 more", **{f"k{i}": 0 for i in range(100_000)})
    spec("points-many.json", "at most 100000 given points", dataset="given", features=[],
         points=[[0.0]] * 100_001, labels=[0] * 100_001)
    spec("hidden-deep-list.json", "is not a number", hidden=json.loads("[" * 500 + "]" * 500),
         activations=["tanh"])
    rows = tmp_path / "rows.csv"
    rows.write_text("1,2,0\n" * 100_001)
    spec("csv-rows.json", "has 100001 data rows; at most 100000", dataset="csv",
         csv_path="rows.csv", features=[])
    columns = tmp_path / "columns.csv"
    columns.write_text(",".join(["1"] * 101) + "\n")
    spec("csv-columns.json", "row 1 has 101 columns; at most 100", dataset="csv",
         csv_path="columns.csv", features=[])
    os.mkfifo(tmp_path / "pipe.csv")
    spec("csv-pipe.json", "not a regular file", dataset="csv", csv_path="pipe.csv", features=[])
    spec("csv-nul.json", "not a valid file name", dataset="csv", csv_path="a\0b.csv",
         features=[])
    os.symlink(tmp_path / "loop-b", tmp_path / "loop-a")
    os.symlink(tmp_path / "loop-a", tmp_path / "loop-b")
    spec("csv-loop.json", "cannot read csv", dataset="csv", csv_path="loop-a", features=[])
    cases.append((tmp_path / "no\nsuch\nfile.json", "cannot read"))
    cases.append((tmp_path, "it is a folder"))
    return cases


def hostile_cases(tmp_path: Path) -> list[tuple[Path, str]]:
    """Every hostile case: (file to open, a lowercase part of its one-line message)."""
    return committed_cases() + generated_cases(tmp_path)
