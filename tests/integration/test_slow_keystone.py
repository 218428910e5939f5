"""An agent whose Keystone is slow to issue tokens still starts: the service token gets
--upstream-timeout-ms like every other call (the OpenStack lab's loaded Keystone took over
10 s per token, docs/conformance.md)."""
import http.server
import threading
import time
import unittest
import urllib.error
import urllib.request

from harness import Federation

TOKEN_DELAY_S = 11   # above the 10 s the service token used to be allowed


class SlowTokens(http.server.ThreadingHTTPServer):
    """Forwards everything to `upstream`, answering token requests after TOKEN_DELAY_S."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.token_requests = 0
        super().__init__(("127.0.0.1", 0), Forward)


class Forward(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        if self.command == "POST" and self.path.startswith("/v3/auth/tokens"):
            self.server.token_requests += 1
            time.sleep(TOKEN_DELAY_S)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        req = urllib.request.Request(self.server.upstream + self.path, data=body, method=self.command,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, out_headers, data = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, out_headers, data = e.code, e.headers, e.read()
        self.send_response(status)
        for k, v in out_headers.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = forward

    def log_message(self, *args):
        pass


class SlowKeystone(unittest.TestCase):
    def test_agent_starts_when_tokens_take_longer_than_ten_seconds(self):
        fed = Federation(cloudlets=1, agents=0)
        proxy = SlowTokens(fed.keystone_url)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        try:
            started = time.monotonic()
            agent = fed.start_agent("cloudlet-1", "agent-1", ("--upstream-timeout-ms", "30000"),
                                    keystone_url=f"http://127.0.0.1:{proxy.server_port}/v3")
            self.assertEqual(agent["region"], "cloudlet-1")
            self.assertGreaterEqual(time.monotonic() - started, TOKEN_DELAY_S)
            self.assertEqual(proxy.token_requests, 1, "the first token request should have been waited for")
        finally:
            proxy.shutdown()
            codes = fed.close()
        self.assertTrue(all(c == 0 for c in codes), codes)


if __name__ == "__main__":
    unittest.main()
