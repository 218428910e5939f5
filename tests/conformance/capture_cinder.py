#!/usr/bin/python3
"""Records real Cinder (Zed) answers from the lab, call by call, for the simulator's Cinder.

  tests/conformance/capture_cinder.py [--region RegionOne] [--out tests/conformance/captures/cinder]
  tests/conformance/capture_cinder.py --auth-url http://127.0.0.1:PORT/v3 --password secret \
      --region cloudlet-1 --out /tmp/sim-captures                # the same calls against `fedstack sim`
  tests/conformance/capture_cinder.py --compare tests/conformance/captures/cinder /tmp/sim-captures

Needs the lab with Cinder (lab_cinder.sh, which also runs cinder-backup). Each call goes to a file NN-name.txt: the request line,
the request headers that matter and body, then the response status, headers and body (JSON pretty
printed). Tokens are not written. Everything made is named cap-<run>-... and deleted at the end.
"""
import argparse
import json
import os
import sys
import time
import uuid

from keystoneauth1 import session
from keystoneauth1.identity import v3

HERE = os.path.dirname(os.path.abspath(__file__))
KEEP_REQ = ("content-type", "openstack-api-version", "x-openstack-nova-api-version")


class Capture:
    def __init__(self, region, out, auth_url, password):
        self.region, self.out, self.n = region, out, 0
        self.sess = session.Session(auth=v3.Password(
            auth_url=auth_url, username="admin", password=password, project_name="admin",
            user_domain_name="Default", project_domain_name="Default"))
        self.project = self.sess.get_project_id()
        ep = lambda t: self.sess.get_endpoint(service_type=t, region_name=region, interface="public")  # noqa: E731
        self.cinder = ep("volumev3").replace(self.project, "{project}") if ep("volumev3") else None
        self.cinder_root = self.cinder.split("/v3/")[0]
        self.nova, self.glance = ep("compute"), ep("image")
        os.makedirs(out, exist_ok=True)

    def url(self, path):
        if path.startswith("http"):
            return path
        return self.cinder.replace("{project}", self.project) + path

    def call(self, name, method, path, body=None, headers=None, token=True, save=True, raw=None):
        hdrs = {"Accept": "application/json", **(headers or {})}
        if body is not None:
            hdrs["Content-Type"] = "application/json"
        url = self.url(path)
        r = self.sess.request(url, method, headers=hdrs, json=body, data=raw, authenticated=token,
                              raise_exc=False)
        if save:
            self.n += 1
            with open(os.path.join(self.out, f"{self.n:02d}-{name}.txt"), "w") as f:
                f.write(f"{method} {url.replace(self.project, '{project}')}\n")
                for k, v in hdrs.items():
                    if k.lower() in KEEP_REQ or k == "Accept":
                        f.write(f"{k}: {v}\n")
                f.write(f"X-Auth-Token: {'<token>' if token else '(none)'}\n")
                if body is not None:
                    f.write("\n" + json.dumps(body, indent=1) + "\n")
                f.write(f"\nHTTP {r.status_code} {r.reason}\n")
                for k, v in r.headers.items():
                    f.write(f"{k}: {v}\n")
                f.write("\n")
                try:
                    f.write(json.dumps(r.json(), indent=1) + "\n")
                except ValueError:
                    f.write(r.text + "\n")
        return r

    def wait(self, path, key, want, timeout=180):
        t = time.monotonic()
        while time.monotonic() - t < timeout:
            r = self.call("", "GET", path, save=False)
            if r.status_code == 404:
                st = "gone"
            else:
                st = r.json()[key]["status"]
            if st == want or st.lower().startswith("error"):
                return st
            time.sleep(0.5)
        return st


def shape(path):
    """(status, JSON key paths) of one capture file; list items folded into []."""
    text = open(path).read()
    head, _, body = text.partition("\nHTTP ")[2].partition("\n\n")
    paths = set()

    def walk(v, prefix):
        if isinstance(v, dict):
            for k, x in v.items():
                # ids and names as keys (metadata, extra specs) are data, not shape
                key = "{key}" if prefix.endswith((".metadata", ".extra_specs", "volume_image_metadata")) else k
                paths.add(prefix + "." + key)
                walk(x, prefix + "." + key)
        elif isinstance(v, list):
            for x in v:
                walk(x, prefix + "[]")
    try:
        walk(json.loads(body), "")
    except ValueError:
        pass
    return head.split()[0], paths


def compare(real_dir, other_dir):
    """Prints, per capture name, the status and key differences; returns how many captures differ."""
    name = lambda f: f.split("-", 1)[1]  # noqa: E731  (numbers differ when a run skips a call)
    real = {name(f): os.path.join(real_dir, f) for f in sorted(os.listdir(real_dir))}
    other = {name(f): os.path.join(other_dir, f) for f in sorted(os.listdir(other_dir))}
    bad = 0
    for n, path in real.items():
        if n not in other:
            print(f"{n}: not captured from the other side")
            bad += 1
            continue
        (rs, rp), (os_, op) = shape(path), shape(other[n])
        lines = []
        if rs != os_:
            lines.append(f"status real {rs}, other {os_}")
        if rp - op:
            lines.append("keys missing: " + ", ".join(sorted(rp - op)))
        if op - rp:
            lines.append("keys extra: " + ", ".join(sorted(op - rp)))
        if lines:
            bad += 1
            print(f"{n}: " + "; ".join(lines))
    print(f"{bad} of {len(real)} captures differ")
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--region", default="RegionOne")
    ap.add_argument("--auth-url", default="http://127.0.0.1:5000/v3")
    ap.add_argument("--password", default=os.environ.get("OSLAB_PASSWORD", "labpass"))
    ap.add_argument("--out", default=os.path.join(HERE, "captures", "cinder"))
    ap.add_argument("--compare", nargs=2, metavar=("REAL_DIR", "OTHER_DIR"))
    a = ap.parse_args()
    if a.compare:
        return 1 if compare(*a.compare) else 0
    c = Capture(a.region, a.out, a.auth_url, a.password)
    tag = "cap-" + uuid.uuid4().hex[:6]
    mv = lambda v: {"OpenStack-API-Version": f"volume {v}"}  # noqa: E731
    root = c.cinder_root
    made_srv, made_vol, made_snap, made_img, made_bak = [], [], [], [], []
    try:
        c.call("root-no-token", "GET", root + "/", token=False)
        c.call("v3-root-no-token", "GET", root + "/v3/", token=False)
        c.call("v3-root-token", "GET", root + "/v3/")
        c.call("v3-no-slash", "GET", root + "/v3")
        c.call("v2-root", "GET", root + "/v2/")
        c.call("volumes-no-token", "GET", "/volumes", token=False)
        c.call("volume-types", "GET", "/types")
        c.call("volume-type-default-3.62", "GET", "/types/default", headers=mv("3.62"))
        zones = c.call("availability-zones", "GET", "/os-availability-zone").json().get("availabilityZoneInfo") or []
        zone = zones[0]["zoneName"] if zones else "nova"   # the lab's Cinder has `nova`; the simulator a cloudlet
        c.call("limits", "GET", "/limits")
        c.call("quota-usage", "GET", f"/os-quota-sets/{c.project}?usage=true")
        c.call("quota-defaults", "GET", f"/os-quota-sets/{c.project}/defaults")
        c.call("services", "GET", "/os-services")
        c.call("volume-create-bad-size", "POST", "/volumes", {"volume": {"size": 0, "name": f"{tag}-bad"}})
        c.call("volume-create-no-body", "POST", "/volumes", {"volum": {}})
        c.call("volume-show-unknown", "GET", "/volumes/" + str(uuid.uuid4()))
        c.call("microversion-too-high", "GET", "/volumes", headers=mv("3.99"))
        c.call("microversion-latest", "GET", "/volumes", headers=mv("latest"))
        r = c.call("volume-create", "POST", "/volumes",
                   {"volume": {"size": 1, "name": f"{tag}-v1", "description": "cap", "metadata": {"k": "v"}}})
        v1 = r.json()["volume"]["id"]
        made_vol.append(v1)
        c.wait(f"/volumes/{v1}", "volume", "available")
        c.call("volume-show-3.0", "GET", f"/volumes/{v1}")
        c.call("volume-show-3.70", "GET", f"/volumes/{v1}", headers=mv("3.70"))
        r = c.call("volume-create-3.70-az", "POST", "/volumes",
                   {"volume": {"size": 1, "name": f"{tag}-v2", "availability_zone": zone}}, headers=mv("3.70"))
        v2 = r.json()["volume"]["id"]
        made_vol.append(v2)
        c.call("volume-create-unknown-az", "POST", "/volumes",
               {"volume": {"size": 1, "name": f"{tag}-v3", "availability_zone": "nowhere"}})
        c.call("volumes-list", "GET", "/volumes")
        c.call("volumes-detail", "GET", "/volumes/detail")
        c.call("volumes-detail-limit1", "GET", "/volumes/detail?limit=1")
        c.call("volumes-by-name", "GET", f"/volumes?name={tag}-v1")
        c.call("volumes-all-tenants", "GET", "/volumes/detail?all_tenants=1&limit=2")
        c.call("volumes-summary-3.12", "GET", "/volumes/summary", headers=mv("3.12"))
        c.call("volume-update", "PUT", f"/volumes/{v1}", {"volume": {"name": f"{tag}-v1b", "description": "d2"}})
        c.call("volume-metadata-set", "POST", f"/volumes/{v1}/metadata", {"metadata": {"k2": "v2"}})
        c.call("volume-metadata-show", "GET", f"/volumes/{v1}/metadata")
        c.call("volume-extend", "POST", f"/volumes/{v1}/action", {"os-extend": {"new_size": 2}})
        c.call("volume-show-extending", "GET", f"/volumes/{v1}")
        c.wait(f"/volumes/{v1}", "volume", "available")
        c.call("volume-extend-smaller", "POST", f"/volumes/{v1}/action", {"os-extend": {"new_size": 1}})
        c.call("volume-action-unknown", "POST", f"/volumes/{v1}/action", {"os-nothing": {}})
        r = c.call("snapshot-create", "POST", "/snapshots",
                   {"snapshot": {"volume_id": v1, "name": f"{tag}-s1", "description": "cap"}})
        s1 = r.json()["snapshot"]["id"]
        made_snap.append(s1)
        c.wait(f"/snapshots/{s1}", "snapshot", "available")
        c.call("snapshot-show", "GET", f"/snapshots/{s1}")
        c.call("snapshot-show-3.70", "GET", f"/snapshots/{s1}", headers=mv("3.70"))
        c.call("snapshots-list", "GET", "/snapshots")
        c.call("snapshots-detail", "GET", "/snapshots/detail")
        c.call("snapshot-update", "PUT", f"/snapshots/{s1}", {"snapshot": {"name": f"{tag}-s1b"}})
        c.call("volume-delete-with-snapshot", "DELETE", f"/volumes/{v1}")
        r = c.call("volume-create-from-snapshot", "POST", "/volumes",
                   {"volume": {"snapshot_id": s1, "name": f"{tag}-fromsnap"}})
        made_vol.insert(0, r.json()["volume"]["id"])
        r = c.call("backup-create", "POST", "/backups", {"backup": {"volume_id": v1, "name": f"{tag}-b"}})
        if r.status_code == 202:
            b = r.json()["backup"]["id"]
            made_bak.append(b)
            c.call("volume-show-backing-up", "GET", f"/volumes/{v1}")
            c.wait(f"/backups/{b}", "backup", "available")
            c.call("backup-show", "GET", f"/backups/{b}")
            c.call("backups-list", "GET", "/backups")
            c.call("backups-detail", "GET", "/backups/detail")
            r = c.call("backup-restore-new-volume", "POST", f"/backups/{b}/restore", {"restore": {"name": f"{tag}-rest"}})
            if r.status_code == 202:
                made_vol.insert(0, r.json()["restore"]["volume_id"])
                c.wait(f"/backups/{b}", "backup", "available")

        # an image and a server (fake driver, no NIC) for boot from volume and attach
        img = c.call("", "POST", c.glance + "/v2/images", {"name": f"{tag}-img", "disk_format": "raw",
                                                           "container_format": "bare"}, save=False).json()["id"]
        made_img.append(img)
        c.call("", "PUT", c.glance + f"/v2/images/{img}/file", raw=os.urandom(1 << 20),
               headers={"Content-Type": "application/octet-stream"}, save=False)
        r = c.call("volume-create-from-image", "POST", "/volumes",
                   {"volume": {"size": 1, "name": f"{tag}-boot", "imageRef": img}})
        bv = r.json()["volume"]["id"]
        made_vol.insert(0, bv)
        c.wait(f"/volumes/{bv}", "volume", "available")
        c.call("volume-show-bootable", "GET", f"/volumes/{bv}")
        flavors = c.call("", "GET", c.nova + "/flavors/detail", save=False).json()["flavors"]
        flavor = min(flavors, key=lambda f: (f["name"] != "m1.nano", f["ram"]))["id"]
        nv = {"X-OpenStack-Nova-API-Version": "2.37"}
        r = c.call("nova-boot-from-volume", "POST", c.nova + "/servers", {"server": {
            "name": f"{tag}-bfv", "flavorRef": flavor, "networks": "none", "imageRef": "",
            "block_device_mapping_v2": [{"uuid": bv, "source_type": "volume", "destination_type": "volume",
                                         "boot_index": 0, "delete_on_termination": False}]}}, headers=nv)
        sb = r.json()["server"]["id"]
        made_srv.append(sb)
        r = c.call("nova-boot-image-to-new-volume", "POST", c.nova + "/servers", {"server": {
            "name": f"{tag}-bfv2", "flavorRef": flavor, "networks": "none", "imageRef": "",
            "block_device_mapping_v2": [{"uuid": img, "source_type": "image", "destination_type": "volume",
                                         "volume_size": 1, "boot_index": 0, "delete_on_termination": True}]}},
                   headers=nv)
        made_srv.append(r.json()["server"]["id"])
        r = c.call("", "POST", c.nova + "/servers", {"server": {
            "name": f"{tag}-srv", "flavorRef": flavor, "networks": "none", "imageRef": img}},
                   headers=nv, save=False)
        sa = r.json()["server"]["id"]
        made_srv.append(sa)
        for s in made_srv:
            c.wait(c.nova + f"/servers/{s}", "server", "ACTIVE")
        c.call("nova-server-show-bfv", "GET", c.nova + f"/servers/{sb}")
        c.call("nova-server-show-bfv-2.79", "GET", c.nova + f"/servers/{sb}",
               headers={"X-OpenStack-Nova-API-Version": "2.79"})
        c.call("volume-show-in-use-root", "GET", f"/volumes/{bv}")
        c.call("volume-delete-in-use", "DELETE", f"/volumes/{bv}")
        c.call("nova-attach", "POST", c.nova + f"/servers/{sa}/os-volume_attachments",
               {"volumeAttachment": {"volumeId": v1}})
        c.wait(f"/volumes/{v1}", "volume", "in-use")
        c.call("volume-show-in-use", "GET", f"/volumes/{v1}")
        c.call("volume-show-in-use-3.70", "GET", f"/volumes/{v1}", headers=mv("3.70"))
        c.call("attachments-list-3.27", "GET", f"/attachments?volume_id={v1}", headers=mv("3.27"))
        c.call("attachments-detail-3.27", "GET", "/attachments/detail", headers=mv("3.27"))
        c.call("nova-volume-attachments-list", "GET", c.nova + f"/servers/{sa}/os-volume_attachments")
        c.call("nova-volume-attachment-show-2.89", "GET", c.nova + f"/servers/{sa}/os-volume_attachments/{v1}",
               headers={"X-OpenStack-Nova-API-Version": "2.89"})
        c.call("nova-attach-again", "POST", c.nova + f"/servers/{sa}/os-volume_attachments",
               {"volumeAttachment": {"volumeId": v1}})
        c.call("volume-extend-in-use-3.42", "POST", f"/volumes/{v1}/action", {"os-extend": {"new_size": 3}},
               headers=mv("3.42"))
        st = c.wait(f"/volumes/{v1}", "volume", "in-use", timeout=60)
        c.call("volume-show-after-in-use-extend", "GET", f"/volumes/{v1}")
        if st != "in-use":
            c.call("volume-reset-status", "POST", f"/volumes/{v1}/action", {"os-reset_status": {"status": "in-use"}})
        c.call("nova-detach", "DELETE", c.nova + f"/servers/{sa}/os-volume_attachments/{v1}")
        c.call("volume-show-detaching", "GET", f"/volumes/{v1}")
        c.wait(f"/volumes/{v1}", "volume", "available")
        c.call("nova-detach-not-attached", "DELETE", c.nova + f"/servers/{sa}/os-volume_attachments/{v1}")
    finally:
        for s in made_srv:
            c.call("", "DELETE", c.nova + f"/servers/{s}", save=False)
        for s in made_srv:
            c.wait(c.nova + f"/servers/{s}", "server", "gone")
        for b in made_bak:
            c.call("backup-delete", "DELETE", f"/backups/{b}")
            c.wait(f"/backups/{b}", "backup", "gone", timeout=60)
        for s in made_snap:
            c.call("snapshot-delete", "DELETE", f"/snapshots/{s}", save=s == made_snap[0])
            c.wait(f"/snapshots/{s}", "snapshot", "gone")
        for v in made_vol:
            c.wait(f"/volumes/{v}", "volume", "available", timeout=60)
            c.call("volume-delete", "DELETE", f"/volumes/{v}", save=v == made_vol[-1])
        if made_vol:
            c.call("volume-show-deleting", "GET", f"/volumes/{made_vol[-1]}")
            c.wait(f"/volumes/{made_vol[-1]}", "volume", "gone")
            c.call("volume-show-deleted", "GET", f"/volumes/{made_vol[-1]}")
        for i in made_img:
            c.call("", "DELETE", c.glance + f"/v2/images/{i}", save=False)
    print(f"{c.n} captures in {a.out}")


if __name__ == "__main__":
    sys.exit(main())
