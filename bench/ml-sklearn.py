"""scikit-learn reference for bench/ml.ts (Debian python3-sklearn 1.2 with /usr/bin/python3).

argv[1]: a JSON config {"dir": ..., "rows": n, "cols": p, "train": k, "forest": {...}, "gbdt": {...}, "C": 1.0}.
Reads dir/X.f64 (row-major float64, n*p), dir/y.f64; rows [0, train) train, the rest test. Prints one JSON
object: per model accuracy, log-loss and fit seconds. Without scikit-learn it says so, and still fits the L2
logistic regression with a plain numpy Newton solver (the same objective: C * sum(log-loss) + 0.5*|w|^2 on
standardised features, intercept unpenalised) so the logistic numbers have an independent check.
"""
import json
import sys
import time

import numpy as np

cfg = json.loads(sys.argv[1])
n, p, k = cfg["rows"], cfg["cols"], cfg["train"]
X = np.fromfile(cfg["dir"] + "/X.f64", dtype="<f8").reshape(n, p)
y = np.fromfile(cfg["dir"] + "/y.f64", dtype="<f8")
Xtr, ytr, Xte, yte = X[:k], y[:k], X[k:], y[k:]
mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
sd[sd == 0] = 1
Ztr, Zte = (Xtr - mu) / sd, (Xte - mu) / sd
eps = 1e-15


def scores(prob):
    q = np.clip(prob, eps, 1 - eps)
    return {
        "accuracy": float(np.mean((prob > 0.5) == (yte == 1))),
        "logLoss": float(-np.mean(yte * np.log(q) + (1 - yte) * np.log(1 - q))),
    }


out = {"numpy": np.__version__}

# numpy Newton reference for the logistic objective
t0 = time.perf_counter()
A = np.hstack([Ztr, np.ones((k, 1))])
beta = np.zeros(p + 1)
pen = np.ones(p + 1)
pen[-1] = 0
C = cfg["C"]
for _ in range(100):
    pr = 1 / (1 + np.exp(-(A @ beta)))
    g = C * A.T @ (pr - ytr) + pen * beta
    H = C * (A.T * (pr * (1 - pr))) @ A + np.diag(pen)
    step = np.linalg.solve(H, g)
    beta -= step
    if np.max(np.abs(step)) < 1e-10:
        break
fit = time.perf_counter() - t0
prob = 1 / (1 + np.exp(-(np.hstack([Zte, np.ones((n - k, 1))]) @ beta)))
out["numpyLogistic"] = {**scores(prob), "fitSeconds": fit}

try:
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
except Exception as e:  # noqa: BLE001
    out["sklearn"] = None
    out["sklearnError"] = f"scikit-learn is not importable here ({type(e).__name__}: {e}); install python3-sklearn (apt)"
    print(json.dumps(out))
    sys.exit(0)

out["sklearn"] = sklearn.__version__
models = {
    "logistic": (LogisticRegression(C=C, max_iter=1000, tol=1e-10), True),
    "random-forest": (
        RandomForestClassifier(
            n_estimators=cfg["forest"]["trees"], max_depth=cfg["forest"]["maxDepth"], min_samples_leaf=cfg["forest"]["minLeaf"],
            max_features="sqrt", random_state=0, n_jobs=1,
        ),
        False,
    ),
    "gbdt": (
        HistGradientBoostingClassifier(
            max_iter=cfg["gbdt"]["rounds"], learning_rate=cfg["gbdt"]["learningRate"], max_depth=cfg["gbdt"]["maxDepth"], max_leaf_nodes=None,
            min_samples_leaf=cfg["gbdt"]["minLeaf"], l2_regularization=0.0, early_stopping=False, random_state=0,
        ),
        False,
    ),
}
for name, (m, scaled) in models.items():
    t0 = time.perf_counter()
    m.fit(Ztr if scaled else Xtr, ytr)
    fit = time.perf_counter() - t0
    prob = m.predict_proba(Zte if scaled else Xte)[:, 1]
    out[name] = {**scores(prob), "fitSeconds": fit}

# the same forest on quantlab's histogram bins (dir/Xbins.f64: each value replaced by its bin number under the
# edges quantlab's trees derive from the training rows): separates the implementation from exact-vs-binned splits
try:
    Xb = np.fromfile(cfg["dir"] + "/Xbins.f64", dtype="<f8").reshape(n, p)
except FileNotFoundError:
    Xb = None
if Xb is not None:
    m = models["random-forest"][0]
    m.fit(Xb[:k], ytr)
    out["randomForestSameBins"] = scores(m.predict_proba(Xb[k:])[:, 1])
print(json.dumps(out))
