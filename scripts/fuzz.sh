#!/usr/bin/env bash
# CI's short fuzzing run (docs/faults.md, "Fuzzing"): builds the libFuzzer targets with
# clang (scripts/build-fuzz.sh), runs each over its seed corpus tests/fuzz/corpus/<target>/
# and then fuzzes it for SECONDS (default 15). Fails on any crash, sanitizer report or
# broken invariant; the input that caused it is left in build-fuzz/fuzz-short/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
./scripts/build-fuzz.sh
export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-14/bin/llvm-symbolizer}"
for seeds in tests/fuzz/corpus/*/; do
  target="$(basename "$seeds")"
  work="build-fuzz/fuzz-short/$target"
  rm -rf "$work" && mkdir -p "$work/corpus"
  # New corpus entries go to the first directory, never into the seeds.
  if ! "build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/" \
      "$work/corpus" "$seeds" > "$work/log" 2>&1; then
    tail -n 40 "$work/log"
    echo "fuzz: $target failed; its input is in $work/" >&2
    exit 1
  fi
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")"
  echo "fuzz: $target: $runs executions in ${seconds}s, no crash"
done
