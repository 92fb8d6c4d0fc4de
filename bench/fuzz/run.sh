#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined) and runs each
# for SECONDS (default 60) from its seed corpus in bench/fuzz/corpus (the model target from
# models/*.fcm). A crash, leak, hang or sanitizer report stops with the failing input saved
# as build/fuzz/<target>-crash-*; make it a named regression test. Prints executions and
# executions per second per target.
# usage: bash bench/fuzz/run.sh [SECONDS] [target...]   (targets: csv time model runs truth xgboost)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(csv time model runs truth xgboost)
command -v clang++ >/dev/null || { echo "fuzz: clang++ is needed (apt-get install clang)" >&2; exit 2; }
OUT=build/fuzz
OBJ=$OUT/obj
mkdir -p "$OBJ"
FLAGS=(-std=c++17 -g -O1 -fno-omit-frame-pointer -Icore/include -isystem /usr/include/eigen3 -DFC_VERSION='"fuzz"')

# The core once, instrumented for coverage and the sanitizers (rebuilt when a source or any
# header is newer than its object).
objs=()
pids=()
for src in core/src/*/*.cpp; do
  o=$OBJ/$(echo "${src#core/src/}" | tr / _).o
  objs+=("$o")
  if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find core/include -newer "$o" -name '*.hpp' -print -quit)" ]; then
    clang++ "${FLAGS[@]}" -fsanitize=fuzzer-no-link,address,undefined -c "$src" -o "$o" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$(nproc)" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

status=0
for t in "${TARGETS[@]}"; do
  bin=$OUT/fuzz_$t
  clang++ "${FLAGS[@]}" -fsanitize=fuzzer,address,undefined "bench/fuzz/fuzz_$t.cpp" "${objs[@]}" -o "$bin"
  corpus=$OUT/corpus_$t
  mkdir -p "$corpus"
  if [ "$t" = model ]; then cp models/*.fcm "$corpus"/; max_len=200000; else cp bench/fuzz/corpus/"$t"/* "$corpus"/; max_len=8192; fi
  echo "== fuzz_$t: ${SECONDS_EACH} s"
  if ! "$bin" "$corpus" -max_total_time="$SECONDS_EACH" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$OUT/$t-" -print_final_stats=1 > "$OUT/$t.log" 2>&1; then
    echo "fuzz_$t FAILED: see $OUT/$t.log and $OUT/$t-crash-*" >&2
    tail -30 "$OUT/$t.log" >&2
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/$t.log" | grep -o '[0-9]*$' || echo 0)
  echo "fuzz_$t: $runs executions in ${SECONDS_EACH} s ($((runs / SECONDS_EACH))/s)"
done
exit $status
