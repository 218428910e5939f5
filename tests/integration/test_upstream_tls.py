"""Clouds and Keystone over https: TLS fronts (a certificate from a CA made for the run)
stand before the simulator's Keystone and services, and the catalog advertises the fronts'
https URLs. An agent trusting that CA serves the CLI through them; a certificate from another
CA, or for another host, is refused with an error that says so. And an agent has no built-in
service password."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid

from front import Front, make_ca, make_cert
from harness import FEDSTACK, Federation, http, node_tls_args, openstack, token, wait_for_capacity


class TlsClouds(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="fedstack-pki-")
        cls.ca = make_ca(cls.pki, "cloud-ca")
        cls.other_ca = make_ca(cls.pki, "other-ca")
        cls.cert = make_cert(cls.pki, "cloud", cls.ca, "IP:127.0.0.1,DNS:localhost")
        cls.elsewhere = make_cert(cls.pki, "elsewhere", cls.ca, "DNS:cloud.example.com,IP:192.0.2.1")
        cls.fed = Federation(cloudlets=1, agents=0)
        cls.fronts = []
        c = cls.fed.endpoints["cloudlets"][0]
        services = {name: int(c[name + "_url"].split(":")[2].split("/")[0])
                    for name in ("image", "network", "compute")}
        keystone_port = int(cls.fed.keystone_url.split(":")[2].split("/")[0])
        # Good fronts: the catalog names them.
        cls.rewrite = {}
        cls.service_fronts = {}
        for name, port in services.items():
            f = cls.front(f"http://127.0.0.1:{port}", tls=cls.cert, rewrite=cls.rewrite)
            cls.rewrite[port] = f.url
            cls.service_fronts[name] = f
        cls.keystone = cls.front(cls.fed.keystone_url, tls=cls.cert, rewrite=cls.rewrite)
        cls.rewrite[keystone_port] = cls.keystone.url
        # A Keystone whose catalog names fronts with a certificate for another host.
        cls.wrong_rewrite = {}
        for port in services.values():
            cls.wrong_rewrite[port] = cls.front(f"http://127.0.0.1:{port}", tls=cls.elsewhere,
                                                rewrite=cls.wrong_rewrite).url
        cls.wrong_keystone = cls.front(cls.fed.keystone_url, tls=cls.cert, rewrite=cls.wrong_rewrite)
        cls.wrong_rewrite[keystone_port] = cls.wrong_keystone.url

    @classmethod
    def front(cls, *args, **kwargs):
        f = Front(*args, **kwargs)
        cls.fronts.append(f)
        return f

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()
        for f in cls.fronts:
            f.close()
        shutil.rmtree(cls.pki, ignore_errors=True)

    def agent(self, name, keystone, ca):
        return self.fed.start_agent("cloudlet-1", name, ("--cloud-ca-file", ca),
                                    keystone_url=keystone.url + "/v3")

    def test_the_cli_works_through_an_agent_over_https(self):
        agent = self.agent("agent-tls", self.keystone, self.ca[0])
        self.fed.agents = [agent]
        env = self.fed.env()
        data = os.urandom(300_000)
        path = os.path.join(self.fed.dir, "image.raw")
        with open(path, "wb") as f:
            f.write(data)
        image = openstack(env, "image", "create", "--disk-format", "raw", "--container-format", "bare",
                          "--file", path, "tls-image", "-f", "json")
        back = os.path.join(self.fed.dir, "back.raw")
        openstack(env, "image", "save", "--file", back, image["id"])
        with open(back, "rb") as f:
            # Bytes, not ciphertext: a TLS cloud's download is copied, not spliced.
            self.assertEqual(f.read(), data)
        network = openstack(env, "network", "create", "tls-net", "-f", "json")
        self.assertIn("tls-net", [n["Name"] for n in openstack(env, "network", "list", "-f", "json")])
        openstack(env, "server", "list", "-f", "json")
        openstack(env, "network", "delete", network["id"])
        # Every call went through the https fronts.
        self.assertGreater(self.keystone.count("POST", "/v3/auth/tokens"), 0)
        self.assertGreater(self.service_fronts["image"].count("PUT"), 0)
        self.assertGreater(self.service_fronts["network"].count("POST"), 0)
        self.assertGreater(self.service_fronts["compute"].count("GET"), 0)

    def test_a_certificate_from_another_ca_is_refused(self):
        p = subprocess.Popen([FEDSTACK, "agent", "--port", "0", "--node-port", "0", "--keystone-url",
                              self.keystone.url + "/v3", "--service-password", "secret",
                              "--cloud-ca-file", self.other_ca[0], "--data-dir",
                              os.path.join(self.fed.dir, "agent-other-ca"), "--region", "cloudlet-1",
                              *node_tls_args("cloudlet-1", "agent-other-ca")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            # The agent waits for a Keystone it can trust; its log says why it cannot.
            line = ""
            seen = []
            deadline = time.monotonic() + 60
            while not ("Keystone" in line and "certificate verify failed" in line) and time.monotonic() < deadline:
                line = p.stderr.readline()
                seen.append(line)
                if not line and p.poll() is not None:
                    break
            self.assertIn("certificate verify failed: unable to get local issuer certificate", line)
            self.assertIn(self.keystone.url, line)
            # A cloud's certificate is not a node's: the node port's handshake accounting stays out of it.
            self.assertFalse([l for l in seen if "TLS handshake with node" in l], seen)
        finally:
            p.kill()
            p.wait()
            p.stderr.close()

    def test_a_certificate_for_another_host_is_refused(self):
        agent = self.agent("agent-wrong-host", self.wrong_keystone, self.ca[0])
        tok, _ = token(agent["url"])
        status, _, body = http("GET", agent["url"] + f"/network/v2.0/networks/{uuid.uuid4()}",
                               headers={"X-Auth-Token": tok})
        self.assertEqual(status, 503, body)
        self.assertIn(b"certificate verify failed: IP address mismatch", body)


class TlsFederation(unittest.TestCase):
    """Two cloudlets behind https fronts and an agent each: a boot on the cloudlet without
    the image copies it from one https Glance to the other."""

    def test_a_boot_elsewhere_copies_the_image_between_https_clouds(self):
        pki = tempfile.mkdtemp(prefix="fedstack-pki-")
        fed = Federation(cloudlets=2, agents=0)
        fronts = []
        try:
            ca = make_ca(pki, "cloud-ca")
            cert = make_cert(pki, "cloud", ca, "IP:127.0.0.1")
            rewrite = {}
            images = {}   # region -> its Glance's front
            for c in fed.endpoints["cloudlets"]:
                for name in ("image", "network", "compute"):
                    port = int(c[name + "_url"].split(":")[2].split("/")[0])
                    f = Front(f"http://127.0.0.1:{port}", tls=cert, rewrite=rewrite)
                    fronts.append(f)
                    rewrite[port] = f.url
                    if name == "image":
                        images[c["region"]] = f
            keystone = Front(fed.keystone_url, tls=cert, rewrite=rewrite)
            fronts.append(keystone)
            rewrite[int(fed.keystone_url.split(":")[2].split("/")[0])] = keystone.url
            for i in (1, 2):
                join = ("--join", fed.agents[-1]["node"]) if fed.agents else ()
                fed.agents.append(fed.start_agent(
                    f"cloudlet-{i}", f"agent-{i}",
                    ("--cloud-ca-file", ca[0], "--capacity-period-ms", "200", "--shuffle-period-ms", "300",
                     *join), keystone_url=keystone.url + "/v3"))
            wait_for_capacity(fed.agents, ["cloudlet-1", "cloudlet-2"])   # the scheduler decides from gossip
            env = fed.env(agent=0)
            path = os.path.join(fed.dir, "boot.bin")
            with open(path, "wb") as f:
                f.write(os.urandom(200_000))
            image = openstack(env, "image", "create", "--file", path, "--disk-format", "qcow2",
                              "--container-format", "bare", "tls-boot", "-f", "json")
            home = next(r for r, f in images.items() if f.count("PUT", "/v2/images/") > 0)
            other = next(r for r in images if r != home)
            net = openstack(env, "network", "create", "tls-boot-net", "-f", "json")
            openstack(env, "subnet", "create", "--network", net["id"], "--subnet-range", "10.30.0.0/24",
                      "tls-boot-subnet")
            server = openstack(env, "server", "create", "--image", image["id"], "--flavor", "m1.tiny",
                               "--network", net["id"], "--availability-zone", other, "--wait",
                               "tls-vm", "-f", "json")
            self.assertEqual(server["status"], "ACTIVE")
            # The copy was read from the image's https Glance and written to the other's.
            files = lambda front, method: [p for m, p in front.requests if m == method and p.endswith("/file")]
            self.assertEqual(len(files(images[home], "GET")), 1)
            self.assertEqual(len(files(images[other], "PUT")), 1)
        finally:
            fed.close()
            for f in fronts:
                f.close()
            shutil.rmtree(pki, ignore_errors=True)


class ServicePassword(unittest.TestCase):
    def test_an_agent_without_a_service_password_does_not_start(self):
        directory = tempfile.mkdtemp(prefix="fedstack-nopw-")
        try:
            result = subprocess.run([FEDSTACK, "agent", "--port", "0", "--node-port", "0",
                                     "--keystone-url", "http://127.0.0.1:9/v3", "--data-dir",
                                     os.path.join(directory, "data")],
                                    capture_output=True, text=True, timeout=60)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--service-password is required", result.stderr)


if __name__ == "__main__":
    unittest.main()
