"""The CLI flows: every call of the thesis' tables 3.2-3.5 through the agents, and the
cross-cloud flows of the federation (issue 4) on real clouds."""
import filecmp
import json
import os

from record import StepFailed, http


def expect(condition, message):
    if not condition:
        raise StepFailed(message)


class Context:
    def __init__(self, settings, clouds, rec, agent_regions, tag):
        self.settings, self.clouds, self.rec, self.tag = settings, clouds, rec, tag
        self.agents = settings.agents
        self.envs = [settings.agent_env(url, region) for url, region in zip(self.agents, agent_regions)]
        self.agent_regions = agent_regions
        self.image_file = os.path.join(settings.workdir, "image.bin")
        with open(self.image_file, "wb") as f:
            f.write(os.urandom(1024 * 1024 + 17))
        self.cleanup = []   # (agent, args) in creation order; deleted in reverse

    def cli(self, agent, *args, **kw):
        return self.rec.cli(self.envs[agent], *args, **kw)

    def name(self, what):
        return f"conf-{self.tag}-{what}"

    def token(self, agent):
        _, headers, body = self.rec.http("POST", self.agents[agent] + "/v3/auth/tokens",
                                         password_body(self.settings), expect=(201,),
                                         name=f"POST /v3/auth/tokens through agent {agent}")
        return headers["X-Subject-Token"], body["token"]

    def other(self, agent):
        return (agent + 1) % len(self.agents)


def password_body(settings):
    from clouds import password_auth
    return password_auth(settings)


# ---------------------------------------------------------------------------- identity
def identity(ctx):
    ctx.rec.flow = "identity"
    for i, url in enumerate(ctx.agents):
        ctx.cli(i, "token", "issue", "-f", "json", covers=["POST /v3/auth/tokens"],
                check=lambda t: expect(len(t["project_id"]) == 32, f"project_id {t['project_id']}"))
        token, body = ctx.token(i)
        urls = [e["url"] for s in body["catalog"] for e in s["endpoints"]]
        ctx.rec.check(f"catalog of agent {i} points only at the agent",
                      urls and all(u.startswith(url) for u in urls),
                      f"endpoints elsewhere: {[u for u in urls if not u.startswith(url)][:3]}")
        regions = sorted({e["region_id"] for s in body["catalog"] for e in s["endpoints"]})
        ctx.rec.check(f"catalog of agent {i} lists every region", set(ctx.clouds.regions) <= set(regions),
                      f"{regions} lacks some of {ctx.clouds.regions}")
        _, _, shown = ctx.rec.http("GET", url + "/v3/auth/tokens", name=f"validate a token through agent {i}",
                                   headers={"X-Auth-Token": token, "X-Subject-Token": token},
                                   covers=["GET /v3/auth/tokens"])
        ctx.rec.check(f"validated token of agent {i} names the project",
                      shown["token"]["project"]["id"] == ctx.clouds.project_id)


# ---------------------------------------------------------------------------- image
def image(ctx, agent=0):
    ctx.rec.flow = "image"
    created = ctx.cli(agent, "image", "create", "--file", ctx.image_file, "--disk-format", "raw",
                      "--container-format", "bare", ctx.name("image"), "-f", "json",
                      covers=["POST /v2/images", "PUT /v2/images/{image_id}/file"])
    gid = created["id"]
    ctx.cli(agent, "image", "list", "-f", "json", covers=["GET /v2/images"],
            check=lambda rows: expect(gid in [r["ID"] for r in rows], "the new image is not listed"))
    ctx.cli(agent, "image", "show", gid, "-f", "json", covers=["GET /v2/images/{image_id}"],
            check=lambda i: expect(i["status"] == "active" and i["size"] == os.path.getsize(ctx.image_file),
                                   f"status {i['status']}, size {i['size']}"))
    saved = os.path.join(ctx.settings.workdir, "saved.bin")
    ctx.cli(agent, "image", "save", "--file", saved, gid, covers=["GET /v2/images/{image_id}/file"],
            check=lambda _: expect(filecmp.cmp(saved, ctx.image_file, shallow=False), "saved bytes differ"))
    ctx.cli(agent, "image", "delete", gid, covers=["DELETE /v2/images/{image_id}"])
    status, _, _ = http("GET", ctx.agents[agent] + "/image/v2/images/" + gid,
                        headers={"X-Auth-Token": ctx.token(agent)[0]})
    ctx.rec.check("a deleted image answers 404", status == 404, f"answered {status}")
    for region in ctx.clouds.regions:
        left = [i["id"] for i in ctx.clouds.images(region) if i["name"] == ctx.name("image")]
        ctx.rec.check(f"no image left on {region}", not left, f"left: {left}")


# ---------------------------------------------------------------------------- network
def network(ctx, agent=0):
    ctx.rec.flow = "network"
    net = ctx.cli(agent, "network", "create", ctx.name("net"), "-f", "json", covers=["POST /v2.0/networks"])
    subnet = ctx.cli(agent, "subnet", "create", "--network", net["id"], "--subnet-range", "10.71.0.0/24",
                     ctx.name("subnet"), "-f", "json", covers=["POST /v2.0/subnets"],
                     check=lambda s: expect(s["network_id"] == net["id"], f"network_id {s['network_id']}"))
    port = ctx.cli(agent, "port", "create", "--network", net["id"], ctx.name("port"), "-f", "json",
                   covers=["POST /v2.0/ports"],
                   check=lambda p: expect(p["network_id"] == net["id"] and subnet["id"] in json.dumps(p["fixed_ips"]),
                                          f"port {p['network_id']} {p['fixed_ips']}"))
    for kind, item in (("network", net), ("subnet", subnet), ("port", port)):
        collection = kind + "s"
        ctx.cli(agent, kind, "list", "-f", "json", covers=[f"GET /v2.0/{collection}"],
                check=lambda rows, i=item: expect(i["id"] in [r["ID"] for r in rows], "not listed"))
        ctx.cli(agent, kind, "show", item["id"], "-f", "json", covers=[f"GET /v2.0/{collection}/{{{kind}_id}}"],
                check=lambda shown, i=item: expect(shown["name"] == i["name"], f"name {shown['name']}"))
    for kind, item in (("port", port), ("subnet", subnet), ("network", net)):
        ctx.cli(agent, kind, "delete", item["id"], covers=[f"DELETE /v2.0/{kind}s/{{{kind}_id}}"])
    for region in ctx.clouds.regions:
        left = [n["id"] for n in ctx.clouds.networks(region) if n["name"] == ctx.name("net")]
        ctx.rec.check(f"no network left on {region}", not left, f"left: {left}")


# ---------------------------------------------------------------------------- compute
def compute(ctx, agent=0):
    ctx.rec.flow = "compute"
    flavor = ctx.cli(agent, "flavor", "create", "--ram", "128", "--disk", "1", "--vcpus", "1",
                     ctx.name("flavor"), "-f", "json", covers=["POST /v2.1/{tenant_id}/flavors"])
    ctx.cli(agent, "flavor", "list", "--all", "-f", "json", covers=["GET /v2.1/{tenant_id}/flavors/detail"],
            check=lambda rows: expect(ctx.name("flavor") in [r["Name"] for r in rows], "not listed"))
    ctx.cli(agent, "flavor", "show", flavor["id"], "-f", "json", covers=["GET /v2.1/{tenant_id}/flavors/{flavor_id}"],
            check=lambda f: expect(f["ram"] == 128, f"ram {f['ram']}"))
    token, body = ctx.token(agent)
    tenant = body["project"]["id"]
    root = f"{ctx.agents[agent]}/compute/v2.1/{tenant}"
    auth = {"X-Auth-Token": token}
    _, _, listed = ctx.rec.http("GET", root + "/flavors", headers=auth, covers=["GET /v2.1/{tenant_id}/flavors"])
    ctx.rec.check("GET /flavors lists the new flavor", flavor["id"] in [f["id"] for f in listed["flavors"]])
    ctx.rec.http("GET", root + "/flavors/detail", headers=auth, covers=["GET /v2.1/{tenant_id}/flavors/detail"])
    ctx.cli(agent, "flavor", "delete", flavor["id"], covers=["DELETE /v2.1/{tenant_id}/flavors/{flavor_id}"])

    image = ctx.cli(agent, "image", "create", "--file", ctx.image_file, "--disk-format", "raw",
                    "--container-format", "bare", ctx.name("boot-image"), "-f", "json")
    ctx.cleanup.append((agent, ("image", "delete", image["id"])))
    net = ctx.cli(agent, "network", "create", ctx.name("boot-net"), "-f", "json")
    ctx.cleanup.append((agent, ("network", "delete", net["id"])))
    ctx.cli(agent, "subnet", "create", "--network", net["id"], "--subnet-range", "10.72.0.0/24",
            ctx.name("boot-subnet"), "-f", "json")
    server = ctx.cli(agent, "server", "create", "--image", image["id"], "--flavor", ctx.settings.flavor,
                     "--network", net["id"], "--wait", ctx.name("vm"), "-f", "json",
                     covers=["POST /v2.1/{tenant_id}/servers", "GET /v2.1/{tenant_id}/servers/{server_id}"],
                     check=lambda s: expect(s["status"] == "ACTIVE", f"status {s['status']}"))
    ctx.cli(agent, "server", "list", "-f", "json", covers=["GET /v2.1/{tenant_id}/servers/detail"],
            check=lambda rows: expect(server["id"] in [r["ID"] for r in rows], "not listed"))
    ctx.cli(agent, "server", "show", server["id"], "-f", "json",
            covers=["GET /v2.1/{tenant_id}/servers/{server_id}"],
            check=lambda s: expect(ctx.name("boot-net") in json.dumps(s["addresses"]), f"addresses {s['addresses']}"))
    _, _, listed = ctx.rec.http("GET", root + "/servers", headers=auth, covers=["GET /v2.1/{tenant_id}/servers"])
    ctx.rec.check("GET /servers lists the server", server["id"] in [s["id"] for s in listed["servers"]])
    _, _, detail = ctx.rec.http("GET", root + "/servers/detail", headers=auth,
                                covers=["GET /v2.1/{tenant_id}/servers/detail"])
    row = next((s for s in detail["servers"] if s["id"] == server["id"]), {})
    ctx.rec.check("servers/detail shows the image's global ID", row.get("image", {}).get("id") == image["id"],
                  f"image {row.get('image')}")
    ctx.rec.http("GET", root + "/servers/" + server["id"], headers=auth,
                 covers=["GET /v2.1/{tenant_id}/servers/{server_id}"])
    ctx.cli(agent, "hypervisor", "list", "-f", "json",
            check=lambda rows: expect(rows and all(r["State"] == "up" for r in rows), f"{rows}"))
    _, _, hyps = ctx.rec.http("GET", root + "/os-hypervisors", headers=auth,
                              covers=["GET /v2.1/{tenant_id}/os-hypervisors"])
    ctx.rec.check("os-hypervisors lists hypervisors", len(hyps["hypervisors"]) >= 1)
    ctx.cli(agent, "server", "delete", "--wait", server["id"], covers=["DELETE /v2.1/{tenant_id}/servers/{server_id}"])
    status, _, _ = http("GET", root + "/servers/" + server["id"], headers=auth)
    ctx.rec.check("a deleted server answers 404", status == 404, f"answered {status}")
