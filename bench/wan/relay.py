#!/usr/bin/env python3
"""The delaying relay of one site: one-way delay for TCP, which this kernel cannot add (no netem).

Runs inside a site's network namespace. An iptables REDIRECT there (wanlab.py) sends every TCP
connection the site opens towards the lab's subnet to this relay; the relay reads where the
connection was going (SO_ORIGINAL_DST), looks the destination up in its route table (a delay and a
label per address, or per address and port), opens the real connection and moves the bytes, each
held `delay` after it arrived, in order, in each direction. So a request and its answer take one
round trip of 2 x delay, as on a link with that one-way delay.

The handshake: the client's connect() completes at once on the relay, so the relay holds what the
client sends until 2 x delay after the accept (the SYN and SYN-ACK it skipped) and then `delay`
more; what the server sends first (CAF's handshake) is held until 3 x delay after the accept, when
the server would have accepted, and `delay` more. A first request on a new connection thus takes
2 round trips, as in TCP. What this does not model: a refused connect is seen as an accepted one
that the relay resets after 2 x delay; the real TCP under the relay has a sub-millisecond round
trip, so its loss recovery and congestion window (with --loss) behave as on a LAN, only the
relay's delay being the WAN's.

A route has a source address: the relay binds its upstream connections to the site's WAN address
for inter-site routes, so that the shaping (htb on the WAN address range) and the loss rules
(iptables statistic) of wanlab.py apply to those only. Upstream sockets carry SO_MARK 1, which
the REDIRECT rule excludes.

Counters per route label (connections, request/answer exchanges, bytes each way) and a timeline
of connects and exchanges (CLOCK_MONOTONIC, shared by all processes on the host) are read over a
Unix socket: `stats` answers the JSON and `reset` clears them.

    ip netns exec SITE python3 relay.py --config routes.json --control /tmp/x/relay-1.sock
"""
import argparse
import asyncio
import collections
import json
import os
import socket
import struct
import sys
import time

SO_ORIGINAL_DST = 80
MARK = 1
HOLD_CAP = 8 << 20   # bytes held per direction before the relay stops reading (back-pressure)
CHUNK = 64 << 10


def original_dst(sock):
    raw = sock.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
    port, ip = struct.unpack_from("!2xH4s", raw)
    return socket.inet_ntoa(ip), port


class Routes:
    """[{"ip": "10.214.0.3", "port": 5000 (optional), "delay_ms": 25, "label": "keystone",
    "source": "10.214.0.129" (optional)}]; a route with a port wins over one without."""

    def __init__(self, routes):
        self.exact = {(r["ip"], r["port"]): r for r in routes if r.get("port")}
        self.host = {r["ip"]: r for r in routes if not r.get("port")}

    def find(self, ip, port):
        return self.exact.get((ip, port)) or self.host.get(ip)


class Stats:
    def __init__(self):
        self.reset()

    def reset(self):
        self.by_label = collections.defaultdict(lambda: collections.Counter())
        self.events = []   # [t, label, "connect" | "exchange" | "refused", connection number]

    def event(self, label, kind, conn):
        self.events.append([time.monotonic(), label, kind, conn])
        self.by_label[label][kind + "s"] += 1

    def dump(self):
        return {"labels": {k: dict(v) for k, v in self.by_label.items()}, "events": self.events}


class Direction:
    """One direction of one connection: chunks held until their time, written in order."""

    def __init__(self, writer, delay, not_before, stats, label, counter):
        self.writer, self.delay, self.not_before = writer, delay, not_before
        self.queue = collections.deque()
        self.held = 0
        self.ready = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()
        self.stats, self.label, self.counter = stats, label, counter

    def put(self, data):
        now = time.monotonic()
        self.queue.append((max(now, self.not_before) + self.delay, data))
        self.held += len(data or b"")
        if self.held > HOLD_CAP:
            self.room.clear()
        self.ready.set()

    async def pump(self):
        """Writes what is due; None in the queue is the end of the stream (half close)."""
        while True:
            while not self.queue:
                self.ready.clear()
                await self.ready.wait()
            due, data = self.queue[0]
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.queue.popleft()
            if data is None:
                if self.writer.can_write_eof():
                    self.writer.write_eof()
                return
            self.writer.write(data)
            self.stats.by_label[self.label][self.counter] += len(data)
            self.held -= len(data)
            if self.held <= HOLD_CAP:
                self.room.set()
            await self.writer.drain()


class Relay:
    def __init__(self, routes, stats):
        self.routes, self.stats = routes, stats
        self.connections = 0

    async def handle(self, client_r, client_w):
        self.connections += 1
        conn = self.connections
        accepted = time.monotonic()
        server_w = None
        try:
            ip, port = original_dst(client_w.get_extra_info("socket"))
            route = self.routes.find(ip, port)
            if route is None:
                print(f"relay: no route to {ip}:{port}", file=sys.stderr, flush=True)
                return
            label, delay = route["label"], route["delay_ms"] / 1000
            self.stats.event(label, "connect", conn)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, MARK)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if route.get("source"):
                sock.bind((route["source"], 0))
            sock.setblocking(False)
            try:
                await asyncio.get_running_loop().sock_connect(sock, (ip, port))
            except OSError:
                sock.close()
                self.stats.event(label, "refused", conn)
                await asyncio.sleep(max(0.0, accepted + 2 * delay - time.monotonic()))
                client_w.transport.abort()
                return
            server_r, server_w = await asyncio.open_connection(sock=sock, limit=CHUNK)
            client_w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            up = Direction(server_w, delay, accepted + 2 * delay, self.stats, label, "bytes_up")
            down = Direction(client_w, delay, accepted + 3 * delay, self.stats, label, "bytes_down")
            last = ["down"]   # an exchange starts when the client speaks after the server (or first)

            async def read(reader, direction, name):
                try:
                    while True:
                        data = await reader.read(CHUNK)
                        if not data:
                            break
                        if name == "up" and last[0] == "down":
                            self.stats.event(label, "exchange", conn)
                        last[0] = name
                        await direction.room.wait()
                        direction.put(data)
                except (ConnectionError, OSError):
                    pass
                direction.put(None)

            tasks = [asyncio.ensure_future(c) for c in (read(client_r, up, "up"), read(server_r, down, "down"),
                                                        up.pump(), down.pump())]
            # Both pumps finish on their end of stream; a reset on either side ends the connection.
            await asyncio.wait(tasks[2:], return_when=asyncio.ALL_COMPLETED)
            for t in tasks:
                t.cancel()
        except (ConnectionError, OSError):
            pass
        finally:
            for w in (client_w, server_w):
                if w is not None:
                    w.close()


async def control(stats, reader, writer):
    line = (await reader.readline()).decode().strip()
    if line == "reset":
        stats.reset()
        writer.write(b"{}\n")
    else:
        writer.write(json.dumps(stats.dump()).encode() + b"\n")
    await writer.drain()
    writer.close()


async def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", required=True, help="JSON: {\"port\": P, \"routes\": [...]}")
    p.add_argument("--control", required=True, help="Unix socket path for `stats` and `reset`")
    a = p.parse_args(argv)
    with open(a.config) as f:
        config = json.load(f)
    stats = Stats()
    relay = Relay(Routes(config["routes"]), stats)
    server = await asyncio.start_server(relay.handle, "127.0.0.1", config["port"], limit=CHUNK, backlog=1024)
    if os.path.exists(a.control):
        os.remove(a.control)
    ctl = await asyncio.start_unix_server(lambda r, w: control(stats, r, w), a.control)
    print(json.dumps({"relay": config["port"], "routes": len(config["routes"])}), flush=True)
    async with server, ctl:
        await asyncio.gather(server.serve_forever(), ctl.serve_forever())


def ask(control_path, what="stats"):
    """The relay's counters (what="stats") or clears them (what="reset"), from any namespace."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(control_path)
    s.sendall(what.encode() + b"\n")
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    s.close()
    return json.loads(data)


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1:]))
    except KeyboardInterrupt:
        pass
