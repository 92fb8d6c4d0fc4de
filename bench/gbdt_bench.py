#!/usr/bin/python3
"""funnelcast GBDT training beside XGBoost hist (and scikit-learn HGB), in one run.

Runs are interleaved and repeated, and the medians are compared, because timings on a
shared machine drift by 20% or more from one minute to the next. Ratios above 1 mean
funnelcast is faster.

    /usr/bin/python3 bench/gbdt_bench.py                 # builds the driver with g++
    /usr/bin/python3 bench/gbdt_bench.py --binary PATH   # or uses a built gbdt_bench

Use Debian's /usr/bin/python3: a python3 earlier on PATH may not see python3-xgboost.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASES = [
    # name, rows, cols, objective, trees, leaves
    ("regression 20k x 45", 20_000, 45, "regression", 300, 31),
    ("binary 800k x 22", 800_000, 22, "binary", 200, 31),
]


def make_data(rows, cols, objective, seed=42):
    """Random-ish marketing-like features: continuous, few-valued, and 5% missing."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(rows, cols)).astype(np.float32)
    x[:, 4::5] = np.floor(rng.uniform(0, 7, size=x[:, 4::5].shape))
    f = (np.sin(3 * x[:, 0]) + x[:, 1] * x[:, 2] + (x[:, 3] > 0.5) + 0.3 * x[:, 4]
         + 0.5 * rng.uniform(size=rows))
    x[rng.uniform(size=rows) < 0.05, 5] = np.nan
    y = (f > 1.0).astype(np.float64) if objective == "binary" else f.astype(np.float64)
    return x, y


def build_driver(out_dir):
    exe = os.path.join(out_dir, "gbdt_bench")
    sources = [os.path.join(ROOT, "core/src/gbdt", s)
               for s in sorted(os.listdir(os.path.join(ROOT, "core/src/gbdt")))
               if s.endswith(".cpp")]
    cmd = ["g++", "-std=c++17", "-O2", "-I" + os.path.join(ROOT, "core/include"),
           os.path.join(ROOT, "bench/gbdt_bench.cpp"), *sources, "-pthread", "-o", exe]
    subprocess.run(cmd, check=True)
    return exe


def run_ours(exe, path, rows, cols, objective, trees, leaves, threads):
    out = subprocess.run([exe, path, str(rows), str(cols), objective, str(trees), str(leaves),
                          str(threads)], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["train_s"]


def run_xgboost(x, y, objective, trees, leaves, threads):
    import xgboost as xgb
    t0 = time.perf_counter()
    d = xgb.DMatrix(x, label=y, nthread=threads)
    xgb.train({"tree_method": "hist", "grow_policy": "lossguide", "max_leaves": leaves,
               "max_depth": 0, "eta": 0.1, "max_bin": 255, "lambda": 0,
               "min_child_weight": 1e-3, "nthread": threads,
               "objective": "binary:logistic" if objective == "binary" else "reg:squarederror"},
              d, trees)
    return time.perf_counter() - t0


def run_sklearn(x, y, objective, trees, leaves):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    cls = HistGradientBoostingClassifier if objective == "binary" else HistGradientBoostingRegressor
    t0 = time.perf_counter()
    cls(max_iter=trees, max_leaf_nodes=leaves, learning_rate=0.1, early_stopping=False,
        l2_regularization=0.0).fit(x, y)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", help="a built gbdt_bench driver (default: build one with g++)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sklearn", action="store_true", help="also time scikit-learn HGB")
    ap.add_argument("--quick", action="store_true", help="only the small case")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    with tempfile.TemporaryDirectory() as tmp:
        exe = args.binary or build_driver(tmp)
        for name, rows, cols, objective, trees, leaves in CASES[:1] if args.quick else CASES:
            x, y = make_data(rows, cols, objective)
            path = os.path.join(tmp, "data.bin")
            with open(path, "wb") as f:
                f.write(np.ascontiguousarray(x).tobytes())
                f.write(y.tobytes())
            times = {"funnelcast": [], "xgboost": [], "sklearn": []}
            for _ in range(args.repeats):
                times["funnelcast"].append(
                    run_ours(exe, path, rows, cols, objective, trees, leaves, args.threads))
                times["xgboost"].append(run_xgboost(x, y, objective, trees, leaves, args.threads))
                if args.sklearn:
                    times["sklearn"].append(run_sklearn(x, y, objective, trees, leaves))
            ours = statistics.median(times["funnelcast"])
            print(f"{name}, {trees} trees x {leaves} leaves, {args.threads} threads:")
            print(f"  funnelcast {ours:7.2f} s")
            for peer in ("xgboost", "sklearn"):
                if times[peer]:
                    t = statistics.median(times[peer])
                    print(f"  {peer:10s} {t:7.2f} s   ratio {t / ours:4.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
