#!/usr/bin/env python3
"""`train forecast` time, one CLI against another, interleaved on the same series.

Three trainings: a generated 960-hour trending series (the size of the public hourly
competition series, --horizon 48 as bench/forecast_accuracy.py trains them), the 2-year
demo (demo-data seed 1, 730 days, the defaults), and the same demo's 3 channels from one
model (`--by channel`; issue 16 asks it to train in less time than one model of the total
took before). Each CLI trains each series at
--threads 1 and 2, `--runs` rounds interleaved (A then B in every round); prints the
median CPU seconds (user + sys of the process) and wall seconds, the load average
before and after, and checks that each CLI gives a series the same bytes at any thread
count (and says whether the two CLIs' models are the same bytes).

usage: bench/forecast_speed.py --new build/native/native_trainer/funnelcast [--old OTHER_CLI] [--runs 3]
"""
import argparse
import filecmp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def trend_series(path, hours=960):
    import datetime
    import math
    import random
    rng = random.Random(1)
    start = datetime.datetime(2024, 1, 1)
    with open(path, "w") as f:
        f.write("timestamp,leads\n")
        for t in range(hours):
            day = math.sin(2 * math.pi * (t % 24) / 24 - 1.5)
            y = 50 + 0.15 * t + 20 * day + rng.gauss(0, 2)
            stamp = (start + datetime.timedelta(hours=t)).strftime("%Y-%m-%d %H:%M:%S")
            f.write(f"{stamp},{y:.6g}\n")


def run(cli, data, model, threads, extra):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([cli, "train", "forecast", "--data", data, "--out", model, "--threads", str(threads), "--quiet",
                    "--no-log", *extra], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--new", default=os.path.join(here, "..", "build", "native", "native_trainer", "funnelcast"))
    ap.add_argument("--old", help="another CLI to run interleaved (e.g. built from main)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", choices=["960", "demo", "channels"], help="one training only")
    args = ap.parse_args()
    clis = [("new", args.new)] + ([("old", args.old)] if args.old else [])
    print(f"load average at the start: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores; medians of {args.runs} "
          f"interleaved runs")
    with tempfile.TemporaryDirectory() as tmp:
        series = []
        if args.only in (None, "960"):
            path = os.path.join(tmp, "trend960.csv")
            trend_series(path)
            series.append(("960-hour trend series, --horizon 48", path, ["--horizon", "48"]))
        if args.only in (None, "demo", "channels"):
            d = os.path.join(tmp, "demo")
            subprocess.run([args.new, "demo-data", "--out", d, "--seed", "1", "--leads", "0"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if args.only in (None, "demo"):
                series.append(("2-year demo (17,520 hours, 3 channels summed), defaults",
                               os.path.join(d, "hourly.csv"), []))
            if args.only in (None, "channels"):
                series.append(("2-year demo, its 3 channels from one model (--by channel), defaults",
                               os.path.join(d, "hourly.csv"), ["--by", "channel"]))
        for title, data, extra in series:
            times = {}
            models = {}
            for r in range(args.runs):
                for name, cli in clis:
                    for threads in (1, 2):
                        model = os.path.join(tmp, f"{name}_{threads}_{r}.fcm")
                        times.setdefault((name, threads), []).append(run(cli, data, model, threads, extra))
                        models.setdefault(name, []).append(model)
            # Each CLI must give the same bytes at any thread count and in every run; the two
            # CLIs' models are compared too, but may differ when a change alters the method.
            same = all(filecmp.cmp(ms[0], m, shallow=False) for ms in models.values() for m in ms[1:])
            line = f"\n{title}: every model of a CLI the same bytes: {'yes' if same else 'NO'}"
            if len(models) > 1:
                first = [ms[0] for ms in models.values()]
                across = all(filecmp.cmp(first[0], m, shallow=False) for m in first[1:])
                line += f"; new and old: {'the same bytes' if across else 'different models'}"
            print(line)
            print(f"  {'cli':<5}{'threads':>8}{'CPU s':>9}{'wall s':>9}   runs (CPU/wall)")
            for (name, threads), v in times.items():
                cpu = statistics.median(c for c, _ in v)
                wall = statistics.median(w for _, w in v)
                runs = " ".join(f"{c:.2f}/{w:.2f}" for c, w in v)
                print(f"  {name:<5}{threads:>8}{cpu:>9.2f}{wall:>9.2f}   {runs}")
            if not same:
                sys.exit(1)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
