#!/usr/bin/env python3
"""The translated list through two agent builds beside nginx, in one run:
requests/s, p50/p99 and CPU µs per list for GET /v2/images (limit 20 and
1000), Nova /v2.1/servers/detail and Neutron /v2.0/ports (limit 20 and 1000),
at 1, 16, 64 and 256 connections. The items are made through a third agent first
(so they carry the federation's markers, as federated items do). Every list is
answered from recorded bytes by a replaying upstream (replay.py), for nginx and
the agents alike: the simulated cloud is not what is measured.

    bench/proxy/lists.py BEFORE_BIN AFTER_BIN OUTFILE [--seconds S] [--items N] [--lists ...]
    bench/proxy/lists.py --table OUTFILE...     (the markdown tables of earlier runs)

At each list and connection count nginx, BEFORE and AFTER run one after the
other (1 s warm-up each), so they see the same machine load; the ratios
compare each agent with that nginx."""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Federation, http, token, flavor_id  # noqa: E402
from figures import cpu_seconds  # noqa: E402
from overhead import Nginx, wrk  # noqa: E402
from replay import Replay  # noqa: E402


def start(fed, binary, name, keystone_url):
    saved = harness.FEDSTACK
    harness.FEDSTACK = binary
    try:
        return fed.start_agent("cloudlet-1", name, ("--log-level", "warn", "--io-threads", "1"),
                               keystone_url=keystone_url)
    finally:
        harness.FEDSTACK = saved


def seed(url, tok, n):
    h = {"X-Auth-Token": tok}
    status, _, body = http("POST", url + "/network/v2.0/networks", {"network": {"name": "bench"}}, headers=h)
    assert status == 201, body
    net = json.loads(body)["network"]["id"]
    flavor = flavor_id(url, tok)
    # One active image to boot from (an empty upload makes it active).
    status, _, body = http("POST", url + "/image/v2/images", {"name": "boot", "disk_format": "raw",
                                                             "container_format": "bare"}, headers=h)
    assert status == 201, body
    boot = json.loads(body)["id"]
    status, _, body = http("PUT", url + f"/image/v2/images/{boot}/file", raw=b"",
                           headers={**h, "Content-Type": "application/octet-stream"})
    assert status == 204, (status, body)

    def one(i):
        s, _, b = http("POST", url + "/image/v2/images", {"name": f"bench-{i:04d}", "disk_format": "raw",
                                                          "container_format": "bare"}, headers=h)
        assert s == 201, b
        s, _, b = http("POST", url + "/network/v2.0/ports", {"port": {"network_id": net, "name": f"p{i}"}}, headers=h)
        assert s == 201, b
        s, _, b = http("POST", url + "/compute/v2.1/servers", {"server": {
            "name": f"s{i}", "imageRef": boot, "flavorRef": flavor, "networks": "none"}},
                       headers={**h, "X-OpenStack-Nova-API-Version": "2.37"})
        assert s == 202, b
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(n)))


def record(front, urls, tok, kind, list_path):
    """Each target's list once, live: the GETs of the list the front saw (the agents'
    pages and nginx's) are recorded, and from then on answered from the files.
    Then each target once more, from the files: it must give the same answer.
    Returns each target's (bytes, items)."""
    seen = len(front.calls())
    live = {}
    for t, u in urls.items():
        s, _, b = http("GET", u, headers={"X-Auth-Token": tok})
        assert s == 200, (t, u, s, b[:200])
        live[t] = json.loads(b)
    for method, url in dict.fromkeys(front.calls()[seen:]):
        if method == "GET" and url.split("://", 1)[1].split("/", 1)[1].split("?")[0] == list_path.lstrip("/"):
            front.record(url, tok)
    sizes = {}
    for t, u in urls.items():
        s, _, b = http("GET", u, headers={"X-Auth-Token": tok})
        assert s == 200, (t, u, s, b[:200])
        assert json.loads(b) == live[t], (t, "the replayed answer differs from the live one")
        # The digest lets a run show whether two agent builds answer byte for byte alike
        # (each agent's own address, in Nova's links, left out).
        own = "/".join(u.split("/", 3)[:3]).encode()
        sizes[t] = (len(b), len(json.loads(b)[kind]), hashlib.sha256(b.replace(own, b"AGENT")).hexdigest())
    return sizes


def table(rows):
    """Markdown: per list and connection count, nginx's figures and each agent's ratios to them
    ("none": no list finished within the cell's seconds)."""
    out = []
    for spec in dict.fromkeys(r["list"] for r in rows):
        mine = [r for r in rows if r["list"] == spec]
        out.append(f"\n**{spec}** (load {min(r['load'] for r in mine):.1f}–{max(r['load'] for r in mine):.1f})\n")
        out.append("| conns | nginx req/s | nginx p99 ms | nginx CPU µs | before req/s × | before p99 × | before CPU × "
                   "| after req/s × | after p99 × | after CPU × | after CPU µs |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for c in dict.fromkeys(r["connections"] for r in mine):
            by = {r["target"]: r for r in mine if r["connections"] == c}
            n = by["nginx"]
            cells = [str(c), f"{n['rps']:.0f}", f"{n['p99_ms']:.2f}", f"{n['cpu_us']:.0f}"]
            for t in ("before", "after"):
                a = by[t]
                if a["rps"] == 0:   # no list finished within the cell: no latency, no CPU per list
                    cells += ["0", "none", "none"]
                    continue
                cells += [f"{a['rps'] / n['rps']:.2f}", f"{a['p99_ms'] / n['p99_ms']:.2f}", f"{a['cpu_us'] / n['cpu_us']:.1f}"]
            cells.append(f"{by['after']['cpu_us']:.0f}" if by["after"]["rps"] else "none")
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--table":
        for path in sys.argv[2:]:
            with open(path) as f:
                print(table(json.load(f)))
        return
    p = argparse.ArgumentParser()
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("out")
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--items", type=int, default=1000)
    p.add_argument("--connections", default="1,16,64,256")
    p.add_argument("--lists", default="images-20,images-1000,servers-20,servers-1000,ports-20,ports-1000")
    a = p.parse_args()
    # Room for every server: the sim refuses boots beyond its hypervisors.
    fed = Federation(cloudlets=1, build_delay_ms=0, agents=0, sim_args=(
        "--hypervisors", "4", "--hypervisor-vcpus", "1000", "--hypervisor-ram-mb", "1000000",
        "--hypervisor-disk-gb", "10000"))
    work = tempfile.mkdtemp(prefix="fedstack-bench-lists-")
    os.chmod(work, 0o755)
    nginx = None
    front = None
    rows = []
    try:
        # Agents and nginx alike call the replaying front (bench/proxy/replay.py): live
        # while the items are made, then answering each list from the recorded bytes.
        front = Replay(os.path.join(work, "front"), fed.endpoints)
        agents = {"before": start(fed, os.path.abspath(a.before), "before", front.keystone_url),
                  "after": start(fed, os.path.abspath(a.after), "after", front.keystone_url)}
        # The items are made through a third agent: the one that made them owns their
        # records and sweeps them in the background, which neither measured agent should.
        seeder = start(fed, os.path.abspath(a.after), "seeder", front.keystone_url)
        tok, _ = token(agents["after"]["url"])
        seed(seeder["url"], tok, a.items)
        c0 = front.endpoints["cloudlets"][0]
        roots = {"images": ("image", c0["image_url"].rstrip("/"), "/v2/images?limit={n}"),
                 "servers": ("compute", c0["compute_url"].rstrip("/"), "/servers/detail?limit={n}"),
                 "ports": ("network", c0["network_url"].rstrip("/"), "/v2.0/ports?limit={n}")}
        upstreams = {}
        for kind, (prefix, direct, _) in roots.items():
            upstreams[kind] = direct.split("://", 1)[1].split("/", 1)[0]
        nginxes = {k: Nginx(os.path.join(work, "nginx-" + k), u) for k, u in upstreams.items()}
        nginx = list(nginxes.values())
        for spec in a.lists.split(","):
            kind, n = spec.split("-")
            prefix, direct, path = roots[kind]
            path = path.format(n=n)
            base_path = direct.split("://", 1)[1][len(upstreams[kind]):]
            urls = {"nginx": nginxes[kind].url + base_path + path}
            for name, agent in agents.items():
                urls[name] = agent["url"] + "/" + prefix + (path if kind != "servers" else "/v2.1" + path)
            if kind == "servers":
                urls["nginx"] = nginxes[kind].url + base_path + path
            sizes = record(front, urls, tok, kind, base_path + path.split("?")[0])
            print(f"{spec}: before and after answer byte for byte alike: {sizes['before'][2] == sizes['after'][2]}",
                  flush=True)
            for c in [int(x) for x in a.connections.split(",")]:
                for t, u in urls.items():
                    pids = nginxes[kind].worker_pids() if t == "nginx" else [agents[t]["process"].proc.pid]
                    wrk(u, tok, c, 1)
                    before = cpu_seconds(pids)
                    r = wrk(u, tok, c, a.seconds)
                    cpu = (cpu_seconds(pids) - before) * 1e6 / max(r["requests"], 1)
                    row = dict(list=spec, target=t, connections=c, rps=r["rps"], p50_ms=r["p50_us"] / 1000,
                               p99_ms=r["p99_us"] / 1000, cpu_us=cpu, errors=r["errors"], non2xx=r["non2xx"],
                               bytes=sizes[t][0], items=sizes[t][1], sha256=sizes[t][2], load=os.getloadavg()[0])
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    finally:
        for n in nginx or []:
            n.stop()
        if front:
            front.stop()
        fed.close()
        shutil.rmtree(work, ignore_errors=True)
        with open(a.out, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
