#!/usr/bin/python3
"""funnelcast TreeSHAP beside XGBoost's pred_contribs (the same path-dependent
algorithm), one thread each, on binary models of the same size trained on the same data.

The models differ (each library trains its own), so the comparison is of throughput on
trees of the same count and leaf budget; the depth of each is printed because the cost
grows with depth squared. Runs are interleaved and repeated; medians are compared.
Ratios above 1 mean funnelcast is faster.

    /usr/bin/python3 bench/shap_bench.py                 # builds the driver with g++
    /usr/bin/python3 bench/shap_bench.py --binary PATH   # or uses a built shap_bench
    /usr/bin/python3 bench/shap_bench.py --json FILE     # also writes the medians there
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
sys.path.insert(0, os.path.join(ROOT, "bench"))
from gbdt_bench import build_driver, make_data  # noqa: E402  (the same data; -O3 as the CLI)


def run_xgboost(x, y, trees, leaves, explain, booster_cache):
    import xgboost as xgb
    if "booster" not in booster_cache:
        d = xgb.DMatrix(x, label=y, nthread=2)
        booster_cache["booster"] = xgb.train(
            {"tree_method": "hist", "grow_policy": "lossguide", "max_leaves": leaves,
             "max_depth": 0, "eta": 0.1, "max_bin": 255, "lambda": 0,
             "min_child_weight": 1e-3, "nthread": 2, "objective": "binary:logistic"},
            d, trees)
    booster = booster_cache["booster"]
    booster.set_param({"nthread": 1})
    dx = xgb.DMatrix(x[:explain], nthread=1)
    t0 = time.perf_counter()
    contribs = booster.predict(dx, pred_contribs=True)
    secs = time.perf_counter() - t0
    margin = booster.predict(dx, output_margin=True)
    err = float(np.max(np.abs(contribs.sum(axis=1) - margin)))
    depth = max(int(line.count("\t")) for tree in booster.get_dump() for line in tree.splitlines())
    return secs, err, depth


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", help="a built shap_bench driver (default: build one with g++)")
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--cols", type=int, default=30)
    ap.add_argument("--trees", type=int, default=200)
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--explain", type=int, default=5_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", help="write the medians and the ratio to this file")
    args = ap.parse_args()

    x, y = make_data(args.rows, args.cols, "binary")
    with tempfile.TemporaryDirectory() as tmp:
        exe = args.binary or build_driver(tmp, "shap_bench")
        path = os.path.join(tmp, "data.bin")
        with open(path, "wb") as f:
            f.write(np.ascontiguousarray(x).tobytes())
            f.write(y.tobytes())
        ours, theirs, cache = [], [], {}
        for _ in range(args.repeats):
            out = subprocess.run([exe, path, str(args.rows), str(args.cols), str(args.trees),
                                  str(args.leaves), str(args.explain)],
                                 check=True, capture_output=True, text=True).stdout
            ours.append(json.loads(out))
            theirs.append(run_xgboost(x, y, args.trees, args.leaves, args.explain, cache))
        t_ours = statistics.median(r["explain_s"] for r in ours)
        t_rec = statistics.median(r["recursive_s"] for r in ours)
        t_xgb = statistics.median(t for t, _, _ in theirs)
        print(f"TreeSHAP, {args.explain} rows x {args.cols} features, {args.trees} trees x "
              f"{args.leaves} leaves, 1 thread:")
        print(f"  funnelcast {t_ours:7.3f} s  {args.explain / t_ours:9.0f} rows/s  max depth "
              f"{ours[0]['max_depth']}, additivity error {ours[0]['max_additivity_error']:.1e}")
        print(f"  recursive  {t_rec:7.3f} s  {args.explain / t_rec:9.0f} rows/s  (Algorithm 2, "
              f"largest difference to the above {ours[0]['max_twin_difference']:.1e})")
        print(f"  xgboost    {t_xgb:7.3f} s  {args.explain / t_xgb:9.0f} rows/s  max depth "
              f"{theirs[0][2]}, additivity error {theirs[0][1]:.1e}   ratio {t_xgb / t_ours:4.2f}x")
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"rows": args.explain, "cols": args.cols, "trees": args.trees,
                           "leaves": args.leaves, "repeats": args.repeats,
                           "funnelcast_s": t_ours, "recursive_s": t_rec, "xgboost_s": t_xgb,
                           "funnelcast_runs_s": [r["explain_s"] for r in ours],
                           "xgboost_runs_s": [t for t, _, _ in theirs],
                           "max_depth": {"funnelcast": ours[0]["max_depth"],
                                         "xgboost": theirs[0][2]},
                           "ratio": t_xgb / t_ours}, f, indent=2)
                f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
