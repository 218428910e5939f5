#!/usr/bin/env python3
"""Conformance suite: the real openstack CLI through fedstack agents in front of real clouds.

  tests/conformance/conformance.py [--config FILE] [--json OUT]

Endpoints and credentials come from the environment or FILE (settings.py lists the keys).
Prints each step as it runs, then the summary: the thesis tables' calls passed and failed
by API, and the steps of each flow. Exit status 0 when every step passed.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time
import traceback
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crosscloud  # noqa: E402
import flows  # noqa: E402
import volumes  # noqa: E402
from clouds import Clouds  # noqa: E402
from record import Recorder, StepFailed, format_summary, http  # noqa: E402
from settings import Settings  # noqa: E402


def agent_region(url, fallback):
    """The agent's own cloudlet, from its status document."""
    status, _, body = http("GET", url + "/fedstack/status.json")
    if status == 200:
        return json.loads(body)["node"]["region"]
    return fallback


def run(settings):
    clouds = Clouds(settings)
    rec = Recorder(settings.agents, settings.workdir)
    regions = [agent_region(url, clouds.regions[0]) for url in settings.agents]
    ctx = flows.Context(settings, clouds, rec, regions, uuid.uuid4().hex[:6])
    print(f"clouds: {', '.join(clouds.regions)}; agents: " +
          ", ".join(f"{u} ({r})" for u, r in zip(settings.agents, regions)) + f"; logs in {settings.workdir}")
    started = time.monotonic()
    # Three independent groups run side by side (each uses its own names); within a group
    # later flows use what earlier ones made.
    groups = [[flows.identity, flows.image, flows.network], [flows.compute], [crosscloud.zones]]
    if len(clouds.regions) > 1:
        groups[2] += [crosscloud.boots_elsewhere, crosscloud.lists_and_paging]
        groups.append([volumes.volumes])
    only = [n for n in settings.values.get("CONFORMANCE_FLOWS", "").split(",") if n]
    if only:
        groups = [[f for f in g if f.__name__ in only] for g in groups]

    def run_group(group):
        for flow in group:
            try:
                flow(ctx)
            except StepFailed:
                pass   # recorded; the next flow still runs
            except Exception as e:   # a fault of the suite itself: recorded, the summary still prints
                ctx.rec.check(f"{flow.__name__} ran to its end", False,
                              f"{type(e).__name__}: {e}\n{traceback.format_exc()}")

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(groups)) as pool:
            list(pool.map(run_group, groups))
    finally:
        crosscloud.clean_up(ctx)
    summary = rec.summary()
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["clouds"], summary["agents"] = clouds.regions, list(zip(settings.agents, regions))
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="KEY=VALUE file (the environment wins)")
    parser.add_argument("--json", help="write the summary as JSON here")
    args = parser.parse_args()
    settings = Settings(args.config)
    summary = run(settings)
    print(format_summary(summary))
    print(f"\n{summary['seconds']} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)
    return 0 if not summary["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
