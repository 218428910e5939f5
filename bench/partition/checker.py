"""The partition checker's verdict: what the clients were told against what the clouds and the
registries hold after the reconciliation window. Pure: no I/O, so that each count has a unit
test over small synthetic inputs (test_checker.py).

Inputs
- ops: every client operation, a dict with
    op       "create" or "delete"
    kind     "image", "network" or "server"
    name     unique per create (a delete carries the name of what it deletes)
    gid      the global ID the answer carried (create) or the one deleted (delete); None if unknown
    outcome  "ok" (2xx), "fail" (a definite 4xx: nothing done) or "unknown" (5xx, timeout, cut
             connection: the operation may or may not have taken effect)
- cloud: every resource on every cloud not in the baseline, a dict with
    region, kind, id (the cloud's own ID), name, gid (marker fedstack_gid or None),
    copy_of (marker fedstack_copy_of or None)
- resolves: {gid: bool} whether the global ID answers 200 under its own ID through every agent
"""
import collections

COUNTS = ("lost", "gone", "duplicates", "unexplained")


def maybe_deleted(ops):
    """Global IDs a client deleted or may have deleted (an answer it never got counts)."""
    return {o["gid"] for o in ops if o["op"] == "delete" and o["outcome"] in ("ok", "unknown") and o["gid"]}


def check(ops, cloud, resolves):
    """Returns ({count: number}, {count: [details]}); every number is 0 for a correct federation.

    lost         acknowledged creates, never deleted, whose global ID does not answer through
                 every agent (the client was told it exists; the federation cannot show it)
    gone         acknowledged creates, never deleted, with no primary resource on any cloud (the
                 resource itself was destroyed, whatever the registry says)
    duplicates   resources beyond the first made for one create (same kind and unique name, copies
                 for boots aside), acknowledged or not
    unexplained  cloud resources no registry explains: a primary whose global ID does not answer,
                 a copy whose original does not answer, or a resource with no marker at all
    """
    deleted = maybe_deleted(ops)
    acked = [o for o in ops if o["op"] == "create" and o["outcome"] == "ok" and o["gid"]]
    primaries = [r for r in cloud if not r.get("copy_of")]
    by_gid = collections.defaultdict(list)
    for r in primaries:
        if r.get("gid"):
            by_gid[r["gid"]].append(r)
    details = {name: [] for name in COUNTS}

    for o in acked:
        if o["gid"] in deleted:
            continue
        if not resolves.get(o["gid"], False):
            details["lost"].append(f"{o['kind']} {o['name']} {o['gid']}: acknowledged, does not answer")
        if not by_gid.get(o["gid"]):
            details["gone"].append(f"{o['kind']} {o['name']} {o['gid']}: acknowledged, on no cloud")

    created = {(o["kind"], o["name"]) for o in ops if o["op"] == "create"}
    by_name = collections.defaultdict(list)
    for r in primaries:
        if (r["kind"], r["name"]) in created:
            by_name[(r["kind"], r["name"])].append(r)
    for (kind, name), found in sorted(by_name.items()):
        for extra in found[1:]:
            where = ", ".join(f"{r['region']}/{r['id']}" for r in found)
            details["duplicates"].append(f"{kind} {name}: {len(found)} resources ({where}); extra {extra['id']}")

    for r in cloud:
        what = f"{r['kind']} {r['name']} {r['region']}/{r['id']}"
        if r.get("copy_of"):
            if not resolves.get(r["copy_of"], False):
                details["unexplained"].append(f"{what}: copy of {r['copy_of']}, which does not answer")
        elif r.get("gid"):
            if not resolves.get(r["gid"], False):
                details["unexplained"].append(f"{what}: marked {r['gid']}, which does not answer")
        else:
            details["unexplained"].append(f"{what}: no marker")

    return {name: len(details[name]) for name in COUNTS}, details
