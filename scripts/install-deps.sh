#!/usr/bin/env bash
# Installs everything fedstack needs to build, test and run its demo, from
# Debian 12's own packages. Idempotent; needs root (or sudo).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libcaf-dev libboost1.74-dev liblmdb-dev lmdb-utils nlohmann-json3-dev libspdlog-dev
  libjemalloc-dev   # the fedstack binary's malloc (docs/decisions.md, "jemalloc for the agent")
  libgtest-dev libssl-dev
  clang libclang-rt-14-dev   # libFuzzer, ASan and UBSan for tests/fuzz (scripts/fuzz.sh)
  python3 python3-openstackclient curl ca-certificates openssl
  iproute2 iptables   # bench/partition: network namespaces and DROP rules
  dpkg-dev systemd   # the .deb: dpkg-shlibdeps for Depends, systemd-analyze verify for the unit
  chromium   # headless, for the status page's end-to-end test
  wrk nginx gnuplot-nox   # bench/run (CI runs its quick mode): load, the reference proxy, plots
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
