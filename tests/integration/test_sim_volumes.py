"""The simulator's Cinder driven by the real openstack CLI, straight against `fedstack sim`
(no agent): volumes, a snapshot, boot from volume and attach/detach, as users type them.
Plain HTTP sets up what the CLI is not the point of. Delays are 0, so every state the sim
reaches is there on the next read and no test waits."""
import json
import os
import unittest
import uuid

from harness import Federation, http, openstack, token


class SimVolumes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=2, build_delay_ms=0, agents=0, sim_args=("--volume-delay-ms", "0"))
        try:
            cls.clouds = {c["region"]: c for c in cls.fed.endpoints["cloudlets"]}
            cls.token, body = token(cls.fed.keystone_url, "demo", "demo", "demo")
            cls.project = body["token"]["project"]["id"]
            cls.image = cls.upload_image("cloudlet-1")
            cls.network = cls.make_network("cloudlet-1")
        except BaseException:
            cls.fed.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()

    @classmethod
    def call(cls, region, service, method, path, body=None, headers=None):
        base = cls.clouds[region][service].rstrip("/")
        status, _, data = http(method, base + path, body, headers={"X-Auth-Token": cls.token, **(headers or {})})
        return status, (json.loads(data) if data else None)

    @classmethod
    def upload_image(cls, region):
        _, img = cls.call(region, "image_url", "POST", "/v2/images",
                          {"name": "cirros", "disk_format": "raw", "container_format": "bare"})
        status, _, _ = http("PUT", cls.clouds[region]["image_url"] + f"/v2/images/{img['id']}/file",
                            raw=b"x" * 4096, headers={"X-Auth-Token": cls.token,
                                                      "Content-Type": "application/octet-stream"})
        assert status == 204, status
        return img["id"]

    @classmethod
    def make_network(cls, region):
        _, net = cls.call(region, "network_url", "POST", "/v2.0/networks", {"network": {"name": "n"}})
        cls.call(region, "network_url", "POST", "/v2.0/subnets", {"subnet": {
            "network_id": net["network"]["id"], "cidr": "10.9.0.0/24", "ip_version": 4}})
        return net["network"]["id"]

    def env(self, region="cloudlet-1"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({"OS_AUTH_URL": self.fed.keystone_url + "/v3", "OS_IDENTITY_API_VERSION": "3",
                    "OS_USERNAME": "demo", "OS_PASSWORD": "demo", "OS_PROJECT_NAME": "demo",
                    "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
                    "OS_REGION_NAME": region, "OS_INTERFACE": "public"})
        return env

    def volume(self, region, volume_id):
        return self.call(region, "volume_url", "GET", f"/v3/{self.project}/volumes/{volume_id}")

    def test_volume_create_list_show_set_extend_snapshot_delete(self):
        env = self.env()
        name = "vol-" + uuid.uuid4().hex[:6]
        made = openstack(env, "volume", "create", "--size", "1", "--property", "tier=gold", name, "-f", "json")
        self.assertEqual(made["availability_zone"], "cloudlet-1")
        listed = openstack(env, "volume", "list", "-f", "json")
        self.assertIn(made["id"], [v["ID"] for v in listed])
        openstack(env, "volume", "set", "--name", name + "-b", "--property", "owner=me", "--size", "3", made["id"])
        shown = openstack(env, "volume", "show", made["id"], "-f", "json")
        self.assertEqual((shown["name"], shown["size"], shown["status"]), (name + "-b", 3, "available"))
        self.assertEqual(shown["properties"], {"tier": "gold", "owner": "me"})
        snap = openstack(env, "volume", "snapshot", "create", "--volume", made["id"], "snap-" + name, "-f", "json")
        self.assertEqual(snap["size"], 3)
        # A volume with a snapshot is refused, as Cinder refuses it.
        status, body = self.call("cloudlet-1", "volume_url", "DELETE", f"/v3/{self.project}/volumes/{made['id']}")
        self.assertEqual(status, 400)
        self.assertIn("have snapshots", body["badRequest"]["message"])
        status, _ = self.call("cloudlet-1", "volume_url", "DELETE", f"/v3/{self.project}/snapshots/{snap['id']}")
        self.assertEqual(status, 202)
        openstack(env, "volume", "delete", made["id"])
        self.assertEqual(self.volume("cloudlet-1", made["id"])[0], 404)

    def test_boot_from_volume_and_attach_and_detach(self):
        env = self.env()
        _, boot = self.call("cloudlet-1", "volume_url", "POST", f"/v3/{self.project}/volumes",
                            {"volume": {"size": 1, "imageRef": self.image, "name": "boot"}})
        from_volume = openstack(env, "server", "create", "--volume", boot["volume"]["id"], "--flavor", "m1.tiny",
                                "--network", self.network, "bfv-1", "-f", "json")
        self.assertEqual(self.volume("cloudlet-1", boot["volume"]["id"])[1]["volume"]["status"], "in-use")
        from_image = openstack(env, "server", "create", "--image", self.image, "--boot-from-volume", "2",
                               "--flavor", "m1.tiny", "--network", self.network, "bfv-2", "-f", "json")
        _, server = self.call("cloudlet-1", "compute_url", "GET", f"/servers/{from_image['id']}")
        self.assertEqual(server["server"]["image"], "")
        root = server["server"]["os-extended-volumes:volumes_attached"][0]["id"]
        self.assertEqual(self.volume("cloudlet-1", root)[1]["volume"]["size"], 2)

        _, data = self.call("cloudlet-1", "volume_url", "POST", f"/v3/{self.project}/volumes",
                            {"volume": {"size": 1, "name": "data"}})
        data_id = data["volume"]["id"]
        openstack(env, "server", "add", "volume", from_volume["id"], data_id)
        attached = self.volume("cloudlet-1", data_id)[1]["volume"]
        self.assertEqual((attached["status"], attached["attachments"][0]["server_id"]), ("in-use", from_volume["id"]))
        openstack(env, "server", "remove", "volume", from_volume["id"], data_id)
        self.assertEqual(self.volume("cloudlet-1", data_id)[1]["volume"]["status"], "available")

    def test_another_cloudlets_volume_is_not_found_by_this_nova(self):
        _, elsewhere = self.call("cloudlet-2", "volume_url", "POST", f"/v3/{self.project}/volumes",
                                 {"volume": {"size": 1}})
        volume_id = elsewhere["volume"]["id"]
        self.assertEqual(self.volume("cloudlet-1", volume_id)[0], 404)
        status, body = self.call("cloudlet-1", "compute_url", "POST", "/servers", {"server": {
            "name": "cross", "flavorRef": self.flavor("cloudlet-1"), "imageRef": "", "networks": "none",
            "block_device_mapping_v2": [{"boot_index": 0, "uuid": volume_id, "source_type": "volume",
                                         "destination_type": "volume"}]}},
            headers={"X-OpenStack-Nova-API-Version": "2.37"})
        self.assertEqual(status, 400, body)
        self.assertEqual(body["badRequest"]["message"], f"Volume {volume_id} could not be found.")
        self.assertEqual(self.volume("cloudlet-2", volume_id)[1]["volume"]["status"], "available")

    def flavor(self, region):
        _, flavors = self.call(region, "compute_url", "GET", "/flavors")
        return next(f["id"] for f in flavors["flavors"] if f["name"] == "m1.tiny")


if __name__ == "__main__":
    unittest.main()
