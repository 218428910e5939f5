#!/usr/bin/env python3
"""One agent thread or two: the same call through two agents on one simulated
cloud, `--io-threads 1` and `--io-threads 2`, alternating, with wrk.

    bench/proxy/io_threads.py [PATH] [CONNECTIONS] [ROUNDS]

PATH defaults to /image/v2/schemas/image (passed through); /image/v2/images
is the translated list (20 images are made first). Prints req/s, p50 and p99
per round and the command that made them."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from harness import Federation, http, token  # noqa: E402


def wrk(url, tok, connections, seconds):
    out = subprocess.run(["wrk", f"-t{1 if connections == 1 else 2}", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-H", f"X-Auth-Token: {tok}", url], capture_output=True, text=True,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50, p99 = (re.search(rf"^\s+{q}%\s+(\S+)", out, re.M).group(1) for q in (50, 99))
    return rps, p50, p99


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/image/v2/schemas/image"
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print(f"command: {' '.join(['bench/proxy/io_threads.py', path, str(connections), str(rounds)])}; "
          f"load {os.getloadavg()[0]:.1f}")
    fed = Federation(cloudlets=1, build_delay_ms=0, agents=0)
    try:
        agents = {n: fed.start_agent("cloudlet-1", f"agent-{n}", ("--log-level", "warn", "--io-threads", str(n)))
                  for n in (1, 2)}
        tok, _ = token(agents[1]["url"])
        for i in range(20):
            status, _, body = http("POST", agents[1]["url"] + "/image/v2/images", {
                "name": f"image-{i:02d}", "disk_format": "raw", "container_format": "bare"},
                headers={"X-Auth-Token": tok})
            assert status == 201, body
        for n, agent in agents.items():
            wrk(agent["url"] + path, tok, connections, 1)   # warm-up
        for r in range(rounds):
            for n, agent in agents.items():
                rps, p50, p99 = wrk(agent["url"] + path, tok, connections, 4)
                print(f"round {r} --io-threads {n}: {rps:8.0f} req/s  p50 {p50:>8}  p99 {p99:>8}", flush=True)
    finally:
        fed.close()


if __name__ == "__main__":
    main()
