"""README's promise: `fedstack demo` prints exports that make the openstack CLI work,
and Ctrl-C stops everything cleanly."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest
from urllib.parse import urlparse

from harness import FEDSTACK, Process, openstack


class Demo(unittest.TestCase):
    def test_demo_exports_work_and_ctrl_c_stops_everything(self):
        data_dir = tempfile.mkdtemp(prefix="fedstack-demo-")
        demo = Process([FEDSTACK, "demo", "--port", "0", "--data-dir", data_dir,
                        "--build-delay-ms", "100"], os.path.join(data_dir, "demo.err"))
        try:
            exports = {}
            while "FEDSTACK_NODE_KEY" not in exports:
                line = demo.read_line(90)
                if line.startswith("export "):
                    key, value = line[len("export "):].split("=", 1)
                    exports[key] = value
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith("OS_") and not k.startswith("FEDSTACK_NODE_")}
            plain_env = dict(env)
            env.update(exports)
            token = openstack(env, "token", "issue", "-f", "json")
            self.assertTrue(token["id"])
            self.assertIsInstance(openstack(env, "image", "list", "-f", "json"), list)
            # The node port is mutual TLS: the exported operator certificate reads it, nothing
            # else does.
            with open(os.path.join(data_dir, "demo.err"), encoding="utf-8") as f:
                # Printed before the exports: "fedstack demo: agent-1 serves URL, node HOST:PORT".
                node = next(line.split(", node ")[-1].strip() for line in f
                            if line.startswith("fedstack demo: agent-1 serves "))
            members = [FEDSTACK, "members", "--node", node, "--json", "--timeout-ms", "3000"]
            ok = subprocess.run(members, env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(ok.returncode, 0, ok.stderr)
            refused = subprocess.run(members, env=plain_env, capture_output=True, text=True, timeout=60)
            self.assertNotEqual(refused.returncode, 0)

            agent = urlparse(exports["OS_AUTH_URL"])
            demo.proc.send_signal(signal.SIGINT)
            self.assertEqual(demo.proc.wait(30), 0)
            with self.assertRaises(OSError):   # the agent is gone with the demo
                socket.create_connection((agent.hostname, agent.port), timeout=2).close()
            with open(os.path.join(data_dir, "demo.err"), encoding="utf-8") as f:
                progress = f.read()
            # A progress line per step while it starts, then the "try this" block.
            self.assertIn("[1/2] starting 1 simulated cloudlet", progress)
            self.assertIn("[2/2] starting agent-1 for cloudlet-1", progress)
            self.assertIn(f"Status page (no token needed): {exports['OS_AUTH_URL'][:-len('/v3')]}/fedstack/", progress)
        finally:
            demo.stop()
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
