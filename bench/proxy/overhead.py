#!/usr/bin/env python3
"""The agent's own cost as a proxy: requests/s and p50/p99 latency with wrk, for
the same calls sent directly to `fedstack sim`, through nginx (one worker, a
reverse proxy with upstream keep-alive) and through the agent.

    bench/proxy/overhead.py [--quick] OUTDIR

The agent runs one io thread, as nginx runs one worker (`--io-threads N` to change it).
Calls: `GET /v2/images` (20 images; the agent merges the list and translates
every ID) and `GET /v2/schemas/image` (no IDs: the agent passes it through).
Connections 1, 16, 64, 256 (quick: 1 and 64, one second each). At each
connection count the three targets run one after the other, so they see the
same machine load. Writes OUTDIR/proxy.md, proxy.dat and proxy.png; prints
the table."""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import Federation, Process, http, token  # noqa: E402
from figures import cpu_seconds, gnuplot, machine_line, write_table  # noqa: E402

CALLS = (("list", "GET /v2/images (20 images, IDs translated)", "/v2/images"),
         ("pass", "GET /v2/schemas/image (passed through)", "/v2/schemas/image"))
TARGETS = ("direct", "nginx", "agent")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """nginx in the foreground on a free loopback port, its files under `directory`."""

    def __init__(self, directory, upstream):
        os.makedirs(directory)
        # Started by root, the workers run as nobody: they must reach the temporary
        # files nginx keeps request bodies in (a mkdtemp parent is 0700).
        for d in (os.path.dirname(directory), directory):
            os.chmod(d, 0o755)
        self.port = free_port()
        with open(os.path.join(HERE, "nginx.conf.in")) as f:
            conf = f.read()
        conf = conf.replace("@DIR@", directory).replace("@UPSTREAM@", upstream)
        conf = conf.replace("@PORT@", str(self.port))
        path = os.path.join(directory, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        # error_log goes to stdout at notice level: "start worker process" is the
        # readiness event (nginx binds its sockets before it starts workers).
        self.process = Process(["nginx", "-c", path, "-p", directory, "-e", "/dev/stdout"],
                               os.path.join(directory, "stderr.log"))
        while "start worker process" not in self.process.read_line(timeout=30):
            pass
        self.url = f"http://127.0.0.1:{self.port}"

    def worker_pids(self):
        out = subprocess.run(["pgrep", "-P", str(self.process.proc.pid)], capture_output=True,
                             text=True).stdout.split()
        return [int(p) for p in out] or [self.process.proc.pid]

    def stop(self):
        self.process.stop()


def wrk(url, tok, connections, seconds):
    threads = 1 if connections == 1 else 2
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
           "--timeout", "10s", "-s", os.path.join(HERE, "report.lua"),
           "-H", f"X-Auth-Token: {tok}", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = [l for l in out.splitlines() if l.startswith("{")][-1]
    result = json.loads(line)
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--io-threads", type=int, default=1, help="the agent's (default 1, as nginx's one worker)")
    parser.add_argument("outdir")
    args = parser.parse_args()
    connections = (1, 64) if args.quick else (1, 16, 64, 256)
    seconds = 1 if args.quick else 10
    os.makedirs(args.outdir, exist_ok=True)
    command = ("bench/proxy/overhead.py " + ("--quick " if args.quick else "") +
               (f"--io-threads {args.io_threads} " if args.io_threads != 1 else "") + "OUTDIR")

    # One io thread, as nginx runs one worker (nginx.conf.in): the same parallelism on both
    # sides (bench/proxy/agents_ab.py compares one and two).
    fed = Federation(cloudlets=1, build_delay_ms=0,
                     agent_args=("--log-level", "warn", "--io-threads", str(args.io_threads)))
    nginx = None
    work = tempfile.mkdtemp(prefix="fedstack-bench-nginx-")
    try:
        agent = fed.agents[0]
        tok, _ = token(agent["url"])
        h = {"X-Auth-Token": tok}
        for i in range(20):
            status, _, body = http("POST", agent["url"] + "/image/v2/images",
                                   {"name": f"bench-{i:02d}", "disk_format": "raw",
                                    "container_format": "bare"}, headers=h)
            assert status == 201, (status, body)
        direct = fed.endpoints["cloudlets"][0]["image_url"].rstrip("/")
        upstream = direct.split("://", 1)[1].split("/", 1)[0]
        base_path = direct.split("://", 1)[1][len(upstream):]
        nginx = Nginx(os.path.join(work, "nginx"), upstream)
        bases = {"direct": direct, "nginx": nginx.url + base_path, "agent": agent["url"] + "/image"}
        sizes = {}
        for key, _, path in CALLS:
            for target in TARGETS:
                status, _, body = http("GET", bases[target] + path, headers=h)
                assert status == 200, (target, path, status, body[:200])
                sizes[(key, target)] = len(body)
        agent_pid = agent["process"].proc.pid
        rows = []
        for c in connections:
            for key, _, path in CALLS:
                for target in TARGETS:
                    if not args.quick:
                        wrk(bases[target] + path, tok, c, 1)   # warm-up, not recorded
                    pids = {"agent": [agent_pid], "nginx": nginx.worker_pids()}.get(target, [])
                    before = cpu_seconds(pids)
                    r = wrk(bases[target] + path, tok, c, seconds)
                    r["cpu_us_per_request"] = ((cpu_seconds(pids) - before) * 1e6 / r["requests"]
                                               if pids and r["requests"] else None)
                    r.update(call=key, target=target, connections=c)
                    rows.append(r)
                    print(f"{key:4} {target:6} c={c:3}  {r['rps']:8.0f} req/s  "
                          f"p50 {r['p50_us'] / 1000:7.2f} ms  p99 {r['p99_us'] / 1000:7.2f} ms  "
                          f"errors {r['errors']} non-2xx {r['non2xx']}", flush=True)
    finally:
        if nginx:
            nginx.stop()
        fed.close()
        shutil.rmtree(work, ignore_errors=True)

    write_outputs(args.outdir, rows, sizes, connections, seconds, command)


def by(rows, call, target, c):
    return next(r for r in rows if r["call"] == call and r["target"] == target and r["connections"] == c)


def write_outputs(outdir, rows, sizes, connections, seconds, command):
    with open(os.path.join(outdir, "proxy.dat"), "w") as f:
        f.write("# call target connections rps p50_ms p99_ms\n")
        for key, _, _ in CALLS:
            for target in TARGETS:
                for c in connections:
                    r = by(rows, key, target, c)
                    f.write(f"{key} {target} {c} {r['rps']:.1f} {r['p50_us'] / 1000:.3f} "
                            f"{r['p99_us'] / 1000:.3f}\n")
                f.write("\n\n")   # gnuplot index: one block per (call, target)
    lines = [f"Command: `{command}`; wrk {seconds} s per cell; {machine_line()}.", ""]
    for key, title, _ in CALLS:
        lines += [f"### {title}", "",
                  f"Response bytes: direct {sizes[(key, 'direct')]}, nginx {sizes[(key, 'nginx')]}, "
                  f"agent {sizes[(key, 'agent')]}.", ""]
        header = ["connections"]
        for t in TARGETS:
            header += [f"{t} req/s", f"{t} p50 ms", f"{t} p99 ms"]
        header += ["agent/nginx req/s", "agent/nginx p99", "agent CPU µs/req", "nginx CPU µs/req"]
        table = []
        for c in connections:
            cells = [str(c)]
            for t in TARGETS:
                r = by(rows, key, t, c)
                cells += [f"{r['rps']:.0f}", f"{r['p50_us'] / 1000:.2f}", f"{r['p99_us'] / 1000:.2f}"]
            a, n = by(rows, key, "agent", c), by(rows, key, "nginx", c)
            cells += [ratio(a["rps"], n["rps"]), ratio(a["p99_us"], n["p99_us"]),
                      cpu(a["cpu_us_per_request"]), cpu(n["cpu_us_per_request"])]
            table.append(cells)
        lines += write_table(header, table)
        target = 0.5 if key == "list" else 0.8
        worst_rps = min(by(rows, key, "agent", c)["rps"] / by(rows, key, "nginx", c)["rps"]
                        for c in connections)
        worst_p99 = max(by(rows, key, "agent", c)["p99_us"] / max(by(rows, key, "nginx", c)["p99_us"], 1)
                        for c in connections)
        lines += ["", f"Targets: agent/nginx req/s ≥ {target} (lowest here {worst_rps:.2f}, "
                      f"{'met' if worst_rps >= target else 'missed'}); agent/nginx p99 ≤ 1.25 "
                      f"(highest here {worst_p99:.2f}, {'met' if worst_p99 <= 1.25 else 'missed'}).", ""]
        errors = sum(r["errors"] + r["non2xx"] for r in rows if r["call"] == key)
        if errors:
            lines += [f"**{errors} socket errors or non-2xx answers in these runs.**", ""]
    lines += ["![requests/s and p99 by connections](proxy.png)", ""]
    with open(os.path.join(outdir, "proxy.md"), "w") as f:
        f.write("\n".join(lines))
    gnuplot(os.path.join(HERE, "plot.gp"), {"data": os.path.join(outdir, "proxy.dat"),
                                            "img": os.path.join(outdir, "proxy.png")})
    print("\n".join(lines))


def ratio(a, b):
    return f"{a / b:.2f}" if b else "-"


def cpu(value):
    return "-" if value is None else f"{value:.0f}"


if __name__ == "__main__":
    main()
