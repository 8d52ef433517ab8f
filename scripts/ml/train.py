#!/usr/bin/env python3
"""Trains the small scikit-learn models the ML integration tests serve, in seconds, offline.

Usage: train.py OUT_DIR

Writes:
  OUT_DIR/iris/model.joblib        LogisticRegression on the iris data set shipped with scikit-learn
                                   (4 features -> class 0/1/2)
  OUT_DIR/failure/model.joblib     StandardScaler + LogisticRegression on a synthetic device-failure
                                   data set (temp_mean, temp_max, vibration, event_count -> failure 0/1)
  OUT_DIR/mlserver/<m>/model-settings.json   MLServer settings serving the same joblib files
  OUT_DIR/expected.json            a fixed feature set per model with scikit-learn's own predictions,
                                   which the tests compare the servers' answers against, and the
                                   failure model folded into one logistic function (for ONNX)

Everything is seeded: two runs give the same models and the same expected.json.
"""
import json
import os
import sys

import joblib
import numpy as np
import sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FAILURE_FEATURES = ["temp_mean", "temp_max", "vibration", "event_count"]


def failure_data(n: int, seed: int):
    """Synthetic telemetry per device-hour; failures grow likelier with heat, vibration and events."""
    rng = np.random.RandomState(seed)
    temp_mean = rng.normal(60.0, 8.0, n)
    temp_max = temp_mean + np.abs(rng.normal(10.0, 4.0, n))
    vibration = rng.gamma(2.0, 0.5, n)
    event_count = rng.poisson(20, n).astype(np.float64)
    logit = 0.15 * (temp_max - 75.0) + 2.0 * (vibration - 1.0) + 0.08 * (event_count - 20.0) - 1.0
    failure = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    x = np.column_stack([temp_mean, temp_max, vibration, event_count])
    return np.round(x, 3), failure


def folded_logistic(pipeline) -> dict:
    scaler, lr = pipeline[0], pipeline[-1]
    w = lr.coef_[0] / scaler.scale_
    b = float(lr.intercept_[0] - np.sum(lr.coef_[0] * scaler.mean_ / scaler.scale_))
    return {"weights": w.tolist(), "bias": b}


def mlserver_settings(name: str, uri: str, n_features: int, version: str) -> dict:
    # inputs/outputs make GET /v2/models/{m} describe the tensors (metadata discovery);
    # MLServer's SKLearnModel answers with an output tensor named "predict" by default.
    return {
        "name": name,
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": uri, "version": version},
        "inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, n_features]}],
        "outputs": [{"name": "predict", "datatype": "INT64", "shape": [-1, 1]}],
    }


def main() -> None:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out = os.path.abspath(sys.argv[1])
    expected: dict = {"sklearn_version": sklearn.__version__, "models": {}}

    # iris: 150 rows shipped inside scikit-learn.
    iris = load_iris()
    iris_model = LogisticRegression(max_iter=1000).fit(iris.data, iris.target)
    iris_rows = np.vstack([iris.data[::13], [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]])
    expected["models"]["iris"] = {
        "features": ["sepal_length", "sepal_width", "petal_length", "petal_width"],
        "rows": iris_rows.tolist(),
        "predict": iris_model.predict(iris_rows).astype(int).tolist(),
        "proba": iris_model.predict_proba(iris_rows).tolist(),
    }

    # failure: synthetic, 3000 rows to train, 25 fresh rows to check.
    x, y = failure_data(3000, seed=7)
    failure_model = make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y)
    check_x, _ = failure_data(25, seed=11)
    expected["models"]["failure"] = {
        "features": FAILURE_FEATURES,
        "rows": check_x.tolist(),
        "predict": failure_model.predict(check_x).astype(int).tolist(),
        "proba": failure_model.predict_proba(check_x).tolist(),
        "train_accuracy": float(failure_model.score(x, y)),
        # The pipeline as one logistic function of the raw features (scaler folded in), so a test
        # can build the same model as an ONNX graph: P(failure) = sigmoid(x @ weights + bias).
        "linear": folded_logistic(failure_model),
        "failure_rate": float(y.mean()),
    }

    for name, model, n_features in [("iris", iris_model, 4), ("failure", failure_model, 4)]:
        model_dir = os.path.join(out, name)
        os.makedirs(model_dir, exist_ok=True)
        joblib.dump(model, os.path.join(model_dir, "model.joblib"))
        settings_dir = os.path.join(out, "mlserver", name)
        os.makedirs(settings_dir, exist_ok=True)
        settings = mlserver_settings(name, os.path.join(model_dir, "model.joblib"), n_features, "1")
        with open(os.path.join(settings_dir, "model-settings.json"), "w") as f:
            json.dump(settings, f, indent=2)

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
    print(f"train.py: models and expected.json in {out}")


if __name__ == "__main__":
    main()
