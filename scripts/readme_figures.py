#!/usr/bin/env python3
"""Figures in README.md and docs/ that come from files in the repository, checked (or
rewritten) from their sources, so a figure cannot drift from what produced it.

  python3 scripts/readme_figures.py --check   # exit 1 naming each figure that differs
  python3 scripts/readme_figures.py --write   # rewrite them from their sources

- README.md, between <!-- figures:forecast-cv --> and <!-- /figures -->: the demo forecast
  model's cross-validation table, from models/demo_forecast.report.json (written by
  scripts/make_demo_model.sh next to the model).
- README.md, between <!-- figures:speed --> and <!-- /figures -->: the speed table, from
  bench/results/speed.json (written by bash bench/run.sh).
- docs/web-app.md: the wasm budgets (KiB) that scripts/assemble.mjs enforces; between
  <!-- figures:page --> and <!-- /figures -->: page loads before and after a change, from
  bench/results/page.json (node bench/page_load.mjs --compare DIST_BEFORE --json ...).
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pm(metric):
    return f"{metric['mean']:.3f} ± {metric['std']:.3f}"


def forecast_cv_table():
    report = json.loads((ROOT / "models/demo_forecast.report.json").read_text())
    lines = ["```",
             "candidate           recursive RMSE    recursive MAE     recursive sMAPE   one-step RMSE     one-step R²       backtest MASE"]
    for c in report["comparison"]:
        r, o = c["recursive"], c["one_step"]
        cells = [pm(r["rmse"]), pm(r["mae"]), pm(r["smape"]), pm(o["rmse"]), pm(o["r2"])]
        cells.append(pm(c["backtest"]["mase"]) if "backtest" in c else "n/a")
        line = f"{c['name']:<19} " + " ".join(f"{x:<16}" for x in cells).rstrip()
        if c["name"] == report["selected"]:
            line = f"{line}     <- selected"
        lines.append(line)
    cov = report["coverage"]
    lines += ["", f"interval coverage on the folds: 80% band {100 * cov['p80']:.1f}%, 95% band {100 * cov['p95']:.1f}%",
              "```"]
    return "\n".join(lines)


# The speed table's rows: bench/run.sh's figure keys, with a short label each.
SPEED_ROWS = [
    ("page_first", "page, first visit to a rendered dashboard"),
    ("page_repeat", "page, repeat visit"),
    ("leads_first_rows", "{leads} leads: first rows with reasons"),
    ("wasm_train", "lead-scoring training, wasm vs native (1 thread)"),
    ("wasm_treeshap", "TreeSHAP reasons, wasm vs native (1 thread)"),
    ("page_train_workers", "lead-scoring training in the page, folds on {workers} workers vs 1"),
    ("page_export_workers", "scores export in the page, {leads} leads with reasons, rows on {workers} workers vs 1"),
    ("treeshap_xgboost", "TreeSHAP native vs XGBoost pred_contribs (1 thread)"),
    ("train_800k_time", "training {size}, 2 threads"),
    ("train_800k_auc", "held-out AUC, {size}"),
    ("train_800k_memory", "peak memory (process RSS), {size}"),
    ("train_categorical_time", "training {size} leads, 2,000-level category"),
    ("train_categorical_auc", "held-out AUC, {size} leads"),
    ("cli_score", "CLI scoring {leads} leads, 2 threads"),
]


def speed_label(template, what):
    """The row's label with the sizes the run used (from run.sh's description)."""
    size = re.search(r"\d+k x \d+", what)
    leads = re.search(r"([\d,]+) demo leads", what)
    workers = re.search(r"on (\d+) workers", what)
    return template.format(size=size.group(0) if size else "",
                           leads=leads.group(1) if leads else "",
                           workers=workers.group(1) if workers else "")


def speed_value(v, unit):
    return {"ms": f"{v:,.0f} ms", "s": f"{v:.2f} s", "MB": f"{v:,.0f} MB"}.get(unit, f"{v:.4f}")


def speed_table():
    report = json.loads((ROOT / "bench/results/speed.json").read_text())
    h = report["header"]
    by_key = {f["key"]: f for f in report["figures"]}
    quick = " --quick (small sizes: a smoke run, not the issue's figures)" if h.get("quick") == "1" else ""
    lines = [f"`bash bench/run.sh{quick}` on {h['date'][:10]} at {h['commit']}: {h['cpu']}, {h['nproc']} cores, shared "
             f"(load average {h['load_before'].split()[0]} at the start); medians of {h['runs']} interleaved run(s); "
             f"the full report with versions is `bench/results/speed.txt`.",
             "",
             "| figure | funnelcast | peer | ratio | target |",
             "|---|---|---|---|---|"]
    for key, label in SPEED_ROWS:
        f = by_key.get(key)
        if not f:
            continue
        peer = f"{f['peer']}: {speed_value(f['peer_value'], f['unit'])}" if "peer" in f else ""
        ratio = ""
        if "ratio" in f:
            ratio = {"wasm speed / native": "{:.2f}x native speed",
                     "funnelcast time / peer time": "{:.2f}x the peer's time",
                     "times as fast as the peer": "{:.2f}x as fast",
                     "times as fast as one worker": "{:.2f}x as fast",
                     "funnelcast / peer": "{:.2f}x the peer's"}.get(f["ratio_means"], "{:.2f}x").format(f["ratio"])
        target = ""
        if "target" in f:
            if f["met"]:
                target = f"{f['target']}: met"
            elif key in ("wasm_train", "wasm_treeshap", "train_800k_time", "train_800k_memory"):
                target = f"{f['target']}: missed by {f['missed_by']:.2f}x"
            else:
                target = f"{f['target']}: missed by {speed_value(f['missed_by'], f['unit'])}"
        value = speed_value(f['value'], f['unit'])
        if "load" in f:
            value += f" (load {f['load'][0]:.1f}-{f['load'][1]:.1f})"
        lines.append(f"| {speed_label(label, f['what'])} | {value} | {peer} | {ratio} | {target} |")
    return "\n".join(lines)


PAGE_MARKS = [
    ("wasm-ready", "wasm compiled (worker)"),
    ("tiles-drawn", "KPI tiles drawn (first paint)"),
    ("first-drawn", "tiles and forecast chart drawn"),
    ("dashboard-rendered", "whole dashboard drawn (anomalies too)"),
]


def page_table():
    report = json.loads((ROOT / "bench/results/page.json").read_text())
    sites = report["sites"]
    names = [n for n in ("before", "after") if n in sites] or list(sites)
    loads = report["load_average"]
    lines = [f"{report['runs']} interleaved runs; load average (1 min) {min(loads):.1f}–{max(loads):.1f} during them.",
             "",
             "| ms after navigation (median) | " + " | ".join(names) + " |",
             "|---|" + "---|" * len(names)]
    for visit, title in (("first_visit", "first visit"), ("repeat_visit", "repeat visit")):
        for key, label in PAGE_MARKS:
            cells = [f"{sites[n][visit]['median_ms'].get(key, float('nan')):,.0f}" for n in names]
            lines.append(f"| {title}: {label} | " + " | ".join(cells) + " |")
    for key, label in (("main-thread-task", "main-thread busy (tasks), ms"), ("main-thread-script", "of which running script, ms")):
        if all(key in sites[n]["first_visit"]["median_ms"] for n in names):
            lines.append(f"| first visit to the drawn dashboard: {label} | " + " | ".join(f"{sites[n]['first_visit']['median_ms'][key]:,.0f}" for n in names) + " |")
    lines.append("| the page's own fetches before the dashboard is drawn (KiB) | " + " | ".join(f"{sites[n]['page_kib']:,}" for n in names) + " |")
    return "\n".join(lines)


def budgets():
    text = (ROOT / "scripts/assemble.mjs").read_text()
    infer = int(re.search(r"const maxWasmBytes = (\d+) \* 1024;", text).group(1))
    train = int(re.search(r"const maxTrainWasmBytes = (\d+) \* 1024;", text).group(1))
    return infer, train


def check_or_write(write):
    problems = []
    readme = ROOT / "README.md"
    text = readme.read_text()
    m = re.search(r"(<!-- figures:forecast-cv -->\n)(.*?)(\n<!-- /figures -->)", text, re.S)
    if not m:
        problems.append("README.md: no <!-- figures:forecast-cv --> block")
    else:
        want = forecast_cv_table()
        if m.group(2) != want:
            if write:
                text = text[: m.start(2)] + want + text[m.end(2):]
                readme.write_text(text)
            else:
                problems.append("README.md: the forecast CV table differs from models/demo_forecast.report.json")
    m = re.search(r"(<!-- figures:speed -->\n)(.*?)(\n<!-- /figures -->)", text, re.S)
    if not m:
        problems.append("README.md: no <!-- figures:speed --> block")
    else:
        want = speed_table()
        if m.group(2) != want:
            if write:
                text = text[: m.start(2)] + want + text[m.end(2):]
                readme.write_text(text)
            else:
                problems.append("README.md: the speed table differs from bench/results/speed.json")
    infer, train = budgets()
    docs = ROOT / "docs/web-app.md"
    doc = docs.read_text()
    m = re.search(r"(<!-- figures:page -->\n)(.*?)(<!-- /figures -->)", doc, re.S)
    if not m:
        problems.append("docs/web-app.md: no <!-- figures:page --> block")
    else:
        want = page_table() + "\n"
        if m.group(2) != want:
            if write:
                doc = doc[: m.start(2)] + want + doc[m.end(2):]
                docs.write_text(doc)
            else:
                problems.append("docs/web-app.md: the page figures differ from bench/results/page.json")
    for what, kib in (("inference", infer), ("training", train)):
        if f"{kib:,} KiB" not in doc:
            problems.append(f"docs/web-app.md: the {what} bundle's budget ({kib:,} KiB, scripts/assemble.mjs) is not stated")
    return problems


if __name__ == "__main__":
    write = "--write" in sys.argv
    problems = check_or_write(write)
    for p in problems:
        print(f"readme_figures: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print("readme_figures: the README's and docs' figures match their sources")
