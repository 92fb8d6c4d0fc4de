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
2. `funnelcast score` on --rows demo leads, without and with --explain 3, beside the same
   job done with pandas + XGBoost (read_csv, the categories of the training rows, the hour
   and weekday of created_at, DMatrix, predict on --threads, to_csv of id, probability,
   decision) with a model of the demo model's size (its tree count, 31 leaves) trained on
   the first 50,000 of those leads. Runs interleaved, --repeats times; medians.

    --speed-only   only part 2;   --json FILE   also write part 2's runs and medians there

Needs Debian's python3-xgboost, python3-sklearn and python3-pandas (apt-get install).
"""
import argparse
import json
import os
import resource
import shutil
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


def xgboost_peer(leads_csv, trees, threads, tmp):
    """Train the peer's model (not timed) and return a function that runs the timed job."""
    import numpy as np
    import pandas as pd
    import xgboost as xgb

    def frame(df, cats=None):
        x = df.drop(columns=["lead_id", "converted", "created_at"], errors="ignore")
        t = pd.to_datetime(df["created_at"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
        x["hour"], x["weekday"] = t.dt.hour, t.dt.weekday
        cats = cats or {c: sorted(x[c].dropna().astype(str).unique()) for c in x.columns
                        if x[c].dtype == object}
        for c, levels in cats.items():
            x[c] = pd.Categorical(x[c], categories=levels)
        return x, cats

    sample = pd.read_csv(leads_csv, nrows=50_000)
    x, cats = frame(sample)
    y = (sample["converted"].astype(str) == "yes").astype(int)
    booster = xgb.train(dict(objective="binary:logistic", tree_method="hist", grow_policy="lossguide",
                             max_leaves=31, max_depth=0, learning_rate=0.1, nthread=threads),
                        xgb.DMatrix(x, y, enable_categorical=True), trees)
    booster.set_param({"nthread": threads})
    out = os.path.join(tmp, "scores_xgb.csv")

    def job():
        t0 = time.perf_counter()
        df = pd.read_csv(leads_csv)
        xs, _ = frame(df, cats)
        t1 = time.perf_counter()
        p = booster.predict(xgb.DMatrix(xs, enable_categorical=True, nthread=threads))
        t2 = time.perf_counter()
        pd.DataFrame({"id": df["lead_id"], "probability": p, "decision": (p >= 0.5).astype(int)}).to_csv(
            out, index=False)
        t3 = time.perf_counter()
        return {"total_s": t3 - t0, "read_s": t1 - t0, "predict_s": t2 - t1, "write_s": t3 - t2}
    return job


def scoring_speed(args, tmp):
    """Part 2: returns the runs and medians."""
    import statistics
    print(f"\n2. scoring speed: funnelcast score on {args.rows:,} demo leads ({args.threads} threads), "
          f"beside pandas + XGBoost predict, {args.repeats} interleaved runs\n")
    demo = os.path.join(tmp, "demo")
    subprocess.run([args.cli, "demo-data", "--out", demo, "--days", "30", "--leads", str(args.rows)], check=True,
                   stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    leads = os.path.join(demo, "leads.csv")
    model = os.path.join(ROOT, "models", "demo_leads.fcm")
    trees = json.load(open(os.path.join(ROOT, "models", "demo_leads.report.json")))["trees"]
    peer = xgboost_peer(leads, trees, args.threads, tmp)
    runs = {"funnelcast": [], "funnelcast_explain3": [], "xgboost": [], "funnelcast_cpu": [],
            "funnelcast_explain3_cpu": []}
    load_before = os.getloadavg()[0]
    for r in range(args.repeats):
        for explain, key in (("0", "funnelcast"), ("3", "funnelcast_explain3"))[:1 if args.no_explain else 2]:
            cmd = [args.cli, "score", "--model", model, "--data", leads, "--explain", explain,
                   "--out", os.path.join(tmp, f"scores{explain}.csv"), "--threads", str(args.threads)]
            c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
            runs[key].append(time.perf_counter() - t0)
            c1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # user + system CPU of the run
            runs[key + "_cpu"].append(c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime)
            if key == "funnelcast":
                runs["xgboost"].append(peer())
        x = runs["xgboost"][-1]
        e3 = f"{runs['funnelcast_explain3'][-1]:6.2f} s" if runs["funnelcast_explain3"] else "not run"
        print(f"  run {r + 1}: funnelcast {runs['funnelcast'][-1]:6.2f} s, with --explain 3 "
              f"{e3}; pandas + XGBoost {x['total_s']:6.2f} s (read "
              f"{x['read_s']:.2f}, predict {x['predict_s']:.2f}, write {x['write_s']:.2f})")
    med = {"funnelcast_s": statistics.median(runs["funnelcast"]),
           "funnelcast_explain3_s": statistics.median(runs["funnelcast_explain3"]) if runs["funnelcast_explain3"] else None,
           "xgboost_s": statistics.median(x["total_s"] for x in runs["xgboost"]),
           "xgboost_predict_s": statistics.median(x["predict_s"] for x in runs["xgboost"])}
    med["ratio"] = med["xgboost_s"] / med["funnelcast_s"]
    med["funnelcast_cpu_s"] = statistics.median(runs["funnelcast_cpu"])
    med["load_before"], med["load_after"] = load_before, os.getloadavg()[0]
    print(f"  median: funnelcast {med['funnelcast_s']:.2f} s ({args.rows / med['funnelcast_s']:,.0f} rows/s), "
          f"pandas + XGBoost {med['xgboost_s']:.2f} s: funnelcast {med['ratio']:.2f}x as fast"
          + (f"; with --explain 3 {med['funnelcast_explain3_s']:.2f} s" if runs["funnelcast_explain3"] else "")
          + " (reading the CSV and writing the scores included)")
    print(f"  funnelcast CPU time (user + system) median {med['funnelcast_cpu_s']:.2f} s; "
          f"load average {med['load_before']:.2f} before, {med['load_after']:.2f} after")
    return {"rows": args.rows, "threads": args.threads, "repeats": args.repeats, "trees": trees,
            "runs": runs, "median": med}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default=os.path.join(ROOT, os.environ.get("FC_CLI", "build/native/native_trainer/funnelcast")))
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--speed-only", action="store_true", help="only the scoring speed (part 2)")
    ap.add_argument("--no-explain", action="store_true", help="part 2 without the --explain 3 runs")
    ap.add_argument("--json", help="write part 2's runs and medians to this file")
    args = ap.parse_args()
    try:
        import pandas as pd
        from sklearn.model_selection import StratifiedKFold
        import xgboost  # noqa: F401
    except ImportError as e:
        sys.exit(f"needs python3-pandas, python3-sklearn and python3-xgboost ({e}); apt-get install them")

    tmp = tempfile.mkdtemp(prefix="fc-score-bench-")
    try:
        if not args.speed_only:
            cross_validation(args, tmp)
        speed = scoring_speed(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(speed, f, indent=2)
            f.write("\n")


def cross_validation(args, tmp):
    import pandas as pd
    from sklearn.model_selection import StratifiedKFold
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



if __name__ == "__main__":
    main()
