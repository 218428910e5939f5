#!/usr/bin/env python3
"""OpenStack's own test suite, Tempest (Debian's `tempest` package), run with the same selection
directly against a cloud and through a fedstack agent in front of the same clouds; prints the
table and every test that passes directly but fails through the agent, with its cause.

  tests/conformance/tempest_run.py [--cloudlets N] [--lab-running | --sim] [--agent K] [--pin-servers]
                                   [--targets direct,agent] [--selection NAME | --regex R] [--workdir D]

The clouds are the real lab (OSLAB_DIR's up.sh, as run_lab.py does) or `fedstack sim`. Each
target gets its own Tempest workspace and a tempest.conf written here (never by hand): the
admin's credentials, dynamic credentials, the target's own image and flavor IDs, and the
feature flags of the lab's fake compute driver (docs/conformance.md, "Tempest").
Direct runs go to the region of agent K's cloudlet; agent runs to agent K (default 1).
--pin-servers sends agent K's boots to the next cloudlet (agent 2 of 2: RegionOne) with what the
agent offers: its scheduler stacks (`--server-weighers ram:-1.0`, the cloudlet with less free RAM
wins) and a ballast server booted directly on that cloudlet makes it the fuller one. Afterwards
the agent's decision ring says where its boots went.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run_lab  # noqa: E402

# The API tests of identity v3 tokens, image v2, network and compute that the lab can serve
# (docs/conformance.md explains each part). Volumes, object storage and scenario tests are out.
SELECTION = (r"^tempest\.api\.("
             r"identity\.v3\.test_tokens"
             r"|image\.v2\."
             r"|network\.test_(networks|ports|security_groups|routers|floating_ips|tags|extensions|versions)"
             r"|compute\.(servers|flavors|keypairs|limits|test_versions)\.?"
             r")")

# Block Storage (issue 19), for a lab with lab_cinder.sh's Cinder: volumes, snapshots, backups,
# attachments (through Nova), types, limits, quotas, zones and versions. Left out to keep a run
# within an hour on the shared lab machine: transfers, clones, cascade deletes, image metadata,
# QoS, groups, retype, manage, services, hosts, user messages, multi-backend.
VOLUME_SELECTION = (r"^tempest\.api\.volume\.("
                    r"test_volumes_(get|list|negative|extend|actions|snapshots|snapshots_list|snapshots_negative"
                    r"|backup)"
                    r"|test_volume_(metadata|absolute_limits)|test_snapshot_metadata"
                    r"|test_availability_zone|test_versions|test_extensions"
                    r"|admin\.test_(volume_types|volume_types_negative|volume_quotas|volume_quotas_negative"
                    r"|volumes_actions|snapshots_actions|volumes_backup|volume_pools)"
                    r")\.")

# A bounded compute part (issue 18's table): servers, flavors, keypairs, limits, versions.
COMPUTE_SELECTION = r"^tempest\.api\.compute\.(servers|flavors|keypairs|limits|test_versions)\.?"

SELECTIONS = {"default": SELECTION, "volume": VOLUME_SELECTION, "volume-all": r"^tempest\.api\.volume\.",
              "compute": COMPUTE_SELECTION}

IMAGE_BYTES = 1024 * 1024


def openstack(env, *args):
    result = subprocess.run(["openstack", *args], env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"openstack {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return json.loads(result.stdout) if "-f" in args and result.stdout.strip() else result.stdout


def target_env(admin, auth_url, region):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(admin)
    env.update({"OS_AUTH_URL": auth_url, "OS_REGION_NAME": region, "OS_IDENTITY_API_VERSION": "3",
                "OS_INTERFACE": "public", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    return env


def fixtures(env, workdir, name):
    """The public images and the flavors Tempest boots, as this target names them."""
    path = os.path.join(workdir, "tempest-image.raw")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(os.urandom(IMAGE_BYTES))
    images = []
    for suffix in ("", "-alt"):
        image = openstack(env, "image", "create", "--public", "--disk-format", "raw", "--container-format", "bare",
                          "--file", path, f"tempest-{name}{suffix}", "-f", "json")
        images.append(image["id"])
    flavors = {f["Name"]: f["ID"] for f in openstack(env, "flavor", "list", "--all", "-f", "json")}
    pick = [n for n in ("m1.nano", "m1.tiny", "m1.small") if n in flavors]
    if len(pick) < 2:
        raise SystemExit(f"{name}: need two of m1.nano, m1.tiny, m1.small; the cloud has {sorted(flavors)}")
    return images, [flavors[pick[0]], flavors[pick[1]]]


def boot_ballast(admin, region, workdir):
    """Boots m1.small directly on `region` so that its free RAM is the lowest: an agent whose
    scheduler stacks (ram:-1.0) then sends its boots there. Returns the clean-up."""
    env = target_env(admin, admin["OS_AUTH_URL"], region)
    path = os.path.join(workdir, "ballast.raw")
    with open(path, "wb") as f:
        f.write(os.urandom(IMAGE_BYTES))
    image = openstack(env, "image", "create", "--disk-format", "raw", "--container-format", "bare", "--file", path,
                      "fedstack-tempest-ballast", "-f", "json")["id"]
    server = openstack(env, "--os-compute-api-version", "2.37", "server", "create", "--flavor", "m1.small",
                       "--image", image, "--nic", "none", "--wait", "fedstack-tempest-ballast", "-f", "json")["id"]
    print(f"    ballast server {server} (m1.small) on {region}", flush=True)

    def clean_up():
        subprocess.run(["openstack", "server", "delete", "--wait", server], env=env, capture_output=True, timeout=300)
        subprocess.run(["openstack", "image", "delete", image], env=env, capture_output=True, timeout=300)
    return clean_up


def boots_by_cloudlet(node):
    """Where the agent at `node` placed its server boots, from its decision ring (the last 100)."""
    result = subprocess.run([run_lab.FEDSTACK, "decisions", "--node", node, "--json"], capture_output=True,
                            text=True, timeout=60)
    if result.returncode != 0:
        return f"the agent's decisions could not be read: {result.stderr.strip()}"
    places = {}
    for d in json.loads(result.stdout):
        if d["summary"].startswith("server"):
            places[d.get("winner") or "nowhere"] = places.get(d.get("winner") or "nowhere", 0) + 1
    return f"server boots through the agent by cloudlet (its last 100 decisions): {places}"


def write_conf(path, admin, auth_url, region, images, flavors, logdir, cinder=False):
    """tempest.conf for one target. The flags follow what the lab's services can do; `cinder`:
    the clouds have lab_cinder.sh's Block Storage (NFS driver on a directory, POSIX backups)."""
    conf = f"""[DEFAULT]
log_dir = {logdir}
log_file = tempest.log

[service-clients]
# Tempest's default 60 s read timeout is shorter than a boot takes on a shared lab machine
# whose Keystone needs 10-45 s per token validation (docs/conformance.md); the same for both targets.
http_timeout = 180

[auth]
admin_username = {admin["OS_USERNAME"]}
admin_password = {admin["OS_PASSWORD"]}
admin_project_name = {admin["OS_PROJECT_NAME"]}
admin_domain_name = Default
use_dynamic_credentials = true
create_isolated_networks = true

[identity]
uri_v3 = {auth_url}
auth_version = v3
region = {region}
v3_endpoint_type = public

[identity-feature-enabled]
security_compliance = false
application_credentials = true

[compute]
region = {region}
image_ref = {images[0]}
image_ref_alt = {images[1]}
flavor_ref = {flavors[0]}
flavor_ref_alt = {flavors[1]}
# Tempest then checks the microversion headers on every compute answer.
min_microversion = 2.1
max_microversion = latest
build_timeout = 120

[compute-feature-enabled]
# Without it the writable server-metadata tests skip.
xenapi_apis = true
# The fake driver uploads no snapshot data.
snapshot = false
shelve = false
# One compute host per cloudlet and Nova's allow_resize_to_same_host off: resizes fail directly.
resize = false
cold_migration = false
live_migration = false
console_output = true
rescue = true
pause = true
suspend = true
interface_attach = false
vnc_console = false
spice_console = false
serial_console = false
change_password = false
personality = false
attach_encrypted_volume = false
config_drive = false

[image]
region = {region}

[image-feature-enabled]
api_v2 = true
import_image = false
os_glance_reserved = false

[network]
region = {region}
project_networks_reachable = false

[network-feature-enabled]
ipv6 = false
api_extensions = all
floating_ips = false

[service_available]
glance = true
nova = true
neutron = true
cinder = {str(cinder).lower()}
swift = false
heat = false
horizon = false
placement = true

[validation]
run_validation = false

[volume]
region = {region}
catalog_type = volumev3
# Zed's Cinder serves 3.0 to 3.70.
min_microversion = 3.0
max_microversion = 3.70
build_timeout = 300
volume_size = 1
storage_protocol = nfs
vendor_name = Open Source

[volume-feature-enabled]
backup = {str(cinder).lower()}
snapshot = {str(cinder).lower()}
clone = {str(cinder).lower()}
multi_backend = false
manage_volume = false
manage_snapshot = false
# The fake virt driver cannot extend an attached volume.
extend_attached_volume = false
"""
    with open(path, "w") as f:
        f.write(conf)


def run_tempest(workspace, regex, concurrency, logfile):
    """Runs the selection in `workspace`; returns {test id: (status, first line of the cause)}."""
    with open(logfile, "w") as log:
        subprocess.run(["tempest", "run", "--regex", regex, "--concurrency", str(concurrency)],
                       cwd=workspace, stdout=log, stderr=subprocess.STDOUT, timeout=6 * 3600)
    stream = subprocess.run(["stestr", "last", "--subunit"], cwd=workspace, capture_output=True, timeout=600)
    # Debian's python has subunit and testtools (tempest's own dependencies); another python3 may not.
    parsed = subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), "--parse-subunit"], input=stream.stdout,
                            capture_output=True, check=True, timeout=600)
    return {t: tuple(v) for t, v in json.loads(parsed.stdout).items()}


def parse_subunit(data):
    """{test id: (status, last line of its traceback or skip reason)} from a subunit v2 stream."""
    import io
    import subunit
    import testtools
    results = {}

    def collect(test):
        test_id = re.sub(r"\[.*\]$", "", test["id"])
        cause = ""
        for key in ("traceback", "reason"):
            if key in test["details"]:
                text = test["details"][key].as_text().strip().splitlines()
                cause = next((line for line in reversed(text) if line.strip()), "")
                break
        results[test_id] = (test["status"], cause)

    case = subunit.ByteStreamToStreamResult(io.BytesIO(data), non_subunit_name="stdout")
    sink = testtools.StreamToDict(collect)
    sink.startTestRun()
    case.run(sink)
    sink.stopTestRun()
    return results


def counts(results):
    out = {}
    for status, _ in results.values():
        out[status] = out.get(status, 0) + 1
    return out


def report(runs):
    names = list(runs)
    lines = ["| target | passed | failed | skipped | total |", "|---|---|---|---|---|"]
    for name in names:
        c = counts(runs[name])
        lines.append(f"| {name} | {c.get('success', 0)} | {c.get('fail', 0)} | {c.get('skip', 0)} "
                     f"| {len(runs[name])} |")
    if "direct" in runs and len(names) > 1:
        direct = runs["direct"]
        for name in names[1:]:
            other = runs[name]
            lost = sorted(t for t, (s, _) in direct.items() if s == "success" and other.get(t, ("missing",))[0] != "success")
            won = sorted(t for t, (s, _) in other.items() if s == "success" and direct.get(t, ("missing",))[0] != "success")
            lines.append(f"\n{len(lost)} pass directly and fail through {name}; {len(won)} the other way.")
            for t in lost:
                status, cause = other.get(t, ("missing", "not run"))
                lines.append(f"- {t}: {status}: {cause[:300]}")
            for t in won:
                lines.append(f"- (the other way) {t}")
    return "\n".join(lines)


def main():
    if sys.argv[1:] == ["--parse-subunit"]:
        json.dump(parse_subunit(sys.stdin.buffer.read()), sys.stdout)
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cloudlets", type=int, default=1)
    parser.add_argument("--sim", action="store_true", help="fedstack sim instead of the real lab")
    parser.add_argument("--lab-running", action="store_true", help="do not run up.sh: the lab is up")
    parser.add_argument("--agent", type=int, default=1, help="which agent (1-based) the agent run goes through")
    parser.add_argument("--targets", default="direct,agent")
    parser.add_argument("--selection", choices=sorted(SELECTIONS), default="default",
                        help="a named test selection (volume ones need lab_cinder.sh's Cinder on every cloudlet)")
    parser.add_argument("--regex", default=None, help="a regex of test IDs instead of --selection")
    parser.add_argument("--pin-servers", action="store_true",
                        help="boots through agent K land on the next cloudlet: a stacking RAM weigher and a "
                             "ballast server there (lab only)")
    parser.add_argument("--agent-args", default="",
                        help="more options for the agent run's agent, e.g. \"--server-weighers ram:-1.0\"")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    if shutil.which("tempest") is None:
        raise SystemExit("tempest is not installed: apt-get install tempest")
    regex = args.regex or SELECTIONS[args.selection]
    cinder = args.selection.startswith("volume") or "tempest.api.volume" in regex.replace("\\", "")
    workdir = args.workdir or tempfile.mkdtemp(prefix="fedstack-tempest-")
    os.makedirs(workdir, exist_ok=True)
    processes = []
    ballast = None
    try:
        if args.sim:
            admin, regions, service = run_lab.sim_up(args.cloudlets, workdir, processes)
        else:
            admin, regions = run_lab.lab_up(args.cloudlets, workdir, start=not args.lab_running)
            service = (run_lab.SERVICE_USER, run_lab.SERVICE_PASSWORD, "service")
        targets = args.targets.split(",")
        region = regions[args.agent - 1]
        extra = {args.agent: tuple(args.agent_args.split())}
        if args.pin_servers:
            if len(regions) < 2 or args.sim:
                raise SystemExit("--pin-servers needs the lab with --cloudlets 2 or more")
            extra[args.agent] += ("--server-weighers", "ram:-1.0")
            ballast = boot_ballast(admin, regions[args.agent % len(regions)], workdir)
        agents = run_lab.start_agents(admin, regions, service, workdir, processes, extra) if "agent" in targets else []
        urls = {"direct": admin["OS_AUTH_URL"]}
        if agents:
            urls["agent"] = agents[args.agent - 1]["url"] + "/v3"
        runs = {}
        for name in targets:
            workspace = os.path.join(workdir, name)
            if not os.path.exists(workspace):
                # A workspace file of its own: Tempest's ~/.tempest registry refuses a reused name.
                subprocess.run(["tempest", "init", "--name", name, "--workspace-path",
                                os.path.join(workdir, "workspaces.yaml"), workspace], check=True, capture_output=True)
            env = target_env(admin, urls[name], region)
            images, flavors = fixtures(env, workdir, name)
            write_conf(os.path.join(workspace, "etc", "tempest.conf"), admin, urls[name], region, images, flavors,
                       workspace, cinder=cinder)
            print(f"==> tempest against {name} ({urls[name]}, {region}) in {workspace}", flush=True)
            started = time.monotonic()
            runs[name] = run_tempest(workspace, regex, args.concurrency, os.path.join(workspace, "run.log"))
            print(f"    {name}: {counts(runs[name])} in {time.monotonic() - started:.0f} s", flush=True)
        text = report(runs)
        if args.pin_servers and agents:
            text += "\n\n" + boots_by_cloudlet(agents[args.agent - 1]["node"])
        print(text)
        with open(os.path.join(workdir, "tempest-summary.md"), "w") as f:
            f.write(text + "\n")
        with open(os.path.join(workdir, "tempest-results.json"), "w") as f:
            json.dump(runs, f, indent=1)
        print(f"\nsummary: {workdir}/tempest-summary.md", flush=True)
        return 0
    finally:
        for p in reversed(processes):
            p.stop()
        if ballast:
            ballast()


if __name__ == "__main__":
    sys.exit(main())
