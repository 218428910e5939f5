#!/usr/bin/env bash
# Configures and builds the libFuzzer targets (tests/fuzz) with clang into build-fuzz/:
# -O1 with assertions on, ASan and UBSan. Builds only the fuzz targets and what they link.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DFEDSTACK_FUZZ=ON -DFEDSTACK_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  "${launcher[@]}" > /dev/null
cmake --build build-fuzz --target fuzz_targets -j "${FEDSTACK_JOBS:-$(nproc)}"
