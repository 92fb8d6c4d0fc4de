#!/usr/bin/env bash
# The funnel monitor (`funnelcast monitor`, whole series, defaults) against the incidents
# `funnelcast demo-data` injects, for seeds 1-6 at 60, 120 and 730 days: incidents labelled
# (per channel and kind), detected (a monitor incident overlapping it in time that names its
# channel or the total), the monitor's incidents and how many of them overlap a labelled one
# (within an hour): precision, recall, F1, and the recall per kind; then the false incidents
# by the KPIs that raised them, pooled. Figures for docs/monitor.md.
# usage: bash bench/monitor_bench.sh [path/to/funnelcast] [--quick]   (--quick: seeds 1-2)
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${1:-build/native/native_trainer/funnelcast}
[ -x "$CLI" ] || { echo "no $CLI: build the funnelcast target first" >&2; exit 2; }
QUICK=${2:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python3 - "$CLI" "$out" "$QUICK" <<'PY'
import collections, csv, json, subprocess, sys, time
from datetime import datetime, timezone
cli, tmp, quick = sys.argv[1], sys.argv[2], sys.argv[3]
seeds = [1, 2] if quick == '--quick' else [1, 2, 3, 4, 5, 6]
def ts(s): return int(datetime.strptime(s, '%Y-%m-%d %H:%M:%S').replace(tzinfo=timezone.utc).timestamp())
false_by = collections.Counter(); kinds_all = collections.defaultdict(lambda: [0, 0]); rows = []
print('days seed | labelled detected | monitor true | precision recall F1 | seconds')
for days in (60, 120, 730):
    for seed in seeds:
        d = f'{tmp}/s{seed}_{days}'
        subprocess.run([cli, 'demo-data', '--seed', str(seed), '--days', str(days), '--out', d], capture_output=True, check=True)
        runs = collections.defaultdict(list)
        for row in csv.DictReader(open(d + '/anomalies_truth.csv')):
            runs[(row['channel'], row['kind'])].append(ts(row['timestamp']))
        labelled = []  # (channel, kind, start, end): runs of consecutive labelled hours
        for (ch, kind), hours in runs.items():
            hours.sort(); s = p = hours[0]
            for h in hours[1:]:
                if h != p + 3600: labelled.append((ch, kind, s, p + 3600)); s = h
                p = h
            labelled.append((ch, kind, s, p + 3600))
        t0 = time.time()
        r = subprocess.run([cli, 'monitor', '--data', d + '/hourly.csv', '--lookback', '0', '--json'], capture_output=True, text=True, check=True)
        secs = time.time() - t0
        incidents = json.loads(r.stdout)['incidents']
        detected = 0
        for (ch, kind, s, e) in labelled:
            hit = any(m['start'] < e and m['end'] > s and (ch in m['channels'] or '' in m['channels']) for m in incidents)
            detected += hit; kinds_all[(days, kind)][0] += hit; kinds_all[(days, kind)][1] += 1
        true = 0
        for m in incidents:
            if any(m['start'] < e + 3600 and m['end'] > s - 3600 for (_, _, s, e) in labelled): true += 1
            else: false_by[days, '+'.join(sorted(set(k['metric'] for k in m['kpis']))) or m['cause']] += 1
        P = true / len(incidents) if incidents else 1.0
        R = detected / len(labelled) if labelled else 1.0
        F = 2 * P * R / (P + R) if P + R else 0.0
        rows.append((days, F))
        print(f'{days:4d} {seed:4d} | {len(labelled):8d} {detected:8d} | {len(incidents):7d} {true:4d} | {P:9.3f} {R:6.3f} {F:5.3f} | {secs:7.2f}', flush=True)
print('\nrecall per kind (pooled over seeds):')
for (days, kind), (hit, n) in sorted(kinds_all.items()):
    print(f'  {days:4d} days  {kind:16s} {hit}/{n}')
print('\nF1 min / mean per length:')
for days in (60, 120, 730):
    f = [x for dd, x in rows if dd == days]
    print(f'  {days:4d} days  min {min(f):.3f}  mean {sum(f) / len(f):.3f}')
print('\nfalse incidents by the KPIs that moved (pooled over seeds):')
for (days, what), n in sorted(false_by.items()):
    print(f'  {days:4d} days  {what:24s} {n}')
PY
