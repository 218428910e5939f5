#!/usr/bin/env python3
"""The WAN testbed measured against its own settings: two sites, a probe at the clients (site 1)
and a server at site 2, through the delaying relays and the shaped links of wanlab.py.

    sudo python3 bench/wan/selfcheck.py [--delay-ms 25] [--rate-mbit 100] [--mib 32] [--loss 0]

Prints, against the target each should meet:
- the first answer on a new connection: 2 round trips (handshake, then request and answer);
- the ping-pong round trip on an open connection: 2 x the one-way delay;
- a close by the server reaches the client (a keep-alive server closing an idle connection);
- the same to a destination at the same site: 2 x the local delay;
- throughput each way through the relay, and without it (a socket the REDIRECT skips), against
  the link's rate.
Exit status 1 if a figure misses its bound (--check: bounds a loaded machine still meets), 77 if
not root (CTest's skip).
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
SKIPPED = 77
PORT = 9000


def serve(ip):
    """At site 2: byte `p` is echoed; `u` + 8-byte length: that many bytes are read, then `k`
    answered; `d` + length: that many bytes are sent."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((ip, PORT))
    srv.listen(64)
    print("ready", flush=True)
    import threading

    def one(c):
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with c:
            while True:
                op = c.recv(1)
                if not op or op in (b"q", b"c"):
                    return   # "c": the server closes first, as a keep-alive server closing an idle connection
                if op == b"p":
                    c.sendall(b"p")
                elif op in (b"u", b"d"):
                    n = int.from_bytes(recv_exact(c, 8), "big")
                    if op == b"u":
                        while n > 0:
                            got = c.recv(min(n, 1 << 20))
                            if not got:
                                return
                            n -= len(got)
                        c.sendall(b"k")
                    else:
                        block = b"\0" * (1 << 20)
                        while n > 0:
                            c.sendall(block[:min(n, len(block))])
                            n -= min(n, len(block))

    while True:
        c, _ = srv.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()


def recv_exact(c, n):
    data = b""
    while len(data) < n:
        got = c.recv(n - len(data))
        if not got:
            raise ConnectionError("closed")
        data += got
    return data


def connect(ip, bypass=False, source=None):
    c = socket.socket()
    if bypass:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, 1)   # the REDIRECT skips it: no relay
    if source:
        c.bind((source, 0))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.connect((ip, PORT))
    return c


def probe(remote, local, wan_source, mib, pings):
    out = {}
    firsts = []
    for _ in range(5):
        t0 = time.monotonic()
        c = connect(remote)
        c.sendall(b"p")
        recv_exact(c, 1)
        firsts.append(time.monotonic() - t0)
        c.sendall(b"q")
        c.close()
    out["first_ms"] = statistics.median(firsts) * 1000
    c = connect(remote)
    c.settimeout(10)
    c.sendall(b"p")
    recv_exact(c, 1)
    t0 = time.monotonic()
    c.sendall(b"c")
    try:
        out["close_ms"] = (time.monotonic() - t0) * 1000 if c.recv(1) == b"" else None
    except OSError:
        out["close_ms"] = None
    c.close()
    for name, ip in (("rtt_ms", remote), ("local_rtt_ms", local)):
        c = connect(ip)
        rtts = []
        for _ in range(pings):
            t0 = time.monotonic()
            c.sendall(b"p")
            recv_exact(c, 1)
            rtts.append(time.monotonic() - t0)
        c.sendall(b"q")
        c.close()
        rtts.sort()
        out[name] = statistics.median(rtts) * 1000
        out[name + "_p90"] = rtts[int(len(rtts) * 0.9)] * 1000
    n = mib << 20
    for name, kw in (("relay", {}), ("no_relay", {"bypass": True, "source": wan_source})):
        for way in ("up", "down"):
            c = connect(remote, **kw)
            c.sendall(b"p")
            recv_exact(c, 1)   # connected and one round trip done: the transfer's own time only
            t0 = time.monotonic()
            if way == "up":
                c.sendall(b"u" + n.to_bytes(8, "big"))
                block = b"\0" * (1 << 20)
                left = n
                while left > 0:
                    c.sendall(block[:min(left, len(block))])
                    left -= min(left, len(block))
                recv_exact(c, 1)
            else:
                c.sendall(b"d" + n.to_bytes(8, "big"))
                left = n
                while left > 0:
                    left -= len(c.recv(min(left, 1 << 20)))
            out[f"{name}_{way}_mbit"] = n * 8 / (time.monotonic() - t0) / 1e6
            c.sendall(b"q")
            c.close()
    print(json.dumps(out), flush=True)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--delay-ms", type=float, default=25)
    p.add_argument("--local-ms", type=float, default=1)
    p.add_argument("--rate-mbit", type=int, default=100)
    p.add_argument("--loss", type=float, default=0)
    p.add_argument("--mib", type=int, default=32, help="bytes moved each way, each measurement")
    p.add_argument("--pings", type=int, default=50)
    p.add_argument("--check", action="store_true",
                   help="exit 1 if a figure misses a bound that holds on a loaded machine")
    p.add_argument("--role", choices=("serve", "probe"), help=argparse.SUPPRESS)
    p.add_argument("--args", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.role == "serve":
        serve(a.args)
        return 0
    if a.role == "probe":
        remote, local, source = a.args.split(",")
        probe(remote, local, source, a.mib, a.pings)
        return 0
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("iptables") or not shutil.which("tc"):
        print("selfcheck.py needs root, ip, iptables and tc", file=sys.stderr)
        return SKIPPED
    import wanlab
    work = tempfile.mkdtemp(prefix="fedstack-wan-check-")
    lab = wanlab.WanLab(2, delay_ms=a.delay_ms, local_ms=a.local_ms, rate_mbit=a.rate_mbit, loss=a.loss)
    servers = []
    try:
        lab.up()
        lab.start_relays(work, {}, 1)
        me = [sys.executable, os.path.abspath(__file__), "--mib", str(a.mib), "--pings", str(a.pings)]
        for k in (1, 2):   # a server at site 2 (remote) and one at site 1 (local to the clients)
            s = subprocess.Popen([*lab.exec_in(lab.site_ns(k)), *me, "--role", "serve", "--args", lab.ips[k]],
                                 stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
            servers.append(s)
            assert s.stdout.readline().strip() == b"ready"
        r = subprocess.run([*lab.exec_in(lab.site_ns(0)), *me, "--role", "probe",
                            "--args", f"{lab.ips[2]},{lab.ips[1]},{lab.wan_ips[0]}"],
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        m = json.loads(r.stdout)
    finally:
        for s in servers:
            s.kill()
            s.wait()
        lab.down()
        shutil.rmtree(work, ignore_errors=True)
    d, loc, rate = a.delay_ms, a.local_ms, a.rate_mbit
    load = os.getloadavg()[0]
    rows = [
        ("first answer on a new connection", f"{m['first_ms']:.1f} ms", f"4 x {d:g} = {4 * d:g} ms",
         m["first_ms"] >= 4 * d, m["first_ms"] <= 4 * d + 40),
        ("the server's close seen by the client", "never" if m["close_ms"] is None else f"{m['close_ms']:.1f} ms",
         f"1 round trip = {2 * d:g} ms", m["close_ms"] is not None and m["close_ms"] >= 2 * d,
         m["close_ms"] is not None and m["close_ms"] <= 2 * d + 40),
        ("round trip, open connection (median)", f"{m['rtt_ms']:.1f} ms (p90 {m['rtt_ms_p90']:.1f})",
         f"2 x {d:g} = {2 * d:g} ms", m["rtt_ms"] >= 2 * d, m["rtt_ms"] <= 2 * d + 20),
        ("round trip at the same site (median)", f"{m['local_rtt_ms']:.1f} ms (p90 {m['local_rtt_ms_p90']:.1f})",
         f"2 x {loc:g} = {2 * loc:g} ms", m["local_rtt_ms"] >= 2 * loc, m["local_rtt_ms"] <= 2 * loc + 20),
    ]
    for name in ("relay", "no_relay"):
        for way in ("up", "down"):
            v = m[f"{name}_{way}_mbit"]
            rows.append((f"throughput {way}, {'through the relay' if name == 'relay' else 'shaping only'}",
                         f"{v:.1f} Mbit/s", f"{rate} Mbit/s", v <= rate * 1.05, v >= rate * 0.5))
    print(f"\nWAN testbed self-check: delay {d:g} ms one way ({loc:g} ms at a site), {rate} Mbit/s, "
          f"loss {a.loss:g}, {a.mib} MiB each way; load average {load:.1f} on {os.cpu_count()} cores\n")
    print("| measured | value | target |\n|---|---|---|")
    for name, value, target, _, _ in rows:
        print(f"| {name} | {value} | {target} |")
    missed = [name for name, _, _, low, high in rows if not (low and high)]
    if missed:
        print("\noutside its bounds: " + "; ".join(missed))
    return 1 if (a.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
