#!/usr/bin/env bash
# Median latency the agent adds to `GET /v2/images` (20 images, IDs translated),
# compared with calling the simulated cloudlet directly, in one interleaved run.
# usage: bench/proxy_overhead.sh [requests]   (build first: scripts/build.sh)
source "$(dirname "$0")/lib.sh"
N="${1:-2000}"
start_federation
for i in $(seq 1 20); do
  curl -s -o /dev/null -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench-$i\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}" "$AGENT/image/v2/images"
done
echo "agent idle RSS: $(rss_kib "$AGENT_PID") KiB"
echo "command: bench/proxy_overhead.sh $N"
"$ROOT/build/bench/bench_latency_compare" --token "$TOKEN" -n "$N" \
  --a "$IMAGE_DIRECT/v2/images" --b "$AGENT/image/v2/images"
echo "agent RSS after: $(rss_kib "$AGENT_PID") KiB (peak $(peak_rss_kib "$AGENT_PID") KiB)"
