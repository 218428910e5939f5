#!/usr/bin/env python3
"""An agent killed with SIGKILL at random moments of a create-heavy load, 20 times.

    FEDSTACK_BIN=build/fedstack python3 bench/faults/kill_loop.py [kills] [clients] [seed]

Starts `fedstack sim` (2 cloudlets, 150 ms added latency so that creates are in flight
most of the time) and 2 agents on 127.0.0.1. `clients` threads create images through
agent 1 without pause; agent 1 is killed at a random moment every 0.3-1.5 s and started
again on the same data directory. Afterwards it waits until the sweeps have settled and
reconciles every image on both clouds with the registries:

- every create the client saw answered 201 resolves through both agents (records lost: 0);
- every marked image on a cloud resolves to its own global ID (unreconciled: 0), i.e. it was
  bound, adopted by the reservation sweep, or deleted by the orphan sweep;
- no global ID names two images (duplicates: 0), and the agent restarted every time (LMDB
  opened).
"""
import collections
import json
import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
from harness import Federation, http, token  # noqa: E402

AGENT_ARGS = ("--shuffle-period-ms", "300", "--capacity-period-ms", "200",
              "--reservation-timeout-ms", "2000", "--reservation-sweep-ms", "500",
              "--orphan-sweep-ms", "1000", "--upstream-timeout-ms", "5000")


class Load:
    """Clients creating images through whatever URL agent 1 has now."""

    def __init__(self, clients, tok):
        self.url = None
        self.tok = tok
        self.stop = threading.Event()
        self.outcomes = collections.Counter()
        self.confirmed = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(clients)]

    def run(self, client):
        n = 0
        while not self.stop.is_set():
            n += 1
            body = {"name": f"kill-{client}-{n}", "disk_format": "raw", "container_format": "bare"}
            try:
                status, _, raw = http("POST", self.url + "/v2/images", body,
                                      headers={"X-Auth-Token": self.tok}, timeout=20)
            except OSError as e:
                refused = isinstance(getattr(e, "reason", e), ConnectionRefusedError)
                with self.lock:
                    self.outcomes["refused (agent restarting)" if refused else "cut by a kill (no answer)"] += 1
                if refused:
                    time.sleep(0.05)   # the agent is restarting
                continue
            with self.lock:
                if status == 201:
                    self.outcomes["answered 201"] += 1
                    self.confirmed.append(json.loads(raw)["id"])
                else:
                    self.outcomes[f"answered {status}"] += 1


def cloud_images(fed, tok):
    """Every image on every cloudlet, straight from Glance: (region, image)."""
    out = []
    for c in fed.endpoints["cloudlets"]:
        path = "/v2/images?limit=500"
        while path:
            status, _, raw = http("GET", c["image_url"] + path, headers={"X-Auth-Token": tok})
            assert status == 200, raw
            doc = json.loads(raw)
            out += [(c["region"], i) for i in doc["images"]]
            path = doc.get("next")
    return out


def resolves(url, tok, gid):
    status, _, raw = http("GET", url + "/v2/images/" + gid, headers={"X-Auth-Token": tok})
    return status == 200 and json.loads(raw)["id"] == gid


def count_log(fed, pattern):
    n = 0
    for name in ("agent-1.log", "agent-2.log"):
        with open(os.path.join(fed.dir, name), encoding="utf-8", errors="replace") as f:
            n += sum(1 for line in f if re.search(pattern, line))
    return n


def main():
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else int(time.time())
    rng = random.Random(seed)
    fed = Federation(cloudlets=2, chain=True, build_delay_ms=100, agent_args=AGENT_ARGS)
    try:
        for region in ("cloudlet-1", "cloudlet-2"):
            http("PUT", fed.keystone_url + "/sim/faults/" + region, {"latency_ms": 150})
        tok, _ = token(fed.keystone_url)
        load = Load(clients, tok)
        load.url = fed.agents[0]["url"]
        for t in load.threads:
            t.start()
        restarts = []
        for k in range(kills):
            time.sleep(rng.uniform(0.3, 1.5))
            victim = fed.agents[0]
            victim["process"].proc.kill()
            victim["process"].proc.wait()
            fed.processes.remove(victim["process"])
            started = time.monotonic()
            fed.agents[0] = fed.start_agent("cloudlet-1", "agent-1", AGENT_ARGS)
            restarts.append(time.monotonic() - started)
            load.url = fed.agents[0]["url"]
            print(f"kill {k + 1}/{kills}: restarted in {restarts[-1]:.2f} s; "
                  f"{sum(load.outcomes.values())} creates so far", file=sys.stderr, flush=True)
        load.stop.set()
        for t in load.threads:
            t.join()
        for region in ("cloudlet-1", "cloudlet-2"):
            http("DELETE", fed.keystone_url + "/sim/faults/" + region)

        # Settled: every marked image on a cloud resolves to its own global ID, or is gone.
        urls = [a["url"] for a in fed.agents]
        deadline = time.monotonic() + 120
        while True:
            images = cloud_images(fed, tok)
            marked = [(r, i) for r, i in images if i.get("fedstack_gid")]
            pending = [i for _, i in marked if not resolves(urls[0], tok, i["fedstack_gid"])]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(0.5)   # a sweep period; the sweeps are what is awaited

        gids = collections.Counter(i["fedstack_gid"] for _, i in marked)
        lost = [g for g in load.confirmed if not all(resolves(u, tok, g) for u in urls)]
        listed = []
        path = "/v2/images?limit=1000"
        while path:
            status, _, raw = http("GET", urls[1] + path, headers={"X-Auth-Token": tok})
            doc = json.loads(raw)
            listed += [i["id"] for i in doc["images"]]
            path = doc.get("next", "").replace(urls[1], "") if doc.get("next") else None
        adopted = count_log(fed, r"reservation sweep: adopting")
        rows = [
            ("kills (SIGKILL) / restarts with LMDB opened", f"{kills} / {len(restarts)}"),
            ("restart to ready, median / max (s)",
             f"{sorted(restarts)[len(restarts) // 2]:.2f} / {max(restarts):.2f}"),
            *[(f"creates {k}", v) for k, v in sorted(load.outcomes.items())],
            ("marked images on the clouds after settling", len(marked)),
            ("  of which confirmed to a client", len(set(load.confirmed))),
            ("adopted by the reservation sweep (log)", adopted),
            ("  bound, but the answer died with the agent", len(marked) - len(set(load.confirmed)) - adopted),
            ("reservations dropped (log)", count_log(fed, r"reservation sweep: dropping")),
            ("orphans deleted by the orphan sweep (log)", count_log(fed, r"orphan sweep: deleting")),
            ("records lost (confirmed, not resolvable)", len(lost)),
            ("unreconciled marked images", len(pending)),
            ("global IDs naming two images", sum(1 for n in gids.values() if n > 1)),
            ("global IDs listed twice through agent 2", len(listed) - len(set(listed))),
        ]
        print(f"\n`FEDSTACK_BIN=build/fedstack python3 bench/faults/kill_loop.py {kills} {clients} {seed}`\n")
        print("| | |\n|---|---|")
        for name, value in rows:
            print(f"| {name} | {value} |")
        failed = lost or pending or any(n > 1 for n in gids.values()) or len(listed) != len(set(listed))
        return 1 if failed else 0
    finally:
        fed.close()


if __name__ == "__main__":
    sys.exit(main())
