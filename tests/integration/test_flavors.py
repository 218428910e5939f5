"""Flavors are the federation's (docs/federation.md, "Flavors are the federation's"):
3 simulated cloudlets, 3 agents, the real openstack CLI. A flavor created through
agent 2 is shown, listed once and booted through agents 1 and 3 on cloudlet 3;
its extra specs set through one agent reach every cloudlet that holds it, and a
delete through another agent removes it everywhere; a non-admin can do neither;
a same-named flavor of another shape made directly on a cloud is never merged
with it nor deleted.
"""
import json
import os
import unittest
import urllib.parse

from harness import Federation, http, openstack, token

CLOUDLETS = 3


class FlavorsAreTheFederations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=CLOUDLETS, build_delay_ms=50, chain=True,
                             agent_args=("--shuffle-period-ms", "300", "--capacity-period-ms", "200"))
        cls.admin = [cls.fed.env(agent=i) for i in range(CLOUDLETS)]
        cls.demo = [cls.fed.env(agent=i, user="demo", password="demo", project="demo") for i in range(CLOUDLETS)]
        cls.token, _ = token(cls.fed.keystone_url)
        image_file = os.path.join(cls.fed.dir, "boot.bin")
        with open(image_file, "wb") as f:
            f.write(os.urandom(64 * 1024))
        cls.image = openstack(cls.admin[0], "image", "create", "--file", image_file, "--disk-format", "qcow2",
                              "--container-format", "bare", "--public", "flavor-image", "-f", "json")["id"]

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    def cloud(self, region, method, path, body=None):
        """A cloudlet's own Nova, bypassing every agent, as the admin."""
        c = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)
        status, _, data = http(method, c["compute_url"] + path, body, headers={"X-Auth-Token": self.token})
        return status, (json.loads(data) if data else None)

    def flavors_on(self, region, name):
        status, body = self.cloud(region, "GET", "/flavors/detail?is_public=None")
        self.assertEqual(status, 200, body)
        return [f for f in body["flavors"] if f["name"] == name]

    def listed(self, agent, name):
        """The flavors named `name` in agent `agent`'s list, read over HTTP (the CLI's list is checked once per test)."""
        status, _, body = http("GET", self.fed.agents[agent]["url"] + "/compute/v2.1/flavors/detail?is_public=None",
                               headers={"X-Auth-Token": self.token})
        self.assertEqual(status, 200, body)
        return [f for f in json.loads(body)["flavors"] if f["name"] == name]

    def cli_listed(self, agent, name):
        return [f for f in openstack(self.admin[agent], "flavor", "list", "--all", "--long", "-f", "json")
                if f["Name"] == name]

    def test_a_flavor_made_through_agent_2_is_shown_booted_changed_and_deleted_through_the_others(self):
        made = openstack(self.admin[1], "flavor", "create", "--ram", "256", "--disk", "1", "--vcpus", "1",
                         "--property", "hw:mem_page_size=large", "fed.small", "-f", "json")
        self.assertEqual([f["id"] for f in self.flavors_on("cloudlet-2", "fed.small")], [made["id"]])
        self.assertEqual(self.flavors_on("cloudlet-1", "fed.small"), [], "made on agent 2's cloudlet only")
        for agent in (0, 2):
            shown = openstack(self.admin[agent], "flavor", "show", "fed.small", "-f", "json")
            self.assertEqual((shown["id"], shown["ram"]), (made["id"], 256), f"agent {agent + 1}")
            self.assertEqual([f["id"] for f in self.listed(agent, "fed.small")], [made["id"]], f"agent {agent + 1}")
            self.assertEqual(len(self.listed(agent, "m1.tiny")), 1, "each cloudlet's m1.tiny is one flavor")
        self.assertEqual([f["ID"] for f in self.cli_listed(0, "fed.small")], [made["id"]])

        # Booted by name through agents 1 and 3, pinned to cloudlet 3, where no such flavor was.
        servers = []
        for agent in (0, 2):
            server = openstack(self.demo[agent], "server", "create", "--image", self.image, "--flavor", "fed.small",
                               "--availability-zone", "cloudlet-3", "--wait", f"fed-vm-{agent + 1}", "-f", "json")
            self.assertEqual(server["status"], "ACTIVE", f"agent {agent + 1}")
            self.assertEqual(server["OS-EXT-AZ:availability_zone"], "cloudlet-3")
            servers.append(server["id"])
        copies = self.flavors_on("cloudlet-3", "fed.small")
        self.assertEqual([(f["id"], f["ram"]) for f in copies], [(made["id"], 256)], "one copy, the same ID")
        status, body = self.cloud("cloudlet-3", "GET", f"/flavors/{made['id']}/os-extra_specs")
        self.assertEqual((status, body), (200, {"extra_specs": {"hw:mem_page_size": "large"}}), "the copy's specs")
        for agent in range(CLOUDLETS):
            self.assertEqual([f["id"] for f in self.listed(agent, "fed.small")], [made["id"]], f"agent {agent + 1}")

        # Extra specs set through agent 3 reach cloudlet 2 and the copy on cloudlet 3, and show through agent 1.
        openstack(self.admin[2], "flavor", "set", "--property", "hw:cpu_policy=dedicated", "fed.small")
        for region in ("cloudlet-2", "cloudlet-3"):
            status, body = self.cloud(region, "GET", f"/flavors/{made['id']}/os-extra_specs")
            self.assertEqual((status, body), (200, {"extra_specs": {"hw:mem_page_size": "large",
                                                                   "hw:cpu_policy": "dedicated"}}), region)
        status, _, body = http("GET", self.fed.agents[0]["url"] + f"/compute/v2.1/flavors/{made['id']}/os-extra_specs",
                               headers={"X-Auth-Token": self.token})
        self.assertEqual((status, json.loads(body)),
                         (200, {"extra_specs": {"hw:mem_page_size": "large", "hw:cpu_policy": "dedicated"}}))

        # Deleted through agent 1: gone from every cloudlet; the servers stay, as in Nova.
        openstack(self.admin[0], "flavor", "delete", "fed.small")
        for region in ("cloudlet-1", "cloudlet-2", "cloudlet-3"):
            self.assertEqual(self.flavors_on(region, "fed.small"), [], region)
        for agent in range(CLOUDLETS):
            self.assertEqual(self.listed(agent, "fed.small"), [], f"agent {agent + 1}")
        demo_token, _ = token(self.fed.keystone_url, "demo", "demo", "demo")
        for server in servers:
            url = self.fed.agents[1]["url"] + "/compute/v2.1/servers/" + server
            status, _, body = http("GET", url, headers={"X-Auth-Token": demo_token})
            self.assertEqual((status, json.loads(body)["server"]["status"]), (200, "ACTIVE"))
            self.assertEqual(http("DELETE", url, headers={"X-Auth-Token": demo_token})[0], 204)

    def test_a_non_admin_can_neither_create_nor_delete_a_flavor(self):
        refused = openstack(self.demo[0], "flavor", "create", "--ram", "256", "--disk", "1", "--vcpus", "1",
                            "demo.flavor", check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("403", refused.stderr)
        for region in ("cloudlet-1", "cloudlet-2", "cloudlet-3"):
            self.assertEqual(self.flavors_on(region, "demo.flavor"), [], region)
        refused = openstack(self.demo[2], "flavor", "delete", "m1.small", check=False)
        self.assertNotEqual(refused.returncode, 0)
        for region in ("cloudlet-1", "cloudlet-2", "cloudlet-3"):
            self.assertEqual(len(self.flavors_on(region, "m1.small")), 1, region)

    def test_a_same_named_flavor_of_another_shape_made_on_a_cloud_is_neither_merged_nor_deleted(self):
        status, _, body = http("POST", self.fed.agents[1]["url"] + "/compute/v2.1/flavors",
                               {"flavor": {"name": "fed.clash", "ram": 256, "vcpus": 1, "disk": 1}},
                               headers={"X-Auth-Token": self.token})
        self.assertEqual(status, 200, body)
        ours = json.loads(body)["flavor"]
        status, theirs = self.cloud("cloudlet-3", "POST", "/flavors",
                                    {"flavor": {"name": "fed.clash", "ram": 1024, "vcpus": 1, "disk": 1}})
        self.assertEqual(status, 200, theirs)
        theirs = theirs["flavor"]
        rows = self.cli_listed(0, "fed.clash")
        self.assertEqual(sorted((f["ID"], f["RAM"]) for f in rows),
                         sorted([(ours["id"], 256), (theirs["id"], 1024)]), "two flavors, neither hidden")
        status, headers, _ = http("GET", self.fed.agents[0]["url"] + "/compute/v2.1/flavors/detail",
                                  headers={"X-Auth-Token": self.token})
        self.assertEqual(status, 200)
        conflicts = headers.get("X-Fedstack-Flavor-Conflicts", "").split(",")
        self.assertIn("fed.clash", [urllib.parse.unquote(c) for c in conflicts])
        # By name the CLI cannot choose: the conflict shows rather than one silently winning.
        ambiguous = openstack(self.admin[0], "flavor", "show", "fed.clash", check=False)
        self.assertNotEqual(ambiguous.returncode, 0)
        self.assertIn("More than one", ambiguous.stderr)
        # A create of that name through any agent is refused, as one Nova refuses it.
        status, _, body = http("POST", self.fed.agents[0]["url"] + "/compute/v2.1/flavors",
                               {"flavor": {"name": "fed.clash", "ram": 256, "vcpus": 1, "disk": 1}},
                               headers={"X-Auth-Token": self.token})
        self.assertEqual(status, 409, body)
        self.assertEqual(self.flavors_on("cloudlet-1", "fed.clash"), [])

        openstack(self.admin[0], "flavor", "delete", ours["id"])
        self.assertEqual(self.flavors_on("cloudlet-2", "fed.clash"), [])
        kept = self.flavors_on("cloudlet-3", "fed.clash")
        self.assertEqual([(f["id"], f["ram"]) for f in kept], [(theirs["id"], 1024)], "the cloud's own is kept")
        self.cloud("cloudlet-3", "DELETE", "/flavors/" + theirs["id"])


if __name__ == "__main__":
    unittest.main()
