#!/usr/bin/env python3
"""Image streaming: uploads and downloads one image of SIZE with curl, directly
to the simulated cloudlet, through nginx (the proxy benchmark's reverse proxy,
one worker, its default buffering), through the agent (downloads moved socket
to socket with splice(2)) and through a second agent started with
`--copy-downloads` (bytes through its buffers); prints the throughputs, the
ratios to direct and to nginx, and the agents' peak RSS (VmHWM: their whole
life, start-up included).

    bench/image_stream.py [--quick] OUTDIR      (1 GiB; quick: 64 MiB)

The targets alternate, round after round (two rounds), so that all see the
same machine load; each figure is the mean of its runs. Writes
OUTDIR/stream.md."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, "proxy"))
sys.path.insert(0, HERE)
from harness import Federation, http, token  # noqa: E402
from figures import cpu_seconds, machine_line, write_table  # noqa: E402
from overhead import Nginx  # noqa: E402

MIB = 1024 * 1024
TARGETS = ("direct", "nginx", "agent", "agent, copying")


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


def transfer(base, tok, size, pids):
    """Upload and download MiB/s of one image of `size` bytes, the CPU seconds
    `pids` (the proxy's processes) spent on each, and the bytes downloaded."""
    image = create(base, tok)
    url = f"{base}/v2/images/{image}/file"
    auth = ["-H", f"X-Auth-Token: {tok}"]
    source = subprocess.Popen(["head", "-c", str(size), "/dev/zero"], stdout=subprocess.PIPE)
    before = cpu_seconds(pids)
    up, = curl(["-w", "%{speed_upload}", "-T", "-", *auth,
                "-H", "Content-Type: application/octet-stream", url], stdin=source.stdout)
    source.stdout.close()
    source.wait()
    between = cpu_seconds(pids)
    down, got = curl(["-w", "%{speed_download} %{size_download}", *auth, url])
    after = cpu_seconds(pids)
    status, _, _ = http("DELETE", f"{base}/v2/images/{image}", headers={"X-Auth-Token": tok})
    assert status == 204, status
    return {"upload": float(up) / MIB, "download": float(down) / MIB, "bytes": int(got),
            "upload_cpu": between - before, "download_cpu": after - between}


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
    nginx = None
    try:
        agent = fed.agents[0]
        copying = fed.start_agent("cloudlet-1", "agent-copying",
                                  ("--log-level", "warn", "--copy-downloads"))
        tok, _ = token(agent["url"])
        direct = fed.endpoints["cloudlets"][0]["image_url"].rstrip("/")
        upstream = direct.split("://", 1)[1].split("/", 1)[0]
        nginx = Nginx(tempfile.mkdtemp(prefix="fedstack-bench-nginx-") + "/nginx", upstream)
        bases = {"direct": direct, "nginx": nginx.url + direct.split(upstream, 1)[1],
                 "agent": agent["url"] + "/image", "agent, copying": copying["url"] + "/image"}
        pids = {"agent": [agent["process"].proc.pid],
                "agent, copying": [copying["process"].proc.pid], "nginx": nginx.worker_pids()}
        idle_kib = {t: peak_rss_kib(pids[t][0]) for t in ("agent", "agent, copying")}
        runs = {t: [] for t in TARGETS}
        for _ in range(2):
            for target in TARGETS:
                r = transfer(bases[target], tok, size, pids.get(target, []))
                assert r["bytes"] == size, (target, r["bytes"], size)
                runs[target].append(r)
                print(f"{target:14} upload {r['upload']:8.1f} MiB/s  download {r['download']:8.1f} MiB/s",
                      flush=True)
        peak_kib = {t: peak_rss_kib(pids[t][0]) for t in idle_kib}
    finally:
        if nginx:
            nginx.stop()
        fed.close()

    def mean(target, key):
        return sum(r[key] for r in runs[target]) / len(runs[target])

    gib = size / (1024 * MIB)
    rows = []
    for name in ("upload", "download"):
        d, n = mean("direct", name), mean("nginx", name)
        cells = [f"{mean(t, name):.0f}" for t in TARGETS]
        ratios = [f"{mean(t, name) / d:.2f} / {mean(t, name) / n:.2f}" for t in ("agent", "agent, copying")]
        cpu = [f"{mean(t, name + '_cpu') / gib:.2f}" for t in ("nginx", "agent", "agent, copying")]
        rows.append([name, *cells, *ratios, " / ".join(cpu)])
    lines = [f"Command: `{command}`; one image of {size // MIB} MiB, each target twice, the "
             f"targets alternating; means shown; {machine_line()}.", ""]
    lines += write_table(["transfer", *(f"{t} MiB/s" for t in TARGETS),
                          "agent / direct / nginx", "agent, copying / direct / nginx",
                          "CPU s per GiB: nginx / agent / agent, copying"], rows)
    worst = min(mean("agent", k) / mean("direct", k) for k in ("upload", "download"))
    peak = max(peak_kib.values())
    lines += ["", "Agents' peak RSS (VmHWM): " +
              ", ".join(f"{t} {peak_kib[t] / 1024:.1f} MiB (after start-up {idle_kib[t] / 1024:.1f})"
                        for t in peak_kib) +
              f"; target ≤ 64 MiB, {'met' if peak <= 64 * 1024 else 'missed'}. "
              f"Throughput ratio to direct, target ≥ 0.8: lowest {worst:.2f} (the agent), "
              f"{'met' if worst >= 0.8 else 'missed'}.", ""]
    with open(os.path.join(args.outdir, "stream.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
