#!/usr/bin/env python3
"""What a stranger costs an agent through its node port (issue 16): a plain TCP client sends one
BASP client-handshake header announcing a 2.5 GiB payload. Measured on a TLS node port (the
default) and, for the record, on one started with --insecure-plain-node-port; plus an
authenticated peer (a certificate of the federation's CA) sending the same header inside TLS.
Prints the agent's resident memory before, while the connection is open (peak over `--hold`
seconds) and after it closed, and the command that made the figures.

    FEDSTACK_BIN=build/fedstack python3 bench/node_stranger.py [--hold 5]
"""
import argparse
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from harness import Federation, node_tls_args  # noqa: E402
from node_attacks import CLIENT_HANDSHAKE, BASP_VERSION, HUGE, basp_header, rss_kib  # noqa: E402
import ssl  # noqa: E402


def attack(agent, hold, tls=None):
    host, port = agent["node"].rsplit(":", 1)
    pid = agent["process"].proc.pid
    before = rss_kib(pid)
    raw = socket.create_connection((host, int(port)), timeout=10)
    sock = raw
    if tls:
        ca, cert, key = tls
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
        context.check_hostname = False
        context.load_cert_chain(cert, key)
        sock = context.wrap_socket(raw)
    sock.sendall(basp_header(CLIENT_HANDSHAKE, HUGE, BASP_VERSION))
    sock.settimeout(0.1)
    peak, closed_after = before, None
    start = time.monotonic()
    while time.monotonic() - start < hold:
        peak = max(peak, rss_kib(pid))
        if closed_after is None:
            try:
                if not sock.recv(65536):
                    closed_after = time.monotonic() - start
            except (socket.timeout, ssl.SSLWantReadError):
                pass
            except (ssl.SSLError, ConnectionResetError):
                closed_after = time.monotonic() - start
    sock.close()
    time.sleep(0.5)   # the agent notices the close; RSS after is read once more
    after = rss_kib(pid)
    return before, peak, after, closed_after


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold", type=float, default=5.0, help="seconds the connection stays open")
    args = parser.parse_args()
    tls_fed = Federation(cloudlets=1)
    plain_fed = Federation(cloudlets=1, agent_args=("--insecure-plain-node-port",))
    try:
        peer = node_tls_args("cloudlet-1", "bench-peer")
        rows = [("plain stranger -> TLS node port (default)", attack(tls_fed.agents[0], args.hold)),
                ("TLS peer with a CA certificate -> TLS node port", attack(tls_fed.agents[0], args.hold,
                                                                          (peer[1], peer[3], peer[5]))),
                ("plain stranger -> --insecure-plain-node-port", attack(plain_fed.agents[0], args.hold))]
    finally:
        plain_fed.close()
        tls_fed.close()
    print(f"command: FEDSTACK_BIN={os.environ.get('FEDSTACK_BIN', 'build/fedstack')} "
          f"python3 bench/node_stranger.py --hold {args.hold}")
    print(f"one BASP header announcing {HUGE} payload bytes; agent RSS in MiB")
    print(f"| {'connection':48} | before | peak while open | after close | node closed it after |")
    print(f"|{'-' * 50}|--------|-----------------|-------------|----------------------|")
    for name, (before, peak, after, closed) in rows:
        closed_text = f"{closed:.2f} s" if closed is not None else f"no (held {args.hold:.0f} s)"
        print(f"| {name:48} | {before / 1024:6.1f} | {peak / 1024:15.1f} | {after / 1024:11.1f} | {closed_text:20} |")


if __name__ == "__main__":
    main()
