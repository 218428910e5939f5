#!/usr/bin/env bash
# CYCLON at scale: runs bench_cyclon (the real membership actor, N nodes in
# one process on a virtual clock) for N = 1,000 and 10,000 with c=4,l=2 (the
# thesis) and c=20,l=8, prints the tables, and plots the in-degree
# distribution and the dead links per cycle after 50% of the nodes die.
#
# usage: bench/cyclon/run.sh            (all four runs, ~2 minutes on 2 cores)
#        QUICK=1 bench/cyclon/run.sh    (N = 1,000 only)
# env:   BUILD_DIR (default: build), OUT (data files), IMG_DIR (PNGs,
#        default docs/img), SEED (default 1)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build}"
BENCH="$BUILD/bench/bench_cyclon"
OUT="${OUT:-$BUILD/bench/cyclon}"
IMG_DIR="${IMG_DIR:-$ROOT/docs/img}"
SEED="${SEED:-1}"
if [[ ! -x "$BENCH" ]]; then
  echo "missing $BENCH; build it with:" >&2
  echo "  cmake -S $ROOT -B $BUILD -G Ninja && cmake --build $BUILD --target bench_cyclon" >&2
  exit 1
fi
mkdir -p "$OUT" "$IMG_DIR"

SIZES=(1000 10000)
[[ "${QUICK:-0}" == 1 ]] && SIZES=(1000)
for n in "${SIZES[@]}"; do
  # All-pairs BFS at 1,000 nodes; 1,000 sampled sources at 10,000.
  sources=0
  (( n > 1000 )) && sources=1000
  for cl in "4 2" "20 8"; do
    set -- $cl
    cmd=("$BENCH" --nodes "$n" --cache "$1" --shuffle "$2" --cycles 200 --after 100
         --kill 0.5 --steps 100 --seed "$SEED" --bfs-sources "$sources" --out "$OUT")
    echo "\$ ${cmd[*]}"
    "${cmd[@]}"
    echo
  done
done

# gnuplot only serves this bench; Debian's gnuplot-nox has no X dependencies.
if ! command -v gnuplot >/dev/null; then
  echo "installing gnuplot-nox for the plots" >&2
  if [[ $(id -u) == 0 ]]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null
  fi
fi
N_PLOT="${SIZES[-1]}"
cmd=(gnuplot -e "data='$OUT'; img='$IMG_DIR'; n=$N_PLOT" "$ROOT/bench/cyclon/plot.gp")
echo "\$ ${cmd[*]}"
"${cmd[@]}"
echo "plots: $IMG_DIR/cyclon_indegree.png $IMG_DIR/cyclon_deadlinks.png"
