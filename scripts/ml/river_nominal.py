"""River's HoeffdingTreeClassifier() on rows with string (nominal) features, progressive validation.

usage: river_nominal.py ROWS_JSON  (a list of objects: the features, and LABEL)
prints {"proba": [{label: P(label)} per row, before learning it], "accuracy": Accuracy()}"""
import json, sys
from river import metrics, tree

rows = json.load(open(sys.argv[1]))
model = tree.HoeffdingTreeClassifier()
acc = metrics.Accuracy()
out = []
for r in rows:
    y = r["LABEL"]
    x = {k: v for k, v in r.items() if k != "LABEL"}
    p = model.predict_proba_one(x)
    out.append(p)
    if p:
        acc.update(y, max(p, key=p.get))
    model.learn_one(x, y)
print(json.dumps({"proba": out, "accuracy": acc.get(), "tree": str(model.summary)}))
