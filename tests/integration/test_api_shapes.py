"""Answers shaped as the real services give them, through an agent in front of two simulated
cloudlets (issue 18): Nova's microversion headers on the compute answers the agent composes,
paths ending in '/', a port's create answer equal to its show (the real openstack CLI), bulk
port creates under global IDs, and Nova's image proxy for another project's public image that
agent 2 made."""
import json
import unittest

from harness import Federation, http, openstack, token

VARY = "OpenStack-API-Version, X-OpenStack-Nova-API-Version"


class ApiShapes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=2, chain=True, build_delay_ms=100)
        cls.url = cls.fed.agents[0]["url"]
        cls.admin_token, _ = token(cls.url)
        cls.demo_token, _ = token(cls.url, "demo", "demo", "demo")
        cls.admin = {"X-Auth-Token": cls.admin_token}
        cls.demo = {"X-Auth-Token": cls.demo_token}

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    def call(self, method, path, body=None, headers=None, who=None):
        status, got, raw = http(method, self.url + path, body, headers={**(who or self.admin), **(headers or {})})
        return status, got, json.loads(raw) if raw.strip().startswith(b"{") else raw

    def assert_version(self, headers, version, what):
        self.assertEqual(headers.get("OpenStack-API-Version"), "compute " + version, what)
        self.assertEqual(headers.get("X-OpenStack-Nova-API-Version"), version, what)
        self.assertEqual(headers.get("Vary"), VARY, what)

    def test_compute_answers_the_agent_composes_carry_the_microversion(self):
        for path in ("/compute/v2.1/servers", "/compute/v2.1/servers/detail",
                     "/compute/v2.1/os-availability-zone", "/compute/v2.1/os-availability-zone/detail"):
            status, headers, _ = self.call("GET", path)
            self.assertEqual(status, 200, path)
            self.assert_version(headers, "2.1", path)
            status, headers, _ = self.call("GET", path, headers={"OpenStack-API-Version": "compute 2.53"})
            self.assertEqual(status, 200, path)
            self.assert_version(headers, "2.53", path)
        status, headers, _ = self.call("GET", "/compute/v2.1/servers/1f0c2a77-5e1b-8d4e-9a3c-7f0000011283",
                                       headers={"X-OpenStack-Nova-API-Version": "2.60"})
        self.assertEqual(status, 404)
        self.assert_version(headers, "2.60", "the agent's own 404")

    def test_a_non_admin_sees_every_zone_available_as_nova_lets_it(self):
        # Nova refuses the detail list to non-admins (403); the CLI then asks for the plain one.
        status, _, _ = self.call("GET", "/compute/v2.1/os-availability-zone/detail", who=self.demo)
        self.assertEqual(status, 403)
        zones = openstack(self.fed.env(user="demo", password="demo", project="demo"),
                          "availability", "zone", "list", "--compute", "-f", "json")
        self.assertEqual(sorted(z["Zone Name"] for z in zones), ["cloudlet-1", "cloudlet-2"])
        self.assertTrue(all(z["Zone Status"] == "available" for z in zones), zones)

    def test_a_trailing_slash_is_answered_as_glance_nova_and_neutron_do(self):
        for method in ("GET", "DELETE"):
            status, _, _ = self.call(method, "/image/v2/images/")
            self.assertEqual(status, 404, method + " /v2/images/: Glance's 404")
        status, _, _ = self.call("GET", "/compute/v2.1/servers/")
        self.assertEqual(status, 404)
        status, _, doc = self.call("GET", "/network/v2.0/networks/")
        self.assertEqual(status, 200)
        self.assertIn("networks", doc)

    def test_a_ports_create_answer_is_what_its_show_gives(self):
        env = self.fed.env()
        net = openstack(env, "network", "create", "shape-net", "-f", "json")
        port = openstack(env, "port", "create", "--network", net["id"], "shape-port", "-f", "json")
        shown = openstack(env, "port", "show", port["id"], "-f", "json")
        self.assertEqual(port["revision_number"], shown["revision_number"])
        self.assertEqual(port["updated_at"], shown["updated_at"])
        openstack(env, "port", "delete", port["id"])
        openstack(env, "network", "delete", net["id"])

    def test_bulk_ports_are_answered_and_recorded_under_global_ids(self):
        status, _, doc = self.call("POST", "/network/v2.0/networks", {"network": {"name": "bulk-net"}})
        self.assertEqual(status, 201, doc)
        net = doc["network"]["id"]
        status, _, doc = self.call("POST", "/network/v2.0/ports", {"ports": [
            {"network_id": net, "name": "bulk-a"}, {"network_id": net, "name": "bulk-b"}]})
        self.assertEqual(status, 201, doc)
        ports = doc["ports"]
        self.assertEqual([p["name"] for p in ports], ["bulk-a", "bulk-b"])
        # No cloud ID leaks: the cloud's own ports are not what the client sees.
        cloud = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == "cloudlet-1")
        status, _, raw = http("GET", cloud["network_url"] + "/v2.0/ports", headers=self.admin)
        cloud_ids = {p["id"] for p in json.loads(raw)["ports"]}
        for port in ports:
            self.assertNotIn(port["id"], cloud_ids)
            self.assertEqual(port["network_id"], net)
            status, _, shown = self.call("GET", "/network/v2.0/ports/" + port["id"])
            self.assertEqual(status, 200, shown)
            self.assertEqual(shown["port"], port)
        for port in ports:
            status, _, _ = self.call("DELETE", "/network/v2.0/ports/" + port["id"])
            self.assertEqual(status, 204)
        self.call("DELETE", "/network/v2.0/networks/" + net)

    def test_novas_image_proxy_shows_another_projects_public_image(self):
        # The admin's public image (like Tempest's image_ref), made through agent 2, which owns its
        # global ID: neither agent 1's registry nor the demo project's knows it.
        agent2 = self.fed.agents[1]["url"]
        status, _, raw = http("POST", agent2 + "/image/v2/images", {
            "name": "public-cirros", "disk_format": "raw", "container_format": "bare",
            "visibility": "public"}, headers=self.admin)
        self.assertEqual(status, 201, raw)
        gid = json.loads(raw)["id"]
        status, _, raw = http("PUT", agent2 + f"/image/v2/images/{gid}/file", raw=b"c" * 4096,
                              headers={**self.admin, "Content-Type": "application/octet-stream"})
        self.assertEqual(status, 204, raw)
        try:
            status, headers, doc = self.call("GET", "/compute/v2.1/images/" + gid, who=self.demo)
            self.assertEqual(status, 200, doc)
            self.assertEqual(doc["image"]["id"], gid)
            self.assertEqual(doc["image"]["status"], "ACTIVE")
            self.assertNotIn("fedstack_gid", doc["image"]["metadata"])
            self.assert_version(headers, "2.1", "Nova's image proxy")
            status, _, doc = self.call("GET", "/compute/v2.1/images/detail", who=self.demo)
            self.assertEqual(status, 200, doc)
            self.assertEqual([i["id"] for i in doc["images"]].count(gid), 1, "listed once, merged")
            status, _, _ = self.call("GET", "/compute/v2.1/images/" + gid, who=self.demo,
                                     headers={"OpenStack-API-Version": "compute 2.36"})
            self.assertEqual(status, 404, "Nova removed the image proxy at 2.36")
        finally:
            http("DELETE", agent2 + "/image/v2/images/" + gid, headers=self.admin)


if __name__ == "__main__":
    unittest.main()
