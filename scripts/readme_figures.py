#!/usr/bin/env python3
"""Figures in README.md and docs/ that come from files in the repository, checked (or
rewritten) from their sources, so a figure cannot drift from what produced it.

  python3 scripts/readme_figures.py --check   # exit 1 naming each figure that differs
  python3 scripts/readme_figures.py --write   # rewrite them from their sources

- README.md, between <!-- figures:forecast-cv --> and <!-- /figures -->: the demo forecast
  model's cross-validation table, from models/demo_forecast.report.json (written by
  scripts/make_demo_model.sh next to the model).
- docs/web-app.md: the wasm budgets (KiB) that scripts/assemble.mjs enforces.
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
             "candidate        recursive RMSE    recursive MAE     recursive sMAPE   one-step RMSE     one-step R²"]
    for c in report["comparison"]:
        r, o = c["recursive"], c["one_step"]
        cells = [pm(r["rmse"]), pm(r["mae"]), pm(r["smape"]), pm(o["rmse"]), pm(o["r2"])]
        line = f"{c['name']:<16} " + " ".join(f"{x:<16}" for x in cells).rstrip()
        if c["name"] == report["selected"]:
            line = f"{line}     <- selected"
        lines.append(line)
    cov = report["coverage"]
    lines += ["", f"interval coverage on the folds: 80% band {100 * cov['p80']:.1f}%, 95% band {100 * cov['p95']:.1f}%",
              "```"]
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
    infer, train = budgets()
    doc = (ROOT / "docs/web-app.md").read_text()
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
