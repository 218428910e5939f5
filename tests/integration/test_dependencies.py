"""What a boot needs besides its image, network and flavor follows it to the
cloudlet the scheduler picked (docs/federation.md, "Keypairs follow the boot",
"Security groups follow the boot"):
3 simulated cloudlets, 3 agents, the real openstack CLI, boots pinned to a
cloudlet other than the agent's own.
"""
import json
import os
import unittest

from harness import Federation, http, openstack, token

CLOUDLETS = 3
ALICE_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2eAlice alice@laptop"
OTHER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2eOther someone@else"


class DependenciesFollowTheBoot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=CLOUDLETS, build_delay_ms=100, chain=True,
                             agent_args=("--shuffle-period-ms", "300", "--capacity-period-ms", "200"))
        cls.env = cls.fed.env(agent=0)
        # Every boot is pinned to a zone: a pinned cloudlet of the catalog is tried whether or
        # not gossip has brought its capacity yet (rules/create_policy.cpp), so no wait for it.
        cls.token, _ = token(cls.fed.keystone_url)
        cls.image_file = os.path.join(cls.fed.dir, "boot.bin")
        with open(cls.image_file, "wb") as f:
            f.write(os.urandom(64 * 1024))
        cls.image = openstack(cls.env, "image", "create", "--file", cls.image_file, "--disk-format", "qcow2",
                              "--container-format", "bare", "deps-image", "-f", "json")["id"]

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    def os(self, *args, env=None, **kw):
        return openstack(env or self.env, *args, **kw)

    def cloud(self, region, method, path, body=None, service="compute"):
        """A cloudlet's own Nova (its URL ends in /v2.1) or Neutron, bypassing every agent, as the admin."""
        c = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)
        status, _, data = http(method, c[service + "_url"] + path, body, headers={"X-Auth-Token": self.token})
        return status, (json.loads(data) if data else None)

    def groups_on(self, region, name):
        status, body = self.cloud(region, "GET", "/v2.0/security-groups?name=" + name, service="network")
        self.assertEqual(status, 200, body)
        return body["security_groups"]

    @staticmethod
    def ports_of(group):
        return sorted(r["port_range_min"] for r in group["security_group_rules"]
                      if r["direction"] == "ingress" and r["port_range_min"] is not None)

    def keypair_on(self, region, name):
        status, body = self.cloud(region, "GET", "/os-keypairs/" + name)
        if status == 404:
            return None
        self.assertEqual(status, 200, body)
        return body["keypair"]

    def public_key_file(self, key):
        path = os.path.join(self.fed.dir, "key.pub")
        with open(path, "w") as f:
            f.write(key + "\n")
        return path

    def test_a_boots_keypair_and_security_group_follow_it_elsewhere_and_go_with_their_deletes(self):
        self.os("keypair", "create", "--public-key", self.public_key_file(ALICE_KEY), "deps-key")
        group = self.os("security", "group", "create", "deps-group", "-f", "json")
        self.os("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22", group["id"])
        server = self.os("server", "create", "--image", self.image, "--flavor", "m1.tiny", "--key-name", "deps-key",
                         "--security-group", "deps-group", "--availability-zone", "cloudlet-2", "--wait",
                         "deps-vm", "-f", "json")
        self.assertEqual(server["status"], "ACTIVE")
        self.assertEqual(server["key_name"], "deps-key")
        copy = self.keypair_on("cloudlet-2", "deps-key")
        self.assertIsNotNone(copy, "the boot's cloudlet holds the keypair")
        self.assertEqual(copy["fingerprint"], self.keypair_on("cloudlet-1", "deps-key")["fingerprint"])
        there = self.groups_on("cloudlet-2", "deps-group")
        self.assertEqual(len(there), 1)
        self.assertIn("fedstack_sg_copy_of=" + group["id"], there[0]["tags"])
        self.assertEqual(self.ports_of(there[0]), [22])
        listed = [k["Name"] for k in self.os("keypair", "list", "-f", "json")]
        self.assertEqual(listed.count("deps-key"), 1)
        groups = [g["Name"] for g in self.os("security", "group", "list", "-f", "json")]
        self.assertEqual(groups.count("deps-group"), 1)

        # A rule added through agent 2, whose cloudlet holds the copy, reaches the group on cloudlet-1.
        self.os("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "80", "deps-group",
                env=self.fed.env(agent=1))
        for region in ("cloudlet-1", "cloudlet-2"):
            self.assertEqual(self.ports_of(self.groups_on(region, "deps-group")[0]), [22, 80], region)

        self.os("server", "delete", "--wait", server["id"])
        self.os("keypair", "delete", "deps-key")
        self.os("security", "group", "delete", group["id"])
        for region in ("cloudlet-1", "cloudlet-2"):
            self.assertIsNone(self.keypair_on(region, "deps-key"), region)
            self.assertEqual(self.groups_on(region, "deps-group"), [], region)

    def test_a_same_named_keypair_of_another_key_on_the_target_is_kept_and_the_boot_refused(self):
        self.os("keypair", "create", "--public-key", self.public_key_file(ALICE_KEY), "clash-key")
        status, body = self.cloud("cloudlet-2", "POST", "/os-keypairs",
                                  {"keypair": {"name": "clash-key", "public_key": OTHER_KEY}})
        self.assertEqual(status, 200, body)
        refused = self.os("server", "create", "--image", self.image, "--flavor", "m1.tiny", "--key-name",
                          "clash-key", "--availability-zone", "cloudlet-2", "clash-vm", check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("another public key", refused.stderr)
        self.assertEqual(self.keypair_on("cloudlet-2", "clash-key")["public_key"], OTHER_KEY)
        self.os("keypair", "delete", "clash-key")
        self.assertIsNone(self.keypair_on("cloudlet-1", "clash-key"))
        self.assertEqual(self.keypair_on("cloudlet-2", "clash-key")["public_key"], OTHER_KEY,
                         "a delete never touches what the federation did not make")
        servers = self.os("server", "list", "-f", "json")
        self.assertNotIn("clash-vm", [s["Name"] for s in servers])

    @staticmethod
    def marker_of(keypair):
        words = [w for w in keypair["public_key"].split() if w.startswith("fedstack_copy=")]
        return words[-1][len("fedstack_copy="):] if words else None

    def boot(self, key, zone, name, env=None):
        server = self.os("server", "create", "--image", self.image, "--flavor", "m1.tiny", "--key-name", key,
                         "--availability-zone", zone, "--wait", name, "-f", "json", env=env)
        self.assertEqual(server["status"], "ACTIVE")
        return server["id"]

    def test_a_copy_made_through_agent_three_goes_with_a_delete_through_agent_one(self):
        agent_three = self.fed.env(agent=2)
        self.os("keypair", "create", "--public-key", self.public_key_file(ALICE_KEY), "relay-key")
        # Through agent 1 onto cloudlet-3 (agent 1's copy), then through agent 3, whose cloudlet
        # now holds it, onto cloudlet-2: that copy is agent 3's, recorded by agent 3 only.
        servers = [self.boot("relay-key", "cloudlet-3", "relay-1"),
                   self.boot("relay-key", "cloudlet-2", "relay-2", env=agent_three)]
        copy = self.keypair_on("cloudlet-2", "relay-key")
        marker = self.marker_of(copy)
        self.assertIsNotNone(marker, copy["public_key"])
        node_port = int(self.fed.agents[2]["node"].rsplit(":", 1)[1])
        self.assertEqual(int(marker[-4:], 16), node_port, "the marker names agent 3's node")
        self.assertEqual(copy["fingerprint"], self.keypair_on("cloudlet-1", "relay-key")["fingerprint"])

        self.os("keypair", "delete", "relay-key")   # through agent 1
        for region in ("cloudlet-1", "cloudlet-2", "cloudlet-3"):
            self.assertIsNone(self.keypair_on(region, "relay-key"), region)

        # A keypair the user makes on cloudlet-2 with a made-up marker naming agent 3 is kept.
        forged = marker[:9] + ("0" if marker[9] != "0" else "1") + marker[10:]
        status, body = self.cloud("cloudlet-2", "POST", "/os-keypairs", {"keypair": {
            "name": "relay-key", "public_key": ALICE_KEY + " fedstack_copy=" + forged}})
        self.assertEqual(status, 200, body)
        self.os("keypair", "create", "--public-key", self.public_key_file(ALICE_KEY), "relay-key")
        self.os("keypair", "delete", "relay-key")
        self.assertIsNone(self.keypair_on("cloudlet-1", "relay-key"))
        self.assertIsNotNone(self.keypair_on("cloudlet-2", "relay-key"), "a marker no record backs proves nothing")
        self.cloud("cloudlet-2", "DELETE", "/os-keypairs/relay-key")
        self.os("server", "delete", "--wait", *servers)


if __name__ == "__main__":
    unittest.main()
