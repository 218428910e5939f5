#!/usr/bin/env bash
# README's second command: build and run the whole test suite (unit, actor,
# storage, HTTP and end-to-end tests with the real openstack CLI), then a short
# fuzzing run of every libFuzzer target (clang build in build-fuzz/).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
# -j 3 on 2 cores: the end-to-end suites wait on processes, polls and measuring intervals
# for much of their time (docs/testing.md, "Measured"): a third test fills those gaps.
(cd build && ctest --output-on-failure -j 3 --timeout 600)
./scripts/fuzz.sh 15
