"""Server groups follow the boot (docs/federation.md, "Server groups follow the
boot"): 3 simulated cloudlets, 3 agents, the real openstack CLI. A group made
through one agent is shown, listed and deleted through every agent; boots
through different agents with `--hint group=` are spread over cloudlets by
anti-affinity and kept together by affinity; the target cloudlets get copies
named after the group, which go with its delete; another project neither sees
nor deletes the group, and a group the tenant made by hand is never deleted.
"""
import json
import os
import unittest

from harness import Federation, http, openstack, token, wait_for_capacity

CLOUDLETS = 3


class ServerGroupsFollowTheBoot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=CLOUDLETS, build_delay_ms=100, chain=True,
                             agent_args=("--shuffle-period-ms", "300", "--capacity-period-ms", "200"))
        # Every agent's scheduler must know every cloudlet, or it could not spread.
        wait_for_capacity(cls.fed.agents, [f"cloudlet-{i}" for i in range(1, CLOUDLETS + 1)])
        cls.demo = [cls.fed.env(agent=i, user="demo", password="demo", project="demo") for i in range(CLOUDLETS)]
        cls.admin = cls.fed.env(agent=0)
        cls.demo_token, _ = token(cls.fed.keystone_url, "demo", "demo", "demo")
        cls.admin_token, _ = token(cls.fed.keystone_url)
        image_file = os.path.join(cls.fed.dir, "sg.bin")
        with open(image_file, "wb") as f:
            f.write(os.urandom(64 * 1024))
        cls.image = openstack(cls.demo[0], "image", "create", "--file", image_file, "--disk-format", "qcow2",
                              "--container-format", "bare", "sg-image", "-f", "json")["id"]

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    def nova(self, region, method, path, body=None, tok=None):
        """A cloudlet's own Nova, bypassing every agent (the demo user's by default)."""
        c = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)
        status, _, data = http(method, c["compute_url"] + path, body,
                               headers={"X-Auth-Token": tok or self.demo_token,
                                        "X-OpenStack-Nova-API-Version": "2.15"})
        return status, (json.loads(data) if data else None)

    def groups_on(self, region):
        """Every project's server groups on a cloudlet, as its Nova lists them to the admin."""
        status, body = self.nova(region, "GET", "/os-server-groups?all_projects=True", tok=self.admin_token)
        self.assertEqual(status, 200, body)
        return body["server_groups"]

    def boot(self, agent, group, name):
        """A boot into `group` through agent `agent`; the server's ID and zone (its cloudlet) through the next agent."""
        server = openstack(self.demo[agent], "server", "create", "--image", self.image, "--flavor", "m1.tiny",
                           "--hint", "group=" + group, name, "-f", "json")
        # Shown over HTTP (`server show` asks the same; the CLI's boot is the point here).
        status, shown = self.through((agent + 1) % CLOUDLETS, "GET", "/compute/v2.1/servers/" + server["id"])
        self.assertEqual(status, 200, shown)
        self.assertNotEqual(shown["server"]["status"], "ERROR", shown)
        return server["id"], shown["server"]["OS-EXT-AZ:availability_zone"]

    def through(self, agent, method, path, tok=None):
        """A call through agent `agent` (0-based), the demo user's by default."""
        status, _, data = http(method, self.fed.agents[agent]["url"] + path,
                               headers={"X-Auth-Token": tok or self.demo_token})
        return status, (json.loads(data) if data else None)

    @staticmethod
    def members(shown):
        return sorted(shown["members"] if isinstance(shown["members"], list) else shown["members"].split(", "))

    def test_anti_affinity_spreads_boots_through_every_agent_and_the_delete_takes_the_copies(self):
        group = openstack(self.demo[0], "server", "group", "create", "--policy", "anti-affinity", "sg-anti",
                          "-f", "json")
        placed = dict(self.boot(agent, group["id"], f"anti-{agent}") for agent in range(CLOUDLETS))
        self.assertEqual(sorted(placed.values()), ["cloudlet-1", "cloudlet-2", "cloudlet-3"],
                         "one member on each cloudlet")
        copies = [g for region in ("cloudlet-2", "cloudlet-3") for g in self.groups_on(region)
                  if g["name"] == "fedstack_copy_of=" + group["id"]]
        self.assertEqual(len(copies), 2, "the other cloudlets hold marked copies")
        shown = openstack(self.demo[2], "server", "group", "show", group["id"], "-f", "json")
        self.assertEqual(self.members(shown), sorted(placed), "every member, by its federation ID")
        listed = openstack(self.demo[1], "server", "group", "list", "-f", "json")
        self.assertEqual([g["ID"] for g in listed], [group["id"]], "listed once, copies hidden")

        # The tenant's own group on cloudlet-3, made by hand with the same name: never deleted.
        status, mine = self.nova("cloudlet-3", "POST", "/os-server-groups",
                                 {"server_group": {"name": "sg-anti", "policies": ["anti-affinity"]}})
        self.assertEqual(status, 200, mine)
        openstack(self.demo[1], "server", "group", "delete", group["id"])
        left = {region: [g["id"] for g in self.groups_on(region)] for region in ("cloudlet-1", "cloudlet-2",
                                                                                  "cloudlet-3")}
        self.assertEqual(left, {"cloudlet-1": [], "cloudlet-2": [], "cloudlet-3": [mine["server_group"]["id"]]})
        self.nova("cloudlet-3", "DELETE", "/os-server-groups/" + mine["server_group"]["id"])

    def test_affinity_keeps_boots_through_different_agents_together(self):
        group = openstack(self.demo[1], "server", "group", "create", "--policy", "affinity", "sg-aff", "-f", "json")
        first, zone = self.boot(0, group["id"], "aff-0")
        others = [self.boot(agent, group["id"], f"aff-{agent}") for agent in (1, 2)]
        self.assertEqual({z for _, z in others}, {zone}, "every member on the first one's cloudlet")
        shown = openstack(self.demo[0], "server", "group", "show", group["id"], "-f", "json")
        self.assertEqual(self.members(shown), sorted([first] + [s for s, _ in others]))
        openstack(self.demo[0], "server", "group", "delete", group["id"])
        for region in ("cloudlet-1", "cloudlet-2", "cloudlet-3"):
            self.assertEqual([g for g in self.groups_on(region) if "sg-aff" in g["name"] or group["id"] in g["name"]],
                             [], region)

    def test_another_project_neither_sees_nor_deletes_the_group(self):
        group = openstack(self.admin, "server", "group", "create", "--policy", "affinity", "admin-sg", "-f", "json")
        shown = openstack(self.demo[1], "server", "group", "show", group["id"], check=False)
        self.assertNotEqual(shown.returncode, 0, "demo shows the admin's group")
        # What `server group show/list/delete` send, through every agent.
        for agent in range(CLOUDLETS):
            status, shown = self.through(agent, "GET", "/compute/v2.1/os-server-groups/" + group["id"])
            self.assertEqual(status, 404, (agent, shown))
            status, listed = self.through(agent, "GET", "/compute/v2.1/os-server-groups")
            self.assertEqual(status, 200, listed)
            self.assertNotIn(group["id"], [g["id"] for g in listed["server_groups"]])
            status, gone = self.through(agent, "DELETE", "/compute/v2.1/os-server-groups/" + group["id"])
            self.assertEqual(status, 404, (agent, gone))
        self.assertIn(group["id"], [g["id"] for g in self.groups_on("cloudlet-1")], "the admin's group is kept")
        openstack(self.admin, "server", "group", "delete", group["id"])


if __name__ == "__main__":
    unittest.main()
