#!/usr/bin/python3
"""Train on a cluster, score with funnelcast: XGBoost on Dask, proven end to end.

A dask.distributed LocalCluster of worker processes trains xgboost.dask from a
partitioned CSV of leads (numbers and categories, missing values, early stopping on a
validation split). The model is saved as JSON, turned into a funnelcast scoring model with
`funnelcast import --xgboost`, and `funnelcast score --explain all` scores held-out
leads (some with categories never seen in training). The script checks that funnelcast's
probabilities and per-input contributions equal XGBoost's (predict and pred_contribs over
the same best_iteration trees) within 1e-6, and prints rows, workers, time and the largest
differences.

    /usr/bin/python3 bench/xgboost_dask.py --funnelcast build/native/funnelcast
    /usr/bin/python3 bench/xgboost_dask.py --quick ...   # the small version the tests run

Needs Debian's python3-xgboost, python3-dask and python3-distributed (scripts/deps.sh).
Exit 0: every check held; 1: a difference beyond 1e-6 or a failed step; 77: Dask or
XGBoost cannot start here (the message says why).

Category codes: XGBoost's JSON holds codes, not names. pandas codes a column's distinct
values in sorted order, and funnelcast import names the codes that way from --data. With
Dask, categorize() orders categories as it meets them, so the script sets each
categorical column's dtype to the sorted distinct values explicitly (as any cluster job
should), which is exactly the order funnelcast reads from the training table.
"""
import argparse
import glob
import logging
import os
import subprocess
import sys
import tempfile
import time

TOLERANCE = 1e-6


def skip(why):
    print(f"SKIP: {why}", flush=True)
    sys.exit(77)


try:
    import numpy as np
    import pandas as pd
    import xgboost as xgb
    from xgboost import dask as dxgb
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster
except Exception as e:  # noqa: BLE001 - any import failure means: cannot run here
    skip(f"cannot import XGBoost/Dask ({e}); apt-get install python3-xgboost python3-dask python3-distributed")


SOURCES = ["web", "referral", "partner", "event", "ads", "email", "social"]
REGIONS = [f"R{i:02d}" for i in range(12)]
INDUSTRIES = ["retail", "finance", "health", "energy", "media", "telecom", "public", "transport",
              "education", "hospitality", "legal", "farming", "mining", "chemicals", "software",
              "hardware", "insurance", "logistics", "construction", "tourism", "food", "textiles",
              "aerospace", "automotive", "biotech", "gaming", "sports", "music", "defence",
              "maritime", "utilities", "consulting", "real estate", "nonprofit"]  # 34: two bitset words
NUMBERS = ["visits", "pages", "days_since_first", "email_opens", "company_size"]
CATEGORIES = ["source", "region", "industry"]


def leads(rng, n, unseen):
    """n synthetic leads; `unseen` adds categories training never had."""
    src = rng.choice(SOURCES + (["podcast", "tv"] if unseen else []), n)
    reg = rng.choice(REGIONS + (["R99"] if unseen else []), n)
    ind = rng.choice(INDUSTRIES + (["space"] if unseen else []), n)
    df = pd.DataFrame({
        "source": src, "region": reg, "industry": ind,
        "visits": rng.poisson(4, n).astype(float),
        "pages": rng.gamma(2, 3, n).round(2),
        "days_since_first": rng.integers(0, 400, n).astype(float),
        "email_opens": rng.poisson(2, n).astype(float),
        "company_size": np.exp(rng.normal(4, 1.5, n)).round(0),
    })
    z = (-1.5 + 1.2 * (df.source == "referral") + 0.8 * (df.source == "event") - 0.7 * (df.source == "ads")
         + 0.5 * df.region.isin(["R01", "R05", "R07"]) + 0.9 * df.industry.isin(["finance", "software", "biotech"])
         + 0.25 * np.log1p(df.visits) + 0.05 * df.pages - 0.003 * df.days_since_first + 0.2 * df.email_opens)
    df["converted"] = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    for c in CATEGORIES + NUMBERS:  # about 8% missing cells in every input
        df.loc[rng.random(n) < 0.08, c] = np.nan
    df.insert(0, "lead_id", [f"L{i:07d}" for i in range(n)])
    return df


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {p.returncode}:\n{p.stderr}", flush=True)
        sys.exit(1)
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--funnelcast", default="build/native/funnelcast", help="the funnelcast binary")
    ap.add_argument("--rows", type=int, default=200_000, help="training rows (default 200000)")
    ap.add_argument("--held-out", type=int, default=5_000, help="held-out rows scored (default 5000)")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", help="keep the files here (default: a temporary folder)")
    ap.add_argument("--quick", action="store_true", help="the small version: 6000 rows, 1000 held out")
    a = ap.parse_args()
    if a.quick:
        a.rows, a.held_out, a.partitions = 6000, 1000, 4
    work = a.dir or tempfile.mkdtemp(prefix="fc_xgb_dask_")
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    start = time.time()

    # The partitioned CSV a cluster job reads: one file per partition.
    train = leads(rng, a.rows, unseen=False)
    for k, part in enumerate(np.array_split(train, a.partitions)):
        part.to_csv(f"{work}/leads-{k:03d}.csv", index=False)
    train_csv = f"{work}/train.csv"  # the same rows in one file, for funnelcast import --data
    train.to_csv(train_csv, index=False)
    held = leads(rng, a.held_out, unseen=True)
    held_csv = f"{work}/held_out.csv"
    held.to_csv(held_csv, index=False)

    logging.basicConfig(level=logging.WARNING)
    for name in ("distributed", "xgboost", "xgboost.dask"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    except Exception as e:  # noqa: BLE001
        skip(f"a dask.distributed LocalCluster cannot start here ({e})")
    with cluster, client:
        workers = len(client.scheduler_info()["workers"])
        ddf = dd.read_csv(sorted(glob.glob(f"{work}/leads-*.csv")),
                          dtype={c: "object" for c in CATEGORIES} | {c: "float64" for c in NUMBERS})
        # pandas' order (sorted distinct values), set explicitly: what funnelcast import reads.
        for c in CATEGORIES:
            levels = sorted(ddf[c].dropna().unique().compute())
            ddf[c] = ddf[c].astype(pd.CategoricalDtype(levels))
        valid_mask = ddf["lead_id"].map(lambda s: int(s[1:]) % 5 == 0, meta=("lead_id", bool))
        fit, valid = ddf[~valid_mask], ddf[valid_mask]
        inputs = CATEGORIES + NUMBERS
        dtrain = dxgb.DaskDMatrix(client, fit[inputs], fit["converted"], enable_categorical=True)
        dvalid = dxgb.DaskDMatrix(client, valid[inputs], valid["converted"], enable_categorical=True)
        params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": 6, "eta": 0.3,
                  "max_cat_to_onehot": 4, "eval_metric": "logloss", "seed": a.seed}
        out = dxgb.train(client, params, dtrain, num_boost_round=300, evals=[(dvalid, "valid")],
                         early_stopping_rounds=10, verbose_eval=False)
        booster = out["booster"]
        trained = time.time() - start
    model_json = f"{work}/model.json"
    booster.save_model(model_json)
    best = booster.best_iteration
    rounds = booster.num_boosted_rounds()

    # What XGBoost itself says of the held-out leads, with the training categories' dtype.
    dtypes = {c: pd.CategoricalDtype(sorted(train[c].dropna().unique())) for c in CATEGORIES}
    X = held[inputs].copy()
    for c in CATEGORIES:
        X[c] = X[c].astype(dtypes[c])  # unseen categories become NaN: missing
    dm = xgb.DMatrix(X, enable_categorical=True)
    it = (0, best + 1)
    p_xgb = booster.predict(dm, iteration_range=it)
    contrib = booster.predict(dm, pred_contribs=True, iteration_range=it)

    # Kept for other checks of the same model (tests/wasm/xgboost_dask.test.mjs: the bundle).
    pd.DataFrame(np.c_[p_xgb, contrib], columns=["probability"] + inputs + ["bias"]).to_csv(
        f"{work}/xgboost_scores.csv", index=False, float_format="%.17g")
    model_fcm = f"{work}/model.fcm"
    imp = run([a.funnelcast, "import", "--xgboost", model_json, "--data", train_csv, "--target", "converted",
               "--id", "lead_id", "--out", model_fcm])
    # --explain all: id, probability (6 decimals), decision, margin, expected_value, then
    # every input's contribution (TreeSHAP) in the model's input order.
    scored_csv = f"{work}/scores.csv"
    run([a.funnelcast, "score", "--model", model_fcm, "--data", held_csv, "--explain", "all", "--out", scored_csv])
    scored = pd.read_csv(scored_csv, dtype={"id": str})
    if len(scored) != len(held):
        print(f"FAIL: funnelcast scored {len(scored)} leads of {len(held)}")
        return 1
    p_fc = scored["probability"].to_numpy()
    p_margin = 1 / (1 + np.exp(-scored["margin"].to_numpy()))
    phi_fc = scored[inputs].to_numpy()
    ids_ok = list(scored["id"]) == list(held["lead_id"])
    # The printed probability has 6 decimals (at most 5e-7 of rounding); the margin 9 digits.
    dp_printed = float(np.max(np.abs(p_fc - p_xgb)))
    dp_margin = float(np.max(np.abs(p_margin - p_xgb)))
    dp = max(dp_printed, dp_margin)
    dphi = float(np.max(np.abs(phi_fc - contrib[:, :-1])))
    unseen = int(sum((~held[c].isin(dtypes[c].categories) & held[c].notna()).sum() for c in CATEGORIES))
    elapsed = time.time() - start
    print(f"rows {a.rows} in {a.partitions} partitions, held out {a.held_out} ({unseen} unseen category cells); "
          f"workers {workers}; trees {best + 1} of {rounds} rounds (best_iteration {best}); "
          f"time {elapsed:.1f} s (training {trained:.1f} s)")
    print(f"max |probability difference| {dp:.3g} (as printed, 6 decimals: {dp_printed:.3g}; from the 9-digit margin: "
          f"{dp_margin:.3g}); max |contribution difference| {dphi:.3g} (tolerance {TOLERANCE:g})")
    notes = [line for line in imp.stderr.splitlines() if "early stopping" in line]
    if not ids_ok:
        print("FAIL: lead ids out of order")
        return 1
    if best + 1 >= rounds:
        print("FAIL: early stopping did not stop early: the check of best_iteration proves nothing")
        return 1
    if not notes:
        print("FAIL: funnelcast import did not say it dropped the trees after best_iteration")
        return 1
    if not (dp <= TOLERANCE and dphi <= TOLERANCE):
        print("FAIL: funnelcast differs from XGBoost")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
