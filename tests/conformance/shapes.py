#!/usr/bin/env python3
"""Compares `fedstack sim` with a real cloudlet, call by call: status codes, the set of JSON
key paths in each answer, and the headers clients read. Prints every difference.

  tests/conformance/shapes.py [--config FILE] [--region R] [--sim-url KEYSTONE]

The real cloudlet comes from OS_* (settings.py); the simulator is started from
FEDSTACK_BIN (build/fedstack) unless --sim-url names a running one (admin/secret).
"""
import argparse
import json
import os
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "integration"))

from clouds import keystone_v3  # noqa: E402
from record import http  # noqa: E402

HEADERS = ("content-type", "location", "openstack-api-version", "x-openstack-nova-api-version", "vary",
           "openstack-image-import-methods", "x-subject-token", "www-authenticate")


def key_paths(value, prefix=""):
    """Every key path of a JSON document; list items are folded into `[]`."""
    paths = set()
    if isinstance(value, dict):
        for k, v in value.items():
            paths.add(prefix + "." + k)
            paths |= key_paths(v, prefix + "." + k)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, prefix + "[]")
    return paths


class Target:
    def __init__(self, name, keystone, user, password, project, region):
        self.name, self.keystone, self.region = name, keystone_v3(keystone), region
        self.auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"name": "Default"}, "password": password}}},
            "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}
        self.seen = {}

    def call(self, name, method, url, body=None, headers=None, raw=None):
        hdrs = {"Accept": "application/json", **(headers or {})}
        if hasattr(self, "token"):
            hdrs.setdefault("X-Auth-Token", self.token)
        if raw is not None:
            import urllib.request
            req = urllib.request.Request(url, data=raw, method=method, headers=hdrs)
            try:
                with urllib.request.urlopen(req, timeout=300) as r:
                    status, rh, data = r.status, r.headers, r.read()
            except urllib.error.HTTPError as e:
                status, rh, data = e.code, e.headers, e.read()
        else:
            status, rh, data = http(method, url, body, hdrs, timeout=300)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        # A header sent twice (real Nova sends two Vary lines) counts as one comma-joined value.
        self.seen[name] = {"status": status, "paths": key_paths(parsed) if parsed is not None else set(),
                           "headers": {h: ", ".join(rh.get_all(h)) for h in HEADERS if rh.get(h) is not None},
                           "json": parsed is not None}
        return status, rh, parsed

    def run(self):
        s, h, body = self.call("POST /v3/auth/tokens", "POST", self.keystone + "/auth/tokens", self.auth)
        self.token = h["X-Subject-Token"]
        self.project_id = body["token"]["project"]["id"]
        ep = {}
        for svc in body["token"]["catalog"]:
            for e in svc["endpoints"]:
                if e["interface"] == "public" and e["region_id"] == self.region:
                    ep[svc["type"]] = e["url"].rstrip("/")
        ks_root = self.keystone[:-3]
        glance, neutron = ep["image"], ep["network"]
        nova = ep["compute"].split("/v2.1")[0]
        self.call("GET keystone /", "GET", ks_root + "/")
        self.call("GET /v3", "GET", self.keystone)
        self.call("GET /v3/auth/tokens", "GET", self.keystone + "/auth/tokens", headers={"X-Subject-Token": self.token})
        self.call("GET /v3/auth/tokens (bad subject)", "GET", self.keystone + "/auth/tokens",
                  headers={"X-Subject-Token": "gAAAAnotatoken"})
        # Image
        self.call("GET glance /", "GET", glance + "/")
        self.call("GET glance /versions", "GET", glance + "/versions")
        _, _, img = self.call("POST /v2/images", "POST", glance + "/v2/images",
                              {"name": "shape-" + uuid.uuid4().hex[:6], "container_format": "bare",
                               "disk_format": "raw"})
        iid = img["id"]
        self.call("PUT /v2/images/{id}/file", "PUT", glance + f"/v2/images/{iid}/file", raw=b"x" * 1000,
                  headers={"Content-Type": "application/octet-stream"})
        self.call("GET /v2/images/{id}", "GET", glance + f"/v2/images/{iid}")
        self.call("GET /v2/images?limit=1", "GET", glance + "/v2/images?limit=1")
        self.call("GET /v2/images/{unknown}", "GET", glance + f"/v2/images/{uuid.uuid4()}")
        self.call("GET /v2/images/{name}", "GET", glance + "/v2/images/not-an-id")
        self.call("GET /v2/images/{id}/file", "GET", glance + f"/v2/images/{iid}/file")
        self.call("DELETE /v2/images/{id}", "DELETE", glance + f"/v2/images/{iid}")
        self.call("GET /v2/images/{deleted}", "GET", glance + f"/v2/images/{iid}")
        # Network
        self.call("GET neutron /", "GET", neutron + "/")
        self.call("GET /v2.0/", "GET", neutron + "/v2.0/")
        self.call("GET /v2.0", "GET", neutron + "/v2.0")
        _, _, net = self.call("POST /v2.0/networks", "POST", neutron + "/v2.0/networks",
                              {"network": {"name": "shape-net", "admin_state_up": True}})
        nid = net["network"]["id"]
        _, _, sub = self.call("POST /v2.0/subnets", "POST", neutron + "/v2.0/subnets",
                              {"subnet": {"network_id": nid, "cidr": "10.99.0.0/24", "ip_version": 4,
                                          "name": "shape-subnet"}})
        _, _, port = self.call("POST /v2.0/ports", "POST", neutron + "/v2.0/ports",
                               {"port": {"network_id": nid, "name": "shape-port"}})
        self.call("GET /v2.0/networks/{id}", "GET", neutron + f"/v2.0/networks/{nid}")
        # Neutron's tagging extension: one tag set, the list, one tag present and missing.
        self.call("PUT /v2.0/networks/{id}/tags/{tag}", "PUT", neutron + f"/v2.0/networks/{nid}/tags/shape-red")
        self.call("GET /v2.0/networks/{id}/tags", "GET", neutron + f"/v2.0/networks/{nid}/tags")
        # Neutron's quota, the network half of `quota show` the agent combines (and --usage's details).
        self.call("GET /v2.0/quotas/{project}", "GET", neutron + f"/v2.0/quotas/{self.project_id}")
        self.call("GET /v2.0/quotas/{project}/details", "GET", neutron + f"/v2.0/quotas/{self.project_id}/details")
        self.call("GET /v2.0/networks/{id}/tags/{tag}", "GET", neutron + f"/v2.0/networks/{nid}/tags/shape-red")
        self.call("GET /v2.0/networks/{id}/tags/{missing}", "GET",
                  neutron + f"/v2.0/networks/{nid}/tags/shape-none")
        self.call("GET /v2.0/networks?limit=1", "GET", neutron + "/v2.0/networks?limit=1")
        self.call("GET /v2.0/subnets/{id}", "GET", neutron + f"/v2.0/subnets/{sub['subnet']['id']}")
        self.call("GET /v2.0/ports/{id}", "GET", neutron + f"/v2.0/ports/{port['port']['id']}")
        self.call("GET /v2.0/networks/{unknown}", "GET", neutron + f"/v2.0/networks/{uuid.uuid4()}")
        self.call("GET /v2.0/networks/{name}", "GET", neutron + "/v2.0/networks/not-an-id")
        self.call("DELETE /v2.0/ports/{id}", "DELETE", neutron + f"/v2.0/ports/{port['port']['id']}")
        self.call("DELETE /v2.0/subnets/{id}", "DELETE", neutron + f"/v2.0/subnets/{sub['subnet']['id']}")
        self.call("DELETE /v2.0/networks/{id}", "DELETE", neutron + f"/v2.0/networks/{nid}")
        # Compute
        self.call("GET nova /", "GET", nova + "/")
        self.call("GET /v2.1", "GET", nova + "/v2.1")
        _, _, flavors = self.call("GET /v2.1/flavors", "GET", nova + "/v2.1/flavors")
        self.call("GET /v2.1/flavors/detail", "GET", nova + "/v2.1/flavors/detail")
        tiny = next(f["id"] for f in flavors["flavors"] if f["name"] == "m1.tiny")
        self.call("GET /v2.1/flavors/{id}", "GET", nova + f"/v2.1/flavors/{tiny}")
        self.call("GET /v2.1/flavors/{name}", "GET", nova + "/v2.1/flavors/m1.tiny")
        for mv in ("2.1", "2.53", "2.88"):
            v = {"X-OpenStack-Nova-API-Version": mv}
            self.call(f"GET /v2.1/os-hypervisors @{mv}", "GET", nova + "/v2.1/os-hypervisors", headers=v)
            self.call(f"GET /v2.1/os-hypervisors/detail @{mv}", "GET", nova + "/v2.1/os-hypervisors/detail", headers=v)
            self.call(f"GET /v2.1/os-hypervisors/statistics @{mv}", "GET",
                      nova + "/v2.1/os-hypervisors/statistics", headers=v)
        # Limits and quota sets (the operator views the agent combines): fields by microversion.
        quota = nova + f"/v2.1/os-quota-sets/{self.project_id}"
        for mv in ("2.1", "2.36", "2.57"):
            v = {"X-OpenStack-Nova-API-Version": mv}
            self.call(f"GET /v2.1/limits @{mv}", "GET", nova + "/v2.1/limits", headers=v)
            self.call(f"GET /v2.1/os-quota-sets/{{project}} @{mv}", "GET", quota, headers=v)
            self.call(f"GET /v2.1/os-quota-sets/{{project}}/detail @{mv}", "GET", quota + "/detail", headers=v)
            self.call(f"GET /v2.1/os-quota-sets/{{project}}/defaults @{mv}", "GET", quota + "/defaults", headers=v)
        self.call("GET /v2.1/servers @2.94", "GET", nova + "/v2.1/servers",
                  headers={"OpenStack-API-Version": "compute 2.94"})
        self.call("GET /v2.1/servers @latest", "GET", nova + "/v2.1/servers",
                  headers={"OpenStack-API-Version": "compute latest"})
        image_id = self.boot_image(glance)
        _, h, srv = self.call("POST /v2.1/servers", "POST", nova + "/v2.1/servers",
                              {"server": {"name": "shape-vm", "imageRef": image_id, "flavorRef": tiny,
                                          "min_count": 1, "max_count": 1, "networks": "none"}},
                              headers={"X-OpenStack-Nova-API-Version": "2.37"})
        sid = srv["server"]["id"]
        self.call("GET /v2.1/servers/{id}", "GET", nova + f"/v2.1/servers/{sid}")
        self.call("GET /v2.1/servers?limit=1", "GET", nova + "/v2.1/servers?limit=1")
        self.call("GET /v2.1/servers/detail?limit=1", "GET", nova + "/v2.1/servers/detail?limit=1")
        self.call("GET /v2.1/servers/{unknown}", "GET", nova + f"/v2.1/servers/{uuid.uuid4()}")
        self.call("DELETE /v2.1/servers/{id}", "DELETE", nova + f"/v2.1/servers/{sid}")
        http("DELETE", glance + f"/v2/images/{image_id}", headers={"X-Auth-Token": self.token})
        self.call("GET /v2.1/os-availability-zone", "GET", nova + "/v2.1/os-availability-zone")
        # Block storage, where the cloud has it (the lab gains Cinder through tests/conformance/).
        if "volumev3" in ep:
            self.block_storage(ep["volumev3"], nova, glance, tiny)
        return self.seen

    def wait_for(self, url, key, statuses, headers=None, timeout=300):
        """Polls a resource until its status is one of `statuses`; None once it is gone."""
        import time
        deadline = time.monotonic() + timeout
        while True:
            status, _, data = http("GET", url, headers={"X-Auth-Token": self.token, **(headers or {})})
            if status == 404:
                return None
            doc = json.loads(data)[key]
            if doc["status"] in statuses or time.monotonic() > deadline:
                return doc
            time.sleep(0.5)

    def block_storage(self, cinder, nova, glance, tiny):
        """Cinder v3 call by call, and Nova's volume calls on it."""
        root = cinder.split("/v3")[0]
        vol_url = cinder + "/volumes"   # the catalog's /v3/<project>
        at = lambda mv: {"OpenStack-API-Version": "volume " + mv}  # noqa: E731
        self.call("GET cinder /", "GET", root + "/")
        self.call("GET /v3/", "GET", root + "/v3/")
        self.call("GET /v3/{p}/volumes @3.71", "GET", vol_url, headers=at("3.71"))
        self.call("GET /v3/{p}/volumes @3.x", "GET", vol_url, headers=at("3.x"))
        self.call("GET /v3/{p}/types", "GET", cinder + "/types")
        self.call("GET /v3/{p}/types/default", "GET", cinder + "/types/default")
        self.call("GET /v3/{p}/types/default @3.62", "GET", cinder + "/types/default", headers=at("3.62"))
        self.call("GET cinder /v2/", "GET", root + "/v2/")
        self.call("GET /v3/{p}/os-services", "GET", cinder + "/os-services")
        self.call("GET /v3/{p}/limits", "GET", cinder + "/limits")
        self.call("GET /v3/{p}/os-quota-sets/{p}?usage=True", "GET",
                  cinder + f"/os-quota-sets/{self.project_id}?usage=True")
        self.call("GET /v3/{p}/os-quota-sets/{p}/defaults", "GET", cinder + f"/os-quota-sets/{self.project_id}/defaults")
        self.call("GET /v3/{p}/os-availability-zone", "GET", cinder + "/os-availability-zone")
        self.call("GET /v3/{p}/scheduler-stats/get_pools?detail=true", "GET",
                  cinder + "/scheduler-stats/get_pools?detail=true")
        _, _, made = self.call("POST /v3/{p}/volumes", "POST", vol_url,
                               {"volume": {"size": 1, "name": "shape-vol", "metadata": {"k": "v"}}})
        vid = made["volume"]["id"]
        self.call("POST /v3/{p}/volumes (bad size)", "POST", vol_url, {"volume": {"size": 0}})
        self.call("POST /v3/{p}/volumes (unknown type)", "POST", vol_url, {"volume": {"size": 1, "volume_type": "no-such"}})
        self.call("POST /v3/{p}/volumes (bad zone)", "POST", vol_url, {"volume": {"size": 1, "availability_zone": "no-such"}})
        self.wait_for(vol_url + f"/{vid}", "volume", ("available", "error"))
        for mv in ("3.0", "3.48", "3.70"):
            self.call(f"GET /v3/{{p}}/volumes/{{id}} @{mv}", "GET", vol_url + f"/{vid}", headers=at(mv))
        self.call("GET /v3/{p}/volumes?limit=1", "GET", vol_url + "?limit=1")
        self.call("GET /v3/{p}/volumes/detail?limit=1", "GET", vol_url + "/detail?limit=1")
        self.call("GET /v3/{p}/volumes/detail?limit=1&with_count=true @3.45", "GET",
                  vol_url + "/detail?limit=1&with_count=true", headers=at("3.45"))
        self.call("GET /v3/{p}/volumes?bad_filter=x @3.31", "GET", vol_url + "?bad_filter=x", headers=at("3.31"))
        self.call("GET /v3/{p}/volumes?marker={unknown}", "GET", vol_url + f"?marker={uuid.uuid4()}")
        self.call("GET /v3/{p}/volumes/summary @3.12", "GET", vol_url + "/summary", headers=at("3.12"))
        self.call("GET /v3/{p}/volumes/{unknown}", "GET", vol_url + f"/{uuid.uuid4()}")
        self.call("PUT /v3/{p}/volumes/{id}", "PUT", vol_url + f"/{vid}", {"volume": {"name": "shape-vol-2"}})
        self.call("POST /v3/{p}/volumes/{id}/metadata", "POST", vol_url + f"/{vid}/metadata", {"metadata": {"k2": "v2"}})
        self.call("GET /v3/{p}/volumes/{id}/metadata/{unknown}", "GET", vol_url + f"/{vid}/metadata/nope")
        self.call("POST /v3/{p}/volumes/{id}/action os-extend (same size)", "POST", vol_url + f"/{vid}/action",
                  {"os-extend": {"new_size": 1}})
        self.call("POST /v3/{p}/volumes/{id}/action os-extend", "POST", vol_url + f"/{vid}/action",
                  {"os-extend": {"new_size": 2}})
        self.wait_for(vol_url + f"/{vid}", "volume", ("available", "error", "error_extending"))
        _, _, snap = self.call("POST /v3/{p}/snapshots", "POST", cinder + "/snapshots",
                               {"snapshot": {"volume_id": vid, "name": "shape-snap"}})
        sid = snap["snapshot"]["id"]
        self.wait_for(cinder + f"/snapshots/{sid}", "snapshot", ("available", "error"))
        self.call("GET /v3/{p}/snapshots/{id}", "GET", cinder + f"/snapshots/{sid}")
        self.call("GET /v3/{p}/snapshots/detail?limit=1", "GET", cinder + "/snapshots/detail?limit=1")
        self.call("GET /v3/{p}/snapshots", "GET", cinder + "/snapshots")
        self.call("PUT /v3/{p}/snapshots/{id}", "PUT", cinder + f"/snapshots/{sid}", {"snapshot": {"name": "shape-snap-2"}})
        self.call("DELETE /v3/{p}/volumes/{id} (has snapshots)", "DELETE", vol_url + f"/{vid}")
        self.call("DELETE /v3/{p}/snapshots/{id}", "DELETE", cinder + f"/snapshots/{sid}")
        self.wait_for(cinder + f"/snapshots/{sid}", "snapshot", ())
        # The attachments API (3.27+, completed at 3.44).
        _, _, att = self.call("POST /v3/{p}/attachments @3.44", "POST", cinder + "/attachments",
                              {"attachment": {"volume_uuid": vid, "instance_uuid": str(uuid.uuid4())}},
                              headers=at("3.44"))
        self.call("GET /v3/{p}/attachments/{id} @3.44", "GET", cinder + f"/attachments/{att['attachment']['id']}",
                  headers=at("3.44"))
        self.call("GET /v3/{p}/volumes/{id} (reserved)", "GET", vol_url + f"/{vid}")
        self.call("DELETE /v3/{p}/attachments/{id} @3.44", "DELETE", cinder + f"/attachments/{att['attachment']['id']}",
                  headers=at("3.44"))
        self.call("POST /v3/{p}/attachments @3.26", "POST", cinder + "/attachments",
                  {"attachment": {"volume_uuid": vid}}, headers=at("3.26"))
        # Nova on the same cloud: attach to a server, list, detach.
        image_id = self.boot_image(glance)
        _, _, srv = http("POST", nova + "/v2.1/servers", {"server": {
            "name": "shape-vol-vm", "imageRef": image_id, "flavorRef": tiny, "networks": "none"}},
            {"X-Auth-Token": self.token, "X-OpenStack-Nova-API-Version": "2.37"})
        server_id = json.loads(srv)["server"]["id"]
        self.wait_for(nova + f"/v2.1/servers/{server_id}", "server", ("ACTIVE", "ERROR"))
        attachments = nova + f"/v2.1/servers/{server_id}/os-volume_attachments"
        v279 = {"X-OpenStack-Nova-API-Version": "2.79"}
        self.call("POST /v2.1/servers/{id}/os-volume_attachments @2.79", "POST", attachments,
                  {"volumeAttachment": {"volumeId": vid}}, headers=v279)
        self.wait_for(vol_url + f"/{vid}", "volume", ("in-use", "error", "available"))
        self.call("GET /v3/{p}/volumes/{id} (in-use)", "GET", vol_url + f"/{vid}")
        self.call("GET /v2.1/servers/{id}/os-volume_attachments @2.79", "GET", attachments, headers=v279)
        self.call("GET /v2.1/servers/{id}/os-volume_attachments/{vol} @2.89", "GET", attachments + f"/{vid}",
                  headers={"X-OpenStack-Nova-API-Version": "2.89"})
        self.call("GET /v2.1/servers/{id} (volume attached) @2.79", "GET", nova + f"/v2.1/servers/{server_id}",
                  headers=v279)
        self.call("DELETE /v3/{p}/volumes/{id} (in-use)", "DELETE", vol_url + f"/{vid}")
        self.call("DELETE /v2.1/servers/{id}/os-volume_attachments/{vol}", "DELETE", attachments + f"/{vid}")
        # Nova detaches in the background: the volume is "detaching" and still lists the attachment.
        self.call("GET /v3/{p}/volumes/{id} (detaching)", "GET", vol_url + f"/{vid}")
        self.wait_for(vol_url + f"/{vid}", "volume", ("available", "error"))
        http("DELETE", nova + f"/v2.1/servers/{server_id}", headers={"X-Auth-Token": self.token})
        http("DELETE", glance + f"/v2/images/{image_id}", headers={"X-Auth-Token": self.token})
        self.call("DELETE /v3/{p}/volumes/{id}", "DELETE", vol_url + f"/{vid}")
        self.call("GET /v3/{p}/volumes/{id} (deleting)", "GET", vol_url + f"/{vid}")
        self.wait_for(vol_url + f"/{vid}", "volume", ())
        self.call("GET /v3/{p}/volumes/{id} (deleted)", "GET", vol_url + f"/{vid}")

    def boot_image(self, glance):
        _, _, img = http("POST", glance + "/v2/images", {"name": "shape-boot", "container_format": "bare",
                                                          "disk_format": "raw"}, {"X-Auth-Token": self.token})
        import urllib.request
        urllib.request.urlopen(urllib.request.Request(
            glance + f"/v2/images/{json.loads(img)['id']}/file", data=b"y" * 1000, method="PUT",
            headers={"X-Auth-Token": self.token, "Content-Type": "application/octet-stream"}), timeout=120)
        return json.loads(img)["id"]


def normal(value):
    """A header value with hosts, ports and IDs that differ by nature taken out."""
    import re
    value = re.sub(r"http://[^/\s\"]+", "http://H", value)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", value)


def differences(real, sim):
    out = []
    for name in real:
        r, s = real[name], sim.get(name)
        if s is None:
            out.append(f"{name}: not called on the simulator")
            continue
        if r["status"] != s["status"]:
            out.append(f"{name}: status real {r['status']}, sim {s['status']}")
        only_real, only_sim = sorted(r["paths"] - s["paths"]), sorted(s["paths"] - r["paths"])
        if only_real:
            out.append(f"{name}: keys only in the real answer: {', '.join(only_real)}")
        if only_sim:
            out.append(f"{name}: keys only in the simulator's answer: {', '.join(only_sim)}")
        for h in HEADERS:
            rv, sv = r["headers"].get(h), s["headers"].get(h)
            if h in ("x-subject-token",):
                if (rv is None) != (sv is None):
                    out.append(f"{name}: header {h} real {'set' if rv else 'absent'}, sim {'set' if sv else 'absent'}")
                continue
            if (rv and normal(rv)) != (sv and normal(sv)):
                out.append(f"{name}: header {h}: real {rv!r}, sim {sv!r}")
    return out


def main():
    from settings import Settings
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config")
    parser.add_argument("--region", default="RegionOne")
    parser.add_argument("--sim-url")
    parser.add_argument("--json")
    args = parser.parse_args()
    os.environ.setdefault("FEDSTACK_AGENTS", "-")
    settings = Settings(args.config)
    v = settings.values
    real = Target("real", v["OS_AUTH_URL"], v["OS_USERNAME"], v["OS_PASSWORD"], v["OS_PROJECT_NAME"],
                  args.region).run()
    sim_process = None
    sim_url = args.sim_url
    if not sim_url:
        from harness import FEDSTACK, Process
        sim_process = Process([FEDSTACK, "sim", "--cloudlets", "1", "--data-dir",
                               os.path.join(settings.workdir, "shape-sim")], os.path.join(settings.workdir, "shape-sim.log"))
        sim_url = sim_process.read_json()["keystone_url"]
    try:
        sim = Target("sim", sim_url, "admin", "secret", "admin", "cloudlet-1").run()
    finally:
        if sim_process:
            sim_process.stop()
    diffs = differences(real, sim)
    print("\n".join(diffs) if diffs else "no differences")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"real": real, "sim": sim, "differences": diffs}, f, indent=1, default=sorted)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
