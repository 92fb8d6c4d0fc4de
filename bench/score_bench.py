#!/usr/bin/python3
"""Lead scoring: funnelcast beside XGBoost on the same stratified folds, and scoring speed.

    /usr/bin/python3 bench/score_bench.py [--cli build/native/native_trainer/funnelcast] [--rows 1000000]

1. For each public lead table in ../shared/data (skipped with a message when absent):
   the same 5 stratified folds (scikit-learn's StratifiedKFold, shuffled, seed 0) are
   written into a copy of the table as a `fold` column; `funnelcast train score
   --fold-column fold` cross-validates on them, and XGBoost (tree_method hist, leaf-wise
   with the same 31 leaves, learning rate 0.05, row and column sampling, lambda 1,
   categories natively) goes through the same procedure: early stopping on a stratified
   15% of each fold's training part, then a refit on all of it with that many trees.
   Both ROC-AUCs are printed side by side, mean +- std over the folds.
2. `funnelcast score` on --rows demo leads, without and with --explain 3: rows per second.

Needs Debian's python3-xgboost, python3-sklearn and python3-pandas (apt-get install).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared", "data")

TABLES = [
    # file, target, positive label, delimiter, columns both tools leave out
    ("extraalearn_leads.csv", "status", "1", ",", ["ID"]),
    ("uci_bank_marketing.csv", "subscription", "yes", ",", ["duration"]),  # known only after the call
    ("uci_online_shoppers.csv", "Revenue", "TRUE", ";", []),
]


def xgboost_cv(df, target, positive, folds, drop):
    import numpy as np
    import pandas as pd
    import xgboost as xgb
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    y = (df[target].astype(str).str.strip().str.lower() == positive.lower()).astype(int).to_numpy()
    x = df.drop(columns=[target, "fold"] + drop)
    for c in x.columns:
        if x[c].dtype == object or x[c].dtype == bool:
            x[c] = x[c].astype(str).astype("category")
    params = dict(objective="binary:logistic", tree_method="hist", grow_policy="lossguide", max_leaves=31,
                  max_depth=0, learning_rate=0.05, subsample=0.8, colsample_bytree=0.9, reg_lambda=1.0,
                  eval_metric="logloss", nthread=2, seed=0)
    aucs = []
    for k, f in enumerate(sorted(df["fold"].unique())):
        train, valid = np.where(df["fold"] != f)[0], np.where(df["fold"] == f)[0]
        fit, stop = train_test_split(train, test_size=0.15, stratify=y[train], random_state=k)
        dfit = xgb.DMatrix(x.iloc[fit], y[fit], enable_categorical=True)
        dstop = xgb.DMatrix(x.iloc[stop], y[stop], enable_categorical=True)
        booster = xgb.train(params, dfit, 1000, evals=[(dstop, "stop")], early_stopping_rounds=50, verbose_eval=False)
        trees = booster.best_iteration + 1
        dtrain = xgb.DMatrix(x.iloc[train], y[train], enable_categorical=True)
        booster = xgb.train(params, dtrain, trees)
        p = booster.predict(xgb.DMatrix(x.iloc[valid], enable_categorical=True))
        aucs.append(roc_auc_score(y[valid], p))
    return float(np.mean(aucs)), float(np.std(aucs, ddof=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default=os.path.join(ROOT, "build/native/native_trainer/funnelcast"))
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    try:
        import pandas as pd
        from sklearn.model_selection import StratifiedKFold
        import xgboost  # noqa: F401
    except ImportError as e:
        sys.exit(f"needs python3-pandas, python3-sklearn and python3-xgboost ({e}); apt-get install them")

    tmp = tempfile.mkdtemp(prefix="fc-score-bench-")
    print("1. cross-validated ROC-AUC on the same stratified folds (mean +- std over 5 folds)\n")
    print(f"{'table':26} {'rows':>7} {'funnelcast':>16} {'XGBoost':>16} {'difference':>11} {'fc s':>7} {'xgb s':>7}")
    if not os.path.isdir(SHARED):
        print("  (../shared/data is absent: skipped)")
    for name, target, positive, sep, drop in TABLES:
        path = os.path.join(SHARED, name)
        if not os.path.exists(path):
            print(f"  {name}: absent, skipped")
            continue
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
        y = (df[target].str.strip() == positive).astype(int)
        folds = [0] * len(df)
        for k, (_, valid) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(df, y)):
            for i in valid:
                folds[i] = k
        df["fold"] = [f"f{k}" for k in folds]
        copy = os.path.join(tmp, name)
        df.to_csv(copy, index=False, sep=sep)
        report = os.path.join(tmp, name + ".json")
        cmd = [args.cli, "train", "score", "--quiet", "--no-log", "--data", copy, "--target", target, "--positive",
               positive, "--fold-column", "fold", "--folds", "5", "--out", os.path.join(tmp, name + ".fcm"),
               "--report", report]
        for d in drop:
            cmd += ["--drop", d]
        t0 = time.time()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        fc_time = time.time() - t0
        cv = json.load(open(report))["cv"]["roc_auc"]
        # XGBoost reads numbers as numbers.
        num = pd.read_csv(copy, sep=sep)
        t0 = time.time()
        xm, xs = xgboost_cv(num, target, positive, folds=5, drop=drop)
        xgb_time = time.time() - t0
        print(f"{name:26} {len(df):7d} {cv['mean']:8.4f} +- {cv['std']:.4f} {xm:8.4f} +- {xs:.4f} "
              f"{cv['mean'] - xm:+11.4f} {fc_time:7.1f} {xgb_time:7.1f}")

    print(f"\n2. scoring speed: funnelcast score on {args.rows:,} demo leads\n")
    demo = os.path.join(tmp, "demo")
    subprocess.run([args.cli, "demo-data", "--out", demo, "--days", "30", "--leads", str(args.rows)], check=True,
                   stderr=subprocess.DEVNULL)
    model = os.path.join(ROOT, "models", "demo_leads.fcm")
    for explain in ["0", "3"]:
        out = os.path.join(tmp, f"scores{explain}.csv")
        t0 = time.time()
        subprocess.run([args.cli, "score", "--model", model, "--data", os.path.join(demo, "leads.csv"), "--explain",
                        explain, "--out", out], check=True, stderr=subprocess.DEVNULL)
        dt = time.time() - t0
        print(f"  --explain {explain}: {dt:6.2f} s, {args.rows / dt:12,.0f} rows/s (reading the CSV and writing the scores included)")


if __name__ == "__main__":
    main()
