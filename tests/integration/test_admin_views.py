"""Admin views and federation-wide operator views: 3 simulated cloudlets, 3 agents,
the real openstack CLI.

The demo project boots servers pinned to cloudlet-2 and cloudlet-3 through agent 1;
the admin lists every project's servers and acts on demo's through the other
agents; `hypervisor stats show` and `limits show --absolute` are the sums of the
clouds' own answers.
"""
import json
import os
import time
import unittest

from harness import Federation, flavor_id, http, openstack, token, wait_for_capacity
from prometheus_text import parse_exposition, total

CLOUDLETS = 3
REGIONS = [f"cloudlet-{i}" for i in range(1, CLOUDLETS + 1)]


class AdminViews(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # No two_choices sampling: an unpinned boot goes to the cloudlet with the most free RAM
        # (the quota test needs the scheduler to pick cloudlet-1 first); every other boot is pinned.
        cls.fed = Federation(cloudlets=CLOUDLETS, build_delay_ms=100, chain=True,
                             agent_args=("--server-filters", "resource,availability_zone"))
        cls.admin = [cls.fed.env(agent=i) for i in range(CLOUDLETS)]
        cls.demo = [cls.fed.env(agent=i, user="demo", password="demo", project="demo") for i in range(CLOUDLETS)]
        cls.admin_token, _ = token(cls.fed.keystone_url)
        cls.demo_token, _ = token(cls.fed.keystone_url, "demo", "demo", "demo")
        image_file = os.path.join(cls.fed.dir, "boot.bin")
        with open(image_file, "wb") as f:
            f.write(os.urandom(64 * 1024))
        # demo's image, network and servers are the scene, not what is tested: plain HTTP (a CLI
        # process costs seconds of CPU). Through agent 1, pinned to the other two cloudlets.
        image = openstack(cls.demo[0], "image", "create", "--file", image_file, "--disk-format", "qcow2",
                          "--container-format", "bare", "demo-image", "-f", "json")
        url, demo = cls.fed.agents[0]["url"], {"X-Auth-Token": cls.demo_token}
        status, _, body = http("POST", url + "/v2.0/networks", {"network": {"name": "demo-net"}}, headers=demo)
        assert status == 201, body
        net = json.loads(body)["network"]
        status, _, body = http("POST", url + "/v2.0/subnets", {"subnet": {
            "name": "demo-subnet", "network_id": net["id"], "cidr": "10.44.0.0/24", "ip_version": 4}}, headers=demo)
        assert status == 201, body
        flavor = flavor_id(url, cls.demo_token)
        cls.image, cls.network, cls.flavor = image["id"], net["id"], flavor
        cls.servers = {}
        for zone in ("cloudlet-2", "cloudlet-3"):
            status, _, body = http("POST", url + "/compute/v2.1/servers", {"server": {
                "name": f"demo-{zone}", "imageRef": image["id"], "flavorRef": flavor, "availability_zone": zone,
                "networks": [{"uuid": net["id"]}]}}, headers=demo)
            assert status == 202, body
            cls.servers[zone] = json.loads(body)["server"]
        deadline = time.monotonic() + 60
        for server in cls.servers.values():
            while True:
                status, _, body = http("GET", url + "/compute/v2.1/servers/" + server["id"], headers=demo)
                assert status == 200, body
                if json.loads(body)["server"]["status"] == "ACTIVE":
                    break
                assert time.monotonic() < deadline, f"{server['id']} never ACTIVE: {body}"
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    def cloud_get(self, region, path, tok=None, version=None):
        """GET on a cloudlet's own Nova, bypassing every agent."""
        c = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)
        headers = {"X-Auth-Token": tok or self.admin_token}
        if version:
            headers["OpenStack-API-Version"] = "compute " + version
        status, _, body = http("GET", c["compute_url"] + path, headers=headers)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def test_server_list_all_projects_shows_demos_servers_of_two_cloudlets(self):
        ids = {s["id"] for s in self.servers.values()}
        listed = openstack(self.admin[0], "server", "list", "--all-projects", "--long", "-f", "json")
        rows = {s["ID"]: s["Availability Zone"] for s in listed}
        self.assertEqual({server["id"]: rows.get(server["id"]) for server in self.servers.values()},
                         {server["id"]: zone for zone, server in self.servers.items()}, listed)
        # What the CLI asks (`servers/detail?all_tenants=True`), through the other agents.
        for agent in (1, 2):
            status, _, body = http("GET", self.fed.agents[agent]["url"] + "/compute/v2.1/servers/detail?all_tenants=True",
                                   headers={"X-Auth-Token": self.admin_token})
            self.assertEqual(status, 200, body)
            rows = {s["id"]: s["OS-EXT-AZ:availability_zone"] for s in json.loads(body)["servers"]}
            self.assertEqual({server["id"]: rows.get(server["id"]) for server in self.servers.values()},
                             {server["id"]: zone for zone, server in self.servers.items()}, f"agent {agent + 1}")
        own = openstack(self.admin[2], "server", "list", "-f", "json")
        self.assertFalse(ids & {s["ID"] for s in own}, "without --all-projects the admin sees the admin project's")
        # A non-admin's --all-projects is refused as Nova refuses it, through every agent.
        refused = openstack(self.demo[1], "server", "list", "--all-projects", check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("403", refused.stderr)

    def test_an_admin_shows_stops_and_starts_demos_server_through_another_agent(self):
        server = self.servers["cloudlet-3"]
        shown = openstack(self.admin[1], "server", "show", server["id"], "-f", "json")
        self.assertEqual(shown["id"], server["id"])
        self.assertEqual(shown["OS-EXT-AZ:availability_zone"], "cloudlet-3")
        openstack(self.admin[1], "server", "stop", server["id"])
        on_3 = self.cloud_get("cloudlet-3", "/servers/detail?all_tenants=1")["servers"]
        mine = [s for s in on_3 if s["name"] == "demo-cloudlet-3"]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["status"], "SHUTOFF")
        openstack(self.admin[0], "server", "start", server["id"])
        self.assertEqual(openstack(self.demo[2], "server", "show", server["id"], "-f", "json")["status"], "ACTIVE")

    def test_hypervisor_stats_are_the_sum_of_the_clouds_own(self):
        stats = openstack(self.admin[1], "hypervisor", "stats", "show", "-f", "json")
        own = [self.cloud_get(r, "/os-hypervisors/statistics")["hypervisor_statistics"] for r in REGIONS]
        for field in ("count", "vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used", "running_vms"):
            self.assertEqual(stats[field], sum(o[field] for o in own), field)
        self.assertGreaterEqual(stats["running_vms"], 2)
        hypervisors = openstack(self.admin[0], "hypervisor", "list", "-f", "json")
        self.assertEqual(len(hypervisors), sum(o["count"] for o in own))
        self.assertEqual(len({h["ID"] for h in hypervisors}), len(hypervisors), "IDs unique across cloudlets")

    def test_limits_show_absolute_sums_what_each_cloudlet_counts(self):
        rows = openstack(self.demo[0], "limits", "show", "--absolute", "-f", "json")
        limits = {r["Name"]: r["Value"] for r in rows}
        own = [self.cloud_get(r, "/limits", self.demo_token)["limits"]["absolute"] for r in REGIONS]
        self.assertEqual(limits["totalInstancesUsed"], sum(o["totalInstancesUsed"] for o in own))
        self.assertGreaterEqual(limits["totalInstancesUsed"], 2)
        self.assertEqual(limits["totalRAMUsed"], sum(o["totalRAMUsed"] for o in own))
        self.assertEqual(limits["maxServerMeta"], min(o["maxServerMeta"] for o in own))

    def test_a_boot_a_cloudlets_quota_refuses_is_placed_on_another(self):
        # demo may have no server on cloudlet-1 (set through agent 1, whose cloudlet it is); a boot
        # through agent 1 that the scheduler places there is refused by that Nova's quota (403)
        # and goes to the next candidate. cloudlet-1, without servers, has the most free RAM.
        # Agent 1 must know every cloudlet's capacity, or it has no other candidate to try. A view
        # is complete only now and then; at the start of a loaded CI run 60 s were once too few.
        wait_for_capacity(self.fed.agents[:1], REGIONS, timeout=180)
        url, admin = self.fed.agents[0]["url"], {"X-Auth-Token": self.admin_token}
        quota = url + "/compute/v2.1/os-quota-sets/" + self.demo_project()
        status, _, body = http("PUT", quota, {"quota_set": {"instances": 0}}, headers=admin)
        self.assertEqual(status, 200, body)
        try:
            before = self.over_quota_retries()
            made = openstack(self.demo[0], "server", "create", "--image", self.image, "--flavor", self.flavor,
                             "--network", self.network, "quota-elsewhere", "-f", "json")
            status, _, body = http("GET", url + "/compute/v2.1/servers/" + made["id"],
                                   headers={"X-Auth-Token": self.demo_token})
            self.assertEqual(status, 200, body)
            self.assertIn(json.loads(body)["server"]["OS-EXT-AZ:availability_zone"], ("cloudlet-2", "cloudlet-3"))
            self.assertEqual(self.over_quota_retries(), before + 1, "tried on cloudlet-1 first, refused there")
            on_1 = self.cloud_get("cloudlet-1", "/servers?all_tenants=1&name=quota-elsewhere")["servers"]
            self.assertEqual(on_1, [], "the refusal made nothing on cloudlet-1")
            status, _, body = http("DELETE", url + "/compute/v2.1/servers/" + made["id"],
                                   headers={"X-Auth-Token": self.demo_token})
            self.assertEqual(status, 204, body)
        finally:
            http("PUT", quota, {"quota_set": {"instances": -1}}, headers=admin)

    def over_quota_retries(self):
        status, _, body = http("GET", self.fed.agents[0]["url"] + "/metrics")
        self.assertEqual(status, 200)
        return total(parse_exposition(body.decode())[1], "fedstack_create_retries_total", kind="server",
                     cause="over_quota")

    def test_quota_set_stays_per_cloudlet_and_quota_show_sums_them(self):
        # Each cloudlet's quota set through its own agent; shown through any agent as their sum.
        # The CLI through agent 1; what it sends, through agents 2 and 3.
        # Neutron's quota (the CLI's --ports) the same way.
        openstack(self.admin[0], "quota", "set", "--cores", "7", "--ports", "70", "demo")
        for agent, cores in ((1, 11), (2, 13)):
            url, admin = self.fed.agents[agent]["url"], {"X-Auth-Token": self.admin_token}
            status, _, body = http("PUT", url + "/compute/v2.1/os-quota-sets/" + self.demo_project(),
                                   {"quota_set": {"cores": cores}}, headers=admin)
            self.assertEqual(status, 200, body)
            status, _, body = http("PUT", url + "/v2.0/quotas/" + self.demo_project(),
                                   {"quota": {"port": cores * 10}}, headers=admin)
            self.assertEqual(status, 200, body)
        own = [self.cloud_get(r, "/os-quota-sets/" + self.demo_project())["quota_set"] for r in REGIONS]
        self.assertEqual([o["cores"] for o in own], [7, 11, 13])
        shown = openstack(self.admin[1], "quota", "show", "demo", "-f", "json")
        limit = lambda name: shown[name] if isinstance(shown, dict) else \
            next(r["Limit"] for r in shown if r["Resource"] == name)
        self.assertEqual(limit("cores"), 31)
        self.assertEqual(limit("ports"), 70 + 110 + 130, "each Neutron's port quota, summed")

    def demo_project(self):
        _, body = token(self.fed.keystone_url, "demo", "demo", "demo")
        return body["token"]["project"]["id"]

if __name__ == "__main__":
    unittest.main()
