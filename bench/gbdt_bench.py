#!/usr/bin/python3
"""funnelcast GBDT training beside XGBoost hist (and scikit-learn HGB), in one run.

Runs are interleaved and repeated, and the medians are compared, because timings on a
shared machine drift by 20% or more from one minute to the next. Ratios above 1 mean
funnelcast is faster.

A categorical case (a lead table: source, campaign, occupation, country, device and a few
numbers, an imbalanced label) sets funnelcast's native categorical splits beside
XGBoost's (enable_categorical=True, tree_method hist), each also run with the category
codes given as plain numbers, and prints held-out AUC besides the time ratios.

    /usr/bin/python3 bench/gbdt_bench.py                 # builds the driver with g++
    /usr/bin/python3 bench/gbdt_bench.py --binary PATH   # or uses a built gbdt_bench
    /usr/bin/python3 bench/gbdt_bench.py --json FILE     # also writes every run and median

The driver is built as the CLI is (-O3 -DNDEBUG), linked with build/native/libfc_core.a
when it is there (what `npm run build` makes), else compiled from core/src. Each side
trains in its own process from the same float32 file, so their peak memory (RSS) can be
set side by side: the whole process's peak, and the peak less the RSS once the data was
read (what training itself took). The binary cases print held-out AUC (other rows of the
same generator).

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
QUICK_CASES = [CASES[0], ("binary 80k x 22", 80_000, 22, "binary", 100, 31)]


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


def core_objects():
    """The core as the CLI links it (build/native/libfc_core.a, Release: -O3 -DNDEBUG), or,
    without a native build, the sources the drivers need."""
    lib = os.path.join(ROOT, "build/native/libfc_core.a")
    if os.path.exists(lib):
        return [lib]
    return [os.path.join(ROOT, "core/src", d, s) for d in ("gbdt", "io")
            for s in sorted(os.listdir(os.path.join(ROOT, "core/src", d))) if s.endswith(".cpp")]


def build_driver(out_dir, name="gbdt_bench"):
    exe = os.path.join(out_dir, name)
    cmd = ["g++", "-std=c++17", "-O3", "-DNDEBUG", "-I" + os.path.join(ROOT, "core/include"),
           "-I/usr/include/eigen3", os.path.join(ROOT, f"bench/{name}.cpp"), *core_objects(),
           "-pthread", "-o", exe]
    subprocess.run(cmd, check=True)
    return exe


def run_ours(exe, path, rows, cols, objective, trees, leaves, threads, extra=()):
    """The driver's JSON line: train_s, peak_rss_mb, data_rss_mb."""
    out = subprocess.run([exe, path, str(rows), str(cols), objective, str(trees), str(leaves),
                          str(threads), *extra], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb():
    """The process's own peak RSS (VmHWM). Not ru_maxrss: Linux carries it over fork and
    exec, so a worker started from this script would report this script's peak (the data
    it generated) whenever that was higher than its own; the driver reads VmHWM too."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    return 0.0


def xgboost_worker(spec):
    """In a process of its own: read the float32 file as the driver does, train, write the
    test predictions; print train_s and memory as the driver does."""
    import xgboost  # noqa: F401  (imported before the baseline RSS, as the library is)
    rows, cols = spec["rows"], spec["cols"]
    with open(spec["path"], "rb") as f:
        x = np.fromfile(f, dtype=np.float32, count=rows * cols).reshape(rows, cols)
        y = np.fromfile(f, dtype=np.float64, count=rows)
    xt = None
    if spec.get("test_path"):
        xt = np.fromfile(spec["test_path"], dtype=np.float32).reshape(spec["test_rows"], cols)
    data_rss = rss_mb()
    out = run_xgboost(x, y, spec["objective"], spec["trees"], spec["leaves"], spec["threads"],
                      spec.get("feature_types"), xt)
    peak = peak_rss_mb()
    if xt is not None:
        out, pred = out
        pred.astype(np.float64).tofile(spec["pred_path"])
    print(json.dumps({"train_s": out, "data_rss_mb": data_rss, "peak_rss_mb": peak}))


def run_xgboost_process(path, rows, cols, objective, trees, leaves, threads, feature_types=None,
                        test=None):
    spec = dict(path=path, rows=rows, cols=cols, objective=objective, trees=trees, leaves=leaves,
                threads=threads, feature_types=feature_types)
    if test:
        spec.update(test_path=test[0], test_rows=test[1], pred_path=test[2])
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--xgb-worker",
                          json.dumps(spec)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_xgboost(x, y, objective, trees, leaves, threads, feature_types=None, x_test=None):
    """Training time (DMatrix construction included), and predictions for x_test if given."""
    import xgboost as xgb
    cat = feature_types is not None
    t0 = time.perf_counter()
    d = xgb.DMatrix(x, label=y, nthread=threads, feature_types=feature_types,
                    enable_categorical=cat)
    bst = xgb.train({"tree_method": "hist", "grow_policy": "lossguide", "max_leaves": leaves,
                     "max_depth": 0, "eta": 0.1, "max_bin": 255, "lambda": 0,
                     "min_child_weight": 1e-3, "nthread": threads,
                     "objective": "binary:logistic" if objective == "binary"
                     else "reg:squarederror"},
                    d, trees)
    elapsed = time.perf_counter() - t0
    if x_test is None:
        return elapsed
    dt = xgb.DMatrix(x_test, nthread=threads, feature_types=feature_types, enable_categorical=cat)
    return elapsed, bst.predict(dt)


# ---------------------------------------------------------------------------------
# The categorical case

# name, levels, weight of its effect, share of missing values
LEAD_CATEGORIES = [("source", 12, 0.6, 0.0), ("campaign", 2000, 1.0, 0.0),
                   ("occupation", 40, 0.5, 0.03), ("country", 150, 0.4, 0.05),
                   ("device", 4, 0.3, 0.0)]
LEAD_NUMBERS = 5


def make_leads(rows, seed, effect_seed=7):
    """Codes are assigned by frequency rank (0 = most frequent, Zipf-like), as a scoring
    pipeline would; each level has its own effect on the log-odds, a few strongly positive.
    About 9% positives."""
    effects = np.random.default_rng(effect_seed)
    rng = np.random.default_rng(seed)
    cols, logit = [], np.full(rows, -1.5)
    for _name, levels, weight, missing in LEAD_CATEGORIES:
        p = 1.0 / np.arange(1, levels + 1) ** 0.9
        codes = rng.choice(levels, size=rows, p=p / p.sum()).astype(np.float32)
        effect = weight * np.where(effects.uniform(size=levels) < 0.15,
                                   2.5 * effects.uniform(size=levels),
                                   -effects.uniform(size=levels))
        logit += effect[codes.astype(int)]
        codes[rng.uniform(size=rows) < missing] = np.nan
        cols.append(codes)
    nums = rng.uniform(-1, 1, size=(rows, LEAD_NUMBERS)).astype(np.float32)
    logit += 0.8 * nums[:, 0] - 0.7 * nums[:, 1] ** 2
    x = np.column_stack(cols + [nums]).astype(np.float32)
    y = (rng.uniform(size=rows) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    return x, y


def auc(score, y):
    """ROC AUC by ranks, ties sharing their mean rank."""
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        ranks[i:j] = (i + 1 + j) / 2
        i = j
    pos = y[order] > 0.5
    n_pos, n_neg = pos.sum(), len(y) - pos.sum()
    return (ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def write_bin(path, x, y=None):
    with open(path, "wb") as f:
        f.write(np.ascontiguousarray(x).tobytes())
        if y is not None:
            f.write(y.tobytes())


def summary(runs, aucs, ours_name):
    """Medians of each side's runs (time and memory) and the ratios to ours."""
    med = {name: {"train_s": statistics.median(r["train_s"] for r in rs),
                  "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in rs)
                  if rs[0].get("peak_rss_mb") is not None else None,
                  "train_rss_mb": statistics.median(r["peak_rss_mb"] - r["data_rss_mb"]
                                                    for r in rs) if "data_rss_mb" in rs[0]
                  else None,
                  "auc": aucs.get(name),
                  "runs_s": [r["train_s"] for r in rs]}
           for name, rs in runs.items() if rs}
    ours = med[ours_name]
    for name, m in med.items():
        m["time_vs_ours"] = m["train_s"] / ours["train_s"]
        m["ours_time_ratio"] = ours["train_s"] / m["train_s"]
        if m["peak_rss_mb"] and ours["peak_rss_mb"]:
            m["ours_peak_ratio"] = ours["peak_rss_mb"] / m["peak_rss_mb"]
        if m["train_rss_mb"] and ours["train_rss_mb"]:
            m["ours_train_rss_ratio"] = ours["train_rss_mb"] / m["train_rss_mb"]
    return med


def print_summary(med):
    for name, m in med.items():
        mem = f"   peak {m['peak_rss_mb']:6.0f} MB" if m["peak_rss_mb"] else ""
        if m["train_rss_mb"]:
            mem += f" ({m['train_rss_mb']:5.0f} MB beyond the data)"
        auc_text = f"   AUC {m['auc']:.4f}" if m["auc"] is not None else ""
        print(f"  {name:28s} {m['train_s']:7.2f} s   time ratio {m['time_vs_ours']:4.2f}x"
              f"{auc_text}{mem}")


def categorical_case(exe, tmp, args):
    rows, test_rows, trees, leaves = (60_000, 30_000, 100, 31) if args.quick else \
        (300_000, 100_000, 200, 31)
    x, y = make_leads(rows, 1)
    xt, yt = make_leads(test_rows, 2)
    cols = x.shape[1]
    path, test_path = os.path.join(tmp, "leads.bin"), os.path.join(tmp, "leads_test.bin")
    write_bin(path, x, y)
    write_bin(test_path, xt)
    counts = ",".join([str(levels) for _n, levels, _w, _m in LEAD_CATEGORIES] +
                      ["0"] * LEAD_NUMBERS)
    types = ["c"] * len(LEAD_CATEGORIES) + ["q"] * LEAD_NUMBERS
    pred_path = os.path.join(tmp, "pred.bin")
    runs = {"funnelcast categorical": [], "funnelcast codes as numbers": [],
            "xgboost categorical": [], "xgboost codes as numbers": []}
    aucs = {}
    for _ in range(args.repeats):
        for name, counts_arg in (("funnelcast categorical", counts),
                                 ("funnelcast codes as numbers", "-")):
            runs[name].append(run_ours(exe, path, rows, cols, "binary", trees, leaves,
                                       args.threads,
                                       (counts_arg, test_path, str(test_rows), pred_path)))
            aucs[name] = auc(np.fromfile(pred_path, dtype=np.float64), yt)
        for name, ft in (("xgboost categorical", types), ("xgboost codes as numbers", None)):
            runs[name].append(run_xgboost_process(path, rows, cols, "binary", trees, leaves,
                                                  args.threads, ft,
                                                  (test_path, test_rows, pred_path)))
            aucs[name] = auc(np.fromfile(pred_path, dtype=np.float64), yt)
    print(f"categorical leads {rows // 1000}k x {cols} (campaign: 2000 levels), {trees} trees x "
          f"{leaves} leaves, {args.threads} threads, {100 * y.mean():.1f}% positive, "
          f"AUC on {test_rows // 1000}k held-out rows:")
    med = summary(runs, aucs, "funnelcast categorical")
    print_summary(med)
    return {"name": f"categorical leads {rows // 1000}k x {cols}", "rows": rows, "cols": cols,
            "test_rows": test_rows, "trees": trees, "leaves": leaves, "threads": args.threads,
            "results": med}


def run_sklearn(x, y, objective, trees, leaves):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    cls = HistGradientBoostingClassifier if objective == "binary" else HistGradientBoostingRegressor
    t0 = time.perf_counter()
    model = cls(max_iter=trees, max_leaf_nodes=leaves, learning_rate=0.1, early_stopping=False,
                l2_regularization=0.0).fit(x, y)
    return time.perf_counter() - t0, model


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--xgb-worker":
        return xgboost_worker(json.loads(sys.argv[2]))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", help="a built gbdt_bench driver (default: build one with g++)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sklearn", action="store_true", help="also time scikit-learn HGB")
    ap.add_argument("--quick", action="store_true",
                    help="the small case, 80k rows instead of 800k, a smaller categorical case")
    ap.add_argument("--no-categorical", action="store_true", help="skip the categorical case")
    ap.add_argument("--categorical-only", action="store_true",
                    help="only the categorical case")
    ap.add_argument("--json", help="write every run, the medians and ratios to this file")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    # XGBoost's OpenMP threads spin while they wait; on a shared machine (other builds
    # running) that multiplied its times by 5-15 here. Passive waiting measures the work.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    report = {"threads": args.threads, "repeats": args.repeats, "cases": []}

    with tempfile.TemporaryDirectory() as tmp:
        exe = args.binary or build_driver(tmp)
        cases = [] if args.categorical_only else QUICK_CASES if args.quick else CASES
        for name, rows, cols, objective, trees, leaves in cases:
            x, y = make_data(rows, cols, objective)
            path = os.path.join(tmp, "data.bin")
            write_bin(path, x, y)
            test = None
            aucs = {}
            if objective == "binary":
                test_rows = rows // 4
                xt, yt = make_data(test_rows, cols, objective, seed=43)
                test = (os.path.join(tmp, "test.bin"), test_rows, os.path.join(tmp, "pred.bin"))
                write_bin(test[0], xt)
            extra = ("-", test[0], str(test[1]), test[2]) if test else ()
            runs = {"funnelcast": [], "xgboost": [], "sklearn": []}
            for _ in range(args.repeats):
                runs["funnelcast"].append(
                    run_ours(exe, path, rows, cols, objective, trees, leaves, args.threads, extra))
                if test:
                    aucs["funnelcast"] = auc(np.fromfile(test[2], dtype=np.float64), yt)
                runs["xgboost"].append(run_xgboost_process(path, rows, cols, objective, trees,
                                                           leaves, args.threads, None, test))
                if test:
                    aucs["xgboost"] = auc(np.fromfile(test[2], dtype=np.float64), yt)
                if args.sklearn:
                    t, model = run_sklearn(x, y, objective, trees, leaves)
                    runs["sklearn"].append({"train_s": t, "peak_rss_mb": None})
                    if test:
                        aucs["sklearn"] = auc(model.predict_proba(xt)[:, 1].astype(np.float64), yt)
            print(f"{name}, {trees} trees x {leaves} leaves, {args.threads} threads"
                  + (f", AUC on {test[1] // 1000}k held-out rows:" if test else ":"))
            med = summary(runs, aucs, "funnelcast")
            print_summary(med)
            report["cases"].append({"name": name, "rows": rows, "cols": cols,
                                    "objective": objective, "trees": trees, "leaves": leaves,
                                    "threads": args.threads, "test_rows": test[1] if test else 0,
                                    "results": med})
        if not args.no_categorical:
            report["cases"].append(categorical_case(exe, tmp, args))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
