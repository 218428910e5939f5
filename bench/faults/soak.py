#!/usr/bin/env python3
"""Sustained load: clients running create-image-and-boot-server loops for a while
against 4 agents and 4 simulated cloudlets, with no fault injected (issue 5).

    FEDSTACK_BIN=build/fedstack python3 bench/faults/soak.py [seconds=600] [clients=128]

The load is bench/thesis's native generator (bench_thesis_loadgen, Rally's
create_image_and_boot_instances), its clients spread evenly over the agents. Prints a
progress line every 30 s and, at the end: iterations, failed iterations and requests
(must be 0), and each agent's resident memory and open file descriptors at the start
(warm, before the load), at the peak and at the end (after the load, idle again).
"""
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
from harness import FEDSTACK, Federation  # noqa: E402

CLOUDLETS = 4
AGENT_ARGS = ("--shuffle-period-ms", "2000", "--capacity-period-ms", "1000")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Sampler(threading.Thread):
    """Every agent's RSS and fds every second; prints progress every 30 s."""

    def __init__(self, pids, seconds):
        super().__init__(daemon=True)
        self.pids, self.seconds = pids, seconds
        self.peak = {p: (0, 0) for p in pids}
        self.done = threading.Event()

    def run(self):
        start = time.monotonic()
        next_report = 30
        while not self.done.wait(1.0):   # a sampling period, not a wait for an event
            for p in self.pids:
                r, f = rss_kib(p), open_fds(p)
                self.peak[p] = (max(self.peak[p][0], r), max(self.peak[p][1], f))
            elapsed = time.monotonic() - start
            if elapsed >= next_report:
                next_report += 30
                rss = ", ".join(f"{rss_kib(p) // 1024}" for p in self.pids)
                fds = ", ".join(f"{open_fds(p)}" for p in self.pids)
                print(f"[{elapsed:5.0f}/{self.seconds} s] agents' RSS MiB: {rss}; fds: {fds}", flush=True)


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    loadgen = os.path.join(os.path.dirname(FEDSTACK), "bench", "bench_thesis_loadgen")
    if not os.access(loadgen, os.X_OK):
        sys.exit(f"missing {loadgen}; build it: cmake --build build --target bench_thesis_loadgen")
    print(f"command: FEDSTACK_BIN={FEDSTACK} python3 bench/faults/soak.py {seconds} {clients}")
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} at start", flush=True)
    fed = Federation(cloudlets=CLOUDLETS, build_delay_ms=200, chain=True, agent_args=AGENT_ARGS)
    try:
        pids = [a["process"].proc.pid for a in fed.agents]
        auth = ",".join(a["url"] + "/v3" for a in fed.agents)
        # Warm-up: one short run, so that "start" is a served, not a fresh, agent.
        warm = subprocess.run([loadgen, "--auth", auth, "--concurrency", str(CLOUDLETS), "--iterations",
                               str(CLOUDLETS), "--create-tenant", "1", "--label", "warm-up"],
                              capture_output=True, text=True)
        if warm.returncode != 0:
            sys.exit(f"warm-up failed: {warm.stderr[-2000:]}")
        start = {p: (rss_kib(p), open_fds(p)) for p in pids}
        sampler = Sampler(pids, seconds)
        sampler.start()
        cmd = [loadgen, "--auth", auth, "--concurrency", str(clients), "--duration-s", str(seconds),
               "--iterations", "100000000", "--create-tenant", "1", "--label", "soak",
               "--samples", os.path.join(fed.dir, "samples.csv")]
        began = time.monotonic()
        result = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.monotonic() - began
        sampler.done.set()
        sampler.join()
        if result.returncode != 0 or not result.stdout.strip():
            sys.exit(f"load generator failed ({result.returncode}): {result.stderr[-2000:]}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        end = {p: (rss_kib(p), open_fds(p)) for p in pids}
        alive = all(a["process"].proc.poll() is None for a in fed.agents)
    finally:
        fed.close()

    print(f"\n{clients} clients, {CLOUDLETS} agents, {wall:.0f} s of load")
    keys = [k for k in figures if k in ("iterations", "completed", "failed", "failed_requests", "errors")]
    for k in keys:
        print(f"  {k}: {figures[k]}")
    total = figures.get("total", {})
    if total:
        print(f"  iteration time: mean {total.get('mean', 0):.2f} s, sd {total.get('sd', 0):.2f} s")
    print(f"  agents alive at the end: {alive}")
    print("\n| agent | RSS start MiB | RSS peak MiB | RSS end MiB | fds start | fds peak | fds end |")
    print("|---|---|---|---|---|---|---|")
    for i, p in enumerate(pids, 1):
        print(f"| {i} | {start[p][0] / 1024:.1f} | {sampler.peak[p][0] / 1024:.1f} | {end[p][0] / 1024:.1f} "
              f"| {start[p][1]} | {sampler.peak[p][1]} | {end[p][1]} |")
    print("\nload generator's figures:", json.dumps(figures))


if __name__ == "__main__":
    main()
