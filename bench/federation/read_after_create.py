#!/usr/bin/env python3
"""What a client sees through agent B during the first second after agent A
created a server: every `GET /servers/{id}` through B, its status and latency.

    FEDSTACK_BIN=build/fedstack python3 bench/federation/read_after_create.py [servers]

Starts `fedstack sim` with 2 cloudlets and 2 agents on 127.0.0.1 (the test
harness), boots `servers` servers through A one after the other, and polls each
through B (and, for comparison, through A) for one second right after A's
create answered."""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
from harness import Federation, flavor_id, http, token  # noqa: E402


def main():
    servers = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    fed = Federation(cloudlets=2, chain=True,
                     agent_args=("--shuffle-period-ms", "300", "--capacity-period-ms", "200"))
    try:
        a, b = fed.agents[0]["url"], fed.agents[1]["url"]
        tok, _ = token(a)
        h = {"X-Auth-Token": tok}
        flavor = flavor_id(a, tok)
        status, _, body = http("POST", a + "/v2.0/networks", {"network": {"name": "bench"}}, headers=h)
        net = json.loads(body)["network"]["id"]
        http("POST", a + "/v2.0/subnets", {"subnet": {"network_id": net, "cidr": "10.9.0.0/16",
                                                     "ip_version": 4}}, headers=h)
        status, _, body = http("POST", a + "/v2/images", {"name": "bench", "disk_format": "raw",
                                                         "container_format": "bare"}, headers=h)
        image = json.loads(body)["id"]
        http("PUT", a + f"/v2/images/{image}/file", raw=b"x" * 4096,
             headers={**h, "Content-Type": "application/octet-stream"})
        results = {"B": [], "A": []}
        first_status = {"B": [], "A": []}
        for i in range(servers):
            status, _, body = http("POST", a + "/compute/v2.1/servers", {"server": {
                "name": f"bench-{i}", "imageRef": image, "flavorRef": flavor,
                "networks": [{"uuid": net}]}}, headers=h)
            assert status == 202, body
            sid = json.loads(body)["server"]["id"]
            for name, url in (("B", b), ("A", a)):
                end = time.monotonic() + 1.0
                first = True
                while time.monotonic() < end:
                    t0 = time.perf_counter()
                    status, _, _ = http("GET", url + f"/compute/v2.1/servers/{sid}", headers=h)
                    results[name].append(((time.perf_counter() - t0) * 1000, status))
                    if first:
                        first_status[name].append(status)
                        first = False
        for name in ("B", "A"):
            lat = sorted(ms for ms, _ in results[name])
            codes = {}
            for _, s in results[name]:
                codes[s] = codes.get(s, 0) + 1
            print(f"through {name}: {len(lat)} GETs in the first second after {servers} creates; "
                  f"status counts {codes}; first GET statuses {sorted(set(first_status[name]))}; "
                  f"latency median {statistics.median(lat):.2f} ms, p99 {lat[int(len(lat) * 0.99) - 1]:.2f} ms")
        print(f"command: FEDSTACK_BIN=... python3 bench/federation/read_after_create.py {servers}")
    finally:
        fed.close()


if __name__ == "__main__":
    main()
