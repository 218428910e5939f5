"""Project isolation across a federation: a second project ("demo") tries, through the agent
that does not own them, every path to the first project's ("admin") resources: guessed and
real global IDs, list filters, boots that would copy an image or a network to another
cloudlet, and the operator surfaces (introspection commands, /metrics, status page)."""
import json
import subprocess
import unittest
import uuid

from harness import FEDSTACK, Federation, http, token

CLOUDLETS = 2


class Isolation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=CLOUDLETS, chain=True, build_delay_ms=100, agent_args=(
            "--shuffle-period-ms", "300", "--capacity-period-ms", "200"))
        cls.owner_url, cls.other_url = cls.fed.agents[0]["url"], cls.fed.agents[1]["url"]
        cls.admin_token, _ = token(cls.owner_url)
        cls.demo_token, _ = token(cls.other_url, "demo", "demo", "demo")
        cls.admin = {"X-Auth-Token": cls.admin_token}
        cls.demo = {"X-Auth-Token": cls.demo_token}
        # The first project's resources, made through agent 1 (which owns their IDs).
        status, _, raw = http("POST", cls.owner_url + "/v2/images", {
            "name": "admin-private", "disk_format": "raw", "container_format": "bare",
            "visibility": "private"}, headers=cls.admin)
        assert status == 201, raw
        cls.image = json.loads(raw)["id"]
        status, _, raw = http("PUT", cls.owner_url + f"/v2/images/{cls.image}/file", raw=b"p" * 2048,
                              headers={**cls.admin, "Content-Type": "application/octet-stream"})
        assert status == 204, raw
        status, _, raw = http("POST", cls.owner_url + "/v2.0/networks", {"network": {"name": "admin-net"}},
                              headers=cls.admin)
        assert status == 201, raw
        cls.network = json.loads(raw)["network"]["id"]
        status, _, raw = http("POST", cls.owner_url + "/v2.0/subnets", {"subnet": {
            "network_id": cls.network, "cidr": "10.77.0.0/24", "ip_version": 4, "name": "admin-subnet"}},
            headers=cls.admin)
        assert status == 201, raw
        cls.subnet = json.loads(raw)["subnet"]["id"]

    @classmethod
    def tearDownClass(cls):
        try:
            http("DELETE", cls.owner_url + "/v2/images/" + cls.image, headers=cls.admin)
            http("DELETE", cls.owner_url + "/v2.0/networks/" + cls.network, headers=cls.admin)
        finally:
            cls.fed.close()

    def cloud_get(self, region, service, path):
        c = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)
        status, _, raw = http("GET", c[f"{service}_url"] + path, headers=self.admin)
        self.assertEqual(status, 200, raw)
        return json.loads(raw)

    def test_known_ids_answer_404_to_another_project_through_any_agent(self):
        for url in (self.other_url, self.owner_url):
            for method, path in [("GET", "/v2/images/" + self.image),
                                 ("GET", f"/v2/images/{self.image}/file"),
                                 ("DELETE", "/v2/images/" + self.image),
                                 ("GET", "/v2.0/networks/" + self.network),
                                 ("PUT", "/v2.0/networks/" + self.network),
                                 ("DELETE", "/v2.0/networks/" + self.network),
                                 ("GET", "/v2.0/subnets/" + self.subnet),
                                 ("DELETE", "/v2.0/subnets/" + self.subnet)]:
                body = {"network": {"name": "mine"}} if method == "PUT" else None
                status, _, raw = http(method, url + path, body, headers=self.demo)
                self.assertEqual(status, 404, f"{method} {path} through {url}: {raw[:200]}")
        # Nothing changed for the owner.
        status, _, raw = http("GET", self.other_url + "/v2/images/" + self.image, headers=self.admin)
        self.assertEqual(status, 200, raw)
        self.assertEqual(json.loads(raw)["name"], "admin-private")
        status, _, raw = http("GET", self.other_url + "/v2.0/networks/" + self.network, headers=self.admin)
        self.assertEqual(json.loads(raw)["network"]["name"], "admin-net")

    def test_guessed_global_ids_are_404_not_errors(self):
        # The owner's node field kept, the rest changed: the owner's registry is asked and says no.
        guessed = "00000000" + self.image[8:]
        for gid in (guessed, str(uuid.uuid4())):
            status, _, raw = http("GET", self.other_url + "/v2/images/" + gid, headers=self.demo)
            self.assertEqual(status, 404, raw)
            status, _, raw = http("GET", self.other_url + "/v2.0/networks/" + gid, headers=self.demo)
            self.assertEqual(status, 404, raw)

    def test_list_filters_do_not_reveal_another_projects_resources(self):
        for path, key in [("/v2/images?name=admin-private", "images"),
                          ("/v2/images?visibility=private", "images"),
                          ("/v2/images", "images"),
                          ("/v2.0/networks?id=" + self.network, "networks"),
                          ("/v2.0/networks?name=admin-net", "networks"),
                          ("/v2.0/subnets?network_id=" + self.network, "subnets"),
                          ("/v2.0/subnets?cidr=10.77.0.0/24", "subnets")]:
            for url in (self.other_url, self.owner_url):
                status, _, raw = http("GET", url + path, headers=self.demo)
                self.assertEqual(status, 200, raw)
                found = json.loads(raw)[key]
                self.assertFalse([x for x in found if x["id"] in (self.image, self.network, self.subnet)],
                                 f"{path} through {url}")

    def test_a_boot_cannot_copy_another_projects_image_or_network(self):
        status, _, raw = http("GET", self.other_url + "/compute/v2.1/flavors", headers=self.demo)
        flavor = json.loads(raw)["flavors"][0]["id"]
        for region in ("cloudlet-1", "cloudlet-2"):
            status, _, raw = http("POST", self.other_url + "/compute/v2.1/servers", {"server": {
                "name": "thief", "imageRef": self.image, "flavorRef": flavor,
                "networks": [{"uuid": self.network}], "availability_zone": region}}, headers=self.demo)
            self.assertIn(status, (400, 404), raw)
        for region in ("cloudlet-1", "cloudlet-2"):
            copies = self.cloud_get(region, "image", "/v2/images?fedstack_copy_of=" + self.image)["images"]
            self.assertEqual(copies, [], region)
            nets = self.cloud_get(region, "network", "/v2.0/networks")["networks"]
            self.assertEqual([n["name"] for n in nets if n["name"] == "admin-net"],
                             ["admin-net"] if region == "cloudlet-1" else [], region)
        status, _, raw = http("GET", self.other_url + "/compute/v2.1/servers", headers=self.demo)
        self.assertEqual(json.loads(raw)["servers"], [])

    def test_operator_surfaces_show_no_token_or_secret(self):
        node = self.fed.agents[0]["node"]
        outputs = []
        for command in ("members", "capacity", "decisions"):
            result = subprocess.run([FEDSTACK, command, "--node", node, "--json"], capture_output=True,
                                    text=True, timeout=30)
            self.assertEqual(result.returncode, 0, result.stderr)
            outputs.append(result.stdout)
        for path in ("/metrics", "/fedstack/", "/fedstack/status.json"):
            status, _, raw = http("GET", self.owner_url + path)
            if path == "/metrics":
                self.assertEqual(status, 200)
            outputs.append(raw.decode(errors="replace"))
        for text in outputs:
            for secret in (self.admin_token, self.demo_token, "secret", "X-Auth-Token"):   # "secret": the service password
                self.assertNotIn(secret, text)


if __name__ == "__main__":
    unittest.main()
