#!/usr/bin/env python3
"""Herding through real agents: a burst of concurrent boots through N agents in
front of N simulated cloudlets of equal capacity, placed with capacity as
gossip reported it (neighbours asked every 30 s, the thesis' period) or with
the two finalists probed live at decision time (each agent reads its own
cloudlet every 100 ms). Prints how many boots of the burst each cloudlet got.

    FEDSTACK_BIN=build/fedstack python3 bench/federation/herding.py [agents] [boots]

Four runs, each on a fresh federation: the thesis' chain (two random choices,
RAM weigher) and the RAM weigher alone over every cloudlet (the image weigher
is left out: it would send every boot to the image's cloudlet), each with and
without --live-probe. Every agent knows every cloudlet (cache size N). Before the burst the cloudlets
get 0, 1, 2, 3, 0, ... servers of 8 GiB (pinned by zone), and the burst starts
once every agent's reports show that load."""
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
from harness import FEDSTACK, Federation, flavor_id, http, token  # noqa: E402


def capacity_reports(node):
    result = subprocess.run([FEDSTACK, "capacity", "--node", node, "--json", "--timeout-ms", "2000"],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        return {}
    return {r["region"]: r for r in json.loads(result.stdout)["reports"]}


def preload_of(region):
    """Large servers booted before the burst: 0, 1, 2, 3, 0, 1, ... by cloudlet."""
    return (int(region.rsplit("-", 1)[1]) - 1) % 4


def run(agents, boots, chain, probe):
    args = ["--cache-size", str(agents), "--shuffle-length", str(min(4, agents - 1)), "--shuffle-period-ms", "200",
            "--capacity-period-ms", "100", "--neighbour-capacity-period-ms", "30000",
            "--io-threads", "1",
            # RAM alone weighs: an image weigher would send every boot to the image's cloudlet.
            "--server-weighers", "ram:1.0"]
    if chain == "ram only":
        args += ["--server-filters", "resource"]
    if probe:
        args += ["--live-probe"]
    fed = Federation(cloudlets=agents, chain=True, agent_args=tuple(args),
                     sim_args=("--hypervisors", "2", "--hypervisor-ram-mb", "32768",
                               "--hypervisor-vcpus", "64", "--hypervisor-disk-gb", "2000"))
    try:
        first = fed.agents[0]["url"]
        tok, _ = token(first)
        h = {"X-Auth-Token": tok}
        _, _, body = http("POST", first + "/v2.0/networks", {"network": {"name": "burst"}}, headers=h)
        net = json.loads(body)["network"]["id"]
        http("POST", first + "/v2.0/subnets", {"subnet": {"network_id": net, "cidr": "10.64.0.0/16",
                                                         "ip_version": 4}}, headers=h)
        _, _, body = http("POST", first + "/v2/images", {"name": "burst", "disk_format": "raw",
                                                       "container_format": "bare"}, headers=h)
        image = json.loads(body)["id"]
        http("PUT", first + f"/v2/images/{image}/file", raw=b"x" * 65536,
             headers={**h, "Content-Type": "application/octet-stream"})
        # Unequal load before the burst (8 GiB servers pinned by zone), so that the
        # reports agree on which cloudlets are emptiest.
        regions = [c["region"] for c in fed.endpoints["cloudlets"]]
        for region in regions:
            for k in range(preload_of(region)):
                status, _, body = http("POST", first + "/compute/v2.1/servers", {"server": {
                    "name": f"preload-{region}-{k}", "flavorRef": flavor_id(first, tok, "m1.large"), "imageRef": image,
                    "networks": [{"uuid": net}], "availability_zone": region}}, headers=h, timeout=120)
                assert status == 202, body
        # Gossip settles: every agent's reports show the cloudlets with their preload.
        deadline = time.monotonic() + 300
        known = []
        for a in fed.agents:
            while True:
                reports = capacity_reports(a["node"])
                # A partial view at the 30 s tick is CYCLON's nature: 3/4 of the
                # cloudlets suffice, and the table says how many each agent knew.
                if len(reports) >= (3 * agents) // 4 and all(x["running_vms"] == preload_of(r)
                                                             for r, x in reports.items()):
                    known.append(len(reports))
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"{a['node']} never saw every cloudlet's preload: {reports}")
        tiny = [flavor_id(a["url"], tok) for a in fed.agents]   # each cloudlet numbers its own

        def boot(i):
            url = fed.agents[i % agents]["url"]
            status, _, body = http("POST", url + "/compute/v2.1/servers", {"server": {
                "name": f"burst-{i}", "flavorRef": tiny[i % agents], "networks": [{"uuid": net}],
                "imageRef": image}}, headers=h, timeout=120)
            return status
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=boots) as pool:
            statuses = list(pool.map(boot, range(boots)))
        elapsed = time.monotonic() - started
        counts = {}
        for c in fed.endpoints["cloudlets"]:
            _, _, body = http("GET", c["compute_url"] + "/servers?all_tenants=1&limit=1000", headers=h)
            counts[c["region"]] = sum(1 for x in json.loads(body)["servers"] if x["name"].startswith("burst-"))
        return statuses, counts, elapsed, statistics.mean(known)
    finally:
        fed.close()


def main():
    agents = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    boots = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    mean = boots / agents
    print(f"# {boots} concurrent boots through {agents} agents, {agents} cloudlets of equal capacity "
          f"(mean {mean:.1f} per cloudlet)\n")
    print("| policy | capacity | cloudlets known per agent | failed boots | busiest cloudlet | max/mean | emptiest | stdev | burst seconds |")
    print("|---|---|---|---|---|---|---|---|---|")
    for chain in ("two choices + RAM (workflow 5)", "ram only"):
        for probe in (False, True):
            statuses, counts, elapsed, known = run(agents, boots, chain, probe)
            failed = sum(1 for s in statuses if s != 202)
            values = list(counts.values())
            print(f"| {chain if chain != 'ram only' else 'RAM weigher only, every cloudlet'} | "
                  f"{'live probe' if probe else 'gossip (30 s)'} | {known:.1f} | {failed} | {max(values)} | "
                  f"{max(values) / mean:.2f} | {min(values)} | {statistics.pstdev(values):.2f} | "
                  f"{elapsed:.1f} |", flush=True)
    print(f"\ncommand: FEDSTACK_BIN=build/fedstack python3 bench/federation/herding.py {agents} {boots}")


if __name__ == "__main__":
    main()
