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

--reconcile compares ways of making the channels add up to the total (issue 16), on the
same cases and on a second generator (--data mixed: four channels, one steady, one growing,
one declining and one much noisier than the others). The channels' base forecasts are the
by-channel model's; the total's base forecast is a cheap model of the total alone
(Holt-Winters or Theta, whichever has the lower backtest MASE on the total: `--candidates
holt_winters,theta`, as the by-channel training does for its report), and, as an upper
bound, the default model of the total (gbdts included, as expensive again):

  bottom_up     the total is the sum of the channels' forecasts (what `forecast` does)
  mint_wls      MinT with a diagonal W (WLS): the discrepancy d = total - sum of the
                channels is shared out in proportion to each series' error variance; a
                channel gets s_c^2 / (s_T^2 + sum s^2) of d, the total loses s_T^2 / (...)
  proportional  top-down with forecast proportions: the total's base forecast, split in
                the proportions of the channels' forecasts
  selected      the method the by-channel training's own backtests pick (the report's
                reconciliation_backtest.best: the lowest channels + total MASE among the
                methods no worse than bottom-up on either, else bottom-up)
  ..._full      the same from the default model of the total

The variances are each series' own, step by step, from the 80% band `forecast` prints
(s = (upper_80 - forecast) / 1.2816): the bands come from the training folds' backtest
errors, never from the hours being scored. --step day sums each file per day first: 14-day
forecasts from the end and two weeks before, MASE scaled by the weekly difference.

--rates checks where the by-channel training's faster rate starts (0.1 and an early-stopping
patience of 25 on hourly files of 548 days or more, else 0.05 and 50): the by-channel model
trained at both, on demo and/or mixed data (--data) of the lengths given, scored as above.

usage: bench/forecast_channels.py [--cli build/native/native_trainer/funnelcast] [--seeds 1,2,3,4] [--days 90,365]
       bench/forecast_channels.py --rates [--data demo,mixed] [--seeds 1,2,3] [--days 400,480,548,620,700]
       bench/forecast_channels.py --reconcile [--data demo,mixed] [--step hour|day] [--seeds 1,2] [--days 60,180]
Needs only the CLI and numpy (no ../shared/data).
"""
import argparse
import csv
import json
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


def forecast_csv(cli, model, data, out, channel=None, sigma=False):
    """{series: [forecast]}; with sigma, {series: ([forecast], [sd from the 80% band])}."""
    args = ["forecast", "--model", model, "--data", data, "--out", out]
    if channel:
        args += ["--channel", channel]
    run(cli, *args)
    result = {}
    with open(out) as f:
        for row in csv.DictReader(f):
            key = row.get("channel", "")
            if sigma:
                m, sd = result.setdefault(key, ([], []))
                m.append(float(row["forecast"]))
                sd.append(max((float(row["upper_80"]) - float(row["forecast"])) / 1.2816, 1e-9))
            else:
                result.setdefault(key, []).append(float(row["forecast"]))
    return result


def mase(y, p, train, lag=24):
    scale = np.mean(np.abs(np.asarray(train[lag:]) - np.asarray(train[:-lag])))
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


STATISTICAL = "holt_winters,theta"
METHODS = ("bottom_up", "mint_wls", "proportional", "selected", "mint_wls_full", "proportional_full")


def write_mixed(path, seed, days):
    """Four channels of hourly leads unlike the demo's: steady, growing (x3 over the file),
    declining (to a third) and noisy (gamma-Poisson with shape 0.7, and bursts)."""
    rng = np.random.default_rng(seed)
    hours = days * 24
    t = np.arange(hours)
    hour, dow = t % 24, (t // 24 + 6) % 7  # 2023-01-01 is a Sunday
    daily = 1 + 0.8 * np.sin(2 * np.pi * (hour - 8) / 24)
    weekly = np.where(dow >= 5, 0.6, 1.0)
    shape = daily * weekly
    frac = t / max(hours - 1, 1)
    level = {"steady": 20 * np.ones(hours), "growing": 4 * (1 + 2 * frac), "declining": 30 * (1 - frac * 2 / 3),
             "noisy": 10 * np.ones(hours)}
    counts = {}
    for name, lv in level.items():
        mu = lv * shape
        if name == "noisy":
            mu = mu * rng.gamma(0.7, 1 / 0.7, hours)
            burst = rng.random(hours) < 0.01
            mu = mu + burst * rng.uniform(20, 60, hours)
        counts[name] = rng.poisson(mu)
    start = np.datetime64("2023-01-01T00:00")
    with open(path, "w") as f:
        f.write("timestamp,channel,leads\n")
        for i in range(hours):
            stamp = str(start + np.timedelta64(i, "h")).replace("T", " ") + ":00"
            for name in counts:
                f.write(f"{stamp},{name},{counts[name][i]}\n")


def write_daily(path, src):
    """The hourly file summed per day and channel, as date,channel,leads."""
    days = {}
    with open(src) as f:
        for row in csv.DictReader(f):
            key = (row["timestamp"][:10], row["channel"])
            days[key] = days.get(key, 0.0) + float(row["leads"])
    with open(path, "w") as out:
        out.write("date,channel,leads\n")
        for (d, c), v in days.items():
            out.write(f"{d},{c},{v:g}\n")


def reconcile(channels, total, way):
    """{channel: [forecast]} and the total's, reconciled so the channels add up to the total.
    channels / total: (forecasts, sds) per step."""
    names = sorted(channels)
    f = np.array([channels[c][0] for c in names])
    sd = np.array([channels[c][1] for c in names])
    out = {}
    if way == "bottom_up":
        g = f
    elif way.startswith("mint_wls"):
        ft, st = np.asarray(total[0]), np.asarray(total[1])
        var = sd ** 2
        d = ft - f.sum(axis=0)
        g = f + var / (st ** 2 + var.sum(axis=0)) * d
    else:  # proportional: the total's base forecast in the channels' proportions
        ft = np.asarray(total[0])
        s = f.sum(axis=0)
        share = np.where(s > 0, f / np.where(s > 0, s, 1), 1.0 / len(names))
        g = share * ft
    for i, c in enumerate(names):
        out[c] = list(g[i])
    out["total"] = list(g.sum(axis=0))
    return out


def cut_case(cli, tmp, source, seed, days, back, daily, tag):
    """A demo or mixed file cut `back` steps plus a horizon before its end: the training
    file's path, the channels, and per series (each channel and "total") the held-out truth,
    the training part and seasonal naive's forecast; with the horizon and the MASE lag."""
    src = os.path.join(tmp, f"{source}_{seed}_{days}.csv")
    horizon, period, lag = (14, 7, 7) if daily else (HORIZON, 168, 24)
    if not os.path.exists(src):
        if source == "demo":
            demo = os.path.join(tmp, f"demo_{seed}_{days}")
            subprocess.run([cli, "demo-data", "--out", demo, "--seed", str(seed), "--days", str(days), "--leads", "0"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.replace(os.path.join(demo, "hourly.csv"), src)
        else:
            write_mixed(src, seed, days)
    if daily:
        hourly, src = src, os.path.join(tmp, f"{source}_{seed}_{days}_daily.csv")
        if not os.path.exists(src):
            write_daily(src, hourly)
    full = read_demo(src)
    channels = sorted(full)
    n = len(full[channels[0]])
    cut = n - back - horizon
    data = os.path.join(tmp, f"{tag}_{source}_{seed}_{days}_{back}.csv")
    write_cut(data, src, cut)
    total = [sum(full[c][i] for c in channels) for i in range(n)]
    truth = {c: full[c][cut:cut + horizon] for c in channels}
    truth["total"] = total[cut:cut + horizon]
    train = {c: full[c][:cut] for c in channels}
    train["total"] = total[:cut]
    naive = {k: (train[k][-period:] * (horizon // period + 1))[:horizon] for k in truth}
    return data, channels, truth, train, naive, horizon, lag


def reconcile_case(cli, tmp, source, seed, days, back, daily):
    data, channels, truth, train, naive, horizon, lag = cut_case(cli, tmp, source, seed, days, back, daily, "rcut")
    common = ["--quiet", "--no-log", "--threads", "1"]
    model = os.path.join(tmp, "r.fcm")
    report = os.path.join(tmp, "r.json")
    cpu = {"by_channel": run(cli, "train", "forecast", "--data", data, "--out", model, "--by", "channel",
                             "--report", report, *common)}
    with open(report) as f:
        picked = json.load(f)["reconciliation_backtest"]["best"]
    base = forecast_csv(cli, model, data, os.path.join(tmp, "rf.csv"), sigma=True)
    base_channels = {c: base[c] for c in channels}
    cpu["total_statistical"] = run(cli, "train", "forecast", "--data", data, "--out", model, "--candidates", STATISTICAL,
                                   "--report", report, *common)
    with open(report) as f:
        selected = json.load(f)["selected"]
    stat = forecast_csv(cli, model, data, os.path.join(tmp, "rf.csv"), sigma=True)[""]
    cpu["total_full"] = run(cli, "train", "forecast", "--data", data, "--out", model, *common)
    full_total = forecast_csv(cli, model, data, os.path.join(tmp, "rf.csv"), sigma=True)[""]
    ratios = {}
    for way in METHODS:
        method = picked if way == "selected" else way.replace("_full", "")
        fc = reconcile(base_channels, full_total if way.endswith("_full") else stat, method)
        for k, p in fc.items():
            m, b = mase(truth[k], p, train[k], lag), mase(truth[k], naive[k], train[k], lag)
            if math.isfinite(m) and math.isfinite(b) and b > 0:
                ratios.setdefault((way, "total" if k == "total" else "channel"), []).append(m / b)
    return ratios, cpu, f"{selected}/{picked}"


def main_reconcile(args, seeds, lengths):
    gm = lambda v: math.exp(np.mean(np.log(v))) if v else float("nan")
    daily = args.step == "day"
    horizon = 14 if daily else HORIZON
    print(f"reconciliation of the by-channel forecasts: {args.data} data{' summed per day' if daily else ''}, seeds "
          f"{seeds}, {lengths} days, origins at the end and {'two weeks' if daily else 'a week'} before; "
          f"{horizon}-{'day' if daily else 'hour'} forecasts; MASE / seasonal naive's (geometric means over the origins "
          f"and channels; below 1 is better)")
    print(f"{'data':<6} {'days':>5} {'seed':>4} {'method':<18} {'channels':>9} {'total':>7}")
    overall = {}
    with tempfile.TemporaryDirectory() as tmp:
        for source in args.data.split(","):
            for days in lengths:
                for seed in seeds:
                    agg, cpu_sum, chosen = {}, {}, []
                    for back in (0, horizon):
                        ratios, cpu, selected = reconcile_case(args.cli, tmp, source, seed, days, back, daily)
                        chosen.append(selected)
                        for k, v in ratios.items():
                            agg.setdefault(k, []).extend(v)
                            overall.setdefault((source,) + k, []).extend(v)
                        for k, v in cpu.items():
                            cpu_sum[k] = cpu_sum.get(k, 0.0) + v
                    for way in METHODS:
                        print(f"{source:<6} {days:>5} {seed:>4} {way:<18} {gm(agg[(way, 'channel')]):>9.3f} "
                              f"{gm(agg[(way, 'total')]):>7.3f}")
                    print(f"{source:<6} {days:>5} {seed:>4} train CPU s per origin: by_channel "
                          f"{cpu_sum['by_channel'] / 2:.2f}, total statistical {cpu_sum['total_statistical'] / 2:.2f} "
                          f"(total base / backtests' pick per origin: {', '.join(chosen)}), total full {cpu_sum['total_full'] / 2:.2f}")
                    sys.stdout.flush()
    print("overall (geometric mean of every ratio):")
    for source in args.data.split(","):
        for way in METHODS:
            print(f"  {source:<6} {way:<18} channels {gm(overall[(source, way, 'channel')]):.3f}"
                  f"  total {gm(overall[(source, way, 'total')]):.3f}")


RATES = {"rate_0.05": ["--learning-rate", "0.05", "--param", "early_stopping_round=50"],
         "rate_0.1": ["--learning-rate", "0.1", "--param", "early_stopping_round=25"]}


def rates_case(cli, tmp, source, seed, days, back):
    """{(way, channel|total): [MASE ratios]} and {way: CPU s} of the by-channel model at each rate."""
    data, _, truth, train, naive, _, _ = cut_case(cli, tmp, source, seed, days, back, False, "qcut")
    common = ["--quiet", "--no-log", "--threads", "1"]
    model = os.path.join(tmp, "q.fcm")
    ratios, cpu = {}, {}
    for way, extra in RATES.items():
        cpu[way] = run(cli, "train", "forecast", "--data", data, "--out", model, "--by", "channel", *extra, *common)
        f = forecast_csv(cli, model, data, os.path.join(tmp, "q.csv"))
        for k in truth:
            m, base = mase(truth[k], f[k], train[k]), mase(truth[k], naive[k], train[k])
            if math.isfinite(m) and math.isfinite(base) and base > 0:
                ratios.setdefault((way, "total" if k == "total" else "channel"), []).append(m / base)
    return ratios, cpu


def main_rates(args, seeds, lengths):
    gm = lambda v: math.exp(np.mean(np.log(v))) if v else float("nan")
    print(f"the by-channel model at two learning rates: {args.data} data, seeds {seeds}, {lengths} days, origins at "
          f"the end and a week before; {HORIZON}-hour forecasts; MASE / seasonal naive's (geometric means; below 1 "
          f"is better); the default is rate_0.1 from 548 days, else rate_0.05")
    print(f"{'data':<6} {'days':>5} {'way':<10} {'channels':>9} {'total':>7} {'train CPU s':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for source in args.data.split(","):
            for days in lengths:
                agg, cpu_sum = {}, {}
                for seed in seeds:
                    for back in (0, HORIZON):
                        ratios, cpu = rates_case(args.cli, tmp, source, seed, days, back)
                        for k, v in ratios.items():
                            agg.setdefault(k, []).extend(v)
                        for k, v in cpu.items():
                            cpu_sum[k] = cpu_sum.get(k, 0.0) + v
                for way in RATES:
                    print(f"{source:<6} {days:>5} {way:<10} {gm(agg.get((way, 'channel'))):>9.3f} "
                          f"{gm(agg.get((way, 'total'))):>7.3f} {cpu_sum[way] / (2 * len(seeds)):>12.2f}")
                sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default="build/native/native_trainer/funnelcast")
    ap.add_argument("--seeds", default="1,2,3,4")
    ap.add_argument("--days", default="90,365")
    ap.add_argument("--reconcile", action="store_true", help="compare reconciliations of the by-channel forecasts")
    ap.add_argument("--rates", action="store_true", help="the by-channel model at both learning rates")
    ap.add_argument("--data", default="demo,mixed", help="--reconcile, --rates: demo and/or mixed")
    ap.add_argument("--step", default="hour", choices=("hour", "day"),
                    help="--reconcile: hourly files, or the same summed per day (14-day forecasts)")
    args = ap.parse_args()
    if args.rates:
        main_rates(args, [int(s) for s in args.seeds.split(",")], [int(d) for d in args.days.split(",")])
        return
    if args.reconcile:
        main_reconcile(args, [int(s) for s in args.seeds.split(",")], [int(d) for d in args.days.split(",")])
        return
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
