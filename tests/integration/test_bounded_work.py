"""Bounded work per request, end to end, counted at fronts before the simulator:
a token Keystone refused is refused again without asking it for a while; a list reads at
most 10,000 items (11 calls) per cloud however large its limit or its groups of ties, where
it used to read 50 calls of up to 1,000; and its cloud
reads stop when its deadline passes or its client leaves."""
import json
import socket
import threading
import time
import unittest
import uuid
from urllib.parse import parse_qs, urlsplit

from front import Front
from harness import Federation, http, token

TIED = "2026-01-01T00:00:00Z"


class TiedServers:
    """A compute list of a million servers all created at the same second: one tie
    group, however the list is paged. Each page may take `delay` seconds."""

    def __init__(self):
        self.delay = 0.0

    @staticmethod
    def server(i):
        # IDs descend with i, as Nova's default order (created_at, id descending) wants.
        return {"id": "00000000-0000-4000-8000-%012d" % (999_999_999_999 - i), "name": f"s{i}",
                "status": "ACTIVE", "created_at": TIED, "updated_at": TIED, "links": []}

    def __call__(self, method, path):
        url = urlsplit(path)
        if method == "GET" and url.path.startswith("/v2.1/servers/00000000-"):   # a marker's item
            i = 999_999_999_999 - int(url.path.split("-")[-1])
            return 200, [("Content-Type", "application/json")], json.dumps({"server": self.server(i)}).encode()
        if method != "GET" or not url.path.endswith("/servers/detail"):
            return None
        query = parse_qs(url.query)
        limit = int(query.get("limit", ["1000"])[0])
        start = 0
        if "marker" in query:
            start = 999_999_999_999 - int(query["marker"][0].split("-")[-1]) + 1
        if self.delay:
            time.sleep(self.delay)
        body = {"servers": [self.server(i) for i in range(start, min(start + limit, 1_000_000))]}
        return 200, [("Content-Type", "application/json")], json.dumps(body).encode()


class BoundedWork(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=1, agents=0)
        c = cls.fed.endpoints["cloudlets"][0]
        compute_port = int(c["compute_url"].split(":")[2].split("/")[0])
        cls.servers = TiedServers()
        cls.compute = Front(f"http://127.0.0.1:{compute_port}", fake=cls.servers)
        cls.keystone = Front(cls.fed.keystone_url, rewrite={compute_port: cls.compute.url})

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()
        cls.compute.close()
        cls.keystone.close()

    def setUp(self):
        self.servers.delay = 0.0

    def agent(self, name, *args):
        return self.fed.start_agent("cloudlet-1", name, args, keystone_url=self.keystone.url + "/v3")

    def lists(self):
        return self.compute.count("GET", "/v2.1/servers/detail")

    def trickle_upload(self, agent, piece, pause, give_up):
        """PUTs an image's data `piece` bytes every `pause` seconds (a 100 MiB body) until the
        agent answers or closes, or `give_up` seconds pass: (seconds taken, what it said)."""
        tok, _ = token(agent["url"])
        status, _, body = http("POST", agent["url"] + "/image/v2/images",
                               {"name": "slow", "disk_format": "raw", "container_format": "bare"},
                               headers={"X-Auth-Token": tok})
        self.assertEqual(status, 201, body)
        image = json.loads(body)["id"]
        address = urlsplit(agent["url"])
        started = time.monotonic()
        answer = b""
        with socket.create_connection((address.hostname, address.port)) as s:
            s.sendall(f"PUT /image/v2/images/{image}/file HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {tok}\r\n"
                      f"Content-Type: application/octet-stream\r\nContent-Length: {100 << 20}\r\n\r\n".encode())
            s.settimeout(pause)
            data = b"x" * piece
            try:
                while time.monotonic() - started < give_up:
                    s.sendall(data)
                    try:
                        answer = s.recv(4096)   # waits `pause`: the pace, or the agent's answer
                        break
                    except socket.timeout:
                        continue
            except OSError:
                pass   # the agent closed first
        return time.monotonic() - started, answer

    def test_a_trickled_upload_is_cut_at_its_deadline(self):
        # Each 64 KiB read completes within the 1 s read timeout (16 KiB every 100 ms), so only
        # a deadline for the whole body ends it: 0.5 s plus a second per MiB received.
        agent = self.agent("agent-trickle", "--upstream-timeout-ms", "1000", "--body-timeout-ms", "500",
                           "--min-body-rate", str(1 << 20))
        took, answer = self.trickle_upload(agent, 16 << 10, 0.1, 8)
        self.assertLess(took, 4, "the trickled upload held its connection")
        if answer:
            self.assertIn(b" 408 ", answer)

    def test_a_refused_token_costs_one_keystone_call_for_a_while(self):
        agent = self.agent("agent-tokens", "--token-refusal-ttl-ms", "2000")
        validations = lambda: self.keystone.count("GET", "/v3/auth/tokens")
        bad = {"X-Auth-Token": "gAAAAA-not-a-token-" + uuid.uuid4().hex}
        before = validations()
        for _ in range(3):
            status, _, _ = http("GET", agent["url"] + "/network/v2.0/networks", headers=bad)
            self.assertEqual(status, 401)
        self.assertEqual(validations() - before, 1, "every repeat of a refused token asked Keystone")
        # Another token is not refused with it.
        good, _ = token(agent["url"])
        status, _, _ = http("GET", agent["url"] + "/network/v2.0/networks", headers={"X-Auth-Token": good})
        self.assertEqual(status, 200)
        # Past the refusal's time to live, Keystone is asked again.
        time.sleep(2.2)
        status, _, _ = http("GET", agent["url"] + "/network/v2.0/networks", headers=bad)
        self.assertEqual(status, 401)
        # The bad token twice; the good one never (the agent saw Keystone issue it).
        self.assertEqual(validations() - before, 2)

    def list_servers(self, agent, query, timeout=60):
        tok, _ = token(agent["url"])
        status, _, body = http("GET", agent["url"] + "/compute/v2.1/servers/detail?" + query,
                               headers={"X-Auth-Token": tok}, timeout=timeout)
        return status, body

    def test_a_huge_limit_reads_a_few_pages(self):
        agent = self.agent("agent-huge-limit")
        before = self.lists()
        status, body = self.list_servers(agent, "limit=1000000")
        self.assertEqual(status, 200, body)
        self.assertEqual(len(json.loads(body)["servers"]), 1000)   # lowered to the page maximum
        self.assertLessEqual(self.lists() - before, 11)

    def test_a_group_of_ties_reads_a_few_pages(self):
        agent = self.agent("agent-ties")
        before = self.lists()
        status, body = self.list_servers(agent, "limit=5")
        self.assertEqual(status, 200, body)
        self.assertEqual(len(json.loads(body)["servers"]), 5)
        self.assertLessEqual(self.lists() - before, 11)

    def test_a_deep_page_is_still_reached(self):
        # A cloud is read from its start; its later pages are long, so position 2,500 of
        # one cloud takes 4 calls (not 500 of limit + 1).
        agent = self.agent("agent-deep")
        before = self.lists()
        marker = TiedServers.server(2499)["id"]
        status, body = self.list_servers(agent, f"limit=5&marker={marker}")
        self.assertEqual(status, 200, body)
        names = [s["name"] for s in json.loads(body)["servers"]]
        self.assertEqual(names, [f"s{i}" for i in range(2500, 2505)])
        self.assertLessEqual(self.lists() - before, 11)

    def wait_for_lists(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while self.lists() < count:
            self.assertLess(time.monotonic(), deadline, "the agent never read the list")
            time.sleep(0.02)

    def test_cloud_reads_stop_at_the_list_deadline(self):
        # One page of limit + 1 is enough in the cloud's own order (ties are not broken by
        # global IDs), so the page itself outlasts the deadline here.
        agent = self.agent("agent-deadline", "--list-deadline-ms", "1500")
        self.servers.delay = 2.0
        before = self.lists()
        status, _ = self.list_servers(agent, "limit=5")
        self.assertEqual(status, 504)
        # The page was asked for at 0 s and ends at 2 s, after the deadline: no second
        # one is asked for (it would be at 2 s).
        time.sleep(2.5)
        self.assertEqual(self.lists() - before, 1)

    def test_cloud_reads_stop_when_the_client_leaves(self):
        agent = self.agent("agent-client-leaves", "--list-deadline-ms", "20000")
        self.servers.delay = 1.0
        tok, _ = token(agent["url"])
        before = self.lists()
        address = urlsplit(agent["url"])
        with socket.create_connection((address.hostname, address.port)) as s:
            s.sendall(f"GET /compute/v2.1/servers/detail?limit=5 HTTP/1.1\r\nHost: x\r\n"
                      f"X-Auth-Token: {tok}\r\n\r\n".encode())
            self.wait_for_lists(before + 1)
        # The first page ends at 1 s, after the client left: no second one is asked for.
        time.sleep(2.5)
        self.assertEqual(self.lists() - before, 1)


if __name__ == "__main__":
    unittest.main()
