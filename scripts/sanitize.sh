#!/usr/bin/env bash
# The core and CLI tests under AddressSanitizer and UndefinedBehaviorSanitizer, then each
# libFuzzer target for a while: one clang build at -O1 in its own folder (build/sanitize)
# whose core objects serve both (CMakeLists.txt: FC_SANITIZE with clang adds the fuzzers'
# coverage). Undefined behaviour, a leak or a memory error fails the run.
# usage: bash scripts/sanitize.sh [FUZZ_SECONDS]   (default 30 per target; 0 = no fuzzing)
# scripts/test.sh runs it; bench/fuzz/run.sh fuzzes longer from the same build.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${1:-${FC_FUZZ_SECONDS:-30}}
JOBS=${JOBS:-$(nproc)}
FC_T0=${FC_T0:-$(date +%s)}
step() { printf '\n== %s (at %d s)\n' "$*" "$(( $(date +%s) - FC_T0 ))"; }
# clang and its sanitizer and fuzzer runtimes (Debian), installed here when missing: the
# test command does not need them.
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "== installing clang and libclang-rt-dev"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-dev
fi

step "sanitizer build (build/sanitize: clang -O1, address + undefined + fuzzer coverage)"
cmake -S . -B build/sanitize -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" -DFC_SANITIZE=ON > /dev/null
cmake --build build/sanitize -j "$JOBS"

step "core tests under ASan + UBSan (build/sanitize/tests/core/fc_core_tests, $JOBS shards)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The test binary in JOBS shards, not ctest's process per test: a suite's set-up (the CLI
# tests train a model first) then runs once per shard, not once per test (15 s each under
# the sanitizers).
pids=()
for ((i = 0; i < JOBS; ++i)); do
  GTEST_TOTAL_SHARDS=$JOBS GTEST_SHARD_INDEX=$i build/sanitize/tests/core/fc_core_tests --gtest_brief=1 \
    > "build/sanitize/shard-$i.log" 2>&1 &
  pids+=($!)
done
status=0
for ((i = 0; i < JOBS; ++i)); do
  if ! wait "${pids[$i]}"; then
    status=1
    echo "shard $i FAILED (build/sanitize/shard-$i.log):" >&2
    grep -E "FAILED|ERROR: AddressSanitizer|runtime error|SUMMARY" "build/sanitize/shard-$i.log" | head -40 >&2 || tail -40 "build/sanitize/shard-$i.log" >&2
  fi
done
[ $status -eq 0 ] || exit 1
# A few tests run a share of their heavy loops here, or are left to the release suite
# (tests/core/test_support.hpp, kSanitized): say how many were skipped.
skipped=$(cat build/sanitize/shard-*.log | grep -o '^\[  SKIPPED \] [0-9]* test' | grep -o '[0-9]*' | awk '{s += $1} END {print s + 0}')
echo "every core test passed under ASan + UBSan ($skipped left to the release suite: see test_support.hpp, kSanitized)"

if [ "$FUZZ_SECONDS" -gt 0 ]; then
  step "fuzzing, ${FUZZ_SECONDS} s per target"
  FC_FUZZ_BUILT=1 bash bench/fuzz/run.sh "$FUZZ_SECONDS"
fi
