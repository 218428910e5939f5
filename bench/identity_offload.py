#!/usr/bin/env python3
"""Identity offload: Keystone calls per iteration of the thesis' scenario
(Rally's GlanceImages.create_image_and_boot_instances: create an image, upload
it, wait until it is active, boot a server from it, wait until it is ACTIVE,
delete both) through one agent, with its token cache (the default) and
without it (--token-cache-entries 0).

    bench/identity_offload.py [--quick] OUTDIR     (25 iterations; quick: 2)

Keystone calls are what the agent's /metrics counts: every call it made to
Keystone (fedstack_upstream_request_duration_seconds_count for keystone) and
the token validations among them. One token serves all iterations, as one
Rally user's does. Writes OUTDIR/identity.md."""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.path.insert(0, HERE)
from harness import Federation, http, token  # noqa: E402
from prometheus_text import parse_exposition, total  # noqa: E402
from figures import machine_line, write_table  # noqa: E402

POLL_S = 0.1   # the client's polling period while it waits for a status


class Client:
    """Counts the requests it sends."""

    def __init__(self, url, tok):
        self.url, self.headers, self.requests = url, {"X-Auth-Token": tok}, 0

    def call(self, method, path, body=None, raw=None, expect=(200,), headers=None):
        self.requests += 1
        status, _, data = http(method, self.url + path, body=body, raw=raw,
                               headers={**self.headers, **(headers or {})})
        assert status in expect, (method, path, status, data[:300])
        return json.loads(data) if data else None

    def wait_for(self, path, key, status):
        while True:   # a client polls: the cloud tells it nothing
            doc = self.call("GET", path)
            doc = doc.get(key, doc)
            if doc["status"] == status:
                return
            assert doc["status"] not in ("ERROR", "killed"), doc
            time.sleep(POLL_S)


def iteration(c, flavor, net):
    image = c.call("POST", "/image/v2/images", {"name": "offload", "disk_format": "raw",
                                                 "container_format": "bare"}, expect=(201,))["id"]
    c.call("PUT", f"/image/v2/images/{image}/file", raw=b"x" * 65536, expect=(204,),
           headers={"Content-Type": "application/octet-stream"})
    c.wait_for(f"/image/v2/images/{image}", "image", "active")
    server = c.call("POST", "/compute/v2.1/servers", {"server": {
        "name": "offload", "imageRef": image, "flavorRef": flavor,
        "networks": [{"uuid": net}]}}, expect=(202,))["server"]["id"]
    c.wait_for(f"/compute/v2.1/servers/{server}", "server", "ACTIVE")
    c.call("DELETE", f"/compute/v2.1/servers/{server}", expect=(204,))
    c.call("DELETE", f"/image/v2/images/{image}", expect=(204,))


def keystone_counts(agent):
    status, _, body = http("GET", agent["url"] + "/metrics")
    assert status == 200
    _, samples = parse_exposition(body.decode())
    return (total(samples, "fedstack_upstream_request_duration_seconds_count", cloudlet="keystone"),
            total(samples, "fedstack_keystone_token_validations_total"))


def run(fed, agent, iterations):
    tok, _ = token(fed.keystone_url)   # from Keystone itself: the agent has not seen it
    c = Client(agent["url"], tok)
    calls_at_start, _ = keystone_counts(agent)
    flavor = next(f["id"] for f in c.call("GET", "/compute/v2.1/flavors")["flavors"] if f["name"] == "m1.tiny")
    net = c.call("POST", "/v2.0/networks", {"network": {"name": "offload"}}, expect=(201,))["network"]["id"]
    c.call("POST", "/v2.0/subnets", {"subnet": {"network_id": net, "cidr": "10.7.0.0/24",
                                                "ip_version": 4}}, expect=(201,))
    calls_before, validations_before = keystone_counts(agent)
    requests_before = c.requests
    for _ in range(iterations):
        iteration(c, flavor, net)
    calls, validations = keystone_counts(agent)
    return {"requests": (c.requests - requests_before) / iterations,
            "calls": (calls - calls_before) / iterations,
            "validations": (validations - validations_before) / iterations,
            "all_calls": calls - calls_at_start, "all_requests": c.requests}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("outdir")
    args = parser.parse_args()
    iterations = 2 if args.quick else 25
    os.makedirs(args.outdir, exist_ok=True)
    command = "bench/identity_offload.py " + ("--quick " if args.quick else "") + "OUTDIR"

    results = {}
    for name, extra in (("token cache (default)", ()), ("no token cache", ("--token-cache-entries", "0"))):
        fed = Federation(cloudlets=1, build_delay_ms=200, agent_args=("--log-level", "warn", *extra))
        try:
            results[name] = run(fed, fed.agents[0], iterations)
        finally:
            fed.close()
        r = results[name]
        print(f"{name}: {r['requests']:.1f} client requests, {r['calls']:.2f} Keystone calls "
              f"({r['validations']:.2f} validations) per iteration", flush=True)

    lines = [f"Command: `{command}`; {iterations} iterations each, one token, a client that polls "
             f"every {POLL_S * 1000:.0f} ms, the sim's build delay 200 ms; {machine_line()}.", ""]
    rows = [[name, f"{r['requests']:.1f}", f"{r['calls']:.2f}", f"{r['validations']:.2f}",
             f"{r['all_calls']:.0f} / {r['all_requests']}"] for name, r in results.items()]
    lines += write_table(["agent", "client requests / iteration", "Keystone calls / iteration",
                          "token validations / iteration",
                          "Keystone calls / client requests, set-up included"], rows)
    lines.append("")
    with open(os.path.join(args.outdir, "identity.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
