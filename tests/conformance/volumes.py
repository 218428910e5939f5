"""Block Storage through the agents on real clouds (issue 19; docs/federation.md, "Volumes"):
volumes made pinned and scheduled, listed merged, shown through both agents, extended,
snapshotted, booted from, attached and detached, and the attachment across cloudlets refused."""
import json
import time

from flows import expect
from record import StepFailed, http

# A loaded lab's Cinder takes tens of seconds per transition (docs/conformance.md).
WAIT_SECONDS = 900


class Volumes:
    def __init__(self, ctx):
        self.ctx = ctx
        self.tokens = {}

    def token(self, agent):
        if agent not in self.tokens:
            self.tokens[agent] = self.ctx.token(agent)[0]
        return self.tokens[agent]

    def url(self, agent, path):
        return f"{self.ctx.agents[agent]}/volume/v3/{self.ctx.clouds.project_id}{path}"

    def get(self, agent, path):
        status, _, body = http("GET", self.url(agent, path), headers={"X-Auth-Token": self.token(agent)})
        return status, (json.loads(body) if body else None)

    def wait(self, agent, volume_id, status, what="volume"):
        """Polls the volume (or snapshot) through the agent until `status` (None: until 404)."""
        collection = "snapshots" if what == "snapshot" else "volumes"
        started, last = time.monotonic(), None
        while time.monotonic() - started < WAIT_SECONDS:
            got, body = self.get(agent, f"/{collection}/{volume_id}")
            if status is None and got == 404:
                return None
            if got == 200:
                last = body[what]["status"]
                if last == status:
                    return body[what]
                if last.startswith("error"):
                    break
            time.sleep(3)
        raise StepFailed(f"{what} {volume_id} through agent {agent}: {last} after "
                         f"{time.monotonic() - started:.0f} s, waiting for {status or 'deletion'}")

    def step_wait(self, agent, volume_id, status, what="volume"):
        """wait() as one recorded step."""
        started = time.monotonic()
        try:
            shown = self.wait(agent, volume_id, status, what)
        except StepFailed as e:
            self.ctx.rec.check(f"{what} {volume_id[:8]} {status or 'deleted'} through agent {agent}", False, str(e))
            raise
        self.ctx.rec.check(f"{what} {volume_id[:8]} {status or 'deleted'} through agent {agent} "
                           f"({time.monotonic() - started:.0f} s)", True)
        return shown

    def homes(self, volume_id, lister):
        """The regions whose own Cinder holds an item marked with this global ID."""
        return [r for r in self.ctx.clouds.regions
                if any((v.get("metadata") or {}).get("fedstack_gid") == volume_id for v in lister(r))]

    def create(self, agent, name, zone=None):
        args = ["volume", "create", "--size", "1", *(["--availability-zone", zone] if zone else []),
                self.ctx.name(name), "-f", "json"]
        volume = self.ctx.cli(agent, *args, covers=["POST /v3/{project_id}/volumes"],
                              name=f"volume create {name}" + (f" pinned to {zone}" if zone else " (scheduled)")
                              + f" through agent {agent}")
        self.ctx.cleanup.append((agent, ("volume", "delete", volume["id"])))
        self.step_wait(agent, volume["id"], "available")
        return volume["id"]


def done(ctx, resource_id):
    """Deleted by the flow: off the clean-up list."""
    ctx.cleanup[:] = [c for c in ctx.cleanup if resource_id not in c[1]]


def volumes(ctx):
    ctx.rec.flow = "volumes"
    v = Volumes(ctx)
    regions, clouds = ctx.clouds.regions, ctx.clouds
    if not all((r, "volumev3") in clouds.endpoints for r in regions):
        ctx.rec.check("every cloudlet has Block Storage (tests/conformance/lab_cinder.sh)", False,
                      f"volumev3 in {[r for r in regions if (r, 'volumev3') in clouds.endpoints]}")
        return
    a, b = 0, ctx.other(0)
    far = next(r for r in regions if r != ctx.agent_regions[a])   # a cloudlet other than agent a's own
    pinned = v.create(a, "vol-pinned", far)
    ctx.rec.check(f"the pinned volume lives on {far} only", v.homes(pinned, clouds.volumes) == [far],
                  f"on {v.homes(pinned, clouds.volumes)}")
    scheduled = v.create(b, "vol-scheduled")
    home = v.homes(scheduled, clouds.volumes)
    ctx.rec.check("the scheduled volume lives on exactly one cloudlet", len(home) == 1, f"on {home}")
    other = next(r for r in regions if r not in home)
    third = v.create(b, "vol-third", other)
    ids = (pinned, scheduled, third)
    for agent in range(len(ctx.agents)):
        ctx.cli(agent, "volume", "list", "-f", "json", name=f"volume list through agent {agent}",
                covers=["GET /v3/{project_id}/volumes/detail"],
                check=lambda rows: expect(all([r["ID"] for r in rows].count(i) == 1 for i in ids),
                                          f"listed {[r['ID'] for r in rows]}, made {ids}"))
        for vid, zone in ((pinned, far), (scheduled, home[0] if home else None)):
            ctx.cli(agent, "volume", "show", vid, "-f", "json", name=f"volume show {vid[:8]} through agent {agent}",
                    covers=["GET /v3/{project_id}/volumes/{volume_id}"],
                    check=lambda s, vid=vid, zone=zone: expect(
                        s["id"] == vid and s["status"] == "available" and s["availability_zone"] == zone
                        and "fedstack" not in json.dumps(s.get("properties")),
                        f"id {s['id']}, status {s['status']}, zone {s['availability_zone']} (expected {zone}), "
                        f"properties {s.get('properties')}"))
    _, listed = v.get(a, "/volumes?limit=1&sort=created_at:desc")
    ctx.rec.check("a page of one volume has a next link at the agent",
                  listed and any(l["rel"] == "next" and l["href"].startswith(ctx.agents[a])
                                 for l in listed.get("volumes_links", [])), f"{listed}")

    # Extend through the agent that did not make it.
    ctx.cli(a, "volume", "set", "--size", "2", scheduled, name="volume set --size 2 (os-extend) through agent 0",
            covers=["POST /v3/{project_id}/volumes/{volume_id}/action"])
    extended = v.step_wait(b, scheduled, "available")
    for _ in range(60):   # the status may read available before the size does
        if extended["size"] == 2:
            break
        time.sleep(3)
        extended = v.wait(b, scheduled, "available")
    ctx.rec.check("the extended volume is 2 GiB", extended["size"] == 2, f"size {extended['size']}")

    snap = ctx.cli(a, "volume", "snapshot", "create", "--volume", scheduled, ctx.name("snap"), "-f", "json",
                   covers=["POST /v3/{project_id}/snapshots"], name="volume snapshot create through agent 0")
    ctx.cleanup.append((a, ("volume", "snapshot", "delete", snap["id"])))
    v.step_wait(b, snap["id"], "available", what="snapshot")
    ctx.rec.check("the snapshot lives on its volume's cloudlet", v.homes(snap["id"], clouds.snapshots) == home,
                  f"on {v.homes(snap['id'], clouds.snapshots)}, volume on {home}")
    ctx.cli(b, "volume", "snapshot", "list", "-f", "json", covers=["GET /v3/{project_id}/snapshots/detail"],
            name="volume snapshot list through agent 1",
            check=lambda rows: expect([r["ID"] for r in rows].count(snap["id"]) == 1, "not listed once"))
    ctx.cli(b, "volume", "snapshot", "show", snap["id"], "-f", "json", name="volume snapshot show through agent 1",
            covers=["GET /v3/{project_id}/snapshots/{snapshot_id}"],
            check=lambda s: expect(s["volume_id"] == scheduled, f"volume_id {s['volume_id']}"))
    ctx.cli(b, "volume", "snapshot", "delete", snap["id"], name="volume snapshot delete through agent 1",
            covers=["DELETE /v3/{project_id}/snapshots/{snapshot_id}"])
    done(ctx, snap["id"])
    v.step_wait(a, snap["id"], None, what="snapshot")

    # Boot from the pinned volume: the agent sends the boot to the volume's cloudlet.
    ctx.cli(b, "volume", "set", "--bootable", pinned, name="volume set --bootable through agent 1")
    server = ctx.cli(b, "--os-compute-api-version", "2.37", "server", "create", "--volume", pinned, "--flavor",
                     ctx.settings.values.get("CONFORMANCE_VOLUME_FLAVOR", "m1.nano"), "--nic", "none", "--wait",
                     ctx.name("vol-vm"), "-f", "json", name=f"boot from the volume on {far} through agent 1",
                     covers=["POST /v2.1/{tenant_id}/servers"],
                     check=lambda s: expect(s["status"] == "ACTIVE", f"status {s['status']}"))
    ctx.cleanup.append((b, ("server", "delete", "--wait", server["id"])))
    ctx.cli(a, "server", "show", server["id"], "-f", "json", name="the server booted from a volume, through agent 0",
            check=lambda s: expect(s["OS-EXT-AZ:availability_zone"] == far and pinned in json.dumps(
                s.get("volumes_attached")), f"zone {s['OS-EXT-AZ:availability_zone']}, "
                                            f"volumes {s.get('volumes_attached')}"))
    v.step_wait(a, pinned, "in-use")

    same = scheduled if home == [far] else third
    across = third if same == scheduled else scheduled
    ctx.cli(a, "server", "add", "volume", server["id"], same, name=f"server add volume on {far} through agent 0")
    attached = v.step_wait(b, same, "in-use")
    ctx.rec.check("the attachment names the server's global ID",
                  [x.get("server_id") for x in attached.get("attachments", [])] == [server["id"]],
                  f"{attached.get('attachments')}")
    ctx.cli(b, "server", "remove", "volume", server["id"], same, name="server remove volume through agent 1")
    v.step_wait(a, same, "available")

    # A volume of the other cloudlet: refused before Nova is asked.
    tenant_root = f"{ctx.agents[a]}/compute/v2.1"
    ctx.rec.http("POST", f"{tenant_root}/servers/{server['id']}/os-volume_attachments",
                 body={"volumeAttachment": {"volumeId": across}}, expect=(409,),
                 headers={"X-Auth-Token": v.token(a)}, name="an attachment across cloudlets is refused with 409")
    ctx.rec.check("the refused volume stays available", v.wait(b, across, "available")["attachments"] == [])

    ctx.cli(a, "server", "delete", "--wait", server["id"], name="delete the server booted from a volume")
    done(ctx, server["id"])
    v.step_wait(b, pinned, "available")
    for vid in ids:
        ctx.cli(a, "volume", "delete", vid, covers=["DELETE /v3/{project_id}/volumes/{volume_id}"],
                name=f"volume delete {vid[:8]} through agent 0")
        done(ctx, vid)
    for vid in ids:
        v.step_wait(b, vid, None)
    for region in regions:
        left = [x["id"] for x in clouds.volumes(region) if (x.get("name") or "").startswith(ctx.name("vol-"))]
        ctx.rec.check(f"no volume of this flow left on {region}", not left, f"left: {left}")
