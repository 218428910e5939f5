"""Bad input, isolation, translation, paging and restarts, over plain HTTP.

Every case must get an OpenStack-shaped error, never crash the agent, and never
touch the registry.
"""
import json
import socket
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import Federation, http, token

RANDOM_ID = "0d6bb2b4-3c38-4c4b-9e3e-5f0d2f5b1a77"


class BadInputAndIsolation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=1, agent_args=("--max-body-bytes", "65536"))
        cls.agent = cls.fed.agents[0]["url"]
        cls.token, cls.token_body = token(cls.agent + "/v3")
        cls.demo_token, _ = token(cls.agent + "/v3", "demo", "demo", "demo")
        cls.auth = {"X-Auth-Token": cls.token}

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()

    def call(self, method, path, body=None, headers=None, **kw):
        h = dict(self.auth)
        h.update(headers or {})
        status, hdrs, data = http(method, self.agent + path, body, h, **kw)
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        return status, hdrs, doc

    def assert_alive(self):
        status, _, _ = self.call("GET", "/network/v2.0/networks")
        self.assertEqual(status, 200)

    def create_network(self, name, token=None):
        status, _, doc = self.call("POST", "/network/v2.0/networks", {"network": {"name": name}},
                                   {"X-Auth-Token": token or self.token})
        self.assertEqual(status, 201, doc)
        return doc["network"]

    # -- what clients read first ------------------------------------------------
    def test_version_documents_point_at_the_agent(self):
        project = self.token_body["token"]["project"]["id"]
        for path in ["/", "/v3", "/image", "/image/versions", "/network", "/network/v2.0/",
                     "/compute", "/compute/v2.1", "/compute/v2.1/" + project]:
            status, _, doc = self.call("GET", path, headers={"X-Auth-Token": ""})
            self.assertIn(status, (200, 300), path)
            hrefs = [l["href"] for l in _links(doc) if l.get("rel") == "self"]
            self.assertTrue(hrefs, path)
            for href in hrefs:
                self.assertTrue(href.startswith(self.agent), f"{path}: {href}")

    def test_catalog_points_at_the_agent(self):
        catalog = self.token_body["token"]["catalog"]
        types = {s["type"] for s in catalog}
        self.assertTrue({"identity", "image", "network", "compute"} <= types)
        for service in catalog:
            for endpoint in service["endpoints"]:
                self.assertTrue(endpoint["url"].startswith(self.agent), endpoint)

    def test_schemas_and_extensions_pass_through(self):
        status, _, doc = self.call("GET", "/image/v2/schemas/image")
        self.assertEqual(status, 200)
        self.assertEqual(doc["name"], "image")
        status, _, doc = self.call("GET", "/network/v2.0/extensions")
        self.assertEqual(status, 200)
        self.assertTrue(doc["extensions"])

    def test_compute_microversions_are_echoed_and_checked(self):
        status, hdrs, _ = self.call("GET", "/compute/v2.1/flavors",
                                    headers={"OpenStack-API-Version": "compute 2.53"})
        self.assertEqual(status, 200)
        self.assertEqual(hdrs.get("OpenStack-API-Version"), "compute 2.53")
        status, _, doc = self.call("GET", "/compute/v2.1/flavors",
                                   headers={"X-OpenStack-Nova-API-Version": "2.999"})
        self.assertEqual(status, 406)
        # Nova has no fault name for 406 and answers computeFault (nova/api/openstack/wsgi.py).
        self.assertEqual(doc["computeFault"]["code"], 406)

    # -- bad input ----------------------------------------------------------------
    def test_malformed_json_is_400(self):
        status, _, doc = self.call("POST", "/network/v2.0/networks", raw=b'{"network": {',
                                   headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertIn("NeutronError", doc)
        status, _, doc = self.call("POST", "/compute/v2.1/servers", raw=b"not json",
                                   headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertIn("badRequest", doc)
        self.assert_alive()

    def test_unknown_ids_are_404(self):
        for path, shape in [("/image/v2/images/" + RANDOM_ID, None),
                            ("/network/v2.0/networks/" + RANDOM_ID, "NeutronError"),
                            ("/compute/v2.1/servers/" + RANDOM_ID, "itemNotFound")]:
            status, _, doc = self.call("GET", path)
            self.assertEqual(status, 404, path)
            if shape:
                self.assertIn(shape, doc)

    def test_missing_or_invalid_token_is_401(self):
        for headers in [{"X-Auth-Token": ""}, {"X-Auth-Token": "not-a-token"}]:
            status, hdrs, doc = self.call("GET", "/network/v2.0/networks", headers=headers)
            self.assertEqual(status, 401)
            self.assertIn("error", doc)
            self.assertIn("Keystone uri=", hdrs.get("WWW-Authenticate", ""))

    def test_body_over_limit_is_413(self):
        big = {"network": {"name": "x" * 100000}}
        status, _, doc = self.call("POST", "/network/v2.0/networks", big)
        self.assertEqual(status, 413)
        self.assertIn("NeutronError", doc)
        self.assert_alive()

    def test_deeply_nested_json_is_400_and_harmless(self):
        # Nesting is refused before anything parses it: 150,000 levels (750 KB, under the default
        # body limit) once overflowed the agent's stack. 10,000 fit this agent's 64 KiB limit;
        # 65 levels is one past the default --max-json-depth.
        hostile = '{"a":' * 10000 + "1" + "}" * 10000
        just_over = '{"network":' + '{"a":' * 64 + "1" + "}" * 64 + "}"
        for path, key in [("/network/v2.0/networks", "NeutronError"), ("/image/v2/images", None),
                          ("/compute/v2.1/servers", "badRequest"), ("/v3/auth/tokens", "error")]:
            for body in (hostile, just_over):
                status, _, raw = http("POST", self.agent + path, raw=body.encode(),
                                      headers={**self.auth, "Content-Type": "application/json"})
                self.assertEqual(status, 400, (path, raw[:200]))
                self.assertIn(b"levels deep", raw)
                if key:
                    self.assertIn(key, json.loads(raw))
            self.assert_alive()
        within = '{"network":{"name":"nested-ok","description":"' + "[" * 100 + '"}}'
        status, _, doc = self.call("POST", "/network/v2.0/networks", raw=within.encode())
        self.assertEqual(status, 201, doc)   # brackets inside strings do not count
        self.call("DELETE", "/network/v2.0/networks/" + doc["network"]["id"])

    def test_paths_outside_the_api_are_404_and_odd_paths_400(self):
        status, _, doc = self.call("GET", "/nonsense/here")
        self.assertEqual(status, 404)
        self.assertIn("error", doc)
        status, _, _ = self.call("GET", "/image/v2/images/%2e%2e/x")
        self.assertEqual(status, 400)
        self.assert_alive()

    def test_unsupported_method_is_405(self):
        status, hdrs, _ = self.call("PUT", "/compute/v2.1/servers", {"x": 1})
        self.assertEqual(status, 405)
        self.assertIn("GET", hdrs.get("Allow", ""))

    def test_oversized_header_is_refused(self):
        status, _, _ = self.call("GET", "/network/v2.0/networks", headers={"X-Big": "a" * 40000})
        self.assertEqual(status, 431)
        self.assert_alive()

    # -- translation and isolation ---------------------------------------------------
    def test_ids_are_translated_both_ways(self):
        net = self.create_network("translated")
        # The cloudlet itself knows the network under another (local) ID.
        sim_token, _ = token(self.fed.keystone_url)
        network_url = self.fed.endpoints["cloudlets"][0]["network_url"].rstrip("/")
        status, _, data = http("GET", network_url + "/v2.0/networks?name=translated",
                               headers={"X-Auth-Token": sim_token})
        local = json.loads(data)["networks"]
        self.assertEqual(len(local), 1)
        self.assertNotEqual(local[0]["id"], net["id"])
        # A subnet created with the global network ID lands on the local network, and is
        # answered with the global ID.
        status, _, doc = self.call("POST", "/network/v2.0/subnets", {"subnet": {
            "network_id": net["id"], "cidr": "10.9.0.0/24", "ip_version": 4}})
        self.assertEqual(status, 201, doc)
        self.assertEqual(doc["subnet"]["network_id"], net["id"])
        status, _, doc = self.call("GET", "/network/v2.0/subnets?network_id=" + net["id"])
        self.assertEqual([s["id"] for s in doc["subnets"]], [doc["subnets"][0]["id"]])

    def test_another_project_cannot_see_or_delete(self):
        net = self.create_network("private-net")
        other = {"X-Auth-Token": self.demo_token}
        status, _, _ = self.call("GET", "/network/v2.0/networks/" + net["id"], headers=other)
        self.assertEqual(status, 404)
        status, _, _ = self.call("DELETE", "/network/v2.0/networks/" + net["id"], headers=other)
        self.assertEqual(status, 404)
        status, _, doc = self.call("GET", "/network/v2.0/networks?id=" + net["id"], headers=other)
        self.assertEqual(doc["networks"], [])
        status, _, doc = self.call("GET", "/network/v2.0/networks/" + net["id"])
        self.assertEqual(status, 200)

    def test_paging_follows_markers_to_an_empty_page(self):
        created = {self.create_network(f"page-{i}")["id"] for i in range(5)}
        seen, marker, pages = [], None, 0
        while True:
            path = "/network/v2.0/networks?limit=2" + (f"&marker={marker}" if marker else "")
            status, _, doc = self.call("GET", path)
            self.assertEqual(status, 200)
            pages += 1
            if not doc["networks"]:
                break
            seen += [n["id"] for n in doc["networks"]]
            marker = doc["networks"][-1]["id"]
            self.assertLess(pages, 50, "paging does not end")
        self.assertEqual(len(seen), len(set(seen)), "a page repeated an entry")
        self.assertTrue(created <= set(seen), "paging skipped entries")


class RegistrySurvivesRestart(unittest.TestCase):
    def test_global_ids_resolve_after_agent_restart(self):
        fed = Federation(cloudlets=1)
        try:
            agent = fed.agents[0]
            tok, _ = token(agent["url"] + "/v3")
            status, _, data = http("POST", agent["url"] + "/network/v2.0/networks",
                                   {"network": {"name": "durable"}}, {"X-Auth-Token": tok})
            self.assertEqual(status, 201)
            net_id = json.loads(data)["network"]["id"]
            self.assertEqual(agent["process"].stop(), 0)
            fed.processes.remove(agent["process"])
            again = fed.start_agent("cloudlet-1", "agent-1")
            status, _, data = http("GET", again["url"] + "/network/v2.0/networks/" + net_id,
                                   headers={"X-Auth-Token": tok})
            self.assertEqual(status, 200, data)
            self.assertEqual(json.loads(data)["network"]["name"], "durable")
        finally:
            fed.close()


class SilentUpstream(unittest.TestCase):
    """A cloudlet that accepts connections but never answers: the client gets 504."""

    def test_upstream_timeout_is_504(self):
        black_hole = socket.socket()
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(16)
        silent = f"http://127.0.0.1:{black_hole.getsockname()[1]}"
        keystone = _fake_keystone(silent)
        fed = Federation.__new__(Federation)
        import tempfile
        fed.dir, fed.processes, fed.agents = tempfile.mkdtemp(prefix="fedstack-e2e-"), [], []
        try:
            ks_url = f"http://127.0.0.1:{keystone.server_address[1]}/v3"
            agent = fed.start_agent("silent", "agent-silent", ("--upstream-timeout-ms", "500"),
                                    keystone_url=ks_url)
            status, _, data = http("GET", agent["url"] + "/compute/v2.1/servers",
                                   headers={"X-Auth-Token": "any"})
            self.assertEqual(status, 504)
            self.assertIn("computeFault", json.loads(data))
            status, _, _ = http("GET", agent["url"] + "/", headers={})
            self.assertEqual(status, 300)   # the agent itself still answers
        finally:
            fed.close()
            keystone.shutdown()
            keystone.server_close()
            black_hole.close()


class SlowAndGreedyClients(unittest.TestCase):
    """One client address may hold --max-client-connections; a client trickling
    its header is cut off at --header-timeout-ms; others are served meanwhile."""

    LIMIT = 6

    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=1, agent_args=(
            "--max-client-connections", str(cls.LIMIT), "--header-timeout-ms", "700"))
        cls.agent = cls.fed.agents[0]["url"]
        cls.port = int(cls.agent.rsplit(":", 1)[1])

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()

    def connect(self, source):
        s = socket.socket()
        s.settimeout(30)
        s.bind((source, 0))
        s.connect(("127.0.0.1", self.port))
        return s

    def get_from(self, source, path="/metrics"):
        with self.connect(source) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            return _read_all(s).split(b"\r\n", 1)[0].decode()

    def test_slowloris_from_one_address_cannot_starve_others(self):
        slow = [self.connect("127.0.0.1") for _ in range(self.LIMIT)]
        stop = threading.Event()
        cut_off = []

        def trickle(s):
            # One byte of a never-ending header every 100 ms, until the agent closes.
            s.sendall(b"GET /image/ HTTP/1.1\r\nX-Slow: ")
            try:
                while not stop.is_set():
                    s.sendall(b"a")
                    stop.wait(0.1)
                    s.setblocking(False)
                    try:
                        if s.recv(4096) == b"":
                            cut_off.append(s)
                            return
                    except BlockingIOError:
                        pass
                    finally:
                        s.setblocking(True)
            except OSError:
                cut_off.append(s)

        threads = [threading.Thread(target=trickle, args=(s,)) for s in slow]
        for t in threads:
            t.start()
        try:
            # While all six trickle: a seventh connection from the same address is
            # refused with 503, and another address is served.
            self.assertEqual(self.get_from("127.0.0.1")[:12], "HTTP/1.1 503")
            self.assertEqual(self.get_from("127.0.0.2")[:12], "HTTP/1.1 200")
            for t in threads:
                t.join(timeout=20)
            self.assertEqual(len(cut_off), self.LIMIT, "trickling clients were not cut off")
        finally:
            stop.set()
            for s in slow:
                s.close()
        # The slots are free again: the first address is served once more.
        deadline = time.monotonic() + 10
        while self.get_from("127.0.0.1")[:12] != "HTTP/1.1 200" and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.get_from("127.0.0.1")[:12], "HTTP/1.1 200")
        status, _, body = http("GET", self.agent + "/metrics")
        self.assertIn(b'fedstack_http_connections_refused_total{reason="per_client"}', body)


def _read_all(s):
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return out
        out += chunk


def _links(doc):
    """Every {"href": ...} object in a document."""
    found = []
    if isinstance(doc, dict):
        if "href" in doc:
            found.append(doc)
        for v in doc.values():
            found += _links(v)
    elif isinstance(doc, list):
        for v in doc:
            found += _links(v)
    return found


def _fake_keystone(service_url):
    """A Keystone that accepts anyone and lists `service_url` for every service of region
    `silent`: just enough for an agent to start and validate tokens."""
    def token_body():
        return {"token": {
            "expires_at": "2099-01-01T00:00:00.000000Z", "issued_at": "2026-01-01T00:00:00Z",
            "methods": ["password"], "user": {"id": "u" * 32, "name": "x"},
            "project": {"id": "p" * 32, "name": "x"}, "roles": [{"name": "admin"}],
            "catalog": [{"type": t, "name": t, "id": uuid.uuid4().hex, "endpoints": [
                {"id": uuid.uuid4().hex, "interface": "public", "region": "silent",
                 "region_id": "silent", "url": service_url + suffix}]}
                for t, suffix in [("image", ""), ("network", ""), ("compute", "/v2.1")]]}}

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status):
            data = json.dumps(token_body()).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Subject-Token", "fake")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._send(201)

        def do_GET(self):
            self._send(200)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    unittest.main()
