#!/usr/bin/env bash
# Streams one image of SIZE (default 2G) up and down through the agent and directly
# to the simulated cloudlet; prints throughputs, their ratio, and the agent's peak RSS.
# usage: bench/image_stream.sh [SIZE]   (SIZE as for `head -c`, e.g. 512M, 2G)
source "$(dirname "$0")/lib.sh"
SIZE="${1:-2G}"
start_federation
echo "command: bench/image_stream.sh $SIZE"
echo "agent RSS before: $(rss_kib "$AGENT_PID") KiB"
SIM_TOKEN="$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"secret"}}},"scope":{"project":{"name":"admin","domain":{"name":"Default"}}}}}' "$KEYSTONE/v3/auth/tokens" | awk 'tolower($1)=="x-subject-token:"{print $2}' | tr -d '\r')"

create() {   # base-url token -> image id
  curl -s -H "X-Auth-Token: $2" -H 'Content-Type: application/json' \
    -d '{"name":"stream","disk_format":"raw","container_format":"bare"}' "$1/v2/images" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
transfer() {   # label base-url token
  local id; id="$(create "$2" "$3")"
  local up down
  up="$(head -c "$SIZE" /dev/zero | curl -s -o /dev/null -w '%{speed_upload}' -T - \
        -H "X-Auth-Token: $3" -H 'Content-Type: application/octet-stream' "$2/v2/images/$id/file")"
  down="$(curl -s -o /dev/null -w '%{speed_download} %{size_download}' -H "X-Auth-Token: $3" "$2/v2/images/$id/file")"
  echo "$1 $up $down"
}
read -r _ d_up d_down d_size < <(transfer direct "$IMAGE_DIRECT" "$SIM_TOKEN")
read -r _ a_up a_down a_size < <(transfer agent "$AGENT/image" "$TOKEN")
python3 - "$d_up" "$d_down" "$a_up" "$a_down" "$d_size" "$a_size" <<'PY'
import sys
d_up, d_down, a_up, a_down, d_size, a_size = map(float, sys.argv[1:])
mb = 1024 * 1024
print(f"upload   direct {d_up/mb:8.1f} MiB/s   agent {a_up/mb:8.1f} MiB/s   ratio {a_up/d_up:.2f}")
print(f"download direct {d_down/mb:8.1f} MiB/s   agent {a_down/mb:8.1f} MiB/s   ratio {a_down/d_down:.2f}")
print(f"bytes downloaded: direct {int(d_size)}, agent {int(a_size)}")
PY
echo "agent peak RSS: $(peak_rss_kib "$AGENT_PID") KiB"
