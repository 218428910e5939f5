#!/usr/bin/env python3
"""A Rally task of tests/conformance/rally/ (by default GlanceImages.create_image_and_boot_instances,
the thesis' scenario, with the `users` context) against one OpenStack endpoint: an agent, or a
cloud directly.

  tests/conformance/rally_run.py [--config FILE] --target agent|cloud [--region R] [--task NAME]
                                 [--agent K] [--times N] [--concurrency N] [--flavor F]

Rally keeps its database in CONFORMANCE_WORKDIR/rally; its HTML report is written there.
Prints Rally's response-time table and the number of failed iterations.
"""
import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from settings import Settings  # noqa: E402

TASKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rally")
TASK = os.path.join(TASKS, "create_image_and_boot_instances.json")


def rally(conf, *args, env=None, check=True):
    result = subprocess.run(["rally", "--config-file", conf, *args], env=env, capture_output=True, text=True,
                            timeout=3600)
    if check and result.returncode != 0:
        raise RuntimeError(f"rally {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-2000:]}"
                           f"\n{result.stderr[-2000:]}")
    return result


def run_task(settings, name, auth_url, region, times=4, concurrency=2, task=TASK, flavor=None):
    """Runs the task as deployment `name`; returns {uuid, table, errors, report, log}."""
    workdir = os.path.join(settings.workdir, "rally-" + name)   # one database per run: they may run at once
    os.makedirs(workdir, exist_ok=True)
    conf = os.path.join(workdir, "rally.conf")
    if not os.path.exists(conf):
        with open(conf, "w") as f:
            f.write(f"[DEFAULT]\nlog_dir = {workdir}\nlog_file = rally.log\n"
                    f"[database]\nconnection = sqlite:///{workdir}/rally.db\n")
        rally(conf, "db", "create")
    image = os.path.join(workdir, "image-1m.img")
    if not os.path.exists(image):
        with open(image, "wb") as f:
            f.write(os.urandom(1024 * 1024))
    env = settings.env(auth_url, region)
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"   # Debian's python, which has rally
    existing = rally(conf, "deployment", "list", env=env).stdout
    if re.search(rf"\|\s*{re.escape(name)}\s*\|", existing):
        rally(conf, "deployment", "destroy", "--deployment", name, env=env)
    rally(conf, "deployment", "create", "--fromenv", "--name", name, env=env)
    # The image's name is the run's own: the `images` context's images are public, and Rally's
    # scenario refuses a name two runs at once both made ("Glance_Image with name ... is ambiguous").
    task_args = json.dumps({"image_location": image, "image_name": "rally-" + name, "flavor": flavor or settings.flavor,
                            "times": times, "concurrency": concurrency})
    started = rally(conf, "task", "start", "--deployment", name, task, "--task-args", task_args,
                    env=env, check=False)
    log = os.path.join(workdir, f"task-{name}.log")
    with open(log, "w") as f:
        f.write(started.stdout + "\n" + started.stderr)
    m = re.search(r"Task ([0-9a-f-]{36})", started.stdout)
    if not m:
        raise RuntimeError(f"rally task start printed no task ID; see {log}")
    uuid = m.group(1)
    report = os.path.join(workdir, f"report-{name}.html")
    rally(conf, "task", "report", "--uuid", uuid, "--out", report, env=env, check=False)
    detailed = rally(conf, "task", "detailed", "--uuid", uuid, env=env, check=False).stdout
    # A workload that never ran (an exception before its first iteration) still says "0 error(s)".
    aborted = re.search(r"Unexpected exception during the workload execution: (.*)", started.stdout + started.stderr)
    errors = error_count(started.stdout) if not aborted else f"aborted: {aborted.group(1)[:300]}"
    return {"uuid": uuid, "table": response_table(detailed), "errors": errors,
            "load": re.search(r"Load duration: ([\d.]+)", detailed).group(1) if "Load duration" in detailed else None,
            "full": re.search(r"Full duration: ([\d.]+)", detailed).group(1) if "Full duration" in detailed else None,
            "report": report, "log": log, "sla_ok": "FAIL" not in sla_block(detailed)}


def response_table(text):
    """Rally's 'Response Times (sec)' table from `rally task detailed`."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "Response Times" in line:
            table = []
            for l in lines[i + 1:]:
                if table and not l.strip():
                    break
                if l.startswith(("+", "|")):
                    table.append(l)
            return "\n".join(table)
    return ""


def sla_block(text):
    m = re.search(r"Task SLA.*?\n(.*?)\n\n", text, re.S)
    return m.group(1) if m else ""


def error_count(text):
    m = re.search(r"has (\d+) error", text)
    return int(m.group(1)) if m else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config")
    parser.add_argument("--target", choices=("agent", "cloud"), default="agent")
    parser.add_argument("--region", help="region for the client (default: the clouds' first)")
    parser.add_argument("--times", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--task", default="create_image_and_boot_instances",
                        help="a task file of tests/conformance/rally/, without .json")
    parser.add_argument("--agent", type=int, default=1, help="which agent of FEDSTACK_AGENTS (1-based)")
    parser.add_argument("--flavor", help="the task's flavor (default CONFORMANCE_FLAVOR)")
    args = parser.parse_args()
    settings = Settings(args.config)
    region = args.region or settings.values.get("OS_REGION_NAME") or "RegionOne"
    task = os.path.join(TASKS, args.task + ".json")
    if args.target == "agent":
        result = run_task(settings, f"agent{args.agent}-{args.task}", settings.agents[args.agent - 1] + "/v3", region,
                          args.times, args.concurrency, task, args.flavor)
    else:
        result = run_task(settings, f"cloud-{region}-{args.task}", settings.values["OS_AUTH_URL"], region,
                          args.times, args.concurrency, task, args.flavor)
    print(result["table"])
    print(f"errors: {result['errors']}, load {result['load']} s, full {result['full']} s, report {result['report']}")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
