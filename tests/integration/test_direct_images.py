"""Images made on a cloud directly (docs/federation.md, "Resources made on a cloud directly"), with
the real `openstack` CLI over 3 cloudlets: demo's upload straight to cloudlet-2's Glance booted through
agent 1 pinned to cloudlet-3 (adopted, copied, the upload untouched, its copy deleted with it); the
same upload booted through agents 1 and 3 copied once and deleted with its copy through agent 2 (and
a network so booted, copied once, renamed and deleted with its copy through agent 2, its subnet
renamed by its cloud ID through agent 1; a network adoption deleted by its global ID with its
subnet's entry); the upload renamed by its cloud ID with its copy; the operator's same image on every cloudlet listed once by every agent and booted by name anywhere with
the target's own; the admin's private image by its cloud ID unusable for demo."""
import json
import os
import unittest

from harness import Federation, http, openstack, token
from prometheus_text import parse_exposition, total

CLOUDLETS = 3


class DirectImages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=CLOUDLETS, chain=True, build_delay_ms=100, agent_args=(
            "--shuffle-period-ms", "300", "--capacity-period-ms", "200"))
        cls.admin_token, _ = token(cls.fed.keystone_url)
        cls.demo_token, body = token(cls.fed.keystone_url, "demo", "demo", "demo")
        cls.demo_project = body["token"]["project"]["id"]
        cls.demo_env = cls.fed.env(agent=0, user="demo", password="demo", project="demo")
        cls.bytes = os.urandom(64 * 1024)

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    def glance(self, region):
        return next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)["image_url"]

    def upload(self, region, tok, name, visibility="private", data=None):
        """An image made on `region`'s Glance directly, not through an agent: its cloud ID."""
        status, _, raw = http("POST", self.glance(region) + "/v2/images", {
            "name": name, "disk_format": "qcow2", "container_format": "bare", "visibility": visibility},
            headers={"X-Auth-Token": tok})
        self.assertEqual(status, 201, raw)
        image_id = json.loads(raw)["id"]
        status, _, raw = http("PUT", self.glance(region) + f"/v2/images/{image_id}/file", raw=data or self.bytes,
                              headers={"X-Auth-Token": tok, "Content-Type": "application/octet-stream"})
        self.assertEqual(status, 204, raw)
        return image_id

    def cloud_image(self, region, image_id):
        status, _, raw = http("GET", self.glance(region) + f"/v2/images/{image_id}",
                              headers={"X-Auth-Token": self.admin_token})
        return json.loads(raw) if status == 200 else None

    def copies_on(self, region):
        """Images on `region` the federation marked as copies (every project's)."""
        status, _, raw = http("GET", self.glance(region) + "/v2/images?visibility=all&limit=1000",
                              headers={"X-Auth-Token": self.admin_token})
        self.assertEqual(status, 200, raw)
        return [i for i in json.loads(raw)["images"] if "fedstack_copy_of" in i]

    def test_an_upload_straight_to_cloudlet2_boots_through_agent1_on_cloudlet3(self):
        upload = self.upload("cloudlet-2", self.demo_token, "direct-upload")
        before = self.cloud_image("cloudlet-2", upload)
        shown = openstack(self.demo_env, "image", "show", upload, "-f", "json")
        self.assertEqual(shown["name"], "direct-upload", "a cloud ID is shown by the cloudlet that holds it")
        server = openstack(self.demo_env, "server", "create", "--image", upload, "--flavor", "m1.tiny",
                           "--availability-zone", "cloudlet-3", "--wait", "direct-boot", "-f", "json")
        self.assertEqual(server["status"], "ACTIVE")
        copies = [c for c in self.copies_on("cloudlet-3") if c["name"] == "direct-upload"]
        self.assertEqual(len(copies), 1, "copied once, marked as the federation's copy")
        self.assertEqual((copies[0]["owner"], copies[0]["visibility"], copies[0]["checksum"]),
                         (self.demo_project, "private", before["checksum"]))
        after = self.cloud_image("cloudlet-2", upload)
        self.assertEqual({k: v for k, v in after.items() if k.startswith("fedstack")}, {},
                         "the upload itself carries no marker")
        self.assertEqual(after["updated_at"], before["updated_at"], "and was not changed")
        # A second boot there reuses the copy.
        again = openstack(self.demo_env, "server", "create", "--image", upload, "--flavor", "m1.tiny",
                          "--availability-zone", "cloudlet-3", "--wait", "direct-boot-2", "-f", "json")
        self.assertEqual(again["status"], "ACTIVE")
        self.assertEqual(len([c for c in self.copies_on("cloudlet-3") if c["name"] == "direct-upload"]), 1)
        openstack(self.demo_env, "server", "delete", "--wait", server["id"], again["id"])
        # Demo's delete of its own upload through agent 1: the upload, then the federation's copy.
        openstack(self.demo_env, "image", "delete", upload)
        self.assertIsNone(self.cloud_image("cloudlet-2", upload))
        self.assertEqual([c for c in self.copies_on("cloudlet-3") if c["name"] == "direct-upload"], [])

    def test_one_upload_booted_through_agents_1_and_3_is_copied_once_and_deleted_through_agent_2(self):
        upload = self.upload("cloudlet-2", self.demo_token, "shared-upload")
        before = self.cloud_image("cloudlet-2", upload)
        servers = []
        for agent in (0, 2):   # agents 1 and 3, both onto cloudlet-3
            env = self.fed.env(agent=agent, user="demo", password="demo", project="demo")
            server = openstack(env, "server", "create", "--image", upload, "--flavor", "m1.tiny",
                               "--availability-zone", "cloudlet-3", "--wait", f"shared-boot-{agent}", "-f", "json")
            self.assertEqual(server["status"], "ACTIVE")
            servers.append(server["id"])
        copies = [c for c in self.copies_on("cloudlet-3") if c["name"] == "shared-upload"]
        self.assertEqual(len(copies), 1, "one copy for the federation, whichever agent adopted it")
        self.assertEqual(copies[0]["fedstack_adopted"], upload, "marked with the cloud ID it was made from")
        openstack(self.demo_env, "server", "delete", "--wait", *servers)
        after = self.cloud_image("cloudlet-2", upload)
        self.assertEqual(after["updated_at"], before["updated_at"], "the upload untouched until its delete")
        # Demo's rename by the cloud ID through agent 2, which adopted nothing, reaches the copy.
        env2 = self.fed.env(agent=1, user="demo", password="demo", project="demo")
        openstack(env2, "image", "set", "--name", "shared-upload-renamed", "--property", "os_distro=cirros", upload)
        self.assertEqual(self.cloud_image("cloudlet-2", upload)["name"], "shared-upload-renamed")
        copy = self.cloud_image("cloudlet-3", copies[0]["id"])
        self.assertEqual((copy["name"], copy.get("os_distro")), ("shared-upload-renamed", "cirros"))
        self.assertEqual(copy["fedstack_adopted"], upload, "its markers kept")
        # Demo's delete through agent 2: the upload, then the federation's copy.
        openstack(env2, "image", "delete", upload)
        self.assertIsNone(self.cloud_image("cloudlet-2", upload))
        self.assertIsNone(self.cloud_image("cloudlet-3", copies[0]["id"]))

    def test_the_operators_image_on_every_cloudlet_is_one_image_booted_by_name_anywhere(self):
        data = os.urandom(32 * 1024)
        ids = {f"cloudlet-{i}": self.upload(f"cloudlet-{i}", self.admin_token, "op-cirros", "public", data)
               for i in range(1, CLOUDLETS + 1)}
        for agent in range(CLOUDLETS):
            env = self.fed.env(agent=agent, user="demo", password="demo", project="demo")
            listed = openstack(env, "image", "list", "--name", "op-cirros", "-f", "json")
            self.assertEqual([i["ID"] for i in listed], [ids[f"cloudlet-{agent + 1}"]],
                             "once, under the agent's own cloudlet's ID")
        server = openstack(self.demo_env, "server", "create", "--image", "op-cirros", "--flavor", "m1.tiny",
                           "--availability-zone", "cloudlet-3", "--wait", "op-boot", "-f", "json")
        self.assertEqual(server["status"], "ACTIVE")
        self.assertEqual([c for c in self.copies_on("cloudlet-3") if c["name"] == "op-cirros"], [],
                         "cloudlet-3's own equal image, no copy")
        openstack(self.demo_env, "server", "delete", "--wait", server["id"])
        refused = openstack(self.demo_env, "image", "delete", ids["cloudlet-2"], check=False)
        self.assertNotEqual(refused.returncode, 0, "Glance refuses demo the operator's image")
        self.assertIsNotNone(self.cloud_image("cloudlet-2", ids["cloudlet-2"]))

    def test_the_admins_private_image_by_its_cloud_id_is_unusable_for_demo(self):
        private = self.upload("cloudlet-2", self.admin_token, "op-private")
        hidden = openstack(self.demo_env, "image", "show", private, check=False)
        self.assertNotEqual(hidden.returncode, 0)
        boot = openstack(self.demo_env, "server", "create", "--image", private, "--flavor", "m1.tiny",
                         "--availability-zone", "cloudlet-3", "direct-hidden", check=False)
        self.assertNotEqual(boot.returncode, 0)
        self.assertEqual([c for c in self.copies_on("cloudlet-3") if c["name"] == "op-private"], [])

    # --- networks made on a cloud directly ---

    def neutron(self, method, region, path, tok, body=None):
        url = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)["network_url"].rstrip("/")
        status, _, raw = http(method, url + path, body, headers={"X-Auth-Token": tok})
        return status, (json.loads(raw) if raw else None)

    def network_copies_on(self, region, collection, name):
        """Networks or subnets named `name` on `region` the federation marked as copies (every project's)."""
        status, doc = self.neutron("GET", region, f"/v2.0/{collection}?name={name}", self.admin_token)
        self.assertEqual(status, 200, doc)
        return [n for n in doc[collection] if any(t.startswith("fedstack_copy_of=") for t in n.get("tags", []))]

    def network_on_cloudlet2(self, name, subnet, cidr):
        """Demo's network with one subnet made on cloudlet-2's Neutron directly: the network's cloud ID."""
        status, made = self.neutron("POST", "cloudlet-2", "/v2.0/networks", self.demo_token,
                                    {"network": {"name": name}})
        self.assertEqual(status, 201, made)
        net = made["network"]["id"]
        status, sub = self.neutron("POST", "cloudlet-2", "/v2.0/subnets", self.demo_token, {"subnet": {
            "network_id": net, "name": subnet, "cidr": cidr, "ip_version": 4}})
        self.assertEqual(status, 201, sub)
        return net

    def test_a_network_made_on_cloudlet2s_neutron_boots_through_agent1_on_cloudlet3(self):
        net = self.network_on_cloudlet2("direct-net", "direct-sub", "10.41.0.0/24")
        _, before = self.neutron("GET", "cloudlet-2", f"/v2.0/networks/{net}", self.admin_token)
        image = self.upload("cloudlet-3", self.demo_token, "net-boot-image")
        server = openstack(self.demo_env, "server", "create", "--image", image, "--flavor", "m1.tiny",
                           "--nic", f"net-id={net}", "--availability-zone", "cloudlet-3", "--wait",
                           "direct-net-boot", "-f", "json")
        self.assertEqual(server["status"], "ACTIVE")
        self.assertIn("direct-net", json.dumps(server["addresses"]), "on the network's copy, of the same name")
        copies = self.network_copies_on("cloudlet-3", "networks", "direct-net")
        self.assertEqual(len(copies), 1, "copied once, marked as the federation's copy")
        self.assertEqual(copies[0]["project_id"], self.demo_project)
        sub_copies = self.network_copies_on("cloudlet-3", "subnets", "direct-sub")
        self.assertEqual([(s["cidr"], s["network_id"]) for s in sub_copies], [("10.41.0.0/24", copies[0]["id"])])
        _, after = self.neutron("GET", "cloudlet-2", f"/v2.0/networks/{net}", self.admin_token)
        self.assertEqual(after, before, "the network made directly is untouched (no tag, no change)")
        # A second boot there reuses the copy.
        again = openstack(self.demo_env, "server", "create", "--image", image, "--flavor", "m1.tiny",
                          "--nic", f"net-id={net}", "--availability-zone", "cloudlet-3", "--wait",
                          "direct-net-boot-2", "-f", "json")
        self.assertEqual(again["status"], "ACTIVE")
        self.assertEqual([c["id"] for c in self.network_copies_on("cloudlet-3", "networks", "direct-net")],
                         [copies[0]["id"]])
        self.assertEqual(len(self.network_copies_on("cloudlet-3", "subnets", "direct-sub")), 1)
        openstack(self.demo_env, "server", "delete", "--wait", server["id"], again["id"])
        _, still = self.neutron("GET", "cloudlet-2", f"/v2.0/networks/{net}", self.admin_token)
        self.assertEqual(still, before)
        # Demo's delete of its network through agent 1: at its cloudlet, then the federation's copy.
        openstack(self.demo_env, "network", "delete", net)
        self.assertEqual(self.neutron("GET", "cloudlet-2", f"/v2.0/networks/{net}", self.admin_token)[0], 404)
        self.assertEqual(self.network_copies_on("cloudlet-3", "networks", "direct-net"), [])
        self.assertEqual(self.network_copies_on("cloudlet-3", "subnets", "direct-sub"), [])

    def test_a_network_booted_through_agents_1_and_3_is_copied_once_renamed_and_deleted_through_agent_2(self):
        net = self.network_on_cloudlet2("shared-net", "shared-sub", "10.42.0.0/24")
        image = self.upload("cloudlet-3", self.demo_token, "shared-net-image")
        servers = []
        for agent in (0, 2):   # agents 1 and 3, both onto cloudlet-3
            env = self.fed.env(agent=agent, user="demo", password="demo", project="demo")
            server = openstack(env, "server", "create", "--image", image, "--flavor", "m1.tiny", "--nic",
                               f"net-id={net}", "--availability-zone", "cloudlet-3", "--wait",
                               f"shared-net-boot-{agent}", "-f", "json")
            self.assertEqual(server["status"], "ACTIVE")
            servers.append(server["id"])
        copies = self.network_copies_on("cloudlet-3", "networks", "shared-net")
        self.assertEqual(len(copies), 1, "one copy for the federation")
        self.assertIn(f"fedstack_adopted={net}", copies[0]["tags"])
        self.assertEqual(len(self.network_copies_on("cloudlet-3", "subnets", "shared-sub")), 1)
        openstack(self.demo_env, "server", "delete", "--wait", *servers)
        # Through agent 2, which adopted nothing: a rename reaches the copy, a delete removes it.
        env2 = self.fed.env(agent=1, user="demo", password="demo", project="demo")
        openstack(env2, "network", "set", "--name", "shared-net-renamed", net)
        self.assertEqual([c["id"] for c in self.network_copies_on("cloudlet-3", "networks", "shared-net-renamed")],
                         [copies[0]["id"]])
        # The subnet renamed by its cloud ID through agent 1, whose cloudlet does not hold it: its copy too.
        _, listed = self.neutron("GET", "cloudlet-2", f"/v2.0/subnets?network_id={net}", self.admin_token)
        subnet = listed["subnets"][0]["id"]
        openstack(self.demo_env, "subnet", "set", "--name", "shared-sub-renamed", subnet)
        self.assertEqual(self.neutron("GET", "cloudlet-2", f"/v2.0/subnets/{subnet}", self.admin_token)[1]
                         ["subnet"]["name"], "shared-sub-renamed")
        self.assertEqual(len(self.network_copies_on("cloudlet-3", "subnets", "shared-sub-renamed")), 1)
        openstack(env2, "network", "delete", net)
        self.assertEqual(self.neutron("GET", "cloudlet-2", f"/v2.0/networks/{net}", self.admin_token)[0], 404)
        self.assertEqual(self.neutron("GET", "cloudlet-3", f"/v2.0/networks/{copies[0]['id']}",
                                      self.admin_token)[0], 404)
        self.assertEqual(self.network_copies_on("cloudlet-3", "subnets", "shared-sub-renamed"), [])

    def registry_entries(self, kind):
        """The registry entries of `kind` every agent owns."""
        count = 0
        for agent in self.fed.agents:
            status, _, body = http("GET", agent["url"] + "/metrics")
            self.assertEqual(status, 200)
            count += total(parse_exposition(body.decode())[1], "fedstack_registry_entries", kind=kind)
        return count

    def test_a_network_adoption_deleted_by_its_global_id_takes_its_subnets_entry(self):
        net = self.network_on_cloudlet2("gid-net", "gid-sub", "10.43.0.0/24")
        image = self.upload("cloudlet-3", self.demo_token, "gid-net-image")
        before = {kind: self.registry_entries(kind) for kind in ("network", "subnet")}
        server = openstack(self.demo_env, "server", "create", "--image", image, "--flavor", "m1.tiny", "--nic",
                           f"net-id={net}", "--availability-zone", "cloudlet-3", "--wait", "gid-net-boot",
                           "-f", "json")
        self.assertEqual(server["status"], "ACTIVE")
        self.assertEqual({kind: self.registry_entries(kind) - before[kind] for kind in before},
                         {"network": 1, "subnet": 1}, "the network and its subnet adopted")
        copy = self.network_copies_on("cloudlet-3", "networks", "gid-net")[0]
        global_id = next(t for t in copy["tags"] if t.startswith("fedstack_copy_of=")).split("=", 1)[1]
        openstack(self.demo_env, "server", "delete", "--wait", server["id"])
        # Through agent 2, which adopted nothing: the adoption's copies go, and both its entries.
        env2 = self.fed.env(agent=1, user="demo", password="demo", project="demo")
        openstack(env2, "network", "delete", global_id)
        self.assertEqual(self.neutron("GET", "cloudlet-3", f"/v2.0/networks/{copy['id']}", self.admin_token)[0], 404)
        self.assertEqual(self.network_copies_on("cloudlet-3", "subnets", "gid-sub"), [])
        self.assertEqual({kind: self.registry_entries(kind) for kind in before}, before,
                         "no subnet entry stays behind")
        self.assertEqual(self.neutron("GET", "cloudlet-2", f"/v2.0/networks/{net}", self.admin_token)[0], 200,
                         "the network itself is the tenant's")
        openstack(self.demo_env, "network", "delete", net)


if __name__ == "__main__":
    unittest.main()
