#!/usr/bin/env bash
# README's second command: build and run the whole test suite (unit, actor,
# storage, HTTP and end-to-end tests with the real openstack CLI), then a short
# fuzzing run of every libFuzzer target (clang build in build-fuzz/).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
(cd build && ctest --output-on-failure -j 2 --timeout 600)
./scripts/fuzz.sh 15
