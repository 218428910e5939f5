#!/usr/bin/env python3
"""The federation across a WAN: a boot on a remote cloudlet, a merged list and a cross-cloud image
copy, each counted in inter-site round trips at the relays and timed, against the same calls made
to the clouds directly (docs/performance.md, "Across a WAN").

    sudo FEDSTACK_BIN=build/fedstack python3 bench/wan/run.py [--sites 4] [--agents 4]
         [--delay-ms 25] [--rate-mbit 100] [--loss 0] [--image-mib 100] [--only boot,list,copy]

Sites, relays and links: wanlab.py. `fedstack sim --cloudlets SITES` runs in its own namespace,
cloudlet K being at site K; agents run at sites 1..AGENTS (the other sites have a cloud only);
the clients are at site 1 and talk to agent 1. Keystone is at site 1.
"""
import argparse
import collections
import concurrent.futures
import ctypes
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "bench", "partition"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import relay  # noqa: E402
import run as partition  # noqa: E402  (bench/partition/run.py: its cluster, client and setup)
import wanlab  # noqa: E402
from harness import FEDSTACK, Process  # noqa: E402

SKIPPED = 77
CLONE_NEWNET = 0x40000000


def enter(ns_path):
    """Moves this (single-threaded) process into a network namespace; returns the old one's fd."""
    libc = ctypes.CDLL(None, use_errno=True)
    old = os.open("/proc/self/ns/net", os.O_RDONLY)
    fd = os.open(ns_path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
    finally:
        os.close(fd)
    return old


def leave(old):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(old, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")
    os.close(old)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sites", type=int, default=4, help="cloudlets, one per site")
    p.add_argument("--agents", type=int, default=None, help="agents at sites 1..AGENTS (default: every site)")
    p.add_argument("--delay-ms", type=float, default=25)
    p.add_argument("--local-ms", type=float, default=1)
    p.add_argument("--rate-mbit", type=int, default=100)
    p.add_argument("--loss", type=float, default=0)
    p.add_argument("--image-mib", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3, help="timed repetitions of each warm call")
    p.add_argument("--only", default="boot,list,copy", help="of boot,list,copy,cyclon")
    p.add_argument("--shuffle-ms", type=int, default=2000, help="the agents' CYCLON period T")
    p.add_argument("--cache-size", type=int, default=4, help="the agents' CYCLON cache size c")
    p.add_argument("--standard", action="store_true",
                   help="the thesis' standard cloud: one cloudlet with --sites hypervisors at site 2, no agents "
                        "(with --only thesis)")
    p.add_argument("--concurrency", default="16", help="the thesis part's levels, e.g. 16,128")
    p.add_argument("--fedstack", default=FEDSTACK)
    p.add_argument("--tls", choices=("on", "off"), default="on")
    p.add_argument("--certs-script", default=os.path.join(ROOT, "scripts", "fedstack-certs.sh"))
    p.add_argument("--agent-arg", action="append", default=[], metavar="ARG")
    p.add_argument("--subnet", default="10.214.0")
    p.add_argument("--keep", action="store_true")
    a = p.parse_args(argv)
    a.agents = a.agents or a.sites
    # What partition.Cluster reads.
    a.upstream_timeout_ms, a.reservation_timeout_ms, a.reservation_sweep_ms = 10000, 30000, 10000
    a.orphan_sweep_ms, a.build_delay_ms = 30000, 100
    a.hypervisors = None
    if "thesis" in a.only:   # bench/thesis/experiment.py's model: one hypervisor per cloudlet, capped controllers
        a.build_delay_ms = 1000
        a.hypervisors = a.sites if a.standard else 1
    if a.standard:
        a.agents, a.sites = 0, max(a.sites, 2)
    return a


class WanCluster(partition.Cluster):
    """partition.Cluster with the simulator in the clouds' namespace and N cloudlets."""

    def start_sim(self):
        a, lab, work = self.a, self.lab, self.work
        cloudlets = 1 if a.standard else a.sites
        self.sim = Process([*lab.exec_in(lab.cloud_ns), a.fedstack, "sim", "--cloudlets", str(cloudlets),
                            "--address", lab.cloud_ip, "--data-dir", os.path.join(work, "sim"),
                            "--build-delay-ms", str(a.build_delay_ms),
                            *(["--hypervisors", str(a.hypervisors)] if a.hypervisors else [])],
                           os.path.join(work, "sim.log"))
        self.endpoints = self.sim.read_json()
        self.keystone = self.endpoints["keystone_url"]
        self.keystone_port = urllib.parse.urlsplit(self.keystone).port
        self.cloud = {int(c["region"].rsplit("-", 1)[1]): c for c in self.endpoints["cloudlets"]}
        self.cloud_ports = {k: {s.split("_")[0]: urllib.parse.urlsplit(c[s]).port
                                for s in ("image_url", "network_url", "compute_url")}
                            for k, c in self.cloud.items()}
        self.tls_args = self._certs() if a.tls == "on" else {}
        if a.tls == "off":
            self.tls_args = {i: ["--insecure-plain-node-port"] for i in lab.ips}

    def agent_args(self, i):
        args = super().agent_args(i)
        # Gossip at a WAN's pace (default every 2 s), as a deployment would (membership.md).
        for flag, value in (("--shuffle-period-ms", str(self.a.shuffle_ms)),
                            ("--capacity-period-ms", str(self.a.shuffle_ms))):
            args[args.index(flag) + 1] = value
        return args


def label_site(label):
    if label == "keystone":
        return 1
    return int(label.split("-", 1)[1].split(":")[0])


class Relays:
    """The relays' counters over a window, inter-site traffic apart from traffic at a site."""

    def __init__(self, lab):
        self.lab = lab

    def reset(self):
        for c in self.lab.controls.values():
            relay.ask(c, "reset")

    def read(self, t0, t1):
        out = {"events": [], "bytes": collections.Counter()}
        for k, c in self.lab.controls.items():
            here = 1 if k == 0 else k
            s = relay.ask(c)
            for t, label, kind, conn in s["events"]:
                if t0 <= t <= t1:
                    out["events"].append({"t": t - t0, "from": "clients" if k == 0 else f"site-{k}",
                                          "to": label, "kind": kind, "conn": f"{k}.{conn}",
                                          "wan": label_site(label) != here})
            for label, counts in s["labels"].items():
                if label_site(label) != here:
                    out["bytes"][label] += counts.get("bytes_up", 0) + counts.get("bytes_down", 0)
        out["events"].sort(key=lambda e: e["t"])
        return out

    @staticmethod
    def counts(window):
        wan = [e for e in window["events"] if e["wan"]]
        by = collections.Counter((e["to"].split(":")[0] if e["to"].startswith("cloud") else e["to"], e["kind"])
                                 for e in wan)
        node = [e for e in wan if e["to"].endswith(":node")]
        return {"wan_connects": sum(e["kind"] == "connect" for e in wan),
                "wan_exchanges": sum(e["kind"] == "exchange" for e in wan),
                "node_exchanges": sum(e["kind"] == "exchange" for e in node),
                "by": {f"{to} {kind}s": n for (to, kind), n in sorted(by.items())}}

    @staticmethod
    def timeline(window, wan_only=True):
        return "\n".join(f"    +{e['t'] * 1000:7.1f} ms  {e['from']:>8} -> {e['to']:<18} {e['kind']:<8} conn {e['conn']}"
                         for e in window["events"] if e["wan"] or not wan_only)


def timed(relays, fn):
    relays.reset()
    t0 = time.monotonic()
    result = fn()
    t1 = time.monotonic()
    return result, t1 - t0, relays.read(t0, t1)


def token(call, keystone, user, password, project):
    return partition.keystone_token(call, keystone, user, password, project)


def wait_boot(call, url, tok, body, timeout=90):
    """A pinned boot retried until the agent knows the pinned cloudlet (gossip over the WAN)."""
    deadline = time.monotonic() + timeout
    while True:
        status, _, raw = call("POST", url + "/compute/v2.1/servers", body, tok, timeout=120)
        if status == 202 or time.monotonic() > deadline:
            return status, raw
        time.sleep(0.5)


def where_image(call, cluster, admin, gid):
    for k, c in cluster.cloud.items():
        status, _, raw = call("GET", c["image_url"].rstrip("/") + "/v2/images?limit=1000", token=admin)
        for i in json.loads(raw)["images"]:
            if i.get("fedstack_gid") == gid and not i.get("fedstack_copy_of"):
                return k, i["id"]
    return None, None


def cloud_ids(call, cluster, admin, k, image_gid, network_gid):
    """Cloudlet k's own IDs of the image and network copies (for a boot made there directly)."""
    c = cluster.cloud[k]
    image = network = None
    status, _, raw = call("GET", c["image_url"].rstrip("/") + "/v2/images?limit=1000", token=admin)
    for i in json.loads(raw)["images"]:
        if image_gid in (i.get("fedstack_gid"), i.get("fedstack_copy_of")):
            image = i["id"]
    status, _, raw = call("GET", c["network_url"].rstrip("/") + "/v2.0/networks", token=admin)
    for n in json.loads(raw)["networks"]:
        tags = n.get("tags", [])
        if f"fedstack_gid={network_gid}" in tags or f"fedstack_copy_of={network_gid}" in tags:
            network = n["id"]
    status, _, raw = call("GET", c["compute_url"] + "/flavors", token=admin)
    flavor = next(f["id"] for f in json.loads(raw)["flavors"] if f["name"] == "m1.tiny")
    return image, network, flavor


def rtts(seconds, a):
    return seconds / (2 * a.delay_ms / 1000)


def measure_boot(a, cluster, call, relays, tokens, base, report):
    tenant, admin = tokens["tenant"][0], tokens["admin"][0]
    target = 3 if a.sites >= 3 else a.sites
    url = cluster.url(1)

    def boot(name):
        return wait_boot(call, url, tenant, {"server": {
            "name": name, "imageRef": base["image"], "flavorRef": base["flavors"][1],
            "networks": [{"uuid": base["network"]}], "availability_zone": f"cloudlet-{target}"}})

    # The first boot there copies the image and the network; later ones find the copies.
    (status, raw), cold, cold_w = timed(relays, lambda: boot("wan-cold"))
    assert status == 202, raw
    warm = []
    for n in range(a.repeat):
        (status, raw), t, w = timed(relays, lambda: boot(f"wan-warm-{n}"))
        assert status == 202, raw
        warm.append((t, w))
    image, network, flavor = cloud_ids(call, cluster, admin, target, base["image"], base["network"])
    nova = cluster.cloud[target]["compute_url"]
    direct = []
    for n in range(a.repeat):
        (status, _, raw), t, w = timed(relays, lambda: call("POST", nova + "/servers", {"server": {
            "name": f"direct-{n}", "imageRef": image, "flavorRef": flavor,
            "networks": [{"uuid": network}]}}, tenant, timeout=120))
        assert status == 202, raw
        direct.append((t, w))
    d_med = statistics.median(t for t, _ in direct)
    w_med = statistics.median(t for t, _ in warm)
    report.append(f"## Boot through agent 1 (site 1) pinned to cloudlet-{target} (site {target})\n")
    report.append("| boot | time | in round trips | inter-site connects | inter-site exchanges |\n|---|---|---|---|---|")
    for name, t, w in [("direct to the cloud's Nova (new connection)", d_med, direct[-1][1]),
                       ("through agent 1, copies made (first boot)", cold, cold_w),
                       ("through agent 1, copies exist (median)", w_med, warm[-1][1])]:
        c = Relays.counts(w)
        report.append(f"| {name} | {t * 1000:.0f} ms | {rtts(t, a):.1f} | {c['wan_connects']} | {c['wan_exchanges']} |")
    report.append(f"\nadded by the agent (warm, median): {(w_med - d_med) * 1000:.0f} ms = "
                  f"{rtts(w_med - d_med, a):.1f} round trips (target: at most 2)\n")
    # The same with an image another agent owns (made through agent 2): its entry is at agent 2.
    if a.agents >= 2:
        status, _, raw = call("POST", cluster.url(2) + "/v2/images", {"name": "owned-by-2", "disk_format": "raw",
                                                                      "container_format": "bare"}, tenant)
        assert status == 201, raw
        foreign = json.loads(raw)["id"]
        status, _, raw = call("PUT", cluster.url(2) + f"/v2/images/{foreign}/file", token=tenant, raw=b"f" * 4096,
                              headers={"Content-Type": "application/octet-stream"})
        assert status == 204, raw

        def boot_foreign(name):
            return wait_boot(call, url, tenant, {"server": {
                "name": name, "imageRef": foreign, "flavorRef": base["flavors"][1],
                "networks": [{"uuid": base["network"]}], "availability_zone": f"cloudlet-{target}"}})

        (status, raw), t_fc, w_fc = timed(relays, lambda: boot_foreign("foreign-cold"))
        assert status == 202, raw
        (status, raw), t_fw, w_fw = timed(relays, lambda: boot_foreign("foreign-warm"))
        assert status == 202, raw
        report.append("| boot (image owned by agent 2) | time | in round trips | inter-site connects | "
                      "inter-site exchanges | of which CAF (node port) |\n|---|---|---|---|---|---|")
        for name, t, w in (("image copied", t_fc, w_fc), ("copy exists", t_fw, w_fw)):
            c = Relays.counts(w)
            report.append(f"| {name} | {t * 1000:.0f} ms | {rtts(t, a):.1f} | {c['wan_connects']} | "
                          f"{c['wan_exchanges']} | {c['node_exchanges']} |")
        report.append("")
        for name, w in (("the boot with agent 2's image, copy exists", w_fw),):
            report.append(f"inter-site traffic of {name}, by destination: {Relays.counts(w)['by']}\n")
            report.append("```\n" + Relays.timeline(w) + "\n```\n")
    for name, w in (("first boot", cold_w), ("a warm boot", warm[-1][1]), ("direct", direct[-1][1])):
        report.append(f"inter-site traffic of {name}, by destination: {Relays.counts(w)['by']}\n")
        report.append("```\n" + Relays.timeline(w) + "\n```\n")


def measure_list(a, cluster, call, relays, tokens, report):
    tenant = tokens["tenant"][0]
    url = cluster.url(1)
    # Items on every cloud: created directly on each (the merged list reads every cloudlet).
    for k, c in cluster.cloud.items():
        for n in range(5):
            status, _, raw = call("POST", c["image_url"].rstrip("/") + "/v2/images", {
                "name": f"list-{k}-{n}", "disk_format": "raw", "container_format": "bare"}, tenant)
            assert status == 201, raw
    through, direct_new = [], []
    for _ in range(a.repeat + 1):   # the first warms the agent's connection pools
        (status, _, raw), t, w = timed(relays, lambda: call("GET", url + "/v2/images", token=tenant))
        assert status == 200, raw
        through.append((t, w, len(json.loads(raw)["images"])))
        per_cloud = []
        for k, c in cluster.cloud.items():
            (status, _, raw), t, _ = timed(relays, lambda: call("GET", c["image_url"].rstrip("/") + "/v2/images",
                                                                token=tenant))
            assert status == 200, raw
            per_cloud.append(t)
        direct_new.append(max(per_cloud))
    through = through[1:]
    direct_new = direct_new[1:]
    t_med = statistics.median(t for t, _, _ in through)
    d_med = statistics.median(direct_new)
    c = Relays.counts(through[-1][1])
    report.append(f"## Merged image list over {a.sites} cloudlets through agent 1\n")
    report.append("| list | time | in round trips | inter-site connects | inter-site exchanges |\n|---|---|---|---|---|")
    report.append(f"| slowest cloud asked directly (new connection, median of {len(direct_new)}) | "
                  f"{d_med * 1000:.0f} ms | {rtts(d_med, a):.1f} | 1 | 1 |")
    report.append(f"| through agent 1 ({through[-1][2]} images, median of {len(through)}) | {t_med * 1000:.0f} ms | "
                  f"{rtts(t_med, a):.1f} | {c['wan_connects']} | {c['wan_exchanges']} |")
    report.append(f"\nthrough the agent minus the slowest cloud's own answer on an open connection "
                  f"(1 round trip): {(t_med - 2 * a.delay_ms / 1000) * 1000:.0f} ms = "
                  f"{rtts(t_med, a) - 1:.1f} round trips (target: within 1)\n")
    report.append(f"inter-site traffic of the last list: {c['by']}\n")
    report.append("```\n" + Relays.timeline(through[-1][1]) + "\n```\n")


def rss(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) // 1024
    return out


def measure_copy(a, cluster, call, relays, tokens, base, report):
    tenant, admin = tokens["tenant"][0], tokens["admin"][0]
    url = cluster.url(1)
    size = a.image_mib << 20
    status, _, raw = call("POST", url + "/v2/images", {"name": "wan-big", "disk_format": "raw",
                                                       "container_format": "bare"}, tenant)
    assert status == 201, raw
    gid = json.loads(raw)["id"]
    status, _, raw = call("PUT", url + f"/v2/images/{gid}/file", token=tenant, raw=b"\0" * size,
                          headers={"Content-Type": "application/octet-stream"}, timeout=600)
    assert status == 204, raw
    source, _ = where_image(call, cluster, admin, gid)
    target = next(k for k in (3, 2, 4, 1) if k in cluster.cloud and k != source)
    pid = cluster.agents[1].proc.pid
    before = rss(pid)

    def boot(name, image):
        return wait_boot(call, url, tenant, {"server": {
            "name": name, "imageRef": image, "flavorRef": base["flavors"][1],
            "networks": [{"uuid": base["network"]}], "availability_zone": f"cloudlet-{target}"}})

    (status, raw), t_copy, w_copy = timed(relays, lambda: boot("wan-copy", gid))
    assert status == 202, raw
    after = rss(pid)
    (status, raw), t_warm, _ = timed(relays, lambda: boot("wan-copy-warm", gid))
    assert status == 202, raw
    copy_s = t_copy - t_warm
    mbit = size * 8 / copy_s / 1e6
    moved = sum(n for label, n in w_copy["bytes"].items() if label.endswith(":image"))
    report.append(f"## Cross-cloud image copy: {a.image_mib} MiB from cloudlet-{source} to cloudlet-{target}, "
                  f"by agent 1 (a boot pinned to cloudlet-{target})\n")
    report.append("| figure | value |\n|---|---|")
    report.append(f"| boot that copies | {t_copy:.2f} s |")
    report.append(f"| the same boot once the copy exists | {t_warm:.2f} s |")
    report.append(f"| copy time (difference) | {copy_s:.2f} s |")
    report.append(f"| throughput | {mbit:.1f} Mbit/s = {mbit / a.rate_mbit:.2f} x the link's {a.rate_mbit} Mbit/s "
                  f"(target >= 0.8) |")
    report.append(f"| inter-site bytes to and from Glance during the boot | {moved / (1 << 20):.1f} MiB |")
    report.append(f"| agent 1 RSS before / after (MiB) | {before.get('VmRSS')} / {after.get('VmRSS')} |")
    report.append(f"| agent 1 peak RSS, whole life (VmHWM, MiB) | {after.get('VmHWM')} |\n")


def members_of(a, cluster, ip):
    """A node's neighbour cache (`fedstack members --json`), asked from the clients' site."""
    r = subprocess.run([a.fedstack, "members", "--node", f"{ip}:{partition.NODE_PORT}", "--json",
                        "--timeout-ms", "5000", *cluster.operator_args], capture_output=True, text=True, timeout=60)
    return json.loads(r.stdout) if r.returncode == 0 else None


def measure_cyclon(a, cluster, report):
    """In-degree spread once every cache is full, and cycles until no live cache lists a killed
    agent, read once per period from every agent (docs/membership.md, "Across real processes")."""
    period = a.shuffle_ms / 1000
    ips = dict(cluster.lab.ips)
    started = time.monotonic()

    def snapshot(which):
        with concurrent.futures.ThreadPoolExecutor(len(which)) as pool:
            return dict(zip(which, pool.map(lambda i: members_of(a, cluster, ips[i]), which)))

    def node_ip(entry):
        return entry["node"].rsplit(":", 1)[0]

    def wait(predicate, which, max_cycles, start):
        while True:
            t = time.monotonic()
            snap = snapshot(which)
            if predicate(snap):
                return (time.monotonic() - start) / period, snap
            if (time.monotonic() - start) / period > max_cycles:
                return None, snap
            time.sleep(max(0.0, period - (time.monotonic() - t)))

    def full(snap):
        return all(c is not None and len(c) >= a.cache_size and len({node_ip(m) for m in c}) == len(c)
                   and ips[i] not in {node_ip(m) for m in c} for i, c in snap.items())

    formed, snap = wait(full, list(ips), 200, started)
    degrees = []
    for _ in range(5):   # five snapshots, a period apart: the spread of in-degrees over them
        indegree = collections.Counter({ip: 0 for ip in ips.values()})
        for c in snap.values():
            for m in c or []:
                indegree[node_ip(m)] += 1
        degrees += list(indegree.values())
        time.sleep(period)
        snap = snapshot(list(ips))
    dead = max(ips)
    cluster.kill(dead)
    live = [i for i in ips if i != dead]
    killed = time.monotonic()
    forgotten, _ = wait(lambda s: all(c is not None and ips[dead] not in {node_ip(m) for m in c} for c in s.values()),
                        live, 120, killed)
    report.append(f"## CYCLON: {len(ips)} agents, loss {a.loss:g} each way on every inter-site link\n")
    report.append("| figure | value |\n|---|---|")
    report.append(f"| every cache full of distinct peers (c = {a.cache_size}) | "
                  f"{'not within 200 cycles' if formed is None else f'{formed:.1f} cycles after the agents started'} |")
    report.append(f"| in-degree over 5 snapshots: mean / std / min / max | {statistics.mean(degrees):.2f} / "
                  f"{statistics.pstdev(degrees):.2f} / {min(degrees)} / {max(degrees)} |")
    report.append(f"| agent {dead} killed: no live cache lists it after | "
                  f"{'more than 120 cycles' if forgotten is None else f'{forgotten:.1f} cycles'} (T = {a.shuffle_ms} ms) |\n")


def link_check(a, cluster, report):
    """The testbed against its settings, in this run: round trips of small GETs on one open
    connection from the clients (site 1) to a remote cloud and to their own site's cloud."""
    import http.client
    rows = []
    for k, target in ((max(cluster.cloud), a.delay_ms), (1, a.local_ms))[0 if len(cluster.cloud) > 1 else 1:]:
        u = urllib.parse.urlsplit(cluster.cloud[k]["image_url"])
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        times = []
        for _ in range(11):
            t0 = time.monotonic()
            conn.request("GET", "/versions")
            conn.getresponse().read()
            times.append(time.monotonic() - t0)
        conn.close()
        rows.append((k, statistics.median(times[1:]) * 1000, 2 * target))   # the first pays the connect
    report.append("| round trip from the clients to | median of 10 | target |\n|---|---|---|")
    for k, got, want in rows:
        report.append(f"| cloudlet-{k}'s Glance (site {k}) | {got:.1f} ms | {want:g} ms |")
    report.append("")


def measure_thesis(a, cluster, call, report):
    """bench/thesis's experiment (create an image and boot a server, capped controllers) with
    its load generator at the clients' site: users spread over the agents (p2p), or all on the
    standard cloud at site 2 (--standard)."""
    sys.path.insert(0, os.path.join(ROOT, "bench", "thesis"))
    import experiment
    root = cluster.keystone.rstrip("/")
    for k in cluster.cloud:
        status, _, raw = call("PUT", f"{root}/sim/faults/cloudlet-{k}", {
            "latency_ms": experiment.MODEL["latency_ms"], "max_concurrent": experiment.MODEL["max_concurrent"]})
        assert status == 200, raw
    auth = [cluster.url(i) + "/v3" for i in cluster.lab.ips] if a.agents else [cluster.endpoints["auth_url"]]
    loadgen = os.path.join(ROOT, "build", "bench", "bench_thesis_loadgen")
    kind = f"standard (1 cloud, {a.hypervisors} hypervisors, at site 2)" if a.standard else \
        f"p2p ({a.sites} cloudlets x 1 hypervisor, an agent each)"
    report.append(f"## Thesis experiment, {kind}, clients at site 1\n")
    report.append("| concurrency | iterations | completed | create image mean | boot mean | total mean | failures | wall |"
                  "\n|---|---|---|---|---|---|---|---|")
    for c in (int(x) for x in a.concurrency.split(",")):
        n = 2 * c
        cmd = [loadgen, "--auth", ",".join(auth), "--concurrency", str(c), "--iterations", str(n),
               "--poll-ms", str(experiment.MODEL["poll_ms"]),
               "--image-timeout-ms", str(experiment.TIMEOUTS["image_timeout_ms"]),
               "--boot-timeout-ms", str(experiment.TIMEOUTS["boot_timeout_ms"]),
               "--request-timeout-ms", str(experiment.TIMEOUTS["request_timeout_ms"]),
               "--create-tenant", "1", "--label", f"c{c}"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if r.returncode != 0 or not r.stdout.strip():
            report.append(f"| {c} | {n} | failed: {r.stderr.strip()[-300:]} |")
            continue
        row = json.loads(r.stdout.strip().splitlines()[-1])
        report.append(f"| {c} | {n} | {row['completed']} | {row['create_image']['mean']:.2f} s | "
                      f"{row['boot']['mean']:.2f} s | {row['total']['mean']:.2f} s | "
                      f"{100 * row['failure_rate']:.1f}% {row.get('failures') or ''} | {row['wall_s']:.1f} s |")
    report.append("")


def main(argv):
    a = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if os.geteuid() != 0 or not all(shutil.which(t) for t in ("ip", "iptables", "tc")):
        print("run.py needs root, ip, iptables and tc", file=sys.stderr)
        return SKIPPED
    work = tempfile.mkdtemp(prefix="fedstack-wan-")
    lab = wanlab.WanLab(a.sites, a.subnet, a.delay_ms, a.local_ms, a.rate_mbit, a.loss)
    cluster = None
    old_ns = None
    report = []
    load0 = os.getloadavg()
    try:
        lab.up()
        cluster = WanCluster(a, lab, work)
        cluster.start_sim()
        lab.start_relays(work, cluster.cloud_ports, cluster.keystone_port,
                         {"api": partition.API_PORT, "node": partition.NODE_PORT},
                         {1: 2} if a.standard else None)   # the standard cloud is at site 2
        agent_ips = dict(lab.ips)
        lab.ips = {i: ip for i, ip in agent_ips.items() if i <= a.agents}   # agents at these sites
        for i in lab.ips:
            if not cluster.start(i, timeout=60):
                raise RuntimeError(f"agent {i} did not start; see {work}/agent-{i}.log")
        old_ns = enter(f"/run/netns/{lab.site_ns(0)}")   # the clients, at site 1
        call = partition.Http(None)
        tokens = {"admin": token(call, cluster.keystone, "admin", "secret", "admin"),
                  "tenant": token(call, cluster.keystone, "demo", "demo", "demo")}
        base = partition.setup_base(call, cluster, tokens["tenant"][0]) if a.agents else None
        relays = Relays(lab)
        only = set(a.only.split(","))
        print(f"# WAN run: {a.sites} sites, {a.agents} agents, {a.delay_ms:g} ms one way between sites "
              f"({2 * a.delay_ms:g} ms round trip), {a.local_ms:g} ms at a site, {a.rate_mbit} Mbit/s, loss {a.loss:g}, "
              f"TLS {a.tls}; load average {load0[0]:.1f} at the start, {os.cpu_count()} cores\n")
        print(f"`sudo FEDSTACK_BIN=build/fedstack python3 bench/wan/run.py {' '.join(argv)}`\n", flush=True)
        if not a.standard:
            link_check(a, cluster, report)
        print("\n".join(report), flush=True)
        report.clear()
        for name, measure in (("boot", lambda: measure_boot(a, cluster, call, relays, tokens, base, report)),
                              ("list", lambda: measure_list(a, cluster, call, relays, tokens, report)),
                              ("copy", lambda: measure_copy(a, cluster, call, relays, tokens, base, report)),
                              ("cyclon", lambda: measure_cyclon(a, cluster, report)),
                              ("thesis", lambda: measure_thesis(a, cluster, call, report))):
            if name in only:
                measure()
                print("\n".join(report), flush=True)   # each part as it is done: a later one may fail
                report.clear()
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        return 0
    finally:
        if old_ns is not None:
            leave(old_ns)
        if cluster:
            cluster.close()
        lab.down()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs: {work}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
