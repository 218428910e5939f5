"""Issue 17: an agent that cannot start ends within a bounded time, with a message that names the
problem and a non-zero exit code (2: an option is wrong; 1: something it needs failed), having
announced nothing and leaving no port open. Each start-up step returns the owner of what it
started (agent/process/), and a later step's failure unwinds them: the actor system's destructor
waits for every actor, so an actor left running would show here as an agent that never exits.
(The checks of the node's certificates are in test_peer_auth and test_node_authorization.)"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from harness import FEDSTACK, Federation, with_node_tls

# Every failure below comes within a second; the stop of started actors waits at most 5 s each.
BOUND_S = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StartupFailures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=1, agents=0)
        cls.dir = tempfile.mkdtemp(prefix="fedstack-startup-")

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def agent(self, *extra, port=None, node_port=None, password="secret", region="cloudlet-1",
              data_dir=None):
        """Runs an agent that must fail; returns its result once it has exited. The ports the
        test did not take itself must be closed by then."""
        own_ports = {}
        if port is None:
            port = own_ports["HTTP"] = free_port()
        if node_port is None:
            node_port = own_ports["node"] = free_port()
        data_dir = data_dir or os.path.join(self.dir, f"data-{time.monotonic_ns()}")
        args = [FEDSTACK, "agent", "--port", str(port), "--node-port", str(node_port), "--node-address",
                "127.0.0.1", "--keystone-url", self.fed.keystone_url, "--service-password", password,
                "--region", region, "--data-dir", data_dir, *with_node_tls(region, "startup", extra)]
        try:
            result = subprocess.run(args, capture_output=True, text=True, timeout=BOUND_S)
        except subprocess.TimeoutExpired as e:
            log = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
            self.fail(f"the agent was still running {BOUND_S}s after it started; its log:\n{log}")
        self.assertEqual(result.stdout, "", "a failed agent announced itself")
        for what, number in own_ports.items():
            with self.assertRaises(ConnectionRefusedError, msg=f"the {what} port is still open"):
                socket.create_connection(("127.0.0.1", number), timeout=2).close()
        return result

    def assert_failed(self, result, code, message):
        self.assertEqual(result.returncode, code, result.stderr)
        self.assertIn(message, result.stderr)

    def test_a_node_port_in_use(self):
        # Fails after the registry, the Keystone session and the HTTP server started.
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            node_port = taken.getsockname()[1]
            result = self.agent(node_port=node_port)
        self.assert_failed(result, 1, f"cannot publish the node on 127.0.0.1:{node_port}")

    def test_an_http_port_in_use(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = self.agent(port=port)
        self.assert_failed(result, 1, f"cannot listen on 127.0.0.1:{port}")

    def test_a_keystone_that_refuses_the_service_password(self):
        result = self.agent(password="not-the-password")
        self.assert_failed(result, 1, "cannot find cloudlet 'cloudlet-1': Keystone refused the service user 'admin'")

    def test_a_region_the_catalog_does_not_have(self):
        self.assert_failed(self.agent(region="cloudlet-9"), 1, "cannot find cloudlet 'cloudlet-9'")

    def test_a_data_dir_that_cannot_be_opened(self):
        data_dir = os.path.join(self.dir, "not-an-environment")
        os.makedirs(os.path.join(data_dir, "data.mdb"))   # LMDB's data file is a directory here
        self.assert_failed(self.agent(data_dir=data_dir), 1, f"cannot open the registry in '{data_dir}'")

    def test_a_data_dir_that_cannot_be_made(self):
        plain_file = os.path.join(self.dir, "a-file")
        with open(plain_file, "w") as f:
            f.write("not a directory\n")
        data_dir = os.path.join(plain_file, "data")
        self.assert_failed(self.agent(data_dir=data_dir), 1, f"cannot create --data-dir '{data_dir}'")

    def test_an_unreadable_node_certificate(self):
        # Running as root, permissions do not make a file unreadable; a directory is never a certificate.
        tls = list(with_node_tls("cloudlet-1", "unreadable", ()))
        tls[tls.index("--node-cert") + 1] = self.dir
        result = self.agent(*tls)
        self.assert_failed(result, 2, f"node TLS: cannot read the certificate '{self.dir}'")

    def test_membership_options_it_refuses(self):
        # Fails after the node is published and the connector runs: before issue 17 the agent
        # logged the error and never exited, its node and registry still running.
        result = self.agent("--cache-size", "3", "--shuffle-length", "9")
        self.assert_failed(result, 2, "cannot start membership")
        self.assertIn("shuffle length must be in 1..cache size", result.stderr)


if __name__ == "__main__":
    unittest.main()
