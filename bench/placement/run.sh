#!/usr/bin/env bash
# Placement benchmark: 1,000 boots over 16 cloudlets (random, two choices +
# RAM weigher, oracle) and the herding burst (128 boots, stale vs live
# probe), 100 seeds each. Prints the command and the markdown tables.
#
# usage: bench/placement/run.sh
# env:   BUILD_DIR (default: build), SEEDS (default 100)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build}"
BENCH="$BUILD/bench/bench_placement"
if [[ ! -x "$BENCH" ]]; then
  echo "missing $BENCH; build it with:" >&2
  echo "  cmake -S $ROOT -B $BUILD -G Ninja && cmake --build $BUILD --target bench_placement" >&2
  exit 1
fi
cmd=("$BENCH" --boots 1000 --clouds 16 --seeds "${SEEDS:-100}" --burst 128)
echo "\$ ${cmd[*]}"
"${cmd[@]}"
