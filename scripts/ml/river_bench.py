"""River's rows per CPU-second (time.thread_time) for progressive validation (predict, metric,
learn), data in memory, best of 3.

usage: river_bench.py DATA_DIR  -> prints one JSON object {model type: rows/s}
Same data and models as bench/learn.bench.ts (the Riffle side)."""
import csv, json, sys, time
from river import anomaly, linear_model, metrics, naive_bayes, preprocessing, tree

data_dir = sys.argv[1]


def load(name, repeat=1):
    with open(f"{data_dir}/{name}") as f:
        r = csv.reader(f)
        head = next(r)
        rows = [({k: float(v) for k, v in zip(head[:-1], row[:-1])}, row[-1]) for row in r]
    return rows * repeat


def best(make, rows, score):
    out = 0.0
    for _ in range(3):
        model, metric = make()
        t0 = time.thread_time()
        for x, y in rows:
            score(model, metric, x, y)
        out = max(out, len(rows) / (time.thread_time() - t0))
    return out


def classify(model, metric, x, y):
    y = y == "1"
    p = model.predict_proba_one(x)
    if p:
        metric.update(y, p)
    model.learn_one(x, y)


def regress(model, metric, x, y):
    y = float(y)
    metric.update(y, model.predict_one(x))
    model.learn_one(x, y)


def detect(model, metric, x, y):
    metric.update(y == "1", model.score_one(x))
    model.learn_one(x)


shuttle = load("shuttle.csv")
trump = load("trump_approval.csv", 50)
res = {
    "LOGISTIC_REGRESSION": best(lambda: (preprocessing.StandardScaler() | linear_model.LogisticRegression(), metrics.ROCAUC()), shuttle, classify),
    "GAUSSIAN_NB": best(lambda: (naive_bayes.GaussianNB(), metrics.ROCAUC()), shuttle, classify),
    "HOEFFDING_TREE": best(lambda: (tree.HoeffdingTreeClassifier(), metrics.ROCAUC()), shuttle, classify),
    "LINEAR_REGRESSION": best(lambda: (preprocessing.StandardScaler() | linear_model.LinearRegression(), metrics.MAE()), trump, regress),
    "HALF_SPACE_TREES": best(lambda: (preprocessing.MinMaxScaler() | anomaly.HalfSpaceTrees(seed=42), metrics.ROCAUC()), shuttle, detect),
}
print(json.dumps(res))
