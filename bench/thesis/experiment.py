#!/usr/bin/env python3
"""The thesis' experiment (chapter 4 of ../shared/seed/thesis-scaling-openstack-p2p.txt) on
`fedstack sim`: "create an image and boot a server" against

  p2p:      N simulated cloudlets (one hypervisor each), one agent per cloudlet, users spread
            evenly over the agents (user i talks to agent i mod N);
  standard: one simulated cloud with 16 hypervisors and one controller, every user on it.

Each simulated controller (the Glance, Nova and Neutron of a cloudlet) gets a capacity cap
through the sim's fault injection: at most MAX_CONCURRENT requests in service, each held
LATENCY_MS; the rest queue. Keystone is not capped (the thesis gave it a large node).

Writes results.json, tables.md and the gnuplot data files into OUT; run.sh plots them.
usage: experiment.py --mode quick|full --out DIR [--fedstack BIN] [--loadgen BIN]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import harness  # noqa: E402  (process plumbing shared with the integration tests)
import thesis_tables  # noqa: E402

# The capacity model, in the sim's time (about 1/4 of the thesis' seconds at concurrency 1).
# One iteration holds a controller slot for about 12 requests x 75 ms, so a controller
# completes at most about 2 / 0.9 s = 2.2 iterations/s and, with 1.6 s per iteration alone,
# saturates near concurrency 3.5 (the thesis' standard cloud: total time / concurrency-1
# time reaches concurrency / 3.2 at 16 and above, table 4.4).
MODEL = {
    "latency_ms": 75,        # service time of every Glance/Nova/Neutron request
    "max_concurrent": 2,     # requests a controller serves at once; the rest wait
    "build_delay_ms": 1000,  # BUILD -> ACTIVE on a hypervisor (compute nodes never queue)
    "poll_ms": 200,          # the users' status polls (Rally: 1 s)
}
# Rally's defaults (glance_image_create_timeout 120 s, nova_server_boot_timeout 300 s)
# on the same time scale.
TIMEOUTS = {"image_timeout_ms": 30_000, "boot_timeout_ms": 75_000, "request_timeout_ms": 75_000}
# Gossip and capacity reports a little faster than the thesis' T = 30 s, c = 4, l = 2,
# matching the compressed time; the agents log warnings only.
AGENT_ARGS = ("--shuffle-period-ms", "3000", "--capacity-period-ms", "1000", "--cache-size", "4",
              "--shuffle-length", "2", "--log-level", "warn")

MODES = {
    # CI smoke test: every part runs once, small (about a minute).
    "quick": {"levels": [1, 8], "cloudlets": 4, "sizes": [1, 4], "size_concurrency": 8,
              "iterations": lambda c: 2 * c, "views_wait_s": 10},
    # The thesis: concurrency 1..128 on 16 cloudlets; 16 users on 1..16 cloudlets. The thesis
    # ran 25 x concurrency iterations per level (its margins of error fit n = 25 c); we cap
    # that at 200 (but at least two per user) so a saturated standard cloud finishes in minutes.
    "full": {"levels": [1, 2, 4, 8, 16, 32, 64, 128], "cloudlets": 16, "sizes": [1, 2, 4, 8, 16],
             "size_concurrency": 16, "iterations": lambda c: max(min(25 * c, 200), 2 * c)},
    # Where the servers land (the thesis' figure 4.9: concurrency 16, 32, 64) and how busy
    # the controllers are; the standard cloud at 16 only, for comparison.
    "placement": {"levels": [16, 32, 64, 128], "cloudlets": 16, "sizes": [], "size_concurrency": 16,
                  "iterations": lambda c: max(min(25 * c, 200), 2 * c), "standard_levels": [16]},
}

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU of a process from /proc/<pid>/stat (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Testbed:
    """A sim and its agents, with every controller capped."""

    def __init__(self, kind, cloudlets, hypervisors, views_wait_s=30):
        self.kind, self.cloudlets, self.hypervisors = kind, cloudlets, hypervisors
        agents = cloudlets if kind == "p2p" else 0
        self.fed = harness.Federation(
            cloudlets=cloudlets, build_delay_ms=MODEL["build_delay_ms"], agent_args=AGENT_ARGS,
            sim_args=("--hypervisors", str(hypervisors)), chain=True, agents=agents)
        root = self.fed.keystone_url.rstrip("/").removesuffix("/v3")
        self.faults_url = f"{root}/sim/faults"
        for i in range(1, cloudlets + 1):
            status, _, body = harness.http("PUT", f"{root}/sim/faults/cloudlet-{i}", {
                "latency_ms": MODEL["latency_ms"], "max_concurrent": MODEL["max_concurrent"]})
            assert status == 200, (status, body)
        if agents:
            self.auth = [a["url"] + "/v3" for a in self.fed.agents]
        else:
            self.auth = [self.fed.endpoints["auth_url"]]
        self.converged_s = self.wait_for_views(views_wait_s) if agents > 1 else 0.0
        self.background = self.idle_cpu_per_s() if agents else 0.0

    def idle_cpu_per_s(self, seconds=3.0):
        """The agents' CPU without load (gossip, heartbeats, capacity polls), all agents."""
        pids = self.pids()["agents"]
        before, start = sum(cpu_seconds(p) for p in pids), time.monotonic()
        time.sleep(seconds)   # a measuring interval, not a wait for an event
        return (sum(cpu_seconds(p) for p in pids) - before) / (time.monotonic() - start)

    def wait_for_views(self, limit_s=30):
        """Until every agent has, at some read, known all but one of the peers its cache can
        hold, with capacity reports (the scheduler's input). CYCLON caches on few nodes are
        rarely all full at the same moment, so each agent only has to get there once. Gives
        up after limit_s and runs anyway (the run prints how long it waited)."""
        want = max(1, min(4, self.cloudlets - 1) - 1)
        ready = set()
        start = time.monotonic()
        while len(ready) < len(self.fed.agents) and time.monotonic() - start < limit_s:
            for a in self.fed.agents:
                if a["node"] not in ready:
                    view = harness.members(a["node"]) or []
                    if sum(1 for m in view if m.get("capacity")) >= want:
                        ready.add(a["node"])
            time.sleep(0.5)   # polled: views fill on gossip rounds, not on an event we see
        return time.monotonic() - start

    def pids(self):
        return {"agents": [a["process"].proc.pid for a in self.fed.agents],
                "sim": [self.fed.sim.proc.pid]}

    def close(self):
        self.fed.close()


class SlotSampler(threading.Thread):
    """Reads every controller's requests in service (GET /sim/faults) every 100 ms while a
    level runs: how busy the capped controllers were, and how often one was full."""

    def __init__(self, faults_url):
        super().__init__(daemon=True)
        self.url, self.samples, self.done = faults_url, [], threading.Event()

    def run(self):
        while not self.done.wait(0.1):   # a sampling period, not a wait for an event
            status, _, body = harness.http("GET", self.url, timeout=5)
            if status == 200:
                self.samples.append({k: v["in_flight"] for k, v in json.loads(body)["faults"].items()})

    def summary(self):
        """Mean share of slots in use over all controllers; share of samples in which the
        busiest controller had every slot taken (requests then queue)."""
        if not self.samples:
            return {}
        cap = MODEL["max_concurrent"]
        used = [v / cap for s in self.samples for v in s.values()]
        full = [max(s.values()) >= cap for s in self.samples]
        return {"slots_busy": sum(used) / len(used), "some_controller_full": sum(full) / len(full),
                "slot_samples": len(self.samples)}


def run_level(bed, loadgen, concurrency, iterations, label, out_dir):
    pids = bed.pids()
    before = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
    load_before = os.getloadavg()[0]
    cmd = [loadgen, "--auth", ",".join(bed.auth), "--concurrency", str(concurrency),
           "--iterations", str(iterations), "--poll-ms", str(MODEL["poll_ms"]),
           "--image-timeout-ms", str(TIMEOUTS["image_timeout_ms"]),
           "--boot-timeout-ms", str(TIMEOUTS["boot_timeout_ms"]),
           "--request-timeout-ms", str(TIMEOUTS["request_timeout_ms"]),
           "--create-tenant", "1", "--label", label,
           "--samples", os.path.join(out_dir, f"samples_{label}.csv")]
    sampler = SlotSampler(bed.faults_url)
    sampler.start()
    result = subprocess.run(cmd, capture_output=True, text=True)
    after = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
    sampler.done.set()
    sampler.join()
    row = {"label": label, "testbed": bed.kind, "cloudlets": bed.cloudlets, "concurrency": concurrency,
           "iterations": iterations, "command": " ".join(cmd), "exit": result.returncode,
           "load_before": load_before, "load_after": os.getloadavg()[0]}
    if result.returncode != 0 or not result.stdout.strip():
        row["error"] = result.stderr.strip()[-2000:]
        return row
    row.update(json.loads(result.stdout.strip().splitlines()[-1]))
    row["agents_cpu_s"] = after["agents"] - before["agents"]
    row["agents_background_cpu_per_s"] = bed.background
    row.update(sampler.summary())
    row["sim_cpu_s"] = after["sim"] - before["sim"]
    return row


def describe(row):
    if "error" in row:
        return f"{row['label']}: FAILED ({row['exit']}): {row['error'][-300:]}"
    return (f"{row['label']}: c={row['concurrency']} n={row['iterations']} ok={row['completed']} "
            f"create {row['create_image']['mean']:.3f}s boot {row['boot']['mean']:.3f}s "
            f"total {row['total']['mean']:.3f}s fail {100 * row['failure_rate']:.1f}% "
            f"wall {row['wall_s']:.1f}s cpu: loadgen {row['loadgen_cpu_s']:.2f}s "
            f"agents {row['agents_cpu_s']:.2f}s sim {row['sim_cpu_s']:.2f}s load {row['load_after']:.1f} "
            f"slots busy {100 * row.get('slots_busy', 0):.0f}% a controller full "
            f"{100 * row.get('some_controller_full', 0):.0f}% of the time"
            + (f" failures {row['failures']}" if row["failures"] else ""))


def main():
    # SIGTERM (and SIGINT, which a background shell ignores) end the run through the
    # finally blocks, so that no sim or agent is left behind.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(130))
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=MODES, default="quick")
    parser.add_argument("--out", required=True)
    parser.add_argument("--loadgen", default=os.path.join(ROOT, "build", "bench", "bench_thesis_loadgen"))
    args = parser.parse_args()
    mode = MODES[args.mode]
    os.makedirs(args.out, exist_ok=True)
    rows, started = [], time.time()

    def scenario(kind, cloudlets, hypervisors, levels, tag):
        bed = Testbed(kind, cloudlets, hypervisors, mode.get("views_wait_s", 30))
        try:
            print(f"# {kind}: {cloudlets} cloudlet(s) x {hypervisors} hypervisor(s), agents' views "
                  f"ready after {bed.converged_s:.1f}s, agents' idle CPU {bed.background * 1000:.0f} ms/s",
                  flush=True)
            for c in levels:
                row = run_level(bed, args.loadgen, c, mode["iterations"](c), f"{tag}_c{c}", args.out)
                row["scenario"] = tag
                rows.append(row)
                print(describe(row), flush=True)
        finally:
            bed.close()

    n = mode["cloudlets"]
    # Scenario one: concurrency rises, the system size is fixed.
    scenario("p2p", n, 1, mode["levels"], f"p2p{n}")
    scenario("standard", 1, n, mode.get("standard_levels", mode["levels"]), "standard")
    # Scenario two: fixed concurrency, 1..N cloudlets (N itself is scenario one's row).
    c2 = mode["size_concurrency"]
    for size in mode["sizes"]:
        if size == n and c2 in mode["levels"]:
            row = dict(next(r for r in rows if r["label"] == f"p2p{n}_c{c2}"))
            row["scenario"] = f"size{size}"
            rows.append(row)
            continue
        scenario("p2p", size, 1, [c2], f"size{size}")

    meta = {"mode": args.mode, "model": MODEL, "timeouts": TIMEOUTS, "agent_args": AGENT_ARGS,
            "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)),
            "duration_s": time.time() - started, "nproc": os.cpu_count(),
            "command": " ".join([sys.executable, *sys.argv])}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
    thesis_tables.write(args.out, meta, rows, mode)
    return 0 if all("error" not in r and r["exit"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
