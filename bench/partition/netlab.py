"""A private network inside this machine: one bridge in the root namespace, one network namespace
per agent joined to it by a veth pair, and partitions as iptables DROP rules inside the
namespaces. Needs root, `ip` (iproute2) and `iptables`.

    root namespace   bridge fsp-br  10.213.0.1 (the simulator)  10.213.0.2 (clients)
    fsp-a1 .. fsp-aN  veth fsp-nI   10.213.0.(10+I)  (agent I)

Every name starts with the lab's prefix (PREFIX unless given), so that `cleanup()` finds what a
crashed run left behind.
"""
import subprocess

PREFIX = "fsp"


def sh(*args, check=True):
    result = subprocess.run(args, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def namespaces(prefix=PREFIX):
    return [line.split()[0] for line in sh("ip", "netns", "list").splitlines()
            if line.split() and line.split()[0].startswith(prefix + "-")]


def cleanup(prefix=PREFIX):
    """Removes every namespace and link this module makes (a namespace takes its veth end, and
    the peer in the root namespace, with it), and what a crashed run left running in them."""
    for ns in namespaces(prefix):
        # Processes a crashed run left inside (its agents) would keep the namespace alive.
        for pid in sh("ip", "netns", "pids", ns, check=False).split():
            sh("kill", "-KILL", pid, check=False)
        sh("ip", "netns", "del", ns, check=False)
    for line in sh("ip", "-o", "link", "show").splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if name.startswith(prefix + "-"):
            sh("ip", "link", "del", name, check=False)


class Lab:
    """`prefix` names everything the lab makes: another prefix is another lab (bench/wan/ uses
    its own, so that neither lab's cleanup removes the other's)."""

    def __init__(self, agents, subnet="10.213.0", prefix=PREFIX):
        self.prefix = prefix
        self.bridge = prefix + "-br"
        self.subnet = subnet
        self.sim_ip = f"{subnet}.1"
        self.client_ip = f"{subnet}.2"
        self.cidr = f"{subnet}.0/24"
        self.agents = agents
        self.ips = {i: f"{subnet}.{10 + i}" for i in range(1, agents + 1)}

    def ns(self, i):
        return f"{self.prefix}-a{i}"

    def up(self):
        cleanup(self.prefix)
        for line in sh("ip", "-o", "-4", "addr", "show").splitlines():
            if f" {self.subnet}." in line:
                raise RuntimeError(f"{self.subnet}.0/24 is in use on this machine ({line.split()[1]}): "
                                   "choose another lab subnet")
        sh("ip", "link", "add", self.bridge, "type", "bridge")
        # Frames between namespaces cross the bridge; with br_netfilter loaded they would also go
        # through the root namespace's FORWARD chain, which is not ours to change.
        sh("ip", "link", "set", self.bridge, "type", "bridge", "nf_call_iptables", "0", check=False)
        sh("ip", "addr", "add", f"{self.sim_ip}/24", "dev", self.bridge)
        sh("ip", "addr", "add", f"{self.client_ip}/24", "dev", self.bridge)
        sh("ip", "link", "set", self.bridge, "up")
        for i, ip in self.ips.items():
            self.join(self.ns(i), f"{self.prefix}-h{i}", f"{self.prefix}-n{i}", ip)

    def join(self, ns, host, inner, ip):
        """A namespace `ns` on the bridge at `ip`, by the veth pair host (root side) / inner."""
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", host, "type", "veth", "peer", "name", inner)
        sh("ip", "link", "set", inner, "netns", ns)
        sh("ip", "link", "set", host, "master", self.bridge)
        sh("ip", "link", "set", host, "up")
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"{ip}/24", "dev", inner)
        sh("ip", "netns", "exec", ns, "ip", "link", "set", inner, "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")

    def exec_prefix(self, i):
        return ["ip", "netns", "exec", self.ns(i)]

    def iptables(self, i, *rule):
        sh(*self.exec_prefix(i), "iptables", "-w", *rule)

    def agent_rules(self, i, j):
        """Rules in agent i's namespace that cut it from agent j (both directions)."""
        return [("INPUT", "-s", self.ips[j], "-j", "DROP"), ("OUTPUT", "-d", self.ips[j], "-j", "DROP")]

    def port_rules(self, ports):
        """Rules that cut a namespace from the simulator's `ports` (a cloudlet's services, Keystone)."""
        return [("OUTPUT", "-d", self.sim_ip, "-p", "tcp", "--dport", str(p), "-j", "DROP") for p in ports]

    def reply_rules(self, ports):
        """Rules that drop what the simulator's `ports` answer: requests still arrive."""
        return [("INPUT", "-s", self.sim_ip, "-p", "tcp", "--sport", str(p), "-j", "DROP") for p in ports]

    def add(self, i, rules):
        for rule in rules:
            self.iptables(i, "-A", *rule)

    def remove(self, i, rules):
        """Removes one instance of each rule: overlapping identical faults heal one at a time."""
        for rule in rules:
            self.iptables(i, "-D", *rule)

    def heal(self, i):
        self.iptables(i, "-F", "INPUT")
        self.iptables(i, "-F", "OUTPUT")

    def heal_all(self):
        for i in self.ips:
            self.heal(i)

    def rules(self, i):
        return [line for line in sh(*self.exec_prefix(i), "iptables", "-w", "-S").splitlines()
                if line.startswith("-A")]

    def down(self):
        cleanup(self.prefix)
