#!/usr/bin/env python3
"""Every channel from one model (`train forecast --by channel`) against the other ways.

For demo data of several seeds and history lengths (three channels: email, search,
social), the last 7 days are held out from each of two origins (the file's end, and a
week before it), and each way is trained on what comes before and forecasts the next 168
hours:

  by_channel   one model for the three channels (`--by channel`); the total is their sum
  separate     one default model per channel (`--channel NAME`, three trainings); the
               total is the sum of their forecasts
  total        one default model of the total (no channel forecasts)
  naive        seasonal naive of the week, per channel and for the total

Scored per channel and for the total by MASE (scale: the in-sample mean |y[t] - y[t-24]|
of the training part), and printed as geometric means of the ratio to seasonal naive's
MASE, with the CPU seconds the trainings took (the CLI's own, from the OS: 1 thread).

usage: bench/forecast_channels.py [--cli build/native/native_trainer/funnelcast] [--seeds 1,2,3,4] [--days 90,365]
Needs only the CLI and numpy (no ../shared/data).
"""
import argparse
import csv
import math
import os
import resource
import subprocess
import sys
import tempfile

import numpy as np

HORIZON = 168


def run(cli, *args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([cli, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def read_demo(path):
    """{channel: [leads per hour]}, hours in file order (the demo has every hour and channel)."""
    series = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            series.setdefault(row["channel"], []).append(float(row["leads"]))
    return series


def write_cut(path, src, hours):
    """The demo file's rows of its first `hours` hours."""
    with open(src) as f, open(path, "w") as out:
        header = f.readline()
        out.write(header)
        times = []
        for line in f:
            t = line.split(",", 1)[0]
            if not times or times[-1] != t:
                times.append(t)
                if len(times) > hours:
                    break
            out.write(line)


def forecast_csv(cli, model, data, out, channel=None):
    args = ["forecast", "--model", model, "--data", data, "--out", out]
    if channel:
        args += ["--channel", channel]
    run(cli, *args)
    result = {}
    with open(out) as f:
        for row in csv.DictReader(f):
            result.setdefault(row.get("channel", ""), []).append(float(row["forecast"]))
    return result


def mase(y, p, train):
    scale = np.mean(np.abs(np.asarray(train[24:]) - np.asarray(train[:-24])))
    return float(np.mean(np.abs(np.asarray(y) - np.asarray(p))) / scale) if scale > 0 else float("nan")


def one_case(cli, tmp, seed, days, back):
    demo = os.path.join(tmp, f"demo_{seed}_{days}")
    if not os.path.exists(demo):
        subprocess.run([cli, "demo-data", "--out", demo, "--seed", str(seed), "--days", str(days), "--leads", "0"],
                       check=True, stdout=subprocess.DEVNULL)
    full = read_demo(os.path.join(demo, "hourly.csv"))
    channels = sorted(full)
    n = len(full[channels[0]])
    cut = n - back - HORIZON
    data = os.path.join(tmp, f"cut_{seed}_{days}_{back}.csv")
    write_cut(data, os.path.join(demo, "hourly.csv"), cut)
    total = [sum(full[c][i] for c in channels) for i in range(n)]
    truth = {c: full[c][cut:cut + HORIZON] for c in channels}
    truth["total"] = total[cut:cut + HORIZON]
    train = {c: full[c][:cut] for c in channels}
    train["total"] = total[:cut]
    naive = {k: (train[k][-168:] * 2)[:HORIZON] for k in truth}

    common = ["--quiet", "--no-log", "--threads", "1"]
    fc = {}
    cpu = {}
    model = os.path.join(tmp, "m.fcm")
    cpu["by_channel"] = run(cli, "train", "forecast", "--data", data, "--out", model, "--by", "channel", *common)
    f = forecast_csv(cli, model, data, os.path.join(tmp, "f.csv"))
    fc["by_channel"] = {k: f[k] for k in truth}
    cpu["separate"] = 0.0
    fc["separate"] = {}
    for c in channels:
        cpu["separate"] += run(cli, "train", "forecast", "--data", data, "--out", model, "--channel", c, *common)
        fc["separate"][c] = forecast_csv(cli, model, data, os.path.join(tmp, "f.csv"), c)[""]
    fc["separate"]["total"] = list(np.sum([fc["separate"][c] for c in channels], axis=0))
    cpu["total"] = run(cli, "train", "forecast", "--data", data, "--out", model, *common)
    fc["total"] = {"total": forecast_csv(cli, model, data, os.path.join(tmp, "f.csv"))[""]}
    ratios = {}
    for way, series in fc.items():
        for k, p in series.items():
            m, base = mase(truth[k], p, train[k]), mase(truth[k], naive[k], train[k])
            if math.isfinite(m) and math.isfinite(base) and base > 0:
                ratios[(way, "total" if k == "total" else "channel")] = ratios.get((way, "total" if k == "total" else "channel"), []) + [m / base]
    return ratios, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default="build/native/native_trainer/funnelcast")
    ap.add_argument("--seeds", default="1,2,3,4")
    ap.add_argument("--days", default="90,365")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    lengths = [int(d) for d in args.days.split(",")]
    print(f"by-channel forecasting: demo seeds {seeds}, {lengths} days, origins at the end and a week before; "
          f"{HORIZON}-hour forecasts; ratios are MASE / seasonal naive's (geometric means; below 1 is better)")
    print(f"{'days':>5} {'way':<11} {'channels':>9} {'total':>7} {'train CPU s':>12}")
    overall = {}
    with tempfile.TemporaryDirectory() as tmp:
        for days in lengths:
            agg, cpu_sum = {}, {}
            for seed in seeds:
                for back in (0, HORIZON):
                    ratios, cpu = one_case(args.cli, tmp, seed, days, back)
                    for k, v in ratios.items():
                        agg.setdefault(k, []).extend(v)
                        overall.setdefault(k, []).extend(v)
                    for k, v in cpu.items():
                        cpu_sum[k] = cpu_sum.get(k, 0.0) + v
            runs = 2 * len(seeds)
            for way in ("by_channel", "separate", "total"):
                ch = agg.get((way, "channel"))
                tot = agg.get((way, "total"))
                gm = lambda v: f"{math.exp(np.mean(np.log(v))):.3f}" if v else "n/a"
                print(f"{days:>5} {way:<11} {gm(ch):>9} {gm(tot):>7} {cpu_sum[way] / runs:>12.2f}")
            sys.stdout.flush()
    print("overall (geometric mean of every ratio):")
    for way in ("by_channel", "separate", "total"):
        ch, tot = overall.get((way, "channel")), overall.get((way, "total"))
        print(f"  {way:<11} channels {math.exp(np.mean(np.log(ch))) if ch else float('nan'):.3f}"
              f"  total {math.exp(np.mean(np.log(tot))) if tot else float('nan'):.3f}")


if __name__ == "__main__":
    main()
