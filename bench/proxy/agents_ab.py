#!/usr/bin/env python3
"""The same call through agents that differ in one thing, side by side on one
simulated cloud, alternating, with wrk: requests/s, p50, p99 and the agent's
CPU µs per request, per round.

    bench/proxy/agents_ab.py PATH CONNECTIONS ROUNDS VARIANT...

A VARIANT is NAME=WORDS: WORDS of the form KEY=VALUE set the agent's
environment, the others are agent options. For example:

    bench/proxy/agents_ab.py /image/v2/schemas/image 16 3 "one=--io-threads 1" "two=--io-threads 2"
    bench/proxy/agents_ab.py /image/v2/images 16 3 glibc= \\
        "jemalloc=LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"

/image/v2/images is the translated list (20 images are made first),
/image/v2/schemas/image is passed through."""
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import Federation, http, token  # noqa: E402
from figures import cpu_seconds  # noqa: E402


def wrk(url, tok, connections, seconds):
    out = subprocess.run(["wrk", f"-t{1 if connections == 1 else 2}", f"-c{connections}", f"-d{seconds}s",
                          "--latency", "-H", f"X-Auth-Token: {tok}", url],
                         capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50, p99 = (re.search(rf"^\s+{q}%\s+(\S+)", out, re.M).group(1) for q in (50, 99))
    return requests, rps, p50, p99


def start(fed, name, words):
    env = dict(w.split("=", 1) for w in words if re.match(r"^[A-Z_][A-Z0-9_]*=", w))
    args = [w for w in words if not re.match(r"^[A-Z_][A-Z0-9_]*=", w)]
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)   # the harness starts the agent with this process's environment
    try:
        return fed.start_agent("cloudlet-1", "agent-" + name, ("--log-level", "warn", *args))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    path, connections, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    variants = [v.split("=", 1) for v in sys.argv[4:]]
    print("command: bench/proxy/agents_ab.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]) +
          f"; load {os.getloadavg()[0]:.1f}")
    fed = Federation(cloudlets=1, build_delay_ms=0, agents=0)
    try:
        agents = {name: start(fed, name, words.split()) for name, words in variants}
        first = next(iter(agents.values()))
        tok, _ = token(first["url"])
        for i in range(20):
            status, _, body = http("POST", first["url"] + "/image/v2/images", {
                "name": f"image-{i:02d}", "disk_format": "raw", "container_format": "bare"},
                headers={"X-Auth-Token": tok})
            assert status == 201, body
        for agent in agents.values():
            wrk(agent["url"] + path, tok, connections, 1)   # warm-up
        for r in range(rounds):
            for name, agent in agents.items():
                pid = agent["process"].proc.pid
                before = cpu_seconds([pid])
                requests, rps, p50, p99 = wrk(agent["url"] + path, tok, connections, 4)
                cpu = (cpu_seconds([pid]) - before) / max(requests, 1) * 1e6
                print(f"round {r} {name:>12}: {rps:8.0f} req/s  p50 {p50:>8}  p99 {p99:>8}  "
                      f"{cpu:5.0f} µs CPU/req", flush=True)
    finally:
        fed.close()


if __name__ == "__main__":
    main()
