"""The agent's status page (/fedstack/) for a 4-agent federation: loaded in Debian's headless
Chromium (the overlay graph shows the 4 nodes; a screenshot is taken), and over plain HTTP
(headers, no token needed, errors, JSON, SVG, nothing secret, bounded time when an agent
stops answering)."""
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import unittest
from http.client import HTTPConnection
from urllib.parse import urlparse

from harness import Federation, http, openstack, token

# A first TLS connect under load can outlive the period: the pending shuffle keeps its
# 5 s timeout (a period that begins meanwhile starts none), and a seed dropped before any
# shuffle was answered is put back (docs/membership.md, "Seeds"). Agent 1 joins nobody, so
# before that fix it could be dropped for good (CI: a walk of agent 1 alone, no edges).
PERIOD_MS = 200
CACHE = 3
AGENT_ARGS = ("--shuffle-period-ms", str(PERIOD_MS), "--shuffle-timeout-ms", "5000",
              "--capacity-period-ms", "500", "--heartbeat-ms", "200",
              "--connection-timeout-ms", "10000", "--cache-size", str(CACHE),
              "--shuffle-length", "2")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_TIMEOUT_S = 90
# The harness's agents authenticate with the simulator's service password (agent/services/options.cpp).
SERVICE_PASSWORD = "secret"
NODE_GROUP = re.compile(r'<g class="node" data-node="([^"]+)" data-state="([^"]+)"')


def status_json(agent):
    status, headers, body = http("GET", agent["url"] + "/fedstack/status.json", timeout=30)
    assert status == 200, (status, body)
    return json.loads(body)


def wait_until_stopped(proc):
    """Waits for the child's stop to be reported: kill() returns once SIGSTOP is queued,
    before the target's threads have all stopped."""
    info = os.waitid(os.P_PID, proc.pid, os.WSTOPPED)
    assert info is not None and info.si_code == os.CLD_STOPPED, info


def get_without_redirects(url):
    """(status, Location) of a GET that is not followed (urllib follows redirects)."""
    parsed = urlparse(url)
    conn = HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        conn.request("GET", parsed.path)
        answer = conn.getresponse()
        answer.read()
        return answer.status, answer.getheader("Location")
    finally:
        conn.close()


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


class StatusPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=4, chain=True, agent_args=AGENT_ARGS)
        cls.first = cls.fed.agents[0]
        assert cls.first["url"].startswith("http://127.0.0.1:"), cls.first["url"]
        cls.nodes = {a["node"] for a in cls.fed.agents}
        try:
            cls.wait_for_full_walk()
        except BaseException:
            cls.fed.close()
            raise
        # Before anything was created: the page says the scheduler has not decided yet.
        cls.page_before_creates = http("GET", cls.first["url"] + "/fedstack/")[2].decode()

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    @classmethod
    def wait_for_full_walk(cls):
        """Polls agent 1's status.json until its overlay walk reaches all 4 agents (the event
        the graph checks wait for)."""
        deadline = time.monotonic() + 60
        while True:
            overlay = status_json(cls.first)["overlay"]
            if overlay and {n["node"] for n in overlay["nodes"]} == cls.nodes and not overlay["unreachable"]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the walk from agent 1 never reached all 4 agents: {overlay}")
            time.sleep(PERIOD_MS / 1000)

    def graph_of_all_four(self, fetch, what):
        """fetch() after a full walk was seen, until its graph shows the 4 agents. In a 4-node
        overlay CYCLON caches shrink and refill all the time (docs/membership.md), so a walk
        made a moment after a full one can miss a node; every graph must still name only
        agents, and one of a few must show all four."""
        counts = []
        for _ in range(8):
            self.wait_for_full_walk()
            text = fetch()
            nodes = NODE_GROUP.findall(text)
            counts.append(len(nodes))
            self.assertTrue({n for n, _ in nodes} <= self.nodes, nodes)
            if len(nodes) == 4 and {n for n, s in nodes if s in ("self", "reached")} == self.nodes:
                return text
        self.fail(f"{what}: no graph showed the 4 agents (node groups per try: {counts})")

    def chromium(self, url, *extra):
        """Runs headless Chromium on `url` (127.0.0.1 only) with a fresh profile; its stdout."""
        self.assertTrue(url.startswith("http://127.0.0.1:"), url)
        profile = tempfile.mkdtemp(prefix="chromium-", dir=self.fed.dir)
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile}", *extra, url]
        # Its own process group, so that a hung Chromium goes with all its helpers.
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=CHROMIUM_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            self.fail(f"chromium did not finish within {CHROMIUM_TIMEOUT_S}s")
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.assertEqual(proc.returncode, 0, err.decode(errors="replace")[-2000:])
        return out.decode()

    def test_decisions_appear_newest_first_without_image_checksums(self):
        self.assertIn('<section id="decisions"', self.page_before_creates)
        self.assertIn("no decisions yet", self.page_before_creates)
        path = os.path.join(self.fed.dir, "status-image.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(64 * 1024))
        with open(path, "rb") as f:
            checksum = hashlib.md5(f.read()).hexdigest()
        env = self.fed.env(agent=0)
        for name in ("status-image-1", "status-image-2"):
            openstack(env, "image", "create", "--file", path, "--disk-format", "raw",
                      "--container-format", "bare", name, "-f", "json")
        decisions = status_json(self.first)["decisions"]
        self.assertGreaterEqual(len(decisions), 2)
        self.assertTrue(all(d["summary"].startswith("image size=") for d in decisions), decisions)
        self.assertGreaterEqual(decisions[0]["decided_unix_ms"], decisions[1]["decided_unix_ms"])
        self.assertTrue(decisions[0]["placed"])
        self.assertTrue(decisions[0]["candidates"])
        page = http("GET", self.first["url"] + "/fedstack/")[2].decode()
        self.assertNotIn("no decisions yet", page)
        self.assertEqual(page.count('<article class="decision">'), len(decisions))
        self.assertIn(decisions[0]["winner"] + "</span>", page)
        for text in (page, json.dumps(decisions)):
            self.assertNotIn(checksum, text)

    def test_page_in_chromium_shows_four_nodes(self):
        url = self.first["url"] + "/fedstack/"
        dom = self.graph_of_all_four(lambda: self.chromium(url, "--dump-dom"), "chromium")
        self.assertIn("fedstack agent", dom)
        nodes = NODE_GROUP.findall(dom)
        self.assertEqual(len(nodes), 4, dom)
        self.assertEqual(len(re.findall(r'class="node"', dom)), 4)
        self.assertEqual({n for n, _ in nodes}, self.nodes)
        self.assertEqual(dict(nodes)[self.first["node"]], "self")
        self.assertEqual(sorted(s for _, s in nodes), ["reached", "reached", "reached", "self"])
        self.assertIn('<td id="self-region">cloudlet-1</td>', dom)
        self.assertIn('<table id="neighbours-table"', dom)
        rows = re.findall(r'<tr(?: class="down")? data-node="([^"]+)">', dom)
        self.assertTrue(rows, "no neighbour rows")
        self.assertTrue(set(rows) <= self.nodes - {self.first["node"]}, rows)
        self.assertIn('<section id="decisions"', dom)
        self.assertIn('<section id="capacity"', dom)
        self.assertNotIn("unavailable:", dom)

        shot = os.path.join(self.fed.dir, "status.png")
        self.chromium(url, f"--screenshot={shot}", "--window-size=1280,1400")
        self.assertTrue(os.path.exists(shot))
        self.assertEqual(png_size(shot), (1280, 1400))
        # A blank or error page compresses to a few KB; the page with its graph does not.
        self.assertGreater(os.path.getsize(shot), 30_000)

    def test_plain_http_headers_errors_and_nothing_secret(self):
        base = self.first["url"]
        user_token, _ = token(base)
        # Used once, so a leak of seen tokens would show.
        self.assertEqual(http("GET", base + "/v2/images", headers={"X-Auth-Token": user_token})[0], 200)

        last = {}

        def get(path):
            last["answer"] = http("GET", base + path)   # no X-Auth-Token
            return last["answer"][2].decode()

        page = self.graph_of_all_four(lambda: get("/fedstack/"), "/fedstack/")
        status, headers, _ = last["answer"]
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(headers["Cache-Control"], "no-store")
        self.assertIn("default-src 'none'", headers["Content-Security-Policy"])
        self.assertNotIn("script-src", headers["Content-Security-Policy"])
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertNotIn("<script", page)
        self.assertNotRegex(page, r'(src|href)="(https?:)?//')

        svg = self.graph_of_all_four(lambda: get("/fedstack/overlay.svg"), "overlay.svg")
        status, headers, _ = last["answer"]
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("image/svg+xml"))
        self.assertTrue(svg.startswith("<svg xmlns=\"http://www.w3.org/2000/svg\""))

        status, headers, body = http("GET", base + "/fedstack/status.json")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "application/json")
        doc = json.loads(body)
        self.assertEqual(doc["node"]["region"], "cloudlet-1")
        self.assertEqual(doc["node"]["node"], self.first["node"])
        self.assertEqual(doc["node"]["http_url"], base)
        self.assertGreater(doc["capacity"]["total_ram_mb"], 0)
        self.assertTrue({n["node"] for n in doc["neighbours"]} <= self.nodes - {self.first["node"]})
        self.assertEqual(doc["overlay"]["start"], self.first["node"])
        self.assertEqual(doc["unavailable"], {})

        for text in (page, svg, body.decode()):
            self.assertNotIn(SERVICE_PASSWORD, text)
            self.assertNotIn(user_token, text)

        self.assertEqual(get_without_redirects(base + "/fedstack"), (301, "/fedstack/"))
        status, headers, body = http("GET", base + "/fedstack/nope")
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body)["error"]["code"], 404)
        status, headers, body = http("POST", base + "/fedstack/", body={})
        self.assertEqual(status, 405)
        self.assertEqual(headers["Allow"], "GET, HEAD")
        self.assertEqual(json.loads(body)["error"]["code"], 405)
        status, _, body = http("HEAD", base + "/fedstack/")
        self.assertEqual((status, body), (200, b""))

    # Runs last (unittest orders by name): it stops an agent for a while.
    def test_unanswering_agent_does_not_hang_the_page(self):
        stopped = self.fed.agents[3]
        stopped["process"].proc.send_signal(signal.SIGSTOP)
        try:
            wait_until_stopped(stopped["process"].proc)
            for _ in range(3):
                started = time.monotonic()
                status, _, body = http("GET", self.first["url"] + "/fedstack/", timeout=30)
                elapsed = time.monotonic() - started
                self.assertEqual(status, 200)
                # Per-node time 1.5 s, whole walk 5 s (agent/pages/status_page.cpp).
                self.assertLess(elapsed, 8, "the page waited for a stopped agent")
                page = body.decode()
                for section in ("node", "capacity", "neighbours", "overlay", "decisions"):
                    self.assertIn(f'<section id="{section}"', page)
                states = dict(NODE_GROUP.findall(page))
                self.assertNotIn(states.get(stopped["node"]), ("reached", "self"),
                                 f"{stopped['node']} is stopped; the page: {states}")
        finally:
            stopped["process"].proc.send_signal(signal.SIGCONT)


if __name__ == "__main__":
    unittest.main()
