"""What a cloud shares, the federation shares (docs/federation.md, "Who sees what"), with the
real `openstack` CLI: the admin makes a public and a private image through agent 1; the demo
project, through agent 2, boots the public one pinned to a cloudlet that holds no copy of it,
and cannot see the private one (the same answer as for an ID nobody made)."""
import json
import os
import time
import unittest

from harness import Federation, http, openstack, token

CLOUDLETS = 3


class Visibility(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=CLOUDLETS, chain=True, build_delay_ms=100, agent_args=(
            "--shuffle-period-ms", "300", "--capacity-period-ms", "200"))
        cls.admin_env = cls.fed.env(agent=0)
        cls.demo_env = cls.fed.env(agent=1, user="demo", password="demo", project="demo")
        cls.admin_token, body = token(cls.fed.keystone_url)
        cls.demo_token, _ = token(cls.fed.keystone_url, "demo", "demo", "demo")
        cls.admin_project = body["token"]["project"]["id"]
        cls.image_file = os.path.join(cls.fed.dir, "image.bin")
        with open(cls.image_file, "wb") as f:
            f.write(os.urandom(64 * 1024))

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    def image(self, name, visibility):
        return openstack(self.admin_env, "image", "create", "--file", self.image_file, "--disk-format", "qcow2",
                         "--container-format", "bare", "--" + visibility, name, "-f", "json")

    def api(self, method, path, tok, agent=1):
        """A call through an agent (demo's by default) where the CLI is not the point: each CLI
        process costs seconds of CPU."""
        status, _, raw = http(method, self.fed.agents[agent]["url"] + path, headers={"X-Auth-Token": tok})
        return status, raw

    def delete_server(self, server_id):
        """Deletes demo's server through agent 2 and waits until it is gone (the simulator
        deletes at once; `server delete --wait` is the CLI's, checked in test_cli)."""
        self.assertEqual(self.api("DELETE", "/compute/v2.1/servers/" + server_id, self.demo_token)[0], 204)
        deadline = time.monotonic() + 30
        while self.api("GET", "/compute/v2.1/servers/" + server_id, self.demo_token)[0] != 404:
            self.assertLess(time.monotonic(), deadline, "the server was never deleted")
            time.sleep(0.1)

    def delete_image(self, image_id):
        self.assertEqual(self.api("DELETE", "/image/v2/images/" + image_id, self.admin_token, agent=0)[0], 204)

    def marked_images(self, region, key, global_id):
        """The images on a cloudlet (every project, seen with the admin's token) marked `key` = `global_id`."""
        c = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)
        status, _, raw = http("GET", c["image_url"] + f"/v2/images?{key}={global_id}&visibility=all",
                              headers={"X-Auth-Token": self.admin_token})
        self.assertEqual(status, 200, raw)
        return json.loads(raw)["images"]

    def home_of(self, global_id):
        homes = [f"cloudlet-{i}" for i in range(1, CLOUDLETS + 1)
                 if self.marked_images(f"cloudlet-{i}", "fedstack_gid", global_id)]
        self.assertEqual(len(homes), 1, homes)
        return homes[0]

    def test_demo_boots_a_public_image_of_the_admin_where_it_has_no_copy(self):
        public = self.image("vis-public", "public")
        home = self.home_of(public["id"])
        target = next(f"cloudlet-{i}" for i in range(CLOUDLETS, 0, -1) if f"cloudlet-{i}" != home)
        self.assertEqual(self.marked_images(target, "fedstack_copy_of", public["id"]), [])

        shown = openstack(self.demo_env, "image", "show", public["id"], "-f", "json")
        self.assertEqual(shown["name"], "vis-public")
        # Nova's image proxy, through every agent (the image has a copy on one cloudlet only).
        for agent in range(CLOUDLETS):
            status, raw = self.api("GET", "/compute/v2.1/images/" + public["id"], self.demo_token, agent)
            self.assertEqual(status, 200, raw)
            self.assertEqual(json.loads(raw)["image"]["id"], public["id"])
        server = openstack(self.demo_env, "server", "create", "--image", public["id"], "--flavor", "m1.tiny",
                           "--availability-zone", target, "--wait", "vis-boot", "-f", "json")
        self.assertEqual(server["status"], "ACTIVE")
        status, raw = self.api("GET", "/compute/v2.1/servers/" + server["id"], self.demo_token)
        self.assertEqual(status, 200, raw)
        self.assertEqual(json.loads(raw)["server"]["OS-EXT-AZ:availability_zone"], target)

        copies = self.marked_images(target, "fedstack_copy_of", public["id"])
        self.assertEqual(len(copies), 1, "one copy, marked as a copy")
        self.assertEqual(copies[0]["owner"], self.admin_project, "owned by the image's project")
        self.assertEqual(copies[0]["visibility"], "public")
        # The image is listed once, under its global ID, to demo.
        listed = openstack(self.demo_env, "image", "list", "--name", "vis-public", "-f", "json")
        self.assertEqual([i["ID"] for i in listed], [public["id"]])

        self.delete_server(server["id"])
        self.delete_image(public["id"])
        for i in range(1, CLOUDLETS + 1):
            self.assertEqual(self.marked_images(f"cloudlet-{i}", "fedstack_copy_of", public["id"]), [],
                             "the copy goes with the image")

    def test_an_image_made_public_after_its_copy_was_made_is_bootable_there(self):
        image = self.image("vis-later", "private")
        target = next(f"cloudlet-{i}" for i in range(CLOUDLETS, 0, -1) if f"cloudlet-{i}" != self.home_of(image["id"]))
        # The admin's own boot on another cloudlet makes a private copy there.
        mine = openstack(self.admin_env, "server", "create", "--image", image["id"], "--flavor", "m1.tiny",
                         "--availability-zone", target, "--wait", "vis-later-admin", "-f", "json")
        self.assertEqual([c["visibility"] for c in self.marked_images(target, "fedstack_copy_of", image["id"])],
                         ["private"])
        openstack(self.admin_env, "image", "set", "--public", image["id"])
        self.assertEqual([c["visibility"] for c in self.marked_images(target, "fedstack_copy_of", image["id"])],
                         ["public"], "the change reached the copy")
        server = openstack(self.demo_env, "server", "create", "--image", image["id"], "--flavor", "m1.tiny",
                           "--availability-zone", target, "--wait", "vis-later-demo", "-f", "json")
        self.assertEqual(server["status"], "ACTIVE")
        self.delete_server(server["id"])
        self.assertEqual(self.api("DELETE", "/compute/v2.1/servers/" + mine["id"], self.admin_token, agent=0)[0], 204)
        deadline = time.monotonic() + 30
        while self.api("GET", "/compute/v2.1/servers/" + mine["id"], self.admin_token, agent=0)[0] != 404:
            self.assertLess(time.monotonic(), deadline, "the admin's server was never deleted")
            time.sleep(0.1)
        self.delete_image(image["id"])

    def test_a_shared_image_is_demos_once_added_and_accepted(self):
        shared = self.image("vis-shared", "shared")
        self.assertNotEqual(openstack(self.demo_env, "image", "show", shared["id"], check=False).returncode, 0)
        openstack(self.admin_env, "image", "add", "project", shared["id"], "demo")
        openstack(self.demo_env, "image", "set", "--accept", shared["id"])
        members = openstack(self.admin_env, "image", "member", "list", shared["id"], "-f", "json")
        self.assertEqual([m["Status"] for m in members], ["accepted"])
        target = next(f"cloudlet-{i}" for i in range(CLOUDLETS, 0, -1) if f"cloudlet-{i}" != self.home_of(shared["id"]))
        server = openstack(self.demo_env, "server", "create", "--image", shared["id"], "--flavor", "m1.tiny",
                           "--availability-zone", target, "--wait", "vis-shared-boot", "-f", "json")
        self.assertEqual(server["status"], "ACTIVE")
        copies = self.marked_images(target, "fedstack_copy_of", shared["id"])
        self.assertEqual([(c["owner"], c["visibility"]) for c in copies], [(self.admin_project, "shared")])
        self.delete_server(server["id"])
        self.delete_image(shared["id"])

    def test_the_admin_creates_a_port_on_a_network_demo_made_through_another_agent(self):
        net = openstack(self.demo_env, "network", "create", "vis-demo-net", "-f", "json")
        openstack(self.demo_env, "subnet", "create", "--network", net["id"], "--subnet-range", "10.61.0.0/24",
                  "vis-demo-subnet")
        port = openstack(self.admin_env, "port", "create", "--network", net["id"], "vis-admin-port", "-f", "json")
        self.assertEqual(port["network_id"], net["id"])
        openstack(self.admin_env, "port", "delete", port["id"])
        openstack(self.demo_env, "network", "delete", net["id"])

    def test_demo_cannot_see_or_boot_a_private_image_of_the_admin(self):
        private = self.image("vis-private", "private")
        nobody = private["id"][:9] + "0000" + private["id"][13:]   # a global ID of the same owner nobody made
        # The CLI through agent 2; what it asks, through every agent.
        hidden = openstack(self.demo_env, "image", "show", private["id"], check=False)
        unknown = openstack(self.demo_env, "image", "show", nobody, check=False)
        self.assertNotEqual(hidden.returncode, 0)
        self.assertEqual(hidden.stderr.replace(private["id"], "<id>"), unknown.stderr.replace(nobody, "<id>"))
        for agent in range(CLOUDLETS):
            for path in ("/image/v2/images/{}", "/compute/v2.1/images/{}"):
                hidden = self.api("GET", path.format(private["id"]), self.demo_token, agent)
                unknown = self.api("GET", path.format(nobody), self.demo_token, agent)
                self.assertEqual(hidden[0], 404, (agent, path, hidden))
                self.assertEqual(hidden[1].replace(private["id"].encode(), b"<id>"),
                                 unknown[1].replace(nobody.encode(), b"<id>"), (agent, path))
        boot = openstack(self.demo_env, "server", "create", "--image", private["id"], "--flavor", "m1.tiny",
                         "--availability-zone", "cloudlet-3", "vis-hidden", check=False)
        self.assertNotEqual(boot.returncode, 0)
        status, raw = self.api("GET", "/compute/v2.1/servers?name=vis-hidden", self.demo_token)
        self.assertEqual((status, json.loads(raw)["servers"]), (200, []))
        self.delete_image(private["id"])


if __name__ == "__main__":
    unittest.main()
