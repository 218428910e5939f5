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
            while "OS_INTERFACE" not in exports:
                line = demo.read_line(90)
                if line.startswith("export "):
                    key, value = line[len("export "):].split("=", 1)
                    exports[key] = value
            env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
            env.update(exports)
            token = openstack(env, "token", "issue", "-f", "json")
            self.assertTrue(token["id"])
            self.assertIsInstance(openstack(env, "image", "list", "-f", "json"), list)

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
