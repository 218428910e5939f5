"""Volumes (docs/federation.md, "Volumes"), with the real `openstack` CLI: 3 simulated cloudlets with
Cinder, 3 agents. Demo creates a volume through agent 1 pinned to cloudlet-2, lists, shows and extends
it through other agents, snapshots it, boots from it (pinned to its cloudlet by the agent), attaches and
detaches another volume of the server's cloudlet, and is refused (409, both cloudlets named) a volume of
cloudlet-3 on that server. Hostile: the admin's volume is answered to demo exactly as an ID nobody made;
the admin acts on demo's volume through an agent that does not own it. Volume types are the federation's
(a type made through agent 1 serves `volume create --type` pinned to cloudlet-2 through agent 2), limits
and quota sets sum every Cinder's, and an unpinned volume goes where Cinder's pools have room.
Every agent names an attached
volume by its global ID, in a server's attachments and in the merged server list; the attachment API refuses what `server add volume` refuses. A backup is made
on its volume's cloudlet (`volume backup create`), listed, refused a restore into another cloudlet's
volume and restored into a new, recorded volume there; the admin reaches it under the same ID. A volume
made from an image of another cloudlet (`volume create --image`) gets the image copied there first. A volume
transfer offered through agent 1 is refused a wrong key and accepted through agent 2 by another project, which
then owns the volume under the same ID through agent 3 while demo no longer sees it. A backup exported,
deleted and imported with the CLI (`volume backup record export|import`) is listed and shown by its Cinder ID,
not under the deleted backup's global ID."""
import json
import time
import unittest

from harness import Federation, capacity_reports, http, make_project_member, openstack, token

CLOUDLETS = 3


class Volumes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=CLOUDLETS, chain=True, build_delay_ms=0, sim_args=("--volume-delay-ms", "0"),
                             agent_args=("--shuffle-period-ms", "300", "--capacity-period-ms", "200"))
        cls.envs = [cls.fed.env(agent=i, user="demo", password="demo", project="demo") for i in range(CLOUDLETS)]
        cls.admin_token, body = token(cls.fed.keystone_url)
        cls.admin_project = body["token"]["project"]["id"]
        cls.demo_token, body = token(cls.fed.keystone_url, "demo", "demo", "demo")
        cls.demo_project = body["token"]["project"]["id"]
        deadline = time.monotonic() + 60
        while len({r["region"] for r in capacity_reports(cls.fed.agents[0]["node"])}) < CLOUDLETS:
            if time.monotonic() > deadline:
                raise AssertionError("agent 1 never saw every cloudlet's capacity")

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    def os(self, *args, agent=0, **kw):
        return openstack(self.envs[agent], *args, **kw)

    def api(self, method, path, agent=0, tok=None, body=None, version="volume 3.0"):
        """A Block Storage call through an agent, at `<agent>/volume/v3/<the token's project>`."""
        project = self.admin_project if tok == self.admin_token else self.demo_project
        url = self.fed.agents[agent]["url"] + "/volume/v3/" + project + path
        status, headers, data = http(method, url, body=body, headers={
            "X-Auth-Token": tok or self.demo_token, "OpenStack-API-Version": version})
        return status, headers, (json.loads(data) if data else None)

    def cinder(self, region, method, path, body=None):
        """A cloudlet's own Cinder, bypassing every agent, as the admin."""
        c = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)
        status, _, data = http(method, c["volume_url"] + "/v3" + path, body=body, headers={
            "X-Auth-Token": self.admin_token, "OpenStack-API-Version": "volume 3.67"})
        return status, (json.loads(data) if data else None)

    def volumes_on(self, region):
        status, body = self.cinder(region, "GET", "/volumes/detail?all_tenants=1")
        self.assertEqual(status, 200, body)
        return body["volumes"]

    def wait_volume(self, volume_id, status, agent=0):
        deadline = time.monotonic() + 20
        while True:
            got, _, body = self.api("GET", "/volumes/" + volume_id, agent=agent)
            self.assertEqual(got, 200, body)
            if body["volume"]["status"] == status:
                return body["volume"]
            if time.monotonic() > deadline:
                raise AssertionError(f"volume {volume_id} stayed {body['volume']['status']}")
            time.sleep(0.05)

    def create(self, name, zone, size=1, agent=0):
        v = self.os("volume", "create", "--size", str(size), "--availability-zone", zone, name, "-f", "json",
                    agent=agent)
        self.wait_volume(v["id"], "available")
        return v["id"]

    def test_a_volume_lives_on_one_cloudlet_and_answers_through_every_agent(self):
        vid = self.create("data-1", "cloudlet-2")
        on_2 = [v for v in self.volumes_on("cloudlet-2") if v["metadata"].get("fedstack_gid") == vid]
        self.assertEqual(len(on_2), 1, "the volume is marked with its global ID on cloudlet-2")
        for region in ("cloudlet-1", "cloudlet-3"):
            self.assertFalse([v for v in self.volumes_on(region) if v["name"] == "data-1"])
        for agent in range(CLOUDLETS):
            shown = self.os("volume", "show", vid, "-f", "json", agent=agent)
            self.assertEqual(shown["id"], vid)
            self.assertEqual(shown["size"], 1)
            self.assertNotIn("fedstack_gid", json.dumps(shown.get("properties", {})))
            listed = self.os("volume", "list", "-f", "json", agent=agent)
            self.assertEqual([v["ID"] for v in listed].count(vid), 1)
        self.os("volume", "set", "--size", "2", vid, agent=2)
        self.assertEqual(self.wait_volume(vid, "available", agent=1)["size"], 2)
        snap = self.os("volume", "snapshot", "create", "--volume", vid, "snap-1", "-f", "json", agent=1)
        shown = self.os("volume", "snapshot", "show", snap["id"], "-f", "json", agent=2)
        self.assertEqual(shown["volume_id"], vid)
        status, body = self.cinder("cloudlet-2", "GET", "/snapshots/detail?all_tenants=1")
        self.assertEqual([s["metadata"].get("fedstack_gid") for s in body["snapshots"]].count(snap["id"]), 1)
        self.os("volume", "snapshot", "delete", snap["id"], agent=0)
        self.os("volume", "delete", vid, agent=2)
        deadline = time.monotonic() + 20
        while [v for v in self.volumes_on("cloudlet-2") if v["name"] == "data-1"]:
            self.assertLess(time.monotonic(), deadline, "the volume stayed on cloudlet-2")
            time.sleep(0.05)
        status, _, _ = self.api("GET", "/volumes/" + vid, agent=1)
        self.assertEqual(status, 404)

    def test_microversions_and_errors_are_cinders(self):
        status, headers, _ = self.api("GET", "/volumes", version="volume 3.42")
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("OpenStack-API-Version"), "volume 3.42")
        status, _, body = self.api("GET", "/volumes", version="volume 3.99")
        self.assertEqual(status, 406)
        self.assertIn("Version 3.99 is not supported", body["computeFault"]["message"]
                      if "computeFault" in body else json.dumps(body))

    def test_another_projects_volume_is_unknown_and_the_admin_reaches_demos(self):
        admin_volume = self.os_admin_volume()
        unknown = "1f0c2a77-5e1b-8d4e-9a3c-" + admin_volume.split("-")[-1]   # an ID nobody made, same owner
        for vid in (admin_volume, unknown):
            for agent in range(CLOUDLETS):
                status, _, body = self.api("GET", "/volumes/" + vid, agent=agent)
                self.assertEqual(status, 404, body)
                self.assertEqual(body, {"itemNotFound": {"code": 404,
                                                         "message": f"Volume {vid} could not be found."}})
            status, _, _ = self.api("DELETE", "/volumes/" + vid, agent=1)
            self.assertEqual(status, 404)
        mine = self.create("demo-vol", "cloudlet-3", agent=0)
        status, _, body = self.api("GET", "/volumes/" + mine, agent=1, tok=self.admin_token)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["volume"]["id"], mine)
        self.os("volume", "delete", mine, agent=0)

    def test_a_volume_transfer_offered_through_one_agent_is_accepted_through_another(self):
        project = make_project_member(self.fed.keystone_url, self.admin_token, "receiver")
        receiver = [self.fed.env(agent=i, user="receiver", password="receiver", project="receiver")
                    for i in range(CLOUDLETS)]
        vid = self.create("given", "cloudlet-2", agent=0)
        offer = self.os("volume", "transfer", "request", "create", "--name", "gift", vid, "-f", "json", agent=0)
        self.assertEqual(offer["volume_id"], vid)
        listed = self.os("volume", "transfer", "request", "list", "-f", "json", agent=1)
        self.assertEqual([(t["ID"], t["Volume"]) for t in listed], [(offer["id"], vid)])
        self.assertEqual(self.wait_volume(vid, "awaiting-transfer", agent=2)["id"], vid)
        # A wrong key (a stranger who learnt the transfer's ID): Cinder's 400, the volume still demo's.
        receiver_token, _ = token(self.fed.keystone_url, "receiver", "receiver", "receiver")
        status, _, body = http("POST", f"{self.fed.agents[1]['url']}/volume/v3/{project}/os-volume-transfer/"
                               f"{offer['id']}/accept", body={"accept": {"auth_key": "0" * 16}},
                               headers={"X-Auth-Token": receiver_token})
        self.assertEqual(status, 400, body)
        accepted = openstack(receiver[1], "volume", "transfer", "request", "accept", "--auth-key", offer["auth_key"],
                             offer["id"], "-f", "json")
        self.assertEqual(accepted["volume_id"], vid)
        shown = openstack(receiver[2], "volume", "show", vid, "-f", "json")
        self.assertEqual((shown["id"], shown["status"]), (vid, "available"))
        self.assertEqual([v["ID"] for v in openstack(receiver[0], "volume", "list", "-f", "json")], [vid])
        for agent in range(CLOUDLETS):
            status, _, _ = self.api("GET", "/volumes/" + vid, agent=agent)
            self.assertEqual(status, 404, f"demo through agent {agent + 1}")
        on_2 = [v for v in self.volumes_on("cloudlet-2") if v["metadata"].get("fedstack_gid") == vid]
        self.assertEqual([v["os-vol-tenant-attr:tenant_id"] for v in on_2], [project])
        # The new owner deletes it through an agent that did not make it: the entry followed it.
        openstack(receiver[2], "volume", "delete", vid)
        deadline = time.monotonic() + 20
        while [v for v in self.volumes_on("cloudlet-2") if v["metadata"].get("fedstack_gid") == vid]:
            self.assertLess(time.monotonic(), deadline, "the volume stayed on cloudlet-2")
            time.sleep(0.05)

    def os_admin_volume(self):
        env = self.fed.env(agent=0)
        v = openstack(env, "volume", "create", "--size", "1", "--availability-zone", "cloudlet-1", "admin-vol",
                      "-f", "json")
        return v["id"]

    def test_boot_from_volume_attach_and_a_refused_cross_cloudlet_attach(self):
        boot_volume = self.create("boot-vol", "cloudlet-2", agent=1)
        server = self.os("server", "create", "--volume", boot_volume, "--flavor", "m1.tiny", "from-volume",
                         "-f", "json", agent=0)
        deadline = time.monotonic() + 30
        while True:
            shown = self.os("server", "show", server["id"], "-f", "json", agent=2)
            if shown["status"] == "ACTIVE":
                break
            self.assertNotEqual(shown["status"], "ERROR", shown)
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)
        self.assertEqual(shown["OS-EXT-AZ:availability_zone"], "cloudlet-2")
        same = self.create("same-cloudlet", "cloudlet-2")
        self.os("server", "add", "volume", server["id"], same, agent=2)
        self.wait_volume(same, "in-use")
        # A merged server list (GET /servers/detail) names them by their global IDs through every agent,
        # first of all through agent 2, which has not yet seen `same` (made through agent 1).
        for agent in (1, 0, 2):
            status, _, body = http("GET", self.fed.agents[agent]["url"] + "/compute/v2.1/servers/detail",
                                   headers={"X-Auth-Token": self.demo_token})
            self.assertEqual(status, 200, body)
            listed = [s for s in json.loads(body)["servers"] if s["id"] == server["id"]]
            self.assertEqual(len(listed), 1, body)
            self.assertEqual(sorted(v["id"] for v in listed[0]["os-extended-volumes:volumes_attached"]),
                             sorted([boot_volume, same]), f"the merged list through agent {agent + 1}")
        # Every agent names the volume by its global ID, also one whose registry does not hold it
        # (agent 3: `same` was made through agent 1), in Nova's and in Cinder's answers.
        for agent in range(CLOUDLETS):
            status, _, body = http("GET", self.fed.agents[agent]["url"] + "/compute/v2.1/servers/" + server["id"]
                                   + "/os-volume_attachments", headers={"X-Auth-Token": self.demo_token})
            self.assertEqual(status, 200, body)
            self.assertEqual(sorted(a["volumeId"] for a in json.loads(body)["volumeAttachments"]),
                             sorted([boot_volume, same]), "the boot volume and the attached one")
        self.assertEqual([a["server_id"] for a in self.wait_volume(same, "in-use", agent=2)["attachments"]],
                         [server["id"]])
        self.os("server", "remove", "volume", server["id"], same, agent=1)
        self.wait_volume(same, "available")
        far = self.create("far", "cloudlet-3")
        refused = self.os("server", "add", "volume", server["id"], far, agent=0, check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("cloudlet-3", refused.stderr)
        self.assertIn("cloudlet-2", refused.stderr)
        self.assertEqual(self.wait_volume(far, "available")["attachments"], [])
        # The attachment API (3.27) answers the same, before any Cinder is asked.
        for agent in range(CLOUDLETS):
            status, _, body = self.api("POST", "/attachments", agent=agent, version="volume 3.27", body={
                "attachment": {"volume_uuid": far, "instance_uuid": server["id"]}})
            self.assertEqual(status, 409, body)
            self.assertIn("cloudlet-3", json.dumps(body))
        status, _, body = self.api("GET", "/attachments", agent=1, version="volume 3.27")
        self.assertEqual(status, 200, body)
        self.assertEqual([a["volume_id"] for a in body["attachments"]], [boot_volume], "the root volume's alone")
        self.os("server", "delete", "--wait", server["id"])
        for vid in (same, far, boot_volume):
            self.os("volume", "delete", vid)

    def type_names_on(self, region):
        status, body = self.cinder(region, "GET", "/types?is_public=None")
        self.assertEqual(status, 200, body)
        return {t["name"]: t["id"] for t in body["volume_types"]}

    def test_types_made_through_one_agent_serve_a_volume_on_another_cloudlet(self):
        made = openstack(self.fed.env(agent=0), "volume", "type", "create", "fed-fast", "-f", "json")
        regions = [f"cloudlet-{i + 1}" for i in range(CLOUDLETS)]
        for region in regions:
            self.assertIn("fed-fast", self.type_names_on(region), region)
        self.assertEqual(made["id"], self.type_names_on("cloudlet-1")["fed-fast"], "agent 1 shows its own ID")
        status, _, body = self.api("GET", "/types", agent=2)
        self.assertEqual(status, 200, body)
        self.assertEqual([t["name"] for t in body["volume_types"]].count("fed-fast"), 1)
        v = self.os("volume", "create", "--size", "1", "--type", "fed-fast", "--availability-zone", "cloudlet-2",
                    "typed-1", "-f", "json", agent=1)
        self.wait_volume(v["id"], "available", agent=1)
        on_2 = [x for x in self.volumes_on("cloudlet-2") if x["metadata"].get("fedstack_gid") == v["id"]]
        self.assertEqual(on_2[0]["volume_type"], "fed-fast", "cloudlet-2's own type of that name")
        status, _, _ = self.api("DELETE", "/volumes/" + v["id"], agent=1)
        self.assertEqual(status, 202)
        deadline = time.monotonic() + 20
        while [x for x in self.volumes_on("cloudlet-2") if x["name"] == "typed-1"]:
            self.assertLess(time.monotonic(), deadline, "the volume stayed on cloudlet-2")
            time.sleep(0.05)
        status, _, body = self.api("DELETE", "/types/" + made["id"], agent=2, tok=self.admin_token)
        self.assertEqual(status, 202, body)
        for region in regions:
            self.assertNotIn("fed-fast", self.type_names_on(region), region)

    def test_limits_and_quota_sets_sum_every_cinders(self):
        own = []
        for i in range(CLOUDLETS):
            status, body = self.cinder(f"cloudlet-{i + 1}", "GET", "/limits")
            self.assertEqual(status, 200, body)
            own.append(body["limits"]["absolute"])
        status, _, body = self.api("GET", "/limits", agent=2, tok=self.admin_token)
        self.assertEqual(status, 200, body)
        for field in ("maxTotalVolumes", "totalVolumesUsed", "maxTotalVolumeGigabytes", "totalGigabytesUsed"):
            self.assertEqual(body["limits"]["absolute"][field], sum(o[field] for o in own), field)
        status, _, body = self.api("GET", f"/os-quota-sets/{self.demo_project}?usage=True", agent=1,
                                   tok=self.admin_token)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["quota_set"]["volumes"]["limit"], 10 * CLOUDLETS, "Cinder's default on each")

    def test_pools_an_unpinned_volume_goes_where_cinders_pools_have_room(self):
        # Fill cloudlet-1's and cloudlet-3's pools directly until 5 GiB are left there.
        for region in ("cloudlet-1", "cloudlet-3"):
            status, body = self.cinder(region, "GET", "/scheduler-stats/get_pools?detail=true")
            self.assertEqual(status, 200, body)
            free = body["pools"][0]["capabilities"]["free_capacity_gb"]
            status, body = self.cinder(region, "POST", "/volumes", {"volume": {"size": free - 5, "name": "filler"}})
            self.assertEqual(status, 202, body)
            self.addCleanup(self.cinder, region, "DELETE", "/volumes/" + body["volume"]["id"])
        # Each agent that creates must have gossip's report of the filled pools.
        for agent in (0, 2):
            deadline = time.monotonic() + 60
            while True:
                reports = {r["region"]: r for r in capacity_reports(self.fed.agents[agent]["node"])}
                if len(reports) == CLOUDLETS and all(
                        reports[r]["volume_pools"] > 0 and reports[r]["free_volume_gb"] <= 5
                        for r in ("cloudlet-1", "cloudlet-3")):
                    break
                self.assertLess(time.monotonic(), deadline, f"agent {agent + 1} never saw the pools filled: {reports}")
                time.sleep(0.25)
            self.assertGreater(reports["cloudlet-2"]["free_volume_gb"], 20)
            status, _, body = self.api("POST", "/volumes", agent=agent, body={"volume": {"size": 20, "name": "roomy"}})
            self.assertEqual(status, 202, body)
            vid = body["volume"]["id"]
            self.assertEqual(self.wait_volume(vid, "available", agent=agent)["availability_zone"], "cloudlet-2")
            status, _, _ = self.api("DELETE", "/volumes/" + vid, agent=agent)
            self.assertEqual(status, 202)

    def backups_on(self, region):
        status, body = self.cinder(region, "GET", "/backups/detail?all_tenants=1")
        self.assertEqual(status, 200, body)
        return body["backups"]

    def wait_backup(self, backup_id, agent=0, tok=None):
        deadline = time.monotonic() + 20
        while True:
            got, _, body = self.api("GET", "/backups/" + backup_id, agent=agent, tok=tok)
            self.assertEqual(got, 200, body)
            if body["backup"]["status"] == "available":
                return body["backup"]
            self.assertLess(time.monotonic(), deadline, body)
            time.sleep(0.05)

    def test_a_backup_is_made_on_its_volumes_cloudlet_and_restored_there(self):
        vid = self.create("to-back-up", "cloudlet-2")
        backup = self.os("volume", "backup", "create", "--name", "bk-1", vid, "-f", "json", agent=1)
        bid = backup["id"]
        self.assertEqual(self.wait_backup(bid, agent=2)["volume_id"], vid)
        marked = [b for b in self.backups_on("cloudlet-2") if b["metadata"].get("fedstack_gid") == bid]
        self.assertEqual(len(marked), 1, "the backup is marked with its global ID on cloudlet-2")
        listed = self.os("volume", "backup", "list", "-f", "json", agent=2)
        self.assertEqual([b["ID"] for b in listed].count(bid), 1)
        far = self.create("far-target", "cloudlet-3")
        status, _, body = self.api("POST", f"/backups/{bid}/restore", agent=2, body={"restore": {"volume_id": far}})
        self.assertEqual(status, 409, body)
        self.assertIn("cloudlet-3", json.dumps(body))
        status, _, body = self.api("POST", f"/backups/{bid}/restore", agent=0, body={"restore": {"name": "back"}})
        self.assertEqual(status, 202, body)
        restored = body["restore"]["volume_id"]
        self.assertEqual(self.wait_volume(restored, "available", agent=2)["availability_zone"], "cloudlet-2")
        # The admin reaches demo's backup through every agent as Cinder shows it to an admin, under
        # the same global ID (as for volumes; another project's backup is unknown: VolumeBackupFlow).
        for agent in range(CLOUDLETS):
            status, _, body = self.api("GET", "/backups/" + bid, agent=agent, tok=self.admin_token)
            self.assertEqual(status, 200, body)
            self.assertEqual(body["backup"]["id"], bid)
        status, _, body = self.api("DELETE", "/backups/" + bid, agent=2)
        self.assertEqual(status, 202, body)
        for v in (vid, far, restored):
            self.assertEqual(self.api("DELETE", "/volumes/" + v, agent=1)[0], 202)

    def test_a_backup_exported_deleted_and_imported_is_shown_by_its_own_id(self):
        # Tempest's test_volume_backup_export_import through the agents: Cinder's import revives the
        # backup under its old ID with its old metadata, the federation's marker included.
        admin = self.admin_token
        status, _, body = self.api("POST", "/volumes", tok=admin,
                                   body={"volume": {"size": 1, "availability_zone": "cloudlet-1"}})
        self.assertEqual(status, 202, body)
        vid = body["volume"]["id"]
        status, _, body = self.api("POST", "/backups", tok=admin, body={"backup": {"volume_id": vid}})
        self.assertEqual(status, 202, body)
        bid = body["backup"]["id"]
        self.wait_backup(bid, tok=admin)
        env = self.fed.env(agent=0)
        record = openstack(env, "volume", "backup", "record", "export", bid, "-f", "json")
        self.assertEqual(self.api("DELETE", "/backups/" + bid, tok=admin)[0], 202)
        imported = openstack(env, "volume", "backup", "record", "import", record["backup_service"],
                             record["backup_url"], "-f", "json")
        local = imported["id"]
        self.assertNotEqual(local, bid)
        self.assertEqual(self.wait_backup(local, tok=admin)["id"], local)
        status, _, body = self.api("GET", "/backups/detail", agent=1, tok=admin, version="volume 3.43")
        self.assertEqual(status, 200, body)
        ids = [b["id"] for b in body["backups"]]
        self.assertIn(local, ids)
        self.assertNotIn(bid, ids)
        self.assertEqual(self.api("GET", "/backups/" + bid, tok=admin)[0], 404)
        self.assertEqual(self.api("DELETE", "/backups/" + local, tok=admin)[0], 202)
        self.assertEqual(self.api("DELETE", "/volumes/" + vid, tok=admin)[0], 202)

    def test_a_volume_from_an_image_of_another_cloudlet_gets_a_copy_first(self):
        demo = {"X-Auth-Token": self.demo_token}
        url = self.fed.agents[0]["url"]
        status, _, body = http("POST", url + "/v2/images", {
            "name": "vol-image", "disk_format": "raw", "container_format": "bare"}, headers=demo)
        self.assertEqual(status, 201, body)
        image = json.loads(body)["id"]
        status, _, body = http("PUT", url + f"/v2/images/{image}/file", raw=b"v" * 4096,
                               headers={**demo, "Content-Type": "application/octet-stream"})
        self.assertEqual(status, 204, body)
        holders = [c["region"] for c in self.fed.endpoints["cloudlets"]
                   if any(i.get("fedstack_gid") == image for i in self.glance_images(c["region"]))]
        self.assertEqual(len(holders), 1, holders)
        zone = next(f"cloudlet-{i}" for i in range(1, CLOUDLETS + 1) if f"cloudlet-{i}" != holders[0])
        v = self.os("volume", "create", "--image", image, "--size", "1", "--availability-zone", zone, "from-image",
                    "-f", "json", agent=2)
        volume = self.wait_volume(v["id"], "available", agent=1)
        self.assertEqual(volume["availability_zone"], zone)
        copies = [i["id"] for i in self.glance_images(zone) if i.get("fedstack_copy_of") == image]
        self.assertEqual(len(copies), 1, "the image was copied to the volume's cloudlet")
        on_cloud = [x for x in self.volumes_on(zone) if x["metadata"].get("fedstack_gid") == v["id"]]
        self.assertEqual(on_cloud[0]["volume_image_metadata"]["image_id"], copies[0])
        self.assertEqual(self.api("DELETE", "/volumes/" + v["id"])[0], 202)

    def glance_images(self, region):
        c = next(c for c in self.fed.endpoints["cloudlets"] if c["region"] == region)
        status, _, data = http("GET", c["image_url"] + "/v2/images", headers={"X-Auth-Token": self.admin_token})
        self.assertEqual(status, 200, data)
        return json.loads(data)["images"]


if __name__ == "__main__":
    unittest.main()
