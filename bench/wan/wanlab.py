"""Sites on a shaped, delayed network inside this machine (needs root; the design and the figures:
docs/performance.md, "Across a WAN").

Built on bench/partition/netlab.py (one bridge, one namespace per agent, iptables inside the
namespaces), with its own prefix `fsw` so that it and the partition bench never remove each
other's namespaces:

    fsw-a1 .. fsw-aN   site K: agent K at 10.214.0.(10+K) and the site's WAN address .(128+K)
    fsw-cloud          `fedstack sim` at .3: cloudlet K's services are *at* site K
    fsw-cli            the clients, at site 1: .4, WAN address .128

Which site a service is at is decided by the relays' route tables, not by where the process runs:
every site namespace (and the clients') runs relay.py, and a REDIRECT rule sends every TCP
connection it opens into the lab to the relay, which holds the bytes `local_ms` one way for a
destination at the same site (agent to its own cloud, clients to agent 1) and `delay_ms` for one
at another site (agents to each other, to other sites' clouds, to Keystone at site 1). Inter-site
connections leave from the site's WAN address, so that:

- bandwidth: htb on both ends of each site's veth gives traffic from or to the WAN range
  (.128/26) `rate_mbit` (each site's uplink, each direction); the rest is unshaped;
- loss: in every namespace, INPUT drops a packet from or to the WAN range with probability
  `loss`: each direction of each inter-site link loses that share, counted once (at its receiver).
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "partition"))
import netlab  # noqa: E402
from netlab import sh  # noqa: E402

PREFIX = "fsw"
RELAY_PORT = 7999


class WanLab(netlab.Lab):
    def __init__(self, sites, subnet="10.214.0", delay_ms=25.0, local_ms=1.0, rate_mbit=100, loss=0.0):
        if not 1 <= sites <= 62:
            raise ValueError("1 to 62 sites (the WAN addresses are .129 to .190)")
        super().__init__(sites, subnet, prefix=PREFIX)
        self.sites = sites
        self.delay_ms, self.local_ms, self.rate_mbit, self.loss = delay_ms, local_ms, rate_mbit, loss
        self.cloud_ip = f"{subnet}.3"
        self.clients_ip = f"{subnet}.4"
        self.wan_range = f"{subnet}.128/26"
        self.wan_ips = {i: f"{subnet}.{128 + i}" for i in range(0, sites + 1)}   # 0: the clients
        self.relays = {}   # site namespace -> harness-like process (Popen)
        self.controls = {}

    # Namespaces: sites 1..N, the clouds and the clients ("site" 0 at site 1).
    def site_ns(self, k):
        return f"{PREFIX}-cli" if k == 0 else self.ns(k)

    @property
    def cloud_ns(self):
        return f"{PREFIX}-cloud"

    def exec_in(self, ns):
        return ["ip", "netns", "exec", ns]

    def up(self):
        super().up()
        self.join(self.cloud_ns, f"{PREFIX}-hc", f"{PREFIX}-nc", self.cloud_ip)
        self.join(self.site_ns(0), f"{PREFIX}-h0", f"{PREFIX}-n0", self.clients_ip)
        for k in range(0, self.sites + 1):
            ns, inner, host = self.site_ns(k), f"{PREFIX}-n{k}", f"{PREFIX}-h{k}"
            sh(*self.exec_in(ns), "ip", "addr", "add", f"{self.wan_ips[k]}/24", "dev", inner)
            self.shape([*self.exec_in(ns)], inner)
            self.shape([], host)
            # Every connection this site opens into the lab goes through its relay, except the
            # relay's own (SO_MARK 1).
            sh(*self.exec_in(ns), "iptables", "-w", "-t", "nat", "-A", "OUTPUT", "-p", "tcp",
               "-d", self.cidr, "-m", "mark", "--mark", "0", "-j", "REDIRECT", "--to-ports", str(RELAY_PORT))
        if self.loss > 0:
            for ns in [self.site_ns(k) for k in range(0, self.sites + 1)] + [self.cloud_ns]:
                for side in ("-s", "-d"):
                    sh(*self.exec_in(ns), "iptables", "-w", "-A", "INPUT", side, self.wan_range,
                       "-m", "statistic", "--mode", "random", "--probability", str(self.loss), "-j", "DROP")

    def shape(self, prefix, dev):
        """htb on `dev`'s egress: the WAN range at rate_mbit, everything else unshaped."""
        rate = f"{self.rate_mbit}mbit"
        sh(*prefix, "tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "20")
        sh(*prefix, "tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb",
           "rate", rate, "ceil", rate, "burst", "64k", "cburst", "64k", "quantum", "1514")
        sh(*prefix, "tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:20", "htb",
           "rate", "10gbit", "quantum", "60000")
        for side in ("src", "dst"):
            sh(*prefix, "tc", "filter", "add", "dev", dev, "parent", "1:", "protocol", "ip", "prio", "1",
               "u32", "match", "ip", side, self.wan_range, "flowid", "1:10")
        # A queue of a few bandwidth-delay products, as a router's would be.
        sh(*prefix, "tc", "qdisc", "add", "dev", dev, "parent", "1:10", "handle", "10:", "pfifo", "limit", "1000")

    def tc_stats(self, k):
        return sh(*self.exec_in(self.site_ns(k)), "tc", "-s", "class", "show", "dev", f"{PREFIX}-n{k}")

    # Where things are: the relays' routes.
    def site_of_ip(self, ip):
        for k, a in self.ips.items():
            if a == ip:
                return k
        return None

    def routes(self, k, cloud_ports, keystone_port, agent_ports=None, cloud_site=None):
        """Routes of site k's relay (k = 0: the clients, at site 1). cloud_ports: {cloudlet: {
        service: port}} with cloudlet j at site j; Keystone at site 1."""
        here = 1 if k == 0 else k
        out = []

        def route(ip, port, site, label):
            local = site == here
            r = {"ip": ip, "port": port, "label": label,
                 "delay_ms": self.local_ms if local else self.delay_ms, "wan": not local}
            if not local:
                r["source"] = self.wan_ips[k]
            out.append(r)

        for j, ip in self.ips.items():
            route(ip, 0, j, f"agent-{j}")
            for name, port in (agent_ports or {}).items():   # e.g. {"api": 8080, "node": 4739}
                route(ip, port, j, f"agent-{j}:{name}")
        for j, services in cloud_ports.items():
            for service, port in services.items():
                route(self.cloud_ip, port, (cloud_site or {}).get(j, j), f"cloud-{j}:{service}")
        route(self.cloud_ip, keystone_port, 1, "keystone")
        return out

    def start_relays(self, work, cloud_ports, keystone_port, agent_ports=None, cloud_site=None):
        """cloud_site: {cloudlet: site} where a cloudlet is not at the site of its number."""
        relay = os.path.join(HERE, "relay.py")
        for k in range(0, self.sites + 1):
            ns = self.site_ns(k)
            config = os.path.join(work, f"relay-{k}.json")
            with open(config, "w") as f:
                json.dump({"port": RELAY_PORT, "routes": self.routes(k, cloud_ports, keystone_port, agent_ports, cloud_site)}, f)
            control = os.path.join(work, f"relay-{k}.sock")
            log = open(os.path.join(work, f"relay-{k}.log"), "ab")
            p = subprocess.Popen([*self.exec_in(ns), sys.executable, relay, "--config", config,
                                  "--control", control], stdout=subprocess.PIPE, stderr=log,
                                 stdin=subprocess.DEVNULL)
            line = p.stdout.readline()
            if not line:
                raise RuntimeError(f"relay of {ns} did not start; see {work}/relay-{k}.log")
            self.relays[k] = p
            self.controls[k] = control

    def stop_relays(self):
        for p in self.relays.values():
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            p.stdout.close()
        self.relays.clear()

    def down(self):
        self.stop_relays()
        super().down()
