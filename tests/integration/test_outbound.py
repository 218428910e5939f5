"""No request makes an agent call a host that is neither a cloud endpoint from
Keystone's catalog nor a federation peer (issue 5, docs/faults.md).

A canary listens on 127.0.0.2 and records every connection. Clients send the
agents everything that names it: global IDs whose owner field is the canary,
absolute-form request targets, Host and forwarding headers, crafted paths and
image locations. A lying cloud (a proxy in front of cloudlet-2's Glance that
the agent of cloudlet-2 finds in a doctored catalog) answers with Location
headers, redirects and paging links that point at the canary. The canary must
see nothing, clients must see no canary URL, and the agents must live on.
"""
import http.client
import json
import os
import socket
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from harness import Federation, token

CANARY_HOST = "127.0.0.2"


class Canary:
    """Accepts connections on 127.0.0.2 and remembers who came."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind((CANARY_HOST, 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{CANARY_HOST}:{self.port}"
        self.hits = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            self.hits.append(peer)
            conn.close()

    def close(self):
        self.sock.close()


def global_id_owned_by(host, port):
    """A global ID (api/global_id.hpp) whose owner field names host:port."""
    a, b, c, d = (int(x) for x in host.split("."))
    node = f"{a:02x}{b:02x}{c:02x}{d:02x}{port:04x}"
    r = uuid.uuid4().hex
    return f"{r[:8]}-{r[8:12]}-8{r[13:16]}-8{r[17:20]}-{node}"


def call(base, method, path, body=None, headers=None, raw_target=None):
    """One HTTP call that follows no redirect; returns (status, headers, body bytes)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    h = {"Content-Type": "application/json"} if data is not None else {}
    h.update(headers or {})
    conn.request(method, raw_target or path, body=data, headers=h)
    r = conn.getresponse()
    out = (r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    conn.close()
    return out


def raw_request(base, text):
    """Sends bytes as they are; returns the status line, or '' if the agent closed."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as s:
        s.sendall(text.encode())
        answer = b""
        while b"\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode(errors="replace")


class Forwarder(BaseHTTPRequestHandler):
    """Relays a request to `upstream` and lets `tamper` change the answer."""
    protocol_version = "HTTP/1.1"
    upstream = None
    tamper = None
    targets = None   # a list: every request target seen, in order


    def log_message(self, *args):
        pass

    def _relay(self):
        if self.targets is not None:
            self.targets.append(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        parts = urlsplit(self.upstream)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        conn.request(self.command, self.path, body=body, headers=headers)
        r = conn.getresponse()
        status, out_headers, data = r.status, [(k, v) for k, v in r.getheaders()
                                               if k.lower() not in ("content-length", "transfer-encoding",
                                                                    "connection")], r.read()
        conn.close()
        status, out_headers, data = type(self).tamper(self, status, out_headers, data)
        self.send_response(status)
        for k, v in out_headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _relay


def serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class OutboundHosts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.canary = Canary()
        # Agent 1 serves cloudlet-1 and may reach only nodes on 127.0.0.1.
        cls.fed = Federation(cloudlets=2, agents=1, agent_args=("--peer-networks", "127.0.0.1/32"))
        cls.agent = cls.fed.agents[0]["url"]
        glance_2 = next(c for c in cls.fed.endpoints["cloudlets"] if c["region"] == "cloudlet-2")["image_url"]
        canary = cls.canary.url

        def lying_glance(handler, status, headers, data):
            headers = [(k, v) for k, v in headers if k.lower() != "location"]
            headers.append(("Location", canary + "/v2/images/elsewhere"))
            if handler.command == "GET" and handler.path.endswith("/file"):
                return 302, headers, b""
            try:
                doc = json.loads(data)
            except ValueError:
                return status, headers, data
            if isinstance(doc, dict) and "images" in doc:
                doc["next"] = canary + "/v2/images?marker=" + str(uuid.uuid4())
            return status, headers, json.dumps(doc).encode()

        cls.liar_targets = []
        cls.liar, cls.liar_url = serve(type("LyingGlance", (Forwarder,), {
            "upstream": glance_2, "tamper": lying_glance, "targets": cls.liar_targets}))

        def doctored_catalog(handler, status, headers, data):
            return status, headers, data.replace(glance_2.rstrip("/").encode(), cls.liar_url.encode())

        cls.mitm, mitm_url = serve(type("DoctoredKeystone", (Forwarder,), {
            "upstream": cls.fed.keystone_url, "tamper": doctored_catalog}))
        # Agent 2 serves cloudlet-2, whose Glance (as its catalog says) lies.
        cls.lied_to = cls.fed.start_agent(
            "cloudlet-2", "agent-2", ("--peer-networks", "127.0.0.1/32", "--join", cls.fed.agents[0]["node"],
                                      "--capacity-period-ms", "300"),
            keystone_url=mitm_url)
        cls.token, _ = token(cls.agent + "/v3")
        cls.auth = {"X-Auth-Token": cls.token}

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()
        cls.liar.shutdown()
        cls.mitm.shutdown()
        cls.canary.close()

    def assert_untouched(self):
        self.assertEqual(self.canary.hits, [], "an agent connected to the canary")

    def assert_clean(self, status, headers, body):
        self.assertLess(status, 500, body)
        self.assertNotIn(CANARY_HOST, headers.get("location", ""))
        self.assertNotIn(CANARY_HOST.encode(), body)

    def test_1_global_ids_naming_a_stranger_are_not_found_without_a_connection(self):
        forged = global_id_owned_by(CANARY_HOST, self.canary.port)
        for method, path in [("GET", "/image/v2/images/" + forged),
                             ("GET", "/image/v2/images/" + forged + "/file"),
                             ("DELETE", "/image/v2/images/" + forged),
                             ("GET", "/compute/v2.1/servers/" + forged),
                             ("DELETE", "/compute/v2.1/servers/" + forged),
                             ("GET", "/network/v2.0/networks/" + forged),
                             ("GET", "/network/v2.0/subnets/" + forged),
                             ("GET", "/network/v2.0/ports/" + forged),
                             ("GET", "/image/v2/images?marker=" + forged),
                             ("GET", "/compute/v2.1/servers/detail?marker=" + forged)]:
            status, headers, body = call(self.agent, method, path, headers=self.auth)
            self.assertIn(status, (400, 404), f"{method} {path}: {status} {body[:300]}")
            self.assert_clean(status, headers, body)
        status, headers, body = call(self.agent, "POST", "/compute/v2.1/servers", {"server": {
            "name": "forged", "imageRef": forged, "flavorRef": "1",
            "networks": [{"uuid": global_id_owned_by(CANARY_HOST, self.canary.port)}]}}, self.auth)
        self.assertIn(status, (400, 404), body)
        self.assert_clean(status, headers, body)
        status, headers, body = call(self.agent, "POST", "/network/v2.0/ports",
                                     {"port": {"network_id": forged}}, self.auth)
        self.assertIn(status, (400, 404), body)
        self.assert_untouched()

    def test_2_targets_hosts_and_paths_cannot_choose_the_upstream(self):
        hostport = f"{CANARY_HOST}:{self.canary.port}"
        t = self.token
        for text in [
            f"GET {self.canary.url}/v2/images HTTP/1.1\r\nHost: {hostport}\r\nX-Auth-Token: {t}\r\n\r\n",
            f"GET {self.canary.url}/image/v2/images HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {t}\r\n\r\n",
            f"CONNECT {hostport} HTTP/1.1\r\nHost: {hostport}\r\n\r\n",
            f"GET /image/v2/images HTTP/1.1\r\nHost: {hostport}\r\nX-Forwarded-Host: {hostport}\r\n"
            f"Forwarded: host={hostport}\r\nX-Auth-Token: {t}\r\n\r\n",
        ]:
            line = raw_request(self.agent, text)
            self.assertTrue(line == "" or not line.split(" ")[1].startswith("5"), line)
        for path in [f"//{hostport}/image/v2/images", f"/image//{hostport}/v2/images",
                     f"/image/{self.canary.url}/v2/images", f"/image@{hostport}/v2/images",
                     "/image/v2/images/..%2F..%2F" + hostport, f"/compute/v2.1/servers/http%3A%2F%2F{hostport}",
                     f"/image/v2/images/{uuid.uuid4()}@{hostport}", f"/network/v2.0/networks?next={self.canary.url}"]:
            # Error messages may echo the path; what matters is where the agent connects.
            status, headers, body = call(self.agent, "GET", path, headers=self.auth)
            self.assertLess(status, 500, f"{path}: {body[:300]}")
            self.assertNotIn(CANARY_HOST, headers.get("location", ""))
        self.assert_untouched()

    def test_3_image_urls_are_not_fetched_by_the_agent(self):
        status, _, body = call(self.agent, "POST", "/image/v2/images", {
            "name": "located", "disk_format": "raw", "container_format": "bare",
            "locations": [{"url": self.canary.url + "/disk", "metadata": {}}],
            "direct_url": self.canary.url + "/disk", "url": self.canary.url}, self.auth)
        self.assertLess(status, 500, body)
        status, _, body = call(self.agent, "POST", "/image/v2/images", {
            "name": "imported", "disk_format": "raw", "container_format": "bare"}, self.auth)
        self.assertEqual(status, 201, body)
        image = json.loads(body)["id"]
        for method, path, doc in [
            ("POST", f"/image/v2/images/{image}/import",
             {"method": {"name": "web-download", "uri": self.canary.url + "/disk"}}),
            ("PATCH", f"/image/v2/images/{image}",
             [{"op": "add", "path": "/locations/-", "value": {"url": self.canary.url, "metadata": {}}}]),
        ]:
            headers = dict(self.auth)
            if method == "PATCH":
                headers["Content-Type"] = "application/openstack-images-v2.1-json-patch"
            status, headers, body = call(self.agent, method, path, doc, headers)
            self.assertLess(status, 500, body)
        self.assert_untouched()

    def test_4_a_lying_cloud_cannot_send_the_agent_or_its_clients_elsewhere(self):
        agent_2 = self.lied_to["url"]
        token_2, _ = token(agent_2 + "/v3")
        auth = {"X-Auth-Token": token_2}
        # An image made straight on cloudlet-2 (a cloud ID): its calls go through the liar.
        status, _, body = call(self.liar_url, "POST", "/v2/images", {
            "name": "on-the-liar", "disk_format": "raw", "container_format": "bare"}, auth)
        self.assertEqual(status, 201, body)
        local = json.loads(body)["id"]
        status, _, _ = call(self.liar_url, "PUT", f"/v2/images/{local}/file", b"x" * 1024,
                            {**auth, "Content-Type": "application/octet-stream"})
        self.assertEqual(status, 204)
        for method, path in [("GET", f"/image/v2/images/{local}"), ("GET", "/image/v2/images"),
                             ("GET", f"/image/v2/images/{local}/file"), ("GET", "/image/v2/schemas/image"),
                             ("GET", f"/image/v2/images/{uuid.uuid4()}")]:
            status, headers, body = call(agent_2, method, path, headers=auth)
            self.assertNotIn(CANARY_HOST, headers.get("location", ""), f"{method} {path}")
            if path == "/image/v2/images":
                self.assertEqual(status, 200, body)
                self.assertNotIn(CANARY_HOST.encode(), body)
        with open(os.path.join(self.fed.dir, "agent-2.log")) as log:
            self.assertIn("dropped a Location header", log.read())
        # The lied-to agent's capacity poller pages through the liar's image list
        # every 300 ms, and each page links "next" to the canary: wait for two
        # polls after this point, then no target may have followed such a link.
        polls = lambda: sum(1 for t in list(self.liar_targets) if "status=active" in t)
        first = polls()
        deadline = time.monotonic() + 30
        while polls() < first + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(polls(), first + 2, "the capacity poller stopped")
        followed = [t for t in self.liar_targets if not t.startswith("/") or "marker" in t and "status" in t
                    and CANARY_HOST in t]
        self.assertEqual(followed, [])
        self.assert_untouched()
        self.assertIsNone(self.lied_to["process"].proc.poll(), "the lied-to agent died")
        self.assertIsNone(self.fed.agents[0]["process"].proc.poll(), "agent 1 died")


if __name__ == "__main__":
    unittest.main()
