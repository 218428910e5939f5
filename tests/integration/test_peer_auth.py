"""Peers authenticate each other (issue 5): three agents with certificates from one
federation CA (made with scripts/fedstack-certs.sh) federate and answer operators who hold a
client certificate from that CA; a stranger with a certificate from another CA, and a plain
agent without TLS, join through a federation node and are refused: no federation cache and no
capacity view ever holds them, they learn nothing, and the node that refused them logs it.
Introspection without a certificate, or with a foreign one, fails with a clear message."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import FEDSTACK, Federation, members

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
CERTS = os.path.join(ROOT, "scripts", "fedstack-certs.sh")

PERIOD_MS = 500
AGENTS = 3
# Each cache can hold both other federation nodes.
AGENT_ARGS = ("--shuffle-period-ms", str(PERIOD_MS), "--shuffle-timeout-ms", "1000",
              "--capacity-period-ms", str(PERIOD_MS), "--heartbeat-ms", "200",
              "--connection-timeout-ms", "1500", "--cache-size", "2", "--shuffle-length", "2")
# How long "nothing happens" is watched: a stranger tries its seed once per period (and is put
# back by rejoining when its cache is empty), so 12 periods give it about 12 attempts.
QUIET_PERIODS = 12


def certs(*args):
    subprocess.run(["bash", CERTS, *args], check=True, capture_output=True, text=True)


def tls_args(prefix, directory, name):
    return (f"--{prefix}ca", os.path.join(directory, "ca.crt"),
            f"--{prefix}cert", os.path.join(directory, name + ".crt"),
            f"--{prefix}key", os.path.join(directory, name + ".key"))


class PeerAuthentication(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="fedstack-certs-")
        cls.fed_dir = os.path.join(cls.certs, "federation")
        cls.other_dir = os.path.join(cls.certs, "other")
        certs("init", cls.fed_dir)
        for i in range(1, AGENTS + 1):
            certs("node", cls.fed_dir, f"agent-{i}", "127.0.0.1", f"cloudlet-{i}")
        certs("client", cls.fed_dir, "operator")
        certs("init", cls.other_dir)
        certs("node", cls.other_dir, "stranger", "127.0.0.1", f"cloudlet-{AGENTS + 1}")
        certs("client", cls.other_dir, "operator")
        cls.client = tls_args("", cls.fed_dir, "operator")
        cls.foreign_client = tls_args("", cls.other_dir, "operator")
        # Two more cloudlets in the sim, for the strangers' own agents.
        cls.fed = Federation(cloudlets=AGENTS + 2, agents=AGENTS, agent_args=AGENT_ARGS, chain=True,
                             per_agent_args=lambda i: tls_args("node-", cls.fed_dir, f"agent-{i}"))
        cls.nodes = [a["node"] for a in cls.fed.agents]

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()
        shutil.rmtree(cls.certs, ignore_errors=True)

    # -- helpers -------------------------------------------------------------------------------

    def cli(self, *args):
        # This suite names its certificates itself: not the harness's exported operator's.
        env = {k: v for k, v in os.environ.items() if not k.startswith("FEDSTACK_NODE_")}
        return subprocess.run([FEDSTACK, *args], capture_output=True, text=True, timeout=60, env=env)

    def plain_members(self, node):
        env = {k: v for k, v in os.environ.items() if not k.startswith("FEDSTACK_NODE_")}
        result = subprocess.run([FEDSTACK, "members", "--node", node, "--json", "--timeout-ms", "2000"],
                                capture_output=True, text=True, timeout=30, env=env)
        return json.loads(result.stdout) if result.returncode == 0 else None

    def caches(self):
        return {n: members(n, self.client) for n in self.nodes}

    def log_of(self, agent):
        with open(agent["process"].log_path, errors="replace") as f:
            return f.read()

    def wait_until_federated(self, max_periods=80):
        """Every federation cache is seen, at some poll, to hold exactly the other two nodes.
        (With three nodes CYCLON's caches are not always all full at one instant: a shuffle
        answer made only of known entries leaves a slot empty until a later shuffle.)"""
        seen_full = set()
        start = time.monotonic()
        while True:
            for node, cache in self.caches().items():
                if cache is not None and {m["node"] for m in cache} == set(self.nodes) - {node}:
                    seen_full.add(node)
            if seen_full == set(self.nodes):
                return (time.monotonic() - start) * 1000 / PERIOD_MS
            if (time.monotonic() - start) * 1000 > max_periods * PERIOD_MS:
                self.fail(f"caches never filled with the other federation nodes: "
                          f"{self.caches()} (full at some point: {seen_full})")
            time.sleep(PERIOD_MS / 1000)

    def start_stranger(self, name, region, extra):
        seed = self.nodes[0]
        agent = self.fed.start_agent(region, name, (*AGENT_ARGS, *extra, "--join", seed))
        return agent, seed

    def assert_refused(self, stranger, seed, read_own_cache):
        """Watches QUIET_PERIODS shuffle periods (a bounded wait for "nothing happens", polled once
        per period): no federation cache lists the stranger; the stranger's cache holds no
        federation node but its seed, and the seed never with the region and URL that a
        successful shuffle would have brought; no federation capacity view has its report."""
        me = stranger["node"]
        deadline = time.monotonic() + QUIET_PERIODS * PERIOD_MS / 1000
        polls = 0
        while True:
            last = time.monotonic() >= deadline   # the last poll starts after the window
            for node, cache in self.caches().items():
                self.assertIsNotNone(cache, f"cannot read {node}'s cache")
                self.assertNotIn(me, {m["node"] for m in cache}, f"{node} lists the stranger")
            own = read_own_cache()
            self.assertIsNotNone(own, "cannot read the stranger's own cache")
            for m in own:
                self.assertTrue(m["node"] == seed and m["region"] == "" and m["http_url"] == "",
                                f"the stranger learned {m} from the federation")
            polls += 1
            if last:
                break
            time.sleep(PERIOD_MS / 1000)
        self.assertGreaterEqual(polls, 3)
        for node in self.nodes:
            result = self.cli("capacity", "--node", node, "--json", *self.client)
            self.assertEqual(result.returncode, 0, result.stderr)
            reports = json.loads(result.stdout)["reports"]
            self.assertNotIn(me, {r["node"] for r in reports})
            self.assertNotIn(stranger["region"], {r["region"] for r in reports})
        self.assertTrue(stranger["process"].proc.poll() is None, "the stranger died")

    def assert_seed_logged_refusal(self, seed, since):
        """The seed's log gained a line about a refused handshake from 127.0.0.1. Refusals are
        logged at most 20 a minute (actors/tls.cpp): after the earlier strangers the next line
        may wait for the next minute, while the stranger keeps trying every period."""
        agent = next(a for a in self.fed.agents if a["node"] == seed)
        deadline = time.monotonic() + 75
        while True:
            new = self.log_of(agent)[since:]
            if re.search(r"node refused a TLS handshake from 127\.0\.0\.1:\d+: \S", new):
                return new
            if time.monotonic() > deadline:
                self.fail(f"no refused handshake in the seed's log:\n{new[-3000:]}")
            time.sleep(0.2)

    # -- tests (unittest runs them in name order) ----------------------------------------------

    def test_1_federation_forms_with_certificates(self):
        periods = self.wait_until_federated()
        print(f"\n{AGENTS} TLS agents: every cache held the other two within {periods:.1f} periods")
        for agent in self.fed.agents:
            self.assertIn("TLS; peers must present a certificate issued by the CA", self.log_of(agent))
            self.assertNotIn("INSECURE", self.log_of(agent))
        result = self.cli("capacity", "--node", self.nodes[0], "--json", *self.client)
        self.assertEqual(result.returncode, 0, result.stderr)
        # The walk sees the overlay of one instant, which with three nodes need not reach all.
        overlay = self.cli("overlay", "--node", self.nodes[0], "--format", "json", *self.client)
        self.assertEqual(overlay.returncode, 0, overlay.stderr)
        walked = {n["node"] for n in json.loads(overlay.stdout)["nodes"]}
        self.assertIn(self.nodes[0], walked)
        self.assertLessEqual(walked, set(self.nodes))
        decisions = self.cli("decisions", "--node", self.nodes[1], "--json", *self.client)
        self.assertEqual(decisions.returncode, 0, decisions.stderr)

    def test_2_stranger_with_a_foreign_ca_is_refused(self):
        seed_log = len(self.log_of(self.fed.agents[0]))
        stranger, seed = self.start_stranger(
            "stranger-ca", f"cloudlet-{AGENTS + 1}",
            tls_args("node-", self.other_dir, "stranger"))
        self.assert_refused(stranger, seed,
                            lambda: members(stranger["node"], self.foreign_client))
        refusal = self.assert_seed_logged_refusal(seed, seed_log)
        self.assertIn("unknown ca", refusal)
        self.assertRegex(self.log_of(stranger),
                         rf"TLS handshake with node {re.escape(seed)} failed: certificate verify failed")
        self.fed.processes.remove(stranger["process"])
        stranger["process"].stop()

    def test_3_plain_agent_is_refused(self):
        seed_log = len(self.log_of(self.fed.agents[0]))
        stranger, seed = self.start_stranger("stranger-plain", f"cloudlet-{AGENTS + 2}",
                                             ("--insecure-plain-node-port",))
        self.assertIn("INSECURE: node", self.log_of(stranger))
        self.assert_refused(stranger, seed, lambda: self.plain_members(stranger["node"]))
        self.assert_seed_logged_refusal(seed, seed_log)
        self.fed.processes.remove(stranger["process"])
        stranger["process"].stop()

    def test_4_introspection_needs_a_client_certificate_from_the_ca(self):
        node = self.nodes[0]
        for command in ("members", "capacity"):
            for creds, what in (((), "no certificate"), (self.foreign_client, "a foreign CA")):
                result = self.cli(command, "--node", node, "--timeout-ms", "3000", *creds)
                self.assertNotEqual(result.returncode, 0, f"{command} with {what}: {result.stdout}")
                self.assertIn(f"cannot attach to {node}", result.stderr, what)
                self.assertIn("handshake", result.stderr, what)
                self.assertEqual(result.stdout, "", what)
            ok = self.cli(command, "--node", node, "--json", *self.client)
            self.assertEqual(ok.returncode, 0, ok.stderr)

    def test_5_federation_still_healthy_after_the_strangers(self):
        # Refused handshakes must not disturb the members' own connections.
        self.wait_until_federated()


class StartupErrors(unittest.TestCase):
    """TLS options are checked before the agent starts anything: a partial set or unusable files
    end the agent (and the CLI) with exit 2 and a message, not with a crash later."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fedstack-certs-")
        cls.fed_dir = os.path.join(cls.dir, "federation")
        cls.other_dir = os.path.join(cls.dir, "other")
        certs("init", cls.fed_dir)
        certs("node", cls.fed_dir, "a", "127.0.0.1", "cloudlet-1")
        certs("node", cls.fed_dir, "b", "127.0.0.1", "cloudlet-1")
        certs("client", cls.fed_dir, "operator")
        certs("init", cls.other_dir)
        certs("node", cls.other_dir, "x", "127.0.0.1", "cloudlet-1")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def path(self, directory, name):
        return os.path.join(directory, name)

    def agent(self, *args):
        # Nothing listens at this Keystone: an agent that got past the TLS check would fail
        # later with exit 1, not 2.
        return subprocess.run([FEDSTACK, "agent", "--port", "0", "--node-port", "0",
                               "--keystone-url", "http://127.0.0.1:9/v3", "--service-password", "x", "--data-dir",
                               os.path.join(self.dir, "data"), *args],
                              capture_output=True, text=True, timeout=60)

    def expect_error(self, args, message):
        result = self.agent(*args)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(message, result.stderr)
        return result

    def test_certificate_files_are_checked(self):
        f, o = self.fed_dir, self.other_dir
        ca, cert, key = self.path(f, "ca.crt"), self.path(f, "a.crt"), self.path(f, "a.key")
        self.expect_error(("--node-ca", ca), "--node-ca, --node-cert and --node-key go together")
        self.expect_error(("--node-cert", cert, "--node-key", key), "go together")
        self.expect_error(("--node-ca", self.path(f, "missing.crt"), "--node-cert", cert,
                           "--node-key", key), "cannot read the CA certificate")
        self.expect_error(("--node-ca", ca, "--node-cert", key, "--node-key", key),
                          "holds no PEM certificate")
        self.expect_error(("--node-ca", ca, "--node-cert", cert, "--node-key",
                           self.path(f, "b.key")), "does not belong to the certificate")
        self.expect_error(("--node-ca", self.path(o, "ca.crt"), "--node-cert", cert,
                           "--node-key", key), "is not valid as a TLS")
        # An operator's client certificate cannot serve as a node's.
        self.expect_error(("--node-ca", ca, "--node-cert", self.path(f, "operator.crt"),
                           "--node-key", self.path(f, "operator.key")), "server certificate")

    def test_key_files_are_private(self):
        for name in ("ca.key", "a.key", "operator.key"):
            self.assertEqual(os.stat(self.path(self.fed_dir, name)).st_mode & 0o777, 0o600, name)

    def test_introspection_options_are_checked(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("FEDSTACK_NODE_")}
        result = subprocess.run([FEDSTACK, "members", "--node", "127.0.0.1:9", "--ca",
                                 self.path(self.fed_dir, "ca.crt")], capture_output=True, text=True,
                                timeout=60, env=env)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--ca, --cert and --key go together", result.stderr)


if __name__ == "__main__":
    unittest.main()
