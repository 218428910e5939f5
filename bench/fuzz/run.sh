#!/usr/bin/env bash
# The long fuzzing run (docs/faults.md, "Fuzzing"): every libFuzzer target for
# SECONDS each (default 600), one after the other. New corpus entries are kept in
# WORK/<target>/corpus (default WORK: build-fuzz/fuzz-long), so repeated runs go on
# where the last one stopped; crashing inputs land in WORK/<target>/crashes/ and the
# target is restarted for the rest of its time. Prints executions, exec/s, coverage
# and crashes per target, and the command that made them.
#   bench/fuzz/run.sh [seconds-per-target] [work-dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-600}"
work_root="${2:-build-fuzz/fuzz-long}"
./scripts/build-fuzz.sh > /dev/null
export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-14/bin/llvm-symbolizer}"

echo "command: bench/fuzz/run.sh $seconds $work_root   ($(date -u '+%F %T') UTC, load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
printf '%-16s %8s %12s %9s %7s %8s %8s %8s\n' target seconds executions exec/s cov features corpus crashes
for seeds in tests/fuzz/corpus/*/; do
  target="$(basename "$seeds")"
  work="$work_root/$target"
  mkdir -p "$work/corpus" "$work/crashes"
  start=$SECONDS runs=0 crashes=0 cov=0 ft=0
  while (( SECONDS - start < seconds )); do
    left=$(( seconds - (SECONDS - start) ))
    log="$work/run-$(date +%s).log"
    if ! "build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="$left" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/crashes/" \
        "$work/corpus" "$seeds" > "$log" 2>&1; then
      crashes=$(( crashes + 1 ))
      echo "  $target: crash, see $log" >&2
    fi
    (( crashes < 5 )) || break   # the same input again and again: look at it first
    runs=$(( runs + $(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1 | grep . || echo 0) ))
    last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
    cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")"
    ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")"
  done
  elapsed=$(( SECONDS - start ))
  printf '%-16s %8d %12d %9d %7s %8s %8d %8d\n' "$target" "$elapsed" "$runs" \
    $(( runs / (elapsed > 0 ? elapsed : 1) )) "${cov:-?}" "${ft:-?}" \
    "$(find "$work/corpus" -type f | wc -l)" "$crashes"
done
