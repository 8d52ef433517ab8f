"""Riffle's retraining pipeline, a Kubeflow Pipelines v2 pipeline written with the kfp SDK.

Parameters (Riffle passes them in runtime_config.parameters of POST /apis/v2beta1/runs):
  manifests     comma-separated paths of training-data manifests (riffle-training-data/1) to train on
  label         label column name;  features: comma-separated feature columns
  model_repo    MLServer model repository (a folder MLServer was started on)
  model_name    the model's name in that repository
  mlserver_url  MLServer's HTTP address; the new version is loaded through its repository API

Steps: `train` reads the files named by the manifests (checking each file's SHA-256 against its
manifest, so the run trains on exactly the rows Riffle recorded), fits scikit-learn's
LogisticRegression and writes <model_repo>/<model_name>/<version>/ (model.joblib +
model-settings.json with the next version number); `load` calls
POST /v2/repository/models/<model_name>/load and waits until the version is ready.

Compile: python pipeline.py out.yaml   (kfp.compiler.Compiler; runs offline)
"""
import sys

from kfp import compiler, dsl

# The same pins as scripts/ml/requirements-kfp.txt (MLServer loads the joblib files: versions must match).
PACKAGES = ["pyarrow==26.0.1", "scikit-learn==1.9.1", "joblib==1.6.0", "numpy==2.4.6", "scipy==1.17.1"]


@dsl.component(base_image="python:3.11", packages_to_install=PACKAGES)
def train(manifests: str, label: str, features: str, model_repo: str, model_name: str) -> str:
    import hashlib
    import json
    import os

    import joblib
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq
    from sklearn.linear_model import LogisticRegression

    feats = [f for f in features.split(",") if f]
    tables = []
    for mpath in [m for m in manifests.split(",") if m]:
        with open(mpath) as f:
            m = json.load(f)
        path = os.path.join(os.path.dirname(mpath), m["file"])
        with open(path, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != m["fileSha256"]:
                raise ValueError(f"{path}: checksum differs from its manifest")
        if m["fileFormat"] == "parquet":
            t = pq.read_table(path)
        elif m["fileFormat"] == "csv":
            t = pcsv.read_csv(path)
        else:
            import pyarrow.json as pjson
            t = pjson.read_json(path)
        tables.append(t.select(feats + [label]))
    if not tables:
        raise ValueError("no training data")
    table = pa.concat_tables(tables).drop_null()
    x = [[float(v) for v in row] for row in zip(*[table.column(f).to_pylist() for f in feats])]
    y = [int(v) for v in table.column(label).to_pylist()]
    if len(set(y)) < 2:
        raise ValueError("training data holds a single class")
    model = LogisticRegression(max_iter=1000).fit(x, y)
    base = os.path.join(model_repo, model_name)
    os.makedirs(base, exist_ok=True)
    versions = [int(d) for d in os.listdir(base) if d.isdigit()]
    version = str(max(versions, default=0) + 1)
    vdir = os.path.join(base, version)
    os.makedirs(vdir)
    joblib.dump(model, os.path.join(vdir, "model.joblib"))
    settings = {
        "name": model_name,
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": os.path.join(vdir, "model.joblib"), "version": version},
        # GET /v2/models/{m} then describes the tensors (Riffle discovers INPUT/OUTPUT from it).
        "inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, len(feats)]}],
        "outputs": [{"name": "predict", "datatype": "INT64", "shape": [-1, 1]}],
    }
    with open(os.path.join(vdir, "model-settings.json"), "w") as f:
        json.dump(settings, f)
    print(f"trained {model_name} version {version} on {len(y)} rows")
    return version


@dsl.component(base_image="python:3.11", packages_to_install=PACKAGES)
def load(mlserver_url: str, model_name: str, version: str) -> str:
    import time
    import urllib.request

    req = urllib.request.Request(f"{mlserver_url}/v2/repository/models/{model_name}/load", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        if r.status != 200:
            raise RuntimeError(f"load answered {r.status}")
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{mlserver_url}/v2/models/{model_name}/versions/{version}/ready", timeout=5) as r:
                if r.status == 200:
                    return version
        except Exception:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"version {version} of {model_name} not ready")


@dsl.pipeline(name="riffle-retraining")
def retraining(manifests: str, label: str, features: str, model_repo: str, model_name: str, mlserver_url: str) -> str:
    trained = train(manifests=manifests, label=label, features=features, model_repo=model_repo, model_name=model_name)
    loaded = load(mlserver_url=mlserver_url, model_name=model_name, version=trained.output)
    return loaded.output


if __name__ == "__main__":
    compiler.Compiler().compile(retraining, sys.argv[1] if len(sys.argv) > 1 else "retraining.yaml")
