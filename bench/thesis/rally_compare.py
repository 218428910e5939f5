#!/usr/bin/env python3
"""Debian's rally + python3-rally-openstack against a fedstack agent, beside the native load
generator on the same testbed: GlanceImages.create_image_and_boot_instances (one image, one
server per iteration), the same capped controllers as experiment.py, Rally's polling set to
the generator's interval and its pre-poll delays to 0 so both measure the same thing.

usage: rally_compare.py --out DIR [--times N] [--concurrency C] [--loadgen BIN]
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--times", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--loadgen", default=os.path.join(ROOT, "build", "bench", "bench_thesis_loadgen"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="fedstack-rally-")
    poll_s = MODEL["poll_ms"] / 1000
    bed = Testbed("p2p", 2, 1)
    log = open(os.path.join(args.out, "rally.log"), "w")
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
        task = os.path.join(work, "task.json")
        with open(task, "w") as f:
            json.dump(rally_task(image, args.times, args.concurrency), f, indent=1)
        rally = [RALLY, "--config-file", conf]

        # The native generator first, through the same agent, same concurrency and count.
        bed.auth = bed.auth[:1]
        native = run_level(bed, args.loadgen, args.concurrency, args.times, "native_vs_rally", args.out)

        run([*rally, "db", "create"], env, log)
        run([*rally, "deployment", "create", "--fromenv", "--name", "fedstack"], env, log)
        run([*rally, "task", "start", task, "--deployment", "fedstack"], env, log)
        report_file = os.path.join(args.out, "rally_report.json")
        run([*rally, "task", "report", "--json", "--out", report_file], env, log)
        with open(report_file) as f:
            rows = iterations(json.load(f))
    finally:
        bed.close()
        log.close()

    good = [r for r in rows if not r[2] and r[0] is not None and r[1] is not None]
    rally_create = summarize([r[0] for r in good])
    rally_boot = summarize([r[1] for r in good])
    rally_total = summarize([r[0] + r[1] for r in good])
    text = (f"Rally ({len(good)} of {len(rows)} iterations completed) and the native generator "
            f"({native.get('completed', 0)} of {args.times}), concurrency {args.concurrency}, through one "
            f"agent of a 2-cloudlet testbed; controllers capped as in experiment.py "
            f"({MODEL['max_concurrent']} x {MODEL['latency_ms']} ms), polling {poll_s} s.\n\n"
            "| | create image mean ± 95% (s) | boot mean ± 95% (s) | total mean ± 95% (s) | failed |\n"
            "|---|---|---|---|---|\n")
    if "error" not in native:
        text += ("| native | " + " | ".join(
            f"{native[k]['mean']:.3f} ± {native[k]['margin']:.3f}" for k in ("create_image", "boot", "total"))
            + f" | {native['failed']} |\n")
    text += ("| rally | " + " | ".join(f"{s['mean']:.3f} ± {s['margin']:.3f}"
                                      for s in (rally_create, rally_boot, rally_total))
             + f" | {len(rows) - len(good)} |\n")
    errors = [r[2] for r in rows if r[2]]
    if errors:
        text += f"\nRally's errors: {errors[:3]}\n"
    with open(os.path.join(args.out, "rally.md"), "w") as f:
        f.write(text)
    print(text)
    return 0 if len(good) == len(rows) and rows else 1


if __name__ == "__main__":
    sys.exit(main())
