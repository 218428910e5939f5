"""The real clouds, reached directly (bypassing every agent) with the admin credentials:
to see where the federation put things and that nothing is left behind."""
import json

from record import http


def password_auth(settings, project_scope=True):
    c = settings.credentials()
    auth = {"identity": {"methods": ["password"], "password": {"user": {
        "name": c["OS_USERNAME"], "domain": {"name": c["OS_USER_DOMAIN_NAME"]},
        "password": c["OS_PASSWORD"]}}}}
    if project_scope:
        auth["scope"] = {"project": {"name": c["OS_PROJECT_NAME"],
                                     "domain": {"name": c["OS_PROJECT_DOMAIN_NAME"]}}}
    return {"auth": auth}


def keystone_v3(url):
    url = url.rstrip("/")
    return url if url.endswith("/v3") else url + "/v3"


class Clouds:
    def __init__(self, settings):
        status, headers, body = http("POST", keystone_v3(settings.values["OS_AUTH_URL"]) + "/auth/tokens",
                                     password_auth(settings))
        if status != 201:
            raise SystemExit(f"conformance: the clouds' Keystone answered {status}: {body[:200]!r}")
        self.token = headers["X-Subject-Token"]
        body = json.loads(body)["token"]
        self.project_id = body["project"]["id"]
        self.endpoints = {}   # (region, type) -> url
        for service in body.get("catalog", []):
            for e in service["endpoints"]:
                if e["interface"] == "public":
                    self.endpoints[(e["region_id"], service["type"])] = e["url"].rstrip("/")
        self.regions = sorted(r for (r, t) in self.endpoints if t == "compute")

    def get(self, region, service, path):
        base = self.endpoints[(region, service)]
        if service == "compute":
            base = base.split("/v2.1")[0] + "/v2.1"
        status, _, body = http("GET", base + path, headers={"X-Auth-Token": self.token,
                                                            "Accept": "application/json"})
        if status != 200:
            raise AssertionError(f"GET {base + path} on {region} answered {status}: {body[:200]!r}")
        return json.loads(body)

    def images(self, region):
        return self.get(region, "image", "/v2/images?limit=1000")["images"]

    def networks(self, region):
        return self.get(region, "network", "/v2.0/networks")["networks"]

    def servers(self, region):
        return self.get(region, "compute", "/servers/detail")["servers"]

    def volumes(self, region):
        return self.get(region, "volumev3", "/volumes/detail?all_tenants=1")["volumes"]

    def snapshots(self, region):
        return self.get(region, "volumev3", "/snapshots/detail?all_tenants=1")["snapshots"]
