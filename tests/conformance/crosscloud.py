"""Cross-cloud flows on real clouds: zones, an image uploaded to one cloudlet booting on
another, a network made on one used on another, lists and paging across clouds."""
import concurrent.futures
import filecmp
import json
import os

from flows import expect


def zones(ctx):
    ctx.rec.flow = "zones"
    for i in range(len(ctx.agents)):
        ctx.cli(i, "availability", "zone", "list", "--compute", "-f", "json",
                check=lambda rows: expect(sorted(r["Zone Name"] for r in rows) == ctx.clouds.regions
                                          and all(r["Zone Status"] == "available" for r in rows),
                                          f"zones {rows}, regions {ctx.clouds.regions}"))


def home_of(ctx, lister, marker_key, gid):
    """Regions whose real cloud holds the resource with this marker."""
    return [r for r in ctx.clouds.regions if any(gid in json.dumps(x) and marker_key in json.dumps(x)
                                                 for x in lister(r))]


def boots_elsewhere(ctx):
    """An image uploaded through agent A and a network made through agent A, booted through
    agent B on the cloudlets that do not hold them."""
    ctx.rec.flow = "cross-cloud boot"
    a, b = 0, ctx.other(0)
    image = ctx.cli(a, "image", "create", "--file", ctx.image_file, "--disk-format", "raw",
                    "--container-format", "bare", ctx.name("x-image"), "-f", "json")
    ctx.cleanup.append((a, ("image", "delete", image["id"])))
    net = ctx.cli(a, "network", "create", ctx.name("x-net"), "-f", "json")
    ctx.cleanup.append((a, ("network", "delete", net["id"])))
    ctx.cli(a, "subnet", "create", "--network", net["id"], "--subnet-range", "10.73.0.0/24",
            ctx.name("x-subnet"), "-f", "json")
    # The paging flow boots from these too, whether or not the boots below work.
    ctx.x_image, ctx.x_net = image["id"], net["id"]
    image_home = home_of(ctx, ctx.clouds.images, "fedstack_gid", image["id"])
    net_home = home_of(ctx, ctx.clouds.networks, "fedstack_gid", net["id"])
    ctx.rec.check("the image lives on exactly one cloud", len(image_home) == 1, f"on {image_home}")
    ctx.rec.check("the network lives on the creating agent's cloud", net_home == [ctx.agent_regions[a]],
                  f"on {net_home}, agent's region {ctx.agent_regions[a]}")
    targets = sorted({next(r for r in ctx.clouds.regions if r != image_home[0]),
                      next(r for r in ctx.clouds.regions if r != net_home[0])})
    servers = []
    for target in targets:
        server = ctx.cli(b, "server", "create", "--image", image["id"], "--flavor", ctx.settings.flavor,
                         "--network", net["id"], "--availability-zone", target, "--wait",
                         ctx.name("x-vm-" + target), "-f", "json",
                         name=f"boot on {target} through agent {b}",
                         check=lambda s: expect(s["status"] == "ACTIVE", f"status {s['status']}"))
        servers.append(server)
        ctx.cleanup.append((b, ("server", "delete", "--wait", server["id"])))
        ctx.cli(a, "server", "show", server["id"], "-f", "json", name=f"the server on {target} through agent {a}",
                check=lambda s, t=target: expect(
                    s["OS-EXT-AZ:availability_zone"] == t and image["id"] in json.dumps(s["image"])
                    and ctx.name("x-net") in json.dumps(s["addresses"]),
                    f"zone {s['OS-EXT-AZ:availability_zone']}, image {s['image']}, addresses {s['addresses']}"))
        # Through the agents a server has a global ID; its cloud knows it by its own.
        on_target = [s["name"] for s in ctx.clouds.servers(target)]
        ctx.rec.check(f"{target}'s Nova holds the server", server["name"] in on_target)
        if target != image_home[0]:
            copies = [i for i in ctx.clouds.images(target) if i.get("fedstack_copy_of") == image["id"]]
            ctx.rec.check(f"{target}'s Glance holds a copy of the image", len(copies) == 1, f"{len(copies)} copies")
        if target != net_home[0]:
            copies = [n for n in ctx.clouds.networks(target) if f"fedstack_copy_of={net['id']}" in n.get("tags", [])]
            ctx.rec.check(f"{target}'s Neutron holds a copy of the network", len(copies) == 1,
                          f"{len(copies)} copies")
    saved = os.path.join(ctx.settings.workdir, "x-saved.bin")
    ctx.cli(b, "image", "save", "--file", saved, image["id"], name=f"image save through agent {b}",
            check=lambda _: expect(filecmp.cmp(saved, ctx.image_file, shallow=False), "saved bytes differ"))
    ctx.cli(b, "image", "list", "-f", "json", name="image list shows the image once",
            check=lambda rows: expect([r["ID"] for r in rows].count(image["id"]) == 1, "not exactly once"))


def page(ctx, agent, token, path, collection, limit):
    """Follows the agent's next links from `path`; returns the items in order."""
    base = ctx.agents[agent]
    url, seen = base + path + ("&" if "?" in path else "?") + f"limit={limit}", []
    for _ in range(200):
        _, _, body = ctx.rec.http("GET", url, headers={"X-Auth-Token": token},
                                  name=f"page {collection} by {limit} through agent {agent}")
        seen += body[collection]
        if collection == "images":
            nxt = body.get("next")
            nxt = nxt and base + "/image" + nxt if nxt and not nxt.startswith("http") else nxt
        else:
            nxt = next((l["href"] for l in body.get(collection + "_links", []) if l["rel"] == "next"), None)
        if not nxt:
            return seen
        ctx.rec.check(f"{collection} next link points at agent {agent}", nxt.startswith(base), nxt)
        url = nxt
    raise AssertionError("paging did not end")


def lists_and_paging(ctx):
    """Servers, images and networks on both clouds, listed and paged through every agent."""
    ctx.rec.flow = "lists and paging"
    image, net = getattr(ctx, "x_image", None), getattr(ctx, "x_net", None)
    if not (image and net):
        ctx.rec.check("the cross-cloud flow made an image and a network to boot from", False,
                      "it failed before making them")
        return

    def boot(i):
        region = ctx.clouds.regions[i % len(ctx.clouds.regions)]
        agent = i % len(ctx.agents)
        s = ctx.cli(agent, "server", "create", "--image", image, "--flavor", ctx.settings.flavor,
                    "--network", net, "--availability-zone", region, "--wait", ctx.name(f"x-p-vm-{i}"),
                    "-f", "json", name=f"boot p-vm-{i} on {region}",
                    check=lambda s: expect(s["status"] == "ACTIVE", f"status {s['status']}"))
        ctx.cleanup.append((agent, ("server", "delete", "--wait", s["id"])))
        return s["id"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        booted = list(pool.map(boot, range(len(ctx.clouds.regions))))
    extra = ctx.cli(ctx.other(0), "network", "create", ctx.name("p-net"), "-f", "json")
    ctx.cleanup.append((0, ("network", "delete", extra["id"])))
    prefix = ctx.name("x-")   # this group's servers: the compute flow runs beside it
    # Compared by name: through the agents servers have global IDs, on their clouds their own.
    direct = set()
    for region in ctx.clouds.regions:
        direct |= {s["name"] for s in ctx.clouds.servers(region) if s["name"].startswith(prefix)}
    ctx.rec.check("the servers are spread over every cloud",
                  all(any(s["name"].startswith(prefix) for s in ctx.clouds.servers(r)) for r in ctx.clouds.regions))
    for agent in range(len(ctx.agents)):
        token, _ = ctx.token(agent)
        for path, collection, limit in (("/compute/v2.1/servers?name=" + prefix, "servers", 2),
                                        ("/image/v2/images?sort_key=name&sort_dir=asc", "images", 2),
                                        ("/network/v2.0/networks?sort_key=name&sort_dir=asc", "networks", 2)):
            items = page(ctx, agent, token, path, collection, limit)
            ids = [x["id"] for x in items]
            ctx.rec.check(f"{collection} paged through agent {agent}: none repeated", len(ids) == len(set(ids)),
                          f"{len(ids) - len(set(ids))} repeats")
            if collection == "servers":
                ctx.rec.check(f"servers paged through agent {agent}: every cloud's servers",
                              set(booted) <= set(ids) and direct == {x["name"] for x in items},
                              f"paged {sorted(x['name'] for x in items)}, on the clouds {sorted(direct)}")
            if collection == "images":
                ctx.rec.check(f"images paged through agent {agent}: the image once", ids.count(image) == 1)
            if collection == "networks":
                ctx.rec.check(f"networks paged through agent {agent}: both networks",
                              net in ids and extra["id"] in ids)
        ctx.cli(agent, "server", "list", "--name", prefix, "-f", "json", name=f"server list through agent {agent}",
                check=lambda rows: expect({r["Name"] for r in rows} == direct,
                                          f"{len(rows)} listed, {len(direct)} on the clouds"))
        ctx.cli(agent, "image", "list", "--limit", "2", "-f", "json",
                name=f"image list --limit 2 (the CLI follows next) through agent {agent}",
                check=lambda rows: expect([r["ID"] for r in rows].count(image) == 1, "the image not exactly once"))


def clean_up(ctx):
    ctx.rec.flow = "clean-up"
    for agent, args in reversed(ctx.cleanup):
        try:
            ctx.cli(agent, *args)
        except AssertionError:
            pass
    ctx.cleanup.clear()
    prefix = ctx.name("")
    for region in ctx.clouds.regions:
        left = ([s["name"] for s in ctx.clouds.servers(region) if s["name"].startswith(prefix)] +
                [i["name"] for i in ctx.clouds.images(region) if (i.get("name") or "").startswith(prefix)] +
                [n["name"] for n in ctx.clouds.networks(region) if n["name"].startswith(prefix)] +
                ([v["name"] for v in ctx.clouds.volumes(region) if (v.get("name") or "").startswith(prefix)]
                 if (region, "volumev3") in ctx.clouds.endpoints else []))
        ctx.rec.check(f"nothing of this run left on {region}", not left, f"left: {left}")
