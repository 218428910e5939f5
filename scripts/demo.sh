#!/usr/bin/env bash
# README's first command: install dependencies, build, start the demo.
# Extra arguments go to `fedstack demo` (e.g. --cloudlets 4 --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
exec ./build/fedstack demo "$@"
