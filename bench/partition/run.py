#!/usr/bin/env python3
"""Partitions and crashes under load, Jepsen style: what the clients were told against what every
cloud and every registry holds once the faults are healed (docs/faults.md, "Partitions and
crashes").

    sudo FEDSTACK_BIN=build/fedstack python3 bench/partition/run.py --seed 7 --duration 60

Needs root (network namespaces, iptables). Starts `fedstack sim --cloudlets 4` on a bridge in
this machine and 4 agents, each in its own network namespace (netlab.py). Client threads create
images, networks and servers and delete what they made, each call through an agent picked at
random, while the script, on a schedule made from the seed (schedule.py), cuts agents from each
other, from cloudlets and from Keystone with iptables DROP rules, and kills agents with SIGKILL
and starts them again on the same data directory. Then it heals everything, waits the
reconciliation window, reads every cloud with the admin token and every global ID through every
agent, and counts (checker.py). Exit status 1 if any count is not 0.
"""
import argparse
import collections
import concurrent.futures
import http.client
import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import checker  # noqa: E402
import netlab  # noqa: E402
import schedule  # noqa: E402
from harness import FEDSTACK, Process  # noqa: E402

API_PORT, NODE_PORT = 8080, 4739   # inside each agent's own namespace: nothing else binds there
SKIPPED = 77   # ctest's SKIP_RETURN_CODE: this machine cannot run it
PATHS = {"image": "/v2/images/", "network": "/v2.0/networks/", "server": "/compute/v2.1/servers/",
         "subnet": "/v2.0/subnets/"}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=None, help="makes the fault schedule (default: the time)")
    p.add_argument("--duration", type=float, default=60, help="seconds of load and faults")
    p.add_argument("--clients", type=int, default=6)
    p.add_argument("--fedstack", default=FEDSTACK, help="the binary (default: $FEDSTACK_BIN or build/fedstack)")
    p.add_argument("--tls", choices=("on", "off"), default="on",
                   help="node port with certificates from --certs-script, or plain (with the agent's "
                        "insecure opt-out flag where it has one)")
    p.add_argument("--certs-script", default=os.path.join(ROOT, "scripts", "fedstack-certs.sh"),
                   help="makes the federation CA and the node and operator certificates")
    p.add_argument("--reservation-timeout-ms", type=int, default=3000)
    p.add_argument("--reservation-sweep-ms", type=int, default=1000)
    p.add_argument("--orphan-sweep-ms", type=int, default=2000)
    p.add_argument("--upstream-timeout-ms", type=int, default=3000)
    p.add_argument("--agent-arg", action="append", default=[], metavar="ARG",
                   help="one more agent argument, e.g. --agent-arg=--node-insecure (repeatable)")
    p.add_argument("--admin-share", type=float, default=0.2,
                   help="share of image and network creates the admin makes for the tenant's project")
    p.add_argument("--build-delay-ms", type=int, default=100)
    p.add_argument("--cloud-latency-ms", type=int, default=100,
                   help="added by the simulator to every cloud call, so that creates are in flight")
    p.add_argument("--subnet", default="10.213.0", help="the lab's /24 (first three octets)")
    p.add_argument("--keep", action="store_true", help="keep the work directory (logs, history)")
    return p.parse_args(argv)


def command_line(a, seed):
    """The command that repeats this run: the seed and every option not at its default."""
    defaults = vars(parse_args([]))
    words = [f"--seed={seed}"]
    for key, value in vars(a).items():
        if key in ("seed", "fedstack") or value == defaults[key]:
            continue
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            words.append(flag)
        elif isinstance(value, list):
            words += [f"{flag}={v}" for v in value]
        else:
            words.append(f"{flag}={value}")
    return "sudo FEDSTACK_BIN=build/fedstack python3 bench/partition/run.py " + shlex.join(words)


def window_s(a):
    """The documented reconciliation window (docs/faults.md): a reservation is looked at once it
    is older than the timeout, by a sweep that runs every period; an orphan likewise; a sweep
    call may wait an upstream timeout. Twice each period: one pass may start just before."""
    return (a.reservation_timeout_ms + 2 * max(a.reservation_sweep_ms, a.orphan_sweep_ms)
            + 2 * a.upstream_timeout_ms) / 1000 + 2


class Http:
    """Plain HTTP/1.1 from the clients' own address on the bridge, one connection per call."""

    def __init__(self, source_ip):
        self.source_ip = source_ip

    def __call__(self, method, url, body=None, token=None, raw=None, timeout=30, headers=None):
        u = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout,
                                          source_address=(self.source_ip, 0) if self.source_ip else None)
        h = dict(headers or {})
        if token:
            h["X-Auth-Token"] = token
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None and "Content-Type" not in h:
            h["Content-Type"] = "application/json"
        try:
            conn.request(method, u.path + (("?" + u.query) if u.query else ""), body=data, headers=h)
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()


def knows(fedstack, args, word):
    """Whether the binary's help mentions `word`: options other branches add are used if present."""
    r = subprocess.run([fedstack, *args], capture_output=True, text=True)
    return r.returncode == 0 and word in r.stdout + r.stderr


def keystone_token(call, keystone, user, password, project):
    auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}
    status, headers, body = call("POST", keystone + "/v3/auth/tokens", auth)
    assert status == 201, (status, body)
    return headers["X-Subject-Token"], json.loads(body)["token"]["project"]["id"]


LEFTOVERS = "/tmp/fedstack-partition.leftovers"   # pids and work directory of the running run


def remember(line):
    with open(LEFTOVERS, "a") as f:
        f.write(line + "\n")


def clean_leftovers():
    """What a run killed with SIGKILL left: its simulator (the agents die with their namespaces'
    cleanup) and its work directory. Only pids this script wrote down, still running fedstack."""
    try:
        with open(LEFTOVERS) as f:
            lines = f.read().split()
    except FileNotFoundError:
        return
    for item in lines:
        if item.isdigit():
            try:
                with open(f"/proc/{item}/cmdline", "rb") as f:
                    if b"fedstack" in f.read():
                        os.kill(int(item), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass
        elif item.startswith(tempfile.gettempdir() + "/fedstack-partition-"):
            shutil.rmtree(item, ignore_errors=True)
    os.remove(LEFTOVERS)


class Cluster:
    """The simulator and 4 agents in their namespaces; agents are killed and restarted here."""

    def __init__(self, a, lab, work):
        self.a, self.lab, self.work = a, lab, work
        self.agents = {}   # i -> Process
        self.lock = threading.Lock()
        self.restarts = collections.Counter()
        self.failed_starts = collections.Counter()
        self.sim = None
        self.tls_args = {}
        self.operator_args = []

    def start_sim(self):
        a, lab, work = self.a, self.lab, self.work
        self.sim = Process([a.fedstack, "sim", "--cloudlets", "4", "--address", lab.sim_ip,
                            "--data-dir", os.path.join(work, "sim"), "--build-delay-ms", str(a.build_delay_ms)],
                           os.path.join(work, "sim.log"))
        remember(str(self.sim.proc.pid))
        self.endpoints = self.sim.read_json()
        self.keystone = self.endpoints["keystone_url"]
        self.keystone_port = urllib.parse.urlsplit(self.keystone).port
        self.cloud = {int(c["region"].rsplit("-", 1)[1]): c for c in self.endpoints["cloudlets"]}
        self.cloud_ports = {k: [urllib.parse.urlsplit(c[s]).port for s in ("image_url", "network_url", "compute_url")]
                            for k, c in self.cloud.items()}
        self.tls_args = self._certs() if (self.a.tls == "on") else {}
        if not (self.a.tls == "on") and knows(a.fedstack, ["agent", "--help"], "insecure-plain-node-port"):
            self.tls_args = {i: ["--insecure-plain-node-port"] for i in lab.ips}

    def _certs(self):
        script = self.a.certs_script
        certs = os.path.join(self.work, "certs")
        subprocess.run([script, "init", certs], check=True, capture_output=True)
        with open(script) as f:
            names_region = "IP REGION" in f.read()   # node certificates that name their cloudlet
        out = {}
        for i, ip in self.lab.ips.items():
            name = f"cloudlet-{i}"
            subprocess.run([script, "node", certs, name, ip, *([name] if names_region else [])],
                           check=True, capture_output=True)
            out[i] = ["--node-ca", f"{certs}/ca.crt", "--node-cert", f"{certs}/{name}.crt",
                      "--node-key", f"{certs}/{name}.key"]
        subprocess.run([script, "client", certs, "operator"], check=True, capture_output=True)
        self.operator_args = ["--ca", f"{certs}/ca.crt", "--cert", f"{certs}/operator.crt",
                              "--key", f"{certs}/operator.key"]
        return out

    def orphans(self):
        """{agent: orphans its latest sweep listed} through `fedstack orphans` where the binary
        has it (the reconciler that lists instead of deleting); None where it has not."""
        if not knows(self.a.fedstack, ["orphans", "--help"], "--node"):
            return None
        out = {}
        for i, ip in self.lab.ips.items():
            r = subprocess.run([self.a.fedstack, "orphans", "--node", f"{ip}:{NODE_PORT}", "--json",
                                *self.operator_args], capture_output=True, text=True, timeout=60)
            out[i] = len(json.loads(r.stdout).get("orphans", [])) if r.returncode == 0 else f"error: {r.stderr.strip()}"
        return out

    def url(self, i):
        return f"http://{self.lab.ips[i]}:{API_PORT}"

    def agent_args(self, i):
        a, ip = self.a, self.lab.ips[i]
        join = ["--join", f"{self.lab.ips[1]}:{NODE_PORT}"] if i > 1 else []
        return ["agent", "--listen-address", ip, "--port", str(API_PORT),
                "--node-address", ip, "--node-port", str(NODE_PORT), "--peer-networks", self.lab.cidr,
                "--keystone-url", self.keystone + "/v3", "--service-password", "secret",
                "--region", f"cloudlet-{i}",
                "--data-dir", os.path.join(self.work, f"agent-{i}"),
                "--upstream-timeout-ms", str(a.upstream_timeout_ms), "--connect-timeout-ms", "1000",
                "--list-deadline-ms", str(a.upstream_timeout_ms),
                "--shuffle-period-ms", "500", "--capacity-period-ms", "500",
                "--reservation-timeout-ms", str(a.reservation_timeout_ms),
                "--reservation-sweep-ms", str(a.reservation_sweep_ms),
                "--orphan-sweep-ms", str(a.orphan_sweep_ms),
                *self.tls_args.get(i, []), *join, *a.agent_arg]

    def start(self, i, timeout=20):
        """Starts agent i on its data directory; False if it did not announce itself in time
        (for example while it cannot reach Keystone): it is then killed, to be tried again."""
        p = Process([*self.lab.exec_prefix(i), self.a.fedstack, *self.agent_args(i)],
                    os.path.join(self.work, f"agent-{i}.log"))
        try:
            p.read_json(timeout)
        except (TimeoutError, RuntimeError):
            p.proc.kill()
            p.stop()
            self.failed_starts[i] += 1
            return False
        with self.lock:
            self.agents[i] = p
        return True

    def kill(self, i):
        with self.lock:
            p = self.agents.pop(i, None)
        if p is None:
            return
        p.proc.send_signal(signal.SIGKILL)   # `ip netns exec` execs the agent: same process
        p.proc.wait()
        p.stop()

    def alive(self, i):
        with self.lock:
            return i in self.agents and self.agents[i].proc.poll() is None

    def close(self):
        for i in list(self.agents):
            self.agents.pop(i).stop()
        if self.sim:
            self.sim.stop()


class Clients:
    """Threads that create and delete through random agents and record every answer."""

    KINDS = ("image", "network", "server")

    def __init__(self, cluster, call, tokens, seed, n, base, admin_share):
        """tokens: {"tenant": (token, project ID), "admin": (token, project ID)}; a share of the
        image and network creates is made by the admin for the tenant's project (issue 16)."""
        self.cluster, self.call, self.tokens, self.base = cluster, call, tokens, base
        self.admin_share = admin_share
        self.stop = threading.Event()
        self.ops = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(c, random.Random(seed * 1000 + c)), daemon=True)
                        for c in range(n)]

    def record(self, op):
        with self.lock:
            self.ops.append(op)

    def request(self, op, method, path, body=None):
        """One call; the outcome is what the client may conclude from the answer."""
        op["t0"] = time.monotonic()
        try:
            status, _, raw = self.call(method, self.cluster.url(op["agent"]) + path, body,
                                       self.tokens[op["as"]][0], timeout=30)
        except OSError as e:
            # Refused: the request never reached an agent (one being restarted), so it did nothing.
            refused = isinstance(e, ConnectionRefusedError)
            op.update(status=None, error=type(e).__name__, outcome="fail" if refused else "unknown")
            return None
        finally:
            op["t1"] = time.monotonic()
        op["status"] = status
        op["outcome"] = "ok" if status < 300 else ("fail" if status < 500 else "unknown")
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def create(self, op):
        kind, name = op["kind"], op["name"]
        # The admin names the tenant's project as the owner, as `openstack ... --project` does.
        owner = {} if op["as"] == "tenant" else {"image": {"owner": self.tokens["tenant"][1]},
                                                 "network": {"project_id": self.tokens["tenant"][1]}}[kind]
        if kind == "image":
            doc = self.request(op, "POST", "/v2/images", {"name": name, "disk_format": "raw",
                                                           "container_format": "bare", **owner})
            return doc.get("id") if doc and op["outcome"] == "ok" else None
        if kind == "network":
            doc = self.request(op, "POST", "/v2.0/networks", {"network": {"name": name, **owner}})
            return doc["network"]["id"] if doc and op["outcome"] == "ok" else None
        doc = self.request(op, "POST", "/compute/v2.1/servers", {"server": {
            "name": name, "imageRef": self.base["image"], "flavorRef": self.base["flavors"][op["agent"]],
            "networks": [{"uuid": self.base["network"]}]}})
        return doc["server"]["id"] if doc and op["outcome"] == "ok" else None

    def run(self, client, rng):
        mine = []   # (kind, name, gid, as) acknowledged and not deleted yet
        n = 0
        while not self.stop.is_set():
            agent = rng.randint(1, len(self.cluster.lab.ips))
            if mine and rng.random() < 0.25:
                kind, name, gid, who = mine.pop(rng.randrange(len(mine)))
                op = {"client": client, "op": "delete", "kind": kind, "name": name, "gid": gid, "agent": agent,
                      "as": who}
                self.request(op, "DELETE", PATHS[kind] + gid)
                self.record(op)
                continue
            n += 1
            kind = rng.choice(self.KINDS)
            who = "admin" if kind != "server" and rng.random() < self.admin_share else "tenant"
            name = f"p{client}-{n}-{kind}" + ("-by-admin" if who == "admin" else "")
            op = {"client": client, "op": "create", "kind": kind, "name": name, "agent": agent, "as": who}
            op["gid"] = self.create(op)
            if op["outcome"] == "ok" and not op["gid"]:
                op["outcome"] = "unknown"   # 2xx without an ID: nothing to hold the federation to
            self.record(op)
            if op["gid"]:
                mine.append((kind, op["name"], op["gid"], who))
            if op["outcome"] != "ok":
                time.sleep(0.05)   # an agent being restarted refuses at once


def nemesis(cluster, lab, events, log):
    """Applies the schedule; returns when it is done. A restart that fails is tried again."""
    t0 = time.monotonic()
    pending_restarts = set()
    for t, action, args in events:
        while True:
            left = t0 + t - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, 0.5))
            for i in list(pending_restarts):
                if cluster.start(i, timeout=5):
                    pending_restarts.discard(i)
        i = args[0]
        if action == "cut-agents":
            lab.add(i, lab.agent_rules(i, args[1]))
        elif action == "heal-agents":
            lab.remove(i, lab.agent_rules(i, args[1]))
        elif action == "cut-cloud":
            lab.add(i, lab.port_rules(cluster.cloud_ports[args[1]]))
        elif action == "heal-cloud":
            lab.remove(i, lab.port_rules(cluster.cloud_ports[args[1]]))
        elif action == "mute-cloud":
            lab.add(i, lab.reply_rules(cluster.cloud_ports[args[1]]))
        elif action == "heal-mute":
            lab.remove(i, lab.reply_rules(cluster.cloud_ports[args[1]]))
        elif action == "cut-keystone":
            lab.add(i, lab.port_rules([cluster.keystone_port]))
        elif action == "heal-keystone":
            lab.remove(i, lab.port_rules([cluster.keystone_port]))
        elif action == "kill":
            cluster.kill(i)
            pending_restarts.discard(i)
        elif action == "restart":
            if not cluster.start(i, timeout=5):
                pending_restarts.add(i)
        log.write(f"{time.monotonic() - t0:7.2f} {action} {args}\n")
        log.flush()
    return pending_restarts


def list_cloud(call, cloud, admin):
    """Every image, network, subnet and server on one cloud, with its markers."""
    out = []

    def pages(url, key, nxt):
        while url:
            status, _, raw = call("GET", url, token=admin)
            assert status == 200, (url, status, raw[:200])
            doc = json.loads(raw)
            yield from doc[key]
            url = nxt(doc)

    base_image = cloud["image_url"].rstrip("/")
    for i in pages(base_image + "/v2/images?limit=1000", "images",
                   lambda d: base_image + d["next"] if d.get("next") else None):
        out.append({"kind": "image", "id": i["id"], "name": i.get("name"),
                    "gid": i.get("fedstack_gid"), "copy_of": i.get("fedstack_copy_of")})
    for kind, coll in (("network", "networks"), ("subnet", "subnets")):
        for r in pages(cloud["network_url"].rstrip("/") + f"/v2.0/{coll}", coll, lambda d: None):
            tags = dict(t.split("=", 1) for t in r.get("tags", []) if "=" in t)
            out.append({"kind": kind, "id": r["id"], "name": r.get("name"),
                        "gid": tags.get("fedstack_gid"), "copy_of": tags.get("fedstack_copy_of")})

    def server_next(doc):
        links = [l["href"] for l in doc.get("servers_links", []) if l.get("rel") == "next"]
        return links[0] if links else None

    for s in pages(cloud["compute_url"] + "/servers/detail?all_tenants=1&limit=1000", "servers", server_next):
        if s.get("status") == "DELETED":
            continue
        md = s.get("metadata") or {}
        out.append({"kind": "server", "id": s["id"], "name": s.get("name"),
                    "gid": md.get("fedstack_gid"), "copy_of": md.get("fedstack_copy_of")})
    for r in out:
        r["region"] = cloud["region"]
    return out


def resolves_everywhere(call, cluster, token, kind, gid):
    for i in cluster.lab.ips:
        try:
            status, _, raw = call("GET", cluster.url(i) + PATHS[kind] + gid, token=token, timeout=30)
        except OSError:
            return False
        if status != 200:
            return False
        doc = json.loads(raw)
        doc = doc.get(kind, doc)
        if doc.get("id") != gid:
            return False
    return True


def log_counts(work, agents):
    """What the sweeps did, from the agents' logs (appended to across restarts)."""
    patterns = ("orphan sweep: deleting", "reservation sweep: adopting", "reservation sweep: dropping")
    counts = dict.fromkeys(patterns, 0)
    for i in agents:
        with open(os.path.join(work, f"agent-{i}.log"), encoding="utf-8", errors="replace") as f:
            for line in f:
                for p in patterns:
                    counts[p] += p in line
    return counts


def setup_base(call, cluster, token):
    """An active image and a network with a subnet, made before any fault, for the boots."""
    url = cluster.url(1)
    status, _, raw = call("POST", url + "/v2/images", {"name": "base-image", "disk_format": "raw",
                                                       "container_format": "bare"}, token)
    assert status == 201, raw
    image = json.loads(raw)["id"]
    status, _, raw = call("PUT", url + f"/v2/images/{image}/file", token=token, raw=b"b" * 4096,
                          headers={"Content-Type": "application/octet-stream"})
    assert status == 204, raw
    status, _, raw = call("POST", url + "/v2.0/networks", {"network": {"name": "base-net"}}, token)
    assert status == 201, raw
    network = json.loads(raw)["network"]["id"]
    status, _, raw = call("POST", url + "/v2.0/subnets", {"subnet": {
        "name": "base-subnet", "network_id": network, "cidr": "10.250.0.0/16", "ip_version": 4}}, token)
    assert status == 201, raw
    flavors = {}
    for i in cluster.lab.ips:
        status, _, raw = call("GET", cluster.url(i) + "/compute/v2.1/flavors", token=token)
        assert status == 200, raw
        flavors[i] = next(f["id"] for f in json.loads(raw)["flavors"] if f["name"] == "m1.tiny")
    return {"image": image, "network": network, "flavors": flavors}


def main(argv):
    a = parse_args(argv)
    seed = a.seed if a.seed is not None else int(time.time())
    command = command_line(a, seed)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # clean up as on Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)   # even if started in the background
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("iptables"):
        print("run.py needs root, ip (iproute2) and iptables: network namespaces and DROP rules",
              file=sys.stderr)
        return SKIPPED
    events = schedule.make(seed, a.duration)
    work = tempfile.mkdtemp(prefix="fedstack-partition-")
    lab = netlab.Lab(4, a.subnet)
    cluster = None
    started = time.monotonic()
    try:
        clean_leftovers()
        remember(work)
        lab.up()
        cluster = Cluster(a, lab, work)
        cluster.start_sim()
        for i in lab.ips:
            if not cluster.start(i):
                raise RuntimeError(f"agent {i} did not start; see {work}/agent-{i}.log")
        call = Http(lab.client_ip)
        tokens = {"admin": keystone_token(call, cluster.keystone, "admin", "secret", "admin"),
                  "tenant": keystone_token(call, cluster.keystone, "demo", "demo", "demo")}
        admin, tenant = tokens["admin"][0], tokens["tenant"][0]
        baseline = {(r["region"], r["kind"], r["id"]) for c in cluster.cloud.values()
                    for r in list_cloud(call, c, admin)}
        base = setup_base(call, cluster, tenant)
        for k in cluster.cloud:
            status, _, raw = call("PUT", f"{cluster.keystone}/sim/faults/cloudlet-{k}",
                                  {"latency_ms": a.cloud_latency_ms})
            assert status < 300, raw
        clients = Clients(cluster, call, tokens, seed, a.clients, base, a.admin_share)
        for t in clients.threads:
            t.start()
        with open(os.path.join(work, "nemesis.log"), "w") as log:
            pending = nemesis(cluster, lab, events, log)
        clients.stop.set()
        for t in clients.threads:
            t.join()

        lab.heal_all()
        for k in cluster.cloud:
            call("DELETE", f"{cluster.keystone}/sim/faults/cloudlet-{k}")
        for i in lab.ips:
            if not cluster.alive(i):
                cluster.kill(i)
                if not cluster.start(i):
                    raise RuntimeError(f"agent {i} did not come back after healing; see {work}/agent-{i}.log")
        stopped = time.monotonic()
        time.sleep(window_s(a))   # the window is the property under test: nothing to await

        cloud = [r for c in cluster.cloud.values() for r in list_cloud(call, c, admin)
                 if (r["region"], r["kind"], r["id"]) not in baseline]
        kinds = {o["gid"]: o["kind"] for o in clients.ops if o.get("gid")}
        for r in cloud:
            for g in (r.get("gid"), r.get("copy_of")):
                if g:
                    kinds.setdefault(g, r["kind"])
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = pool.map(lambda gk: resolves_everywhere(call, cluster, tenant, gk[1], gk[0]), kinds.items())
            resolves = dict(zip(kinds, answers))
        counts, details = checker.check(clients.ops, cloud, resolves)
        checked = time.monotonic()

        with open(os.path.join(work, "history.json"), "w") as f:
            json.dump({"seed": seed, "events": events, "ops": clients.ops, "cloud": cloud,
                       "resolves": resolves}, f, indent=1)
        outcomes = collections.Counter(f"{o['op']} {o['kind']}{' (admin)' if o['as'] == 'admin' else ''} "
                                       f"{o['outcome']}" for o in clients.ops)
        faults = collections.Counter(e[1] for e in events if not e[1].startswith(("heal", "restart")))
        for name in checker.COUNTS:
            for line in details[name][:20]:
                print(f"  {name}: {line}")
            if len(details[name]) > 20:
                print(f"  {name}: ... {len(details[name]) - 20} more")
        print(f"\n`{command}`\n")
        print(f"seed {seed}: {a.duration:g} s of faults ({', '.join(f'{n} {k}' for k, n in sorted(faults.items()))}), "
              f"{a.clients} clients, window {window_s(a):.1f} s, whole run {checked - started:.0f} s "
              f"(clients stopped {stopped - started:.0f} s in)")
        print("client operations: " + ", ".join(f"{k} {n}" for k, n in sorted(outcomes.items())))
        print(f"agent starts that failed (retried): {sum(cluster.failed_starts.values())}; "
              f"restart retries left at the end: {len(pending)}; cloud resources checked: {len(cloud)}")
        orphans = cluster.orphans()
        if orphans is not None:
            print("listed by `fedstack orphans` per agent: " + ", ".join(f"{i}: {n}" for i, n in orphans.items()))
        print("agent logs: " + ", ".join(f"{n} '{p}'" for p, n in log_counts(work, lab.ips).items()))
        if a.keep:
            print(f"history and logs: {work}")
        print("\n| seed | lost | gone | duplicates | unexplained |\n|---|---|---|---|---|")
        print(f"| {seed} | " + " | ".join(str(counts[c]) for c in checker.COUNTS) + " |")
        return 1 if any(counts.values()) else 0
    finally:
        if cluster:
            cluster.close()
        lab.down()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        if os.path.exists(LEFTOVERS):
            os.remove(LEFTOVERS)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
