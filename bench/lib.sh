# Shared by the bench scripts: start `fedstack sim` and one agent on 127.0.0.1
# in a temporary directory, and stop them on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FEDSTACK="${FEDSTACK_BIN:-$ROOT/build/fedstack}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fedstack-bench-XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Reads the first line a process prints on the FIFO $1 (its ready event).
first_line() { head -n 1 "$1"; }

start_federation() {   # [agent options...]
  mkfifo "$WORK/sim.out" "$WORK/agent.out"
  "$FEDSTACK" sim --cloudlets 1 --data-dir "$WORK/sim" > "$WORK/sim.out" 2> "$WORK/sim.log" &
  PIDS+=($!)
  SIM_JSON="$(first_line "$WORK/sim.out")"
  KEYSTONE="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["keystone_url"])' "$SIM_JSON")"
  IMAGE_DIRECT="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["cloudlets"][0]["image_url"].rstrip("/"))' "$SIM_JSON")"
  # The node port is mutual TLS, as in production (the agent needs a certificate).
  local certs
  certs="$ROOT/scripts/fedstack-certs.sh"
  bash "$certs" init "$WORK/ca" > /dev/null
  bash "$certs" node "$WORK/ca" agent 127.0.0.1 cloudlet-1 > /dev/null
  "$FEDSTACK" agent --port 0 --keystone-url "$KEYSTONE/v3" --service-password secret --region cloudlet-1 \
     --node-ca "$WORK/ca/ca.crt" --node-cert "$WORK/ca/agent.crt" --node-key "$WORK/ca/agent.key" \
     --data-dir "$WORK/agent" --log-level warn "$@" > "$WORK/agent.out" 2> "$WORK/agent.log" &
  AGENT_PID=$!
  PIDS+=($AGENT_PID)
  AGENT="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["url"])' "$(first_line "$WORK/agent.out")")"
  TOKEN="$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"secret"}}},"scope":{"project":{"name":"admin","domain":{"name":"Default"}}}}}' "$AGENT/v3/auth/tokens" | awk 'tolower($1)=="x-subject-token:"{print $2}' | tr -d '\r')"
}

peak_rss_kib() { awk '/VmHWM/{print $2}' "/proc/$1/status"; }
rss_kib() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
