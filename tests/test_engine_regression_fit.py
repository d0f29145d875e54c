"""Regression is scored by RMSE and R² (train and test), in StepStats and `train --json`;
classification keeps accuracy and has none of them."""

import io
import json

import numpy as np
import pytest
from engine_helpers import stepped

from engine.cli import run
from engine.spec import Spec
from engine.trainer import Trainer

REGRESSION = Spec(hidden=[8], activations=["tanh"], output_activation="linear", loss="mse",
                  dataset="regress-plane", learning_rate=0.01)


def test_rmse_and_r2_are_the_textbook_ones():
    t = Trainer(REGRESSION)
    for _ in range(300):
        stats = stepped(t)
    for X, Y, rmse, r2 in ((t.X_train, t.Y_train, stats.rmse, stats.r2),
                           (t.X_test, t.Y_test, stats.test_rmse, stats.test_r2)):
        error = t.network.predict(X) - Y
        assert rmse == pytest.approx(np.sqrt(np.mean(error ** 2)), rel=1e-12)
        assert r2 == pytest.approx(1 - np.sum(error ** 2) / np.sum((Y - Y.mean()) ** 2),
                                   rel=1e-12)
    assert stats.rmse ** 2 == pytest.approx(stats.train_loss, rel=1e-9)  # one output: L = MSE
    assert stats.accuracy is None and 0 < stats.r2 < 1


def test_classification_has_no_regression_scores():
    stats = stepped(Trainer(Spec()))
    assert stats.accuracy is not None
    assert (stats.rmse, stats.r2, stats.test_rmse, stats.test_r2) == (None,) * 4


def test_train_reports_them(tmp_path):
    path = tmp_path / "reg.json"
    path.write_text(json.dumps({"hidden": [8], "activations": ["tanh"],
                                "output_activation": "linear", "loss": "mse",
                                "dataset": "regress-plane", "learning_rate": 0.01}))
    out = io.StringIO()
    assert run(["train", "--config", str(path), "--steps", "50", "--json"], out, io.StringIO()) == 0
    result = json.loads(out.getvalue())
    assert all(isinstance(result[k], float) for k in ("rmse", "r2", "test_rmse", "test_r2"))
    out = io.StringIO()
    run(["train", "--config", str(path), "--steps", "50"], out, io.StringIO())
    assert " rmse " in out.getvalue() and " r2 " in out.getvalue()
    assert "accuracy" not in out.getvalue()
