#!/usr/bin/env bash
# The thesis' experiment (chapter 4) on fedstack sim: "create an image and boot a
# server" against N cloudlets with one agent each and against one standard cloud
# with 16 hypervisors, every controller capped (experiment.py has the model).
# Writes tables.md, results.json, per-iteration samples and PNG plots into OUTDIR,
# prints the tables and the commands. Exits 0 when every run completed (slow or
# failing iterations are figures, not errors).
#
# usage: bench/thesis/run.sh [--quick|--full] OUTDIR
#        --quick: 4 cloudlets, concurrency 1 and 8 (about a minute; CI smoke test)
#        --full:  16 cloudlets, concurrency 1..128, 1..16 cloudlets at 16 (about 25 minutes)
# env:   BUILD_DIR (default: build), FEDSTACK_BIN (default: $BUILD_DIR/fedstack)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MODE=quick
case "${1:-}" in
  --quick) MODE=quick; shift ;;
  --full) MODE=full; shift ;;
esac
if [[ $# -ne 1 ]]; then
  sed -n '2,13p' "$0" >&2
  exit 2
fi
OUT="$1"
BUILD="${BUILD_DIR:-$ROOT/build}"
export FEDSTACK_BIN="${FEDSTACK_BIN:-$BUILD/fedstack}"
LOADGEN="$BUILD/bench/bench_thesis_loadgen"
for bin in "$FEDSTACK_BIN" "$LOADGEN"; do
  if [[ ! -x "$bin" ]]; then
    echo "missing $bin; build it with: cmake --build $BUILD --target fedstack bench_thesis_loadgen" >&2
    exit 1
  fi
done
mkdir -p "$OUT"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo); load $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
cmd=(python3 "$ROOT/bench/thesis/experiment.py" --mode "$MODE" --out "$OUT" --loadgen "$LOADGEN")
echo "\$ FEDSTACK_BIN=$FEDSTACK_BIN ${cmd[*]}"
"${cmd[@]}" || status=$?

if [[ -f "$OUT/scenario1.dat" ]]; then
  if command -v gnuplot >/dev/null; then
    cmd=(gnuplot -e "data='$OUT'; img='$OUT'" "$ROOT/bench/thesis/plot.gp")
    echo "\$ ${cmd[*]}"
    "${cmd[@]}" || status=$?
  else
    echo "gnuplot not installed (Debian: gnuplot-nox); no plots" >&2
  fi
  echo
  cat "$OUT/tables.md"
fi
echo
echo "results: $OUT (tables.md, results.json, samples_*.csv, thesis_*.png); exit $status"
exit "$status"
