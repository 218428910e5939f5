"""Lifecycle anywhere (docs/federation.md, "Lifecycle anywhere"), with the real `openstack`
CLI: 3 simulated cloudlets, 3 agents; the demo project works through agent 1 (cloudlet-1) on
servers pinned to cloudlet-2 and cloudlet-3: resize and confirm, rebuild with an image made
through another agent, a snapshot booted through another agent on another cloudlet,
shelve/unshelve, server tags, `--min 2 --max 2`, markers a client cannot set or remove. Hostile: demo cannot act on the admin's
server, nor see or boot the admin's snapshot."""
import json
import os
import time
import unittest

from harness import Federation, flavor_id, http, openstack, token

CLOUDLETS = 3


class Lifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=CLOUDLETS, chain=True, build_delay_ms=100, agent_args=(
            "--shuffle-period-ms", "300", "--capacity-period-ms", "200"))
        cls.envs = [cls.fed.env(agent=i, user="demo", password="demo", project="demo") for i in range(CLOUDLETS)]
        cls.admin_env = cls.fed.env(agent=0)
        cls.admin_token, _ = token(cls.fed.keystone_url)
        cls.demo_token, _ = token(cls.fed.keystone_url, "demo", "demo", "demo")
        cls.image_file = os.path.join(cls.fed.dir, "image.bin")
        with open(cls.image_file, "wb") as f:
            f.write(os.urandom(64 * 1024))
        cls.image = cls.make_image(cls.envs[0], "life-image")

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    @classmethod
    def make_image(cls, env, name):
        return openstack(env, "image", "create", "--file", cls.image_file, "--disk-format", "qcow2",
                         "--container-format", "bare", name, "-f", "json")["id"]

    def os(self, *args, agent=0, **kw):
        return openstack(self.envs[agent], *args, **kw)

    def api(self, method, path, agent=0, tok=None, version="2.26", body=None):
        """A call through an agent (checks: the CLI is for what users do, and costs seconds each)."""
        status, _, data = http(method, self.fed.agents[agent]["url"] + path, body, headers={
            "X-Auth-Token": tok or self.demo_token, "OpenStack-API-Version": "compute " + version})
        try:
            return status, (json.loads(data) if data else None)
        except ValueError:
            return status, data   # Glance's errors are not always JSON

    def boot(self, name, zone, image=None, *extra, env=None):
        """A boot with the CLI (`env`: whose and through which agent); ACTIVE when it returns."""
        server = openstack(env or self.envs[0], "server", "create", "--image", image or self.image, "--flavor",
                           "m1.tiny", "--availability-zone", zone, *extra, name, "-f", "json")
        self.wait_status(server["id"], "ACTIVE", tok=self.admin_token if env else None)
        return server["id"]

    def boot_http(self, name, zone, tok=None):
        """The server a test acts on, booted through agent 1 with what `server create --image --flavor
        m1.tiny --availability-zone` sends (the CLI's boot is checked by the tests that boot with it);
        ACTIVE when it returns."""
        status, body = self.api("POST", "/compute/v2.1/servers", tok=tok, body={"server": {
            "name": name, "imageRef": self.image, "flavorRef": flavor_id(self.fed.agents[0]["url"], tok or self.demo_token),
            "availability_zone": zone}})
        self.assertEqual(status, 202, body)
        self.wait_status(body["server"]["id"], "ACTIVE", tok=tok)
        return body["server"]["id"]

    def cloud(self, region, method, path, service="compute"):
        """A cloudlet's own Nova (its URL ends in /v2.1) or Glance, bypassing every agent, as the admin."""
        c = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)
        status, _, data = http(method, c[service + "_url"] + path,
                               headers={"X-Auth-Token": self.admin_token, "OpenStack-API-Version": "compute 2.1"})
        return status, (json.loads(data) if data else None)

    def servers_on(self, region):
        status, body = self.cloud(region, "GET", "/servers/detail?all_tenants=1")
        self.assertEqual(status, 200, body)
        return body["servers"]

    def marked_images(self, region, key, global_id):
        status, body = self.cloud(region, "GET", f"/v2/images?{key}={global_id}&visibility=all", service="image")
        self.assertEqual(status, 200, body)
        return body["images"]

    def local_network(self, global_id):
        status, body = self.cloud("cloudlet-1", "GET", "/v2.0/networks", "network")
        self.assertEqual(status, 200, body)
        return next(n["id"] for n in body["networks"] if n["name"] == "life-net")

    def wait_status(self, server, wanted, agent=0, tok=None):
        """The server through `agent` once it shows `wanted` (the simulator builds in 100 ms)."""
        deadline = time.monotonic() + 30
        while True:
            status, body = self.api("GET", "/compute/v2.1/servers/" + server, agent, tok, version="2.47")
            self.assertEqual(status, 200, body)
            if body["server"]["status"] == wanted or time.monotonic() > deadline:
                self.assertEqual(body["server"]["status"], wanted)
                return body["server"]
            time.sleep(0.1)

    def shown_everywhere(self, server):
        for agent in range(CLOUDLETS):
            status, body = self.api("GET", "/compute/v2.1/servers/" + server, agent)
            self.assertEqual((status, body["server"]["id"]), (200, server))

    def test_resize_and_confirm_on_another_cloudlet(self):
        server = self.boot("life-resize", "cloudlet-2")
        self.os("server", "resize", "--flavor", "m1.small", server)
        shown = self.wait_status(server, "VERIFY_RESIZE")
        self.assertEqual(shown["flavor"]["original_name"], "m1.small")
        self.os("server", "resize", "confirm", server)
        shown = self.wait_status(server, "ACTIVE", agent=2)
        self.assertEqual((shown["OS-EXT-AZ:availability_zone"], shown["flavor"]["original_name"]),
                         ("cloudlet-2", "m1.small"))
        on_cloud = [s for s in self.servers_on("cloudlet-2") if s["metadata"].get("fedstack_gid") == server]
        self.assertEqual(len(on_cloud), 1)
        status, flavor = self.cloud("cloudlet-2", "GET", "/flavors/" + on_cloud[0]["flavor"]["id"])
        self.assertEqual((status, flavor["flavor"]["name"]), (200, "m1.small"), "cloudlet-2's own m1.small")
        self.api("DELETE", "/compute/v2.1/servers/" + server)

    def test_rebuild_with_an_image_made_through_another_agent(self):
        server = self.boot_http("life-rebuild", "cloudlet-3")
        other = self.make_image(self.envs[1], "life-other")
        home = [f"cloudlet-{i}" for i in (1, 2, 3) if self.marked_images(f"cloudlet-{i}", "fedstack_gid", other)]
        self.os("server", "rebuild", "--image", other, server)
        shown = self.wait_status(server, "ACTIVE", agent=1)
        self.assertEqual(shown["image"]["id"], other)
        if home != ["cloudlet-3"]:
            self.assertEqual(len(self.marked_images("cloudlet-3", "fedstack_copy_of", other)), 1,
                             "copied to the server's cloudlet")
        self.api("DELETE", "/compute/v2.1/servers/" + server)

    def test_a_snapshot_boots_through_another_agent_on_another_cloudlet(self):
        server = self.boot_http("life-snap", "cloudlet-2")
        snap_id = self.os("server", "image", "create", "--name", "life-snapshot", server, "-f", "json")["id"]
        self.assertEqual(len(self.marked_images("cloudlet-2", "fedstack_gid", snap_id)), 1)
        for agent in range(CLOUDLETS):
            status, shown = self.api("GET", "/image/v2/images/" + snap_id, agent)
            self.assertEqual((status, shown["name"]), (200, "life-snapshot"))
            status, listed = self.api("GET", "/image/v2/images?name=life-snapshot", agent)
            self.assertEqual([i["id"] for i in listed["images"]], [snap_id])
        again = self.boot("life-from-snap", "cloudlet-3", snap_id, env=self.envs[2])
        self.assertEqual(len(self.marked_images("cloudlet-3", "fedstack_copy_of", snap_id)), 1)
        self.assertEqual(self.wait_status(again, "ACTIVE", agent=1)["image"]["id"], snap_id)
        self.os("server", "delete", "--wait", again, server)
        self.assertEqual(self.api("DELETE", "/image/v2/images/" + snap_id, 1)[0], 204)
        for region in ("cloudlet-2", "cloudlet-3"):
            self.assertEqual(self.marked_images(region, "fedstack_gid", snap_id) +
                             self.marked_images(region, "fedstack_copy_of", snap_id), [])

    def test_shelve_and_unshelve_stay_on_the_servers_cloudlet(self):
        server = self.boot_http("life-shelve", "cloudlet-3")
        self.os("server", "shelve", server)
        self.wait_status(server, "SHELVED_OFFLOADED")
        moved = self.os("--os-compute-api-version", "2.77", "server", "unshelve", "--availability-zone",
                        "cloudlet-2", server, check=False)
        self.assertNotEqual(moved.returncode, 0)
        self.assertIn("another cloudlet", moved.stderr)
        self.os("server", "unshelve", server)
        shown = self.wait_status(server, "ACTIVE", agent=1)
        self.assertEqual(shown["OS-EXT-AZ:availability_zone"], "cloudlet-3")
        self.api("DELETE", "/compute/v2.1/servers/" + server)

    def test_server_tags_keep_the_federations_ownership(self):
        server = self.boot_http("life-tags", "cloudlet-2")
        self.os("--os-compute-api-version", "2.26", "server", "set", "--tag", "blue", "--tag", "red", server)
        self.os("--os-compute-api-version", "2.26", "server", "unset", "--tag", "blue", server)
        self.assertEqual(self.wait_status(server, "ACTIVE", agent=2)["tags"], ["red"])
        self.shown_everywhere(server)
        status, body = self.api("POST", "/network/v2.0/networks", body={"network": {"name": "life-net"}})
        self.assertEqual(status, 201, body)
        net = body["network"]["id"]
        self.os("network", "set", "--tag", "green", net)
        self.os("network", "unset", "--all-tag", net)
        for agent in range(CLOUDLETS):
            status, shown = self.api("GET", "/network/v2.0/networks/" + net, agent)
            self.assertEqual((status, shown["network"]["id"], shown["network"]["tags"]), (200, net, []))
        status, on_cloud = self.cloud("cloudlet-1", "GET", "/v2.0/networks/" + self.local_network(net), "network")
        self.assertIn("fedstack_gid=" + net, on_cloud["network"]["tags"], "the marker stays on the cloud")
        self.assertEqual(self.api("DELETE", "/network/v2.0/networks/" + net, 2)[0], 204)
        self.api("DELETE", "/compute/v2.1/servers/" + server)

    def test_clients_cannot_touch_the_federations_markers(self):
        server = self.boot_http("life-markers", "cloudlet-2")
        forged = self.os("server", "set", "--property", "fedstack_gid=x", server, check=False)
        self.assertNotEqual(forged.returncode, 0)
        self.assertIn("fedstack_gid", forged.stderr)
        self.os("server", "set", "--property", "role=db", server)
        item = "/compute/v2.1/servers/" + server
        for method, path, body in (("DELETE", item + "/metadata/fedstack_gid", None),
                                   ("PUT", item + "/metadata/fedstack_multi", {"meta": {"fedstack_multi": "1"}}),
                                   ("PUT", item + "/metadata", {"metadata": {"fedstack_attempt": "x"}}),
                                   ("POST", item + "/action", {"rebuild": {"imageRef": self.image,
                                                                           "metadata": {"fedstack_gid": "x"}}}),
                                   ("PATCH", "/image/v2/images/" + self.image,
                                    [{"op": "replace", "path": "/fedstack_gid", "value": "x"}])):
            status, answer = self.api(method, path, 1, body=body)
            self.assertEqual(status, 400, (method, path, answer))
        self.assertEqual(self.api("GET", item + "/metadata/fedstack_gid", 2)[0], 404, "hidden as absent")
        status, body = self.api("PUT", item + "/metadata", body={"metadata": {"role": "cache"}})
        self.assertEqual((status, body["metadata"]), (200, {"role": "cache"}))
        on_cloud = [s for s in self.servers_on("cloudlet-2") if s["metadata"].get("fedstack_gid") == server]
        self.assertEqual([s["metadata"].get("role") for s in on_cloud], ["cache"], "the marker stays on the cloud")
        for agent in range(CLOUDLETS):
            status, shown = self.api("GET", item, agent)
            self.assertEqual((status, shown["server"]["id"], shown["server"]["metadata"]),
                             (200, server, {"role": "cache"}))
        self.api("DELETE", item)

    def test_a_deleted_server_is_gone_through_every_agent_and_its_actions_readable(self):
        server = self.boot_http("life-deleted", "cloudlet-2")
        item = "/compute/v2.1/servers/" + server
        self.assertEqual(self.api("DELETE", item, 1)[0], 204)
        for agent in range(CLOUDLETS):
            status, body = self.api("GET", item, agent)
            self.assertEqual(status, 404, (agent, body))
            status, listed = self.api("GET", "/compute/v2.1/servers", agent)
            self.assertNotIn(server, [s["id"] for s in listed["servers"]], agent)
            self.assertEqual(self.api("DELETE", item, agent)[0], 404, agent)
            status, actions = self.api("GET", item + "/os-instance-actions", agent, version="2.21")
            self.assertEqual(status, 200, (agent, actions))
            self.assertEqual(sorted(a["action"] for a in actions["instanceActions"]), ["create", "delete"], agent)
            self.assertEqual({a["instance_uuid"] for a in actions["instanceActions"]}, {server}, agent)

    def test_min_2_max_2_records_both_servers(self):
        self.os("server", "create", "--image", self.image, "--flavor", "m1.tiny", "--availability-zone",
                "cloudlet-3", "--min", "2", "--max", "2", "life-pair")
        status, listed = self.api("GET", "/compute/v2.1/servers?name=life-pair", 1)
        self.assertEqual(sorted(s["name"] for s in listed["servers"]), ["life-pair-1", "life-pair-2"])
        ids = [s["id"] for s in listed["servers"]]
        self.assertEqual(len(set(ids)), 2, "each server its own global ID")
        # Nova refuses metadata changes while a server builds: both keep the boot's marker.
        metadata = [s["metadata"] for s in self.servers_on("cloudlet-3") if s["name"].startswith("life-pair")]
        self.assertEqual(len({m.get("fedstack_gid") for m in metadata}), 1, metadata)
        self.assertEqual({m.get("fedstack_multi") for m in metadata}, {"1"})
        self.assertFalse(set(ids) & {m.get("fedstack_gid") for m in metadata})
        for server in ids:
            self.shown_everywhere(server)
        self.os("server", "delete", "--wait", *ids, agent=2)
        self.assertEqual([s for s in self.servers_on("cloudlet-3") if s["name"].startswith("life-pair")], [])

    def test_another_project_cannot_act_on_the_server_or_see_its_snapshot(self):
        admins = self.boot_http("life-admins", "cloudlet-2", tok=self.admin_token)
        snap = openstack(self.admin_env, "server", "image", "create", "--name", "life-admin-snap", admins,
                         "-f", "json")["id"]
        for agent in range(CLOUDLETS):
            self.assertEqual(self.api("GET", "/compute/v2.1/servers/" + admins, agent)[0], 404)
            self.assertEqual(self.api("GET", "/image/v2/images/" + snap, agent)[0], 404)
            self.assertNotIn(snap, json.dumps(self.api("GET", "/image/v2/images", agent)[1]))
        for body in ({"resize": {"flavorRef": "m1.small"}}, {"createImage": {"name": "stolen"}}, {"shelve": None}):
            status, _, raw = http("POST", self.fed.agents[0]["url"] + "/compute/v2.1/servers/" + admins + "/action",
                                  body, headers={"X-Auth-Token": self.demo_token})
            self.assertEqual(status, 404, (body, raw))
        booted = self.os("server", "create", "--image", snap, "--flavor", "m1.tiny", "--availability-zone",
                         "cloudlet-3", "life-stolen", check=False)
        self.assertNotEqual(booted.returncode, 0)
        self.assertEqual(self.marked_images("cloudlet-3", "fedstack_copy_of", snap), [])
        self.assertEqual(self.wait_status(admins, "ACTIVE", tok=self.admin_token)["status"], "ACTIVE")
        self.api("DELETE", "/compute/v2.1/servers/" + admins, tok=self.admin_token)
        self.api("DELETE", "/image/v2/images/" + snap, tok=self.admin_token)


if __name__ == "__main__":
    unittest.main()
