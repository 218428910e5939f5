#!/usr/bin/env python3
"""Image streaming: uploads and downloads one image of SIZE through the agent
and directly to the simulated cloudlet, with curl; prints the throughputs, the
agent/direct ratios and the agent's peak RSS (VmHWM: its whole life, start-up
included).

    bench/image_stream.py [--quick] OUTDIR      (1 GiB; quick: 64 MiB)

Direct and agent alternate (direct, agent, direct, agent) so that both see the
same machine load; each figure is the mean of its two runs. Writes
OUTDIR/stream.md."""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.path.insert(0, HERE)
from harness import Federation, http, token  # noqa: E402
from figures import machine_line, write_table  # noqa: E402

MIB = 1024 * 1024


def create(base, tok):
    status, _, body = http("POST", base + "/v2/images", {"name": "stream", "disk_format": "raw",
                                                         "container_format": "bare"},
                           headers={"X-Auth-Token": tok})
    assert status == 201, (status, body)
    return json.loads(body)["id"]


def curl(args, stdin=None):
    """curl's -w figures of one transfer; fails on an HTTP error."""
    out = subprocess.run(["curl", "-sS", "--fail", "-o", "/dev/null", *args], stdin=stdin,
                         capture_output=True, text=True, check=True, timeout=3600).stdout
    return out.split()


def transfer(base, tok, size):
    """(upload MiB/s, download MiB/s, bytes downloaded) of one image of `size` bytes."""
    image = create(base, tok)
    url = f"{base}/v2/images/{image}/file"
    auth = ["-H", f"X-Auth-Token: {tok}"]
    source = subprocess.Popen(["head", "-c", str(size), "/dev/zero"], stdout=subprocess.PIPE)
    up, = curl(["-w", "%{speed_upload}", "-T", "-", *auth,
                "-H", "Content-Type: application/octet-stream", url], stdin=source.stdout)
    source.stdout.close()
    source.wait()
    down, got = curl(["-w", "%{speed_download} %{size_download}", *auth, url])
    status, _, _ = http("DELETE", f"{base}/v2/images/{image}", headers={"X-Auth-Token": tok})
    assert status == 204, status
    return float(up) / MIB, float(down) / MIB, int(got)


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("outdir")
    args = parser.parse_args()
    size = 64 * MIB if args.quick else 1024 * MIB
    os.makedirs(args.outdir, exist_ok=True)
    command = "bench/image_stream.py " + ("--quick " if args.quick else "") + "OUTDIR"

    fed = Federation(cloudlets=1, build_delay_ms=0, agent_args=("--log-level", "warn"))
    try:
        agent = fed.agents[0]
        tok, _ = token(agent["url"])
        bases = {"direct": fed.endpoints["cloudlets"][0]["image_url"].rstrip("/"),
                 "agent": agent["url"] + "/image"}
        pid = agent["process"].proc.pid
        idle_kib = peak_rss_kib(pid)
        runs = {"direct": [], "agent": []}
        for _ in range(2):
            for target in ("direct", "agent"):
                up, down, got = transfer(bases[target], tok, size)
                assert got == size, (target, got, size)
                runs[target].append((up, down))
                print(f"{target:6} upload {up:8.1f} MiB/s  download {down:8.1f} MiB/s", flush=True)
        peak_kib = peak_rss_kib(pid)
    finally:
        fed.close()

    mean = {t: [sum(r[i] for r in runs[t]) / len(runs[t]) for i in (0, 1)] for t in runs}
    rows = []
    for i, name in enumerate(("upload", "download")):
        d, a = mean["direct"][i], mean["agent"][i]
        rows.append([name, f"{d:.0f}", f"{a:.0f}", f"{a / d:.2f}"])
    lines = [f"Command: `{command}`; one image of {size // MIB} MiB, each direction twice "
             f"(direct and agent alternating), means shown; {machine_line()}.", ""]
    lines += write_table(["transfer", "direct MiB/s", "agent MiB/s", "agent/direct"], rows)
    worst = min(mean["agent"][i] / mean["direct"][i] for i in (0, 1))
    lines += ["", f"Agent peak RSS (VmHWM): {peak_kib / 1024:.1f} MiB (after start-up: "
                  f"{idle_kib / 1024:.1f} MiB); target ≤ 64 MiB, "
                  f"{'met' if peak_kib <= 64 * 1024 else 'missed'}. "
                  f"Throughput ratio target ≥ 0.8: lowest {worst:.2f}, "
                  f"{'met' if worst >= 0.8 else 'missed'}.", ""]
    with open(os.path.join(args.outdir, "stream.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
