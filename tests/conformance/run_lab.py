#!/usr/bin/env python3
"""One command: the OpenStack lab, one fedstack agent per cloudlet, the conformance suite and
Rally (through the agents and directly against one cloudlet); prints the summary.

  tests/conformance/run-lab.sh [--cloudlets N] [--rally both|agent|none] [--sim] [--lab-running]
  tests/conformance/run-lab.sh --lab-running --serve --workdir D   # only the agents, until SIGTERM

The lab is the tool in OSLAB_DIR (default ../shared/lab/openstack next to the repository):
its up.sh installs Debian's OpenStack Zed and brings up one Keystone and N cloudlets on
127.0.0.1, or leaves what already runs. `--sim` uses `fedstack sim` instead (no lab needed).
The agents log in as a service user `fedstack` with the admin role in project `service`
(created if missing). Agents stop at the end; the lab keeps running (its down.sh stops it).
"""
import argparse
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

import conformance  # noqa: E402
import rally_run  # noqa: E402
from harness import FEDSTACK, Process, node_tls_args  # noqa: E402
from record import format_summary  # noqa: E402
from settings import Settings  # noqa: E402

OSLAB_DIR = os.environ.get("OSLAB_DIR") or os.path.join(REPO, "..", "shared", "lab", "openstack")
SERVICE_USER, SERVICE_PASSWORD = "fedstack", os.environ.get("FEDSTACK_SERVICE_PASSWORD", "fedstack-lab")


def read_openrc(path):
    from settings import read_file
    return read_file(path)


def lab_up(n, workdir, start=True):
    log = os.path.join(workdir, "lab-up.log")
    if start:
        print(f"==> lab: {OSLAB_DIR}/up.sh {n} (log {log})", flush=True)
        with open(log, "w") as f:
            code = subprocess.run([os.path.join(OSLAB_DIR, "up.sh"), str(n)], stdout=f,
                                  stderr=subprocess.STDOUT).returncode
        if code != 0:
            raise SystemExit(f"up.sh failed ({code}); see {log}")
    admin = read_openrc("/etc/oslab/openrc.admin")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(admin)
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
    regions = region_names(n)
    missing = [r for r in regions if not os.path.exists(f"/etc/oslab/openrc.{r}")]
    if missing:
        raise SystemExit(f"up.sh wrote no openrc for {missing}")
    # The agents' service user: reads hypervisor statistics, creates flavors, sweeps (docs/deploying.md).
    for args in (["user", "create", "--domain", "Default", "--password", SERVICE_PASSWORD, "--or-show", SERVICE_USER],
                 ["role", "add", "--project", "service", "--user", SERVICE_USER, "admin"]):
        subprocess.run(["openstack", *args], env=env, check=True, capture_output=True)
    return admin, regions


def region_names(n):
    names = ["RegionOne", "RegionTwo", "RegionThree", "RegionFour", "RegionFive", "RegionSix",
             "RegionSeven", "RegionEight", "RegionNine"]
    return [names[k] if k < len(names) else f"Region{k + 1}" for k in range(n)]


def sim_up(n, workdir, processes):
    p = Process([FEDSTACK, "sim", "--cloudlets", str(n), "--data-dir", os.path.join(workdir, "sim")],
                os.path.join(workdir, "sim.log"))
    processes.append(p)
    endpoints = p.read_json()
    admin = {"OS_AUTH_URL": endpoints["keystone_url"] + "/v3", "OS_USERNAME": "admin", "OS_PASSWORD": "secret",
             "OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default"}
    return admin, [c["region"] for c in endpoints["cloudlets"]], ("admin", "secret", "admin")


def start_agents(admin, regions, service, workdir, processes, extra=None):
    """`extra`: {agent number (1-based): more options for that agent}."""
    agents = []
    for i, region in enumerate(regions, 1):
        join = ("--join", agents[-1]["node"]) if agents else ()
        p = Process([FEDSTACK, "agent", "--port", "0", "--node-port", "0", "--keystone-url", admin["OS_AUTH_URL"],
                     "--region", region, "--service-user", service[0], "--service-password", service[1],
                     "--service-project", service[2], "--data-dir", os.path.join(workdir, f"agent-{i}"),
                     "--shuffle-period-ms", "5000", "--capacity-period-ms", "1000",
                     # A loaded lab's Keystone takes seconds to validate each new token, and
                     # every cloud does that on a client's first call: more than the 5 s default.
                     "--list-deadline-ms", "60000", "--upstream-timeout-ms", "120000",
                     *node_tls_args(region, f"agent-{i}"), *join, *(extra or {}).get(i, ())],
                    os.path.join(workdir, f"agent-{i}.log"))
        processes.append(p)
        ready = p.read_json(timeout=120)
        print(f"    agent {i}: {ready['url']} for {region}, node {ready['node']}", flush=True)
        agents.append(ready)
    # Wait for gossip: each agent has read its own cloudlet, and together they know every one.
    # (Two agents pass the CYCLON link back and forth, so each knows the other only part of
    # the time; docs/membership.md.)
    deadline = time.monotonic() + 120
    while True:
        known = [known_regions(a["node"]) for a in agents]
        if all(region in k for k, region in zip(known, regions)) and set().union(*known) == set(regions):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"the agents never learnt every cloudlet's capacity: {known}")
    return agents


def known_regions(node):
    result = subprocess.run([FEDSTACK, "capacity", "--node", node, "--json", "--timeout-ms", "2000"],
                            capture_output=True, text=True, timeout=30)
    return {r["region"] for r in json.loads(result.stdout)["reports"]} if result.returncode == 0 else set()


def main():
    # SIGTERM unwinds like Ctrl-C, so the agents started here are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cloudlets", type=int, default=2)
    parser.add_argument("--sim", action="store_true", help="fedstack sim instead of the real lab")
    parser.add_argument("--lab-running", action="store_true", help="do not run up.sh: the lab is up")
    parser.add_argument("--rally", choices=("both", "agent", "none"), default="both",
                        help="Rally through agent 1, and directly against the first cloudlet")
    parser.add_argument("--rally-times", type=int, default=4)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--serve", action="store_true",
                        help="start the agents, write WORKDIR/conformance.env and keep them up until SIGTERM "
                             "(for conformance.py, rally_run.py or tempest_run.py run by hand)")
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="fedstack-lab-run-")
    os.makedirs(workdir, exist_ok=True)
    processes = []
    try:
        if args.sim:
            admin, regions, service = sim_up(args.cloudlets, workdir, processes)
        else:
            admin, regions = lab_up(args.cloudlets, workdir, start=not args.lab_running)
            service = (SERVICE_USER, SERVICE_PASSWORD, "service")
        print(f"==> agents for {', '.join(regions)}", flush=True)
        agents = start_agents(admin, regions, service, workdir, processes)
        values = dict(admin, FEDSTACK_AGENTS=",".join(a["url"] for a in agents), CONFORMANCE_WORKDIR=workdir)
        config = os.path.join(workdir, "conformance.env")
        with open(config, "w") as f:
            f.writelines(f"{k}={v}\n" for k, v in values.items())
        if args.serve:
            print(f"==> agents up: {values['FEDSTACK_AGENTS']}; settings in {config}; SIGTERM stops them",
                  flush=True)
            signal.pause()   # SIGTERM unwinds (the handler above), SIGINT too: the agents stop
            return 0
        settings = Settings(config, environ={k: v for k, v in os.environ.items() if k.startswith("CONFORMANCE_")})
        print(f"==> conformance suite (settings in {config})", flush=True)
        # Rally runs beside the suite: the machine's CPU is shared per process, and a quiet
        # moment for either never comes on a shared box.
        rally_targets = {"both": [("agent", agents[0]["url"] + "/v3"), ("cloud-" + regions[0], admin["OS_AUTH_URL"])],
                         "agent": [("agent", agents[0]["url"] + "/v3")], "none": []}[args.rally]
        with concurrent.futures.ThreadPoolExecutor(max_workers=1 + len(rally_targets)) as pool:
            rallies = [(name, url, pool.submit(rally_run.run_task, settings, name, url, regions[0],
                                               times=args.rally_times)) for name, url in rally_targets]
            for name, url in rally_targets:
                print(f"==> rally against {name} ({url}), in {workdir}/rally-{name}", flush=True)
            summary = conformance.run(settings)
            text = format_summary(summary)
            rally_results = [(name, url, f.result()) for name, url, f in rallies]
        for name, url, r in rally_results:
            text += (f"\n\nRally GlanceImages.create_image_and_boot_instances against {name} ({url}): task {r['uuid']}, "
                     f"{r['errors']} error(s), load duration {r['load']} s, full duration {r['full']} s, "
                     f"report {r['report']}\n{r['table']}")
        print(text)
        with open(os.path.join(workdir, "summary.md"), "w") as f:
            f.write(text + "\n")
        with open(os.path.join(workdir, "summary.json"), "w") as f:
            json.dump({"suite": summary, "rally": [(n, u, r) for n, u, r in rally_results]}, f, indent=1)
        print(f"\nsummary: {workdir}/summary.md", flush=True)
        failed = bool(summary["failures"]) or any(r["errors"] != 0 for _, _, r in rally_results)
        return 1 if failed else 0
    finally:
        for p in reversed(processes):
            p.stop()


if __name__ == "__main__":
    sys.exit(main())
