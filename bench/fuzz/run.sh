#!/usr/bin/env bash
# Runs each libFuzzer target (bench/fuzz/fuzz_*.cpp) for SECONDS (default 60) from its seed
# corpus in bench/fuzz/corpus (the model target from models/*.fcm), two at a time. The
# targets come from the sanitizer build (scripts/sanitize.sh: clang with
# -fsanitize=fuzzer,address,undefined), built here first unless FC_FUZZ_BUILT=1. A crash,
# leak, hang or sanitizer report stops with the failing input saved as
# build/fuzz/<target>-crash-*; make it a named regression test. Prints executions and
# executions per second per target.
# usage: bash bench/fuzz/run.sh [SECONDS] [target...]   (targets: csv csv_chunks time zone model runs truth xgboost)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(csv csv_chunks time zone model runs truth xgboost)
command -v clang++ >/dev/null || { echo "fuzz: clang++ is needed (apt-get install clang)" >&2; exit 2; }
B=build/sanitize
if [ "${FC_FUZZ_BUILT:-}" != 1 ]; then
  cmake -S . -B $B -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" -DFC_SANITIZE=ON > /dev/null
  cmake --build $B -j "$(nproc)" --target $(printf 'fuzz_%s ' "${TARGETS[@]}")
fi
OUT=build/fuzz
mkdir -p "$OUT"

fuzz() {  # one target: its corpus copy, its log, its verdict
  local t=$1 bin=$B/bench/fuzz/fuzz_$1 corpus=$OUT/corpus_$1 max_len=8192
  mkdir -p "$corpus"
  if [ "$t" = model ]; then cp models/*.fcm "$corpus"/; max_len=200000; else cp bench/fuzz/corpus/"$t"/* "$corpus"/; fi
  if [ "$t" = zone ]; then  # the system's zone files as seeds too, when tzdata is installed
    for z in Europe/Berlin America/New_York Australia/Lord_Howe Asia/Tehran; do
      [ -f "/usr/share/zoneinfo/$z" ] && cp "/usr/share/zoneinfo/$z" "$corpus/${z//\//_}.tzif"
    done
  fi
  if ! "$bin" "$corpus" -max_total_time="$SECONDS_EACH" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$OUT/$t-" -print_final_stats=1 > "$OUT/$t.log" 2>&1; then
    echo "fuzz_$t FAILED: see $OUT/$t.log and $OUT/$t-crash-*" >&2
    tail -30 "$OUT/$t.log" >&2
    return 1
  fi
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/$t.log" | grep -o '[0-9]*$' || echo 0)
  echo "fuzz_$t: $runs executions in ${SECONDS_EACH} s ($((runs / SECONDS_EACH))/s), no finding"
}

status=0
pids=()
names=()
for t in "${TARGETS[@]}"; do
  fuzz "$t" &
  pids+=($!)
  names+=("$t")
  if [ ${#pids[@]} -ge 2 ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
