#!/usr/bin/env python3
"""Debian's rally + python3-rally-openstack against a fedstack agent, beside the native load
generator on the same testbed: GlanceImages.create_image_and_boot_instances (one image, one
server per iteration), the same capped controllers as experiment.py, Rally's polling set to
the generator's interval and its pre-poll delays to 0 so both measure the same thing.

usage: rally_compare.py --out DIR [--times N] [--concurrency 2,8] [--loadgen BIN]
(FEDSTACK_BIN names the fedstack binary, as for the integration tests.)"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from experiment import MODEL, ROOT, Testbed, run_level  # noqa: E402
from thesis_tables import summarize  # noqa: E402

RALLY = "/usr/bin/rally"


def rally_conf(work, poll_s):
    # Debian's /etc/rally/rally.conf points at a database it cannot open (lab notes, §Rally).
    return f"""[database]
connection = sqlite:///{work}/rally.db
[openstack]
glance_image_create_prepoll_delay = 0
glance_image_create_poll_interval = {poll_s}
nova_server_boot_prepoll_delay = 0
nova_server_boot_poll_interval = {poll_s}
nova_server_delete_prepoll_delay = 0
nova_server_delete_poll_interval = {poll_s}
"""


def rally_task(image, times, concurrency):
    return {"GlanceImages.create_image_and_boot_instances": [{
        "args": {"image_location": image, "container_format": "bare", "disk_format": "raw",
                 "flavor": {"name": "m1.tiny"}, "number_instances": 1},
        "runner": {"type": "constant", "times": times, "concurrency": concurrency},
        "context": {"users": {"tenants": 1, "users_per_tenant": 1}},
    }]}


def iterations(report):
    """Per-iteration (create_image, boot, error) from `rally task report --json`."""
    out = []
    for task in report.get("tasks", []):
        for subtask in task.get("subtasks", []):
            for workload in subtask.get("workloads", []):
                for it in workload.get("data", []):
                    times = {a["name"]: a["finished_at"] - a["started_at"]
                             for a in it.get("atomic_actions", []) if a.get("finished_at")}
                    out.append((times.get("glance_v2.create_image"), times.get("nova.boot_servers"),
                                it.get("error") or []))
    return out


def run(cmd, env, log):
    log.write(f"$ {' '.join(cmd)}\n")
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    log.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}); see the log")
    return result.stdout


def row(tool, c, create, boot, total, done, n):
    return (f"| {c} | {tool} | " + " | ".join(f"{x['mean']:.3f} ± {x['margin']:.3f}" for x in (create, boot, total))
            + f" | {done} of {n} |\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--times", type=int, default=8, help="iterations per user")
    parser.add_argument("--concurrency", default="2,8", help="comma-separated")
    parser.add_argument("--loadgen", default=os.path.join(ROOT, "build", "bench", "bench_thesis_loadgen"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="fedstack-rally-")
    poll_s = MODEL["poll_ms"] / 1000
    levels = [int(c) for c in args.concurrency.split(",")]
    bed = Testbed("p2p", 2, 1)
    log = open(os.path.join(args.out, "rally.log"), "w")
    text = (f"Concurrency c, {args.times} x c iterations each, through agent 1 of a testbed with 2 "
            f"cloudlets; controllers capped as in experiment.py ({MODEL['max_concurrent']} x "
            f"{MODEL['latency_ms']} ms); polling every {poll_s} s, no pre-poll delays. Times in "
            "seconds, mean ± 95% margin.\n\n"
            "| c | tool | create image | boot | total | completed |\n|---|---|---|---|---|---|\n")
    all_ok = True
    try:
        agent = bed.fed.agents[0]
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({"OS_AUTH_URL": agent["url"] + "/v3", "OS_IDENTITY_API_VERSION": "3",
                    "OS_USERNAME": "admin", "OS_PASSWORD": "secret", "OS_PROJECT_NAME": "admin",
                    "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
                    "OS_REGION_NAME": agent["region"], "OS_INTERFACE": "public"})
        conf = os.path.join(work, "rally.conf")
        with open(conf, "w") as f:
            f.write(rally_conf(work, poll_s))
        image = os.path.join(work, "empty.img")   # the thesis booted an empty image file
        open(image, "w").close()
        rally = [RALLY, "--config-file", conf]
        run([*rally, "db", "create"], env, log)
        run([*rally, "deployment", "create", "--fromenv", "--name", "fedstack"], env, log)
        bed.auth = bed.auth[:1]   # every native user on agent 1, as Rally's
        for c in levels:
            n = args.times * c
            native = run_level(bed, args.loadgen, c, n, f"native_c{c}", args.out)
            if "error" in native:
                all_ok = False
                text += f"| {c} | native | run failed | | | |\n"
            else:
                text += row("native", c, native["create_image"], native["boot"], native["total"],
                            native["completed"], n)
            task = os.path.join(work, f"task_c{c}.json")
            with open(task, "w") as f:
                json.dump(rally_task(image, n, c), f, indent=1)
            run([*rally, "task", "start", task, "--deployment", "fedstack"], env, log)
            report_file = os.path.join(args.out, f"rally_report_c{c}.json")
            run([*rally, "task", "report", "--json", "--out", report_file], env, log)
            with open(report_file) as f:
                its = iterations(json.load(f))
            good = [r for r in its if not r[2] and r[0] is not None and r[1] is not None]
            all_ok = all_ok and len(good) == len(its) == n
            text += row("rally", c, summarize([r[0] for r in good]), summarize([r[1] for r in good]),
                        summarize([r[0] + r[1] for r in good]), len(good), len(its))
            errors = [r[2] for r in its if r[2]]
            if errors:
                text += f"\nRally's errors at c={c}: {errors[:3]}\n\n"
    finally:
        bed.close()
        log.close()
    with open(os.path.join(args.out, "rally.md"), "w") as f:
        f.write(text)
    print(text)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
