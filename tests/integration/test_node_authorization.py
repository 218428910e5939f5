"""Issue 16: the node port is mutual TLS by default and every message is authorized by the
sender's certificate. A peer program (node_probe, with a certificate of the federation's CA)
tries what the issue lists: changing copies on another cloudlet, erasing another agent's record,
removing a primary copy, announcing another region, an operator writing, reaching the registry
actor by its ID and killing actors with exit messages; strangers send one BASP header with a
huge payload length. Each must be refused while the federation keeps working."""
import json
import os
import subprocess
import time
import unittest

from harness import (FEDSTACK, Federation, federation_ca, node_tls_args, openstack,
                     operator_tls_args)
from node_attacks import rss_kib, send_huge_header

PROBE = os.environ.get("FEDSTACK_NODE_PROBE") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "tests", "integration", "node_probe")

AGENT_ARGS = ("--shuffle-period-ms", "500", "--capacity-period-ms", "500", "--heartbeat-ms", "200")


def client_args(node_args):
    """--node-ca/... of a node certificate as the probe's --ca/--cert/--key."""
    ca, cert, key = node_args[1], node_args[3], node_args[5]
    return ("--ca", ca, "--cert", cert, "--key", key)


class NodeAuthorization(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=3, agents=2, agent_args=AGENT_ARGS, chain=True)
        cls.env = cls.fed.env(0)
        network = openstack(cls.env, "network", "create", "auth-n1", "-f", "json")
        cls.global_id = network["id"]
        cls.project = network["project_id"]
        cls.owner = cls.fed.agents[0]
        cls.node = cls.owner["node"]
        # Peers as the agents of cloudlet-2 and cloudlet-1 would be, and an operator.
        cls.cloudlet_two = client_args(node_tls_args("cloudlet-2", "probe"))
        cls.cloudlet_one = client_args(node_tls_args("cloudlet-1", "probe"))
        cls.operator = operator_tls_args()

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()

    def probe(self, creds, *command, node=None):
        result = subprocess.run([PROBE, "--node", node or self.node, *creds, *command],
                                capture_output=True, text=True, timeout=120)
        self.assertIn(result.returncode, (0, 1), result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def entry(self):
        got = self.probe(self.cloudlet_two, "get", self.project, self.global_id)
        self.assertTrue(got["ok"], got)
        return got["value"]

    def log(self, agent):
        with open(agent["process"].log_path, errors="replace") as f:
            return f.read()

    def wait_for_log(self, agent, text, timeout=30):
        deadline = time.monotonic() + timeout
        while text not in self.log(agent):
            self.assertLess(time.monotonic(), deadline, f"'{text}' not logged")
            time.sleep(0.1)

    def assert_refused(self, answer):
        self.assertFalse(answer["ok"], answer)
        self.assertEqual(answer["error"], "not_authorized", answer)

    def test_a_peer_reads_its_owner_s_record(self):
        self.assertEqual(self.entry()["copies"][0]["cloudlet"], "cloudlet-1")

    def test_a_peer_adds_or_removes_copies_only_on_its_own_cloudlet(self):
        before = self.entry()
        self.assert_refused(self.probe(self.cloudlet_two, "add_copy", self.project, self.global_id,
                                       "cloudlet-3", "chosen-by-the-attacker"))
        self.assert_refused(self.probe(self.cloudlet_two, "remove_copy", self.project, self.global_id,
                                       "cloudlet-1"))
        self.assertEqual(self.entry(), before)
        self.assertRegex(self.log(self.owner), r"node refused 'add_copy' from cloudlet cloudlet-2")

    def test_a_peer_never_removes_the_primary_copy_or_erases(self):
        self.assert_refused(self.probe(self.cloudlet_one, "remove_copy", self.project, self.global_id,
                                       "cloudlet-1"))
        self.assert_refused(self.probe(self.cloudlet_two, "erase", self.project, self.global_id))
        self.assertEqual(len(self.entry()["copies"]), 1)
        shown = openstack(self.env, "network", "show", self.global_id, "-f", "json")
        self.assertEqual(shown["id"], self.global_id)

    def test_a_delete_through_another_agent_erases_the_owner_s_record_once_gone(self):
        network = openstack(self.env, "network", "create", "auth-n2", "-f", "json")
        got = self.probe(self.cloudlet_two, "get", self.project, network["id"])
        self.assertTrue(got["ok"], got)
        openstack(self.fed.env(1), "network", "delete", network["id"])
        gone = self.probe(self.cloudlet_two, "get", self.project, network["id"])
        self.assertEqual(gone["error"], "not_found", gone)

    def test_a_peer_announces_only_its_own_region(self):
        self.assert_refused(self.probe(self.cloudlet_two, "shuffle", "cloudlet-1"))
        self.assert_refused(self.probe(self.cloudlet_two, "shuffle", "invented-region"))

    def test_an_operator_only_reads(self):
        self.assertTrue(self.probe(self.operator, "members")["ok"])
        self.assert_refused(self.probe(self.operator, "get", self.project, self.global_id))
        self.assert_refused(self.probe(self.operator, "erase", self.project, self.global_id))
        self.assert_refused(self.probe(self.operator, "add_copy", self.project, self.global_id,
                                       "cloudlet-3", "x"))
        self.assert_refused(self.probe(self.operator, "shuffle", "cloudlet-3"))

    def test_only_the_node_actor_is_reachable(self):
        node = self.fed.agents[1]["node"]
        # 16 IDs: the registry and the other actors the agent spawns first; each dropped
        # message is a log line, and tls.cpp logs at most 20 a minute.
        scan = self.probe(self.cloudlet_one, "scan-ids", "16", node=node)
        self.assertEqual(scan["answered"], [], scan)
        self.assertRegex(self.log(self.fed.agents[1]),
                         r"node dropped a message from 127\.0\.0\.1:\d+ to actor \d+, which is not the node actor")
        # A link to an actor of a process that then dies would bring the node an exit message;
        # CAF sends the link request as a routed message, which closes the connection.
        self.assertTrue(self.probe(self.cloudlet_one, "link", node=node)["ok"])
        self.wait_for_log(self.fed.agents[1], "closed: a routed message")
        self.assertTrue(self.probe(self.cloudlet_one, "members", node=node)["ok"])
        # The registry still records creates through that agent, and the owner's record reads.
        env = self.fed.env(1)
        created = openstack(env, "network", "create", "after-exits", "-f", "json")
        shown = openstack(env, "network", "show", created["id"], "-f", "json")
        self.assertEqual(shown["name"], "after-exits")
        self.assertIsNone(self.fed.agents[1]["process"].proc.poll())

    def test_strangers_cost_bounded_memory(self):
        # The owner: its log has room (refusals in tls.cpp are logged at most 20 a minute).
        agent = self.fed.agents[0]
        host, port = agent["node"].rsplit(":", 1)
        pid = agent["process"].proc.pid
        before = rss_kib(pid)
        closed, plain_peak = send_huge_header(host, int(port), pid=pid)
        self.assertTrue(closed, "a plain stranger was not disconnected")
        # An authenticated peer announcing a huge payload is disconnected too, before the
        # agent allocates it.
        ca, cert, key = self.cloudlet_one[1], self.cloudlet_one[3], self.cloudlet_one[5]
        closed, peer_peak = send_huge_header(host, int(port), tls=(ca, cert, key), pid=pid)
        self.assertTrue(closed, "a peer announcing a huge payload was not disconnected")
        after = rss_kib(pid)
        print(f"\nagent RSS {before} KiB before; peaks {plain_peak} KiB (plain stranger), "
              f"{peer_peak} KiB (certified peer); {after} KiB after")
        self.assertLess(max(plain_peak, peer_peak, after) - before, 64 * 1024)
        self.assertIn("closed: a BASP payload of 2684354560 bytes", self.log(agent))


class TlsByDefault(unittest.TestCase):
    def run_agent(self, *args):
        # Nothing listens at this Keystone: an agent past the node checks would fail with 1.
        data = os.path.join(federation_ca(), "..", f"data-{time.monotonic_ns()}")
        return subprocess.run([FEDSTACK, "agent", "--port", "0", "--node-port", "0", "--keystone-url",
                               "http://127.0.0.1:9/v3", "--service-password", "secret", "--region",
                               "cloudlet-1", "--data-dir", data, *args], capture_output=True, text=True, timeout=60)

    def test_an_agent_without_certificates_does_not_start(self):
        result = self.run_agent()
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--insecure-plain-node-port", result.stderr)

    def test_a_certificate_for_another_cloudlet_does_not_start_an_agent(self):
        result = self.run_agent(*node_tls_args("cloudlet-2", "wrong"))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("names cloudlet cloudlet-2, not this agent's region 'cloudlet-1'", result.stderr)

    def test_the_insecure_port_is_explicit_and_loud(self):
        fed = Federation(cloudlets=1, agent_args=("--insecure-plain-node-port",))
        try:
            agent = fed.agents[0]
            with open(agent["process"].log_path, errors="replace") as f:
                self.assertIn("INSECURE: node", f.read())
            # Even there, a peer's link cannot stop the node actor: the exit message the link
            # brings when the peer dies is ignored.
            probe = [PROBE, "--node", agent["node"]]
            linked = subprocess.run([*probe, "link"], capture_output=True, text=True, timeout=60)
            self.assertEqual(linked.returncode, 0, linked.stderr)
            deadline = time.monotonic() + 30
            while True:
                with open(agent["process"].log_path, errors="replace") as f:
                    if "node ignored an exit message from " in f.read():
                        break
                self.assertLess(time.monotonic(), deadline, "the exit message never came")
                time.sleep(0.1)
            members = subprocess.run([*probe, "members"], capture_output=True, text=True, timeout=60)
            self.assertTrue(json.loads(members.stdout)["ok"], members.stdout)
        finally:
            fed.close()


if __name__ == "__main__":
    unittest.main()
