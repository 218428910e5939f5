"""A small HTTP(S) front for end-to-end tests: forwards every request to one upstream,
optionally over TLS with a certificate the test made, rewriting URLs in answers (so a
catalog can advertise the fronts), counting the requests it saw, or answering some
itself (a fake cloud). Loopback only; port 0."""
import http.client
import re
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "content-length", "host"}
LOOPBACK_URL = re.compile(rb"http://127\.0\.0\.1:(\d+)")


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_ca(directory, name):
    """A throwaway CA: returns (cert path, key path)."""
    cert, key = f"{directory}/{name}.pem", f"{directory}/{name}.key"
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-days", "1", "-subj", f"/CN={name}", "-keyout", key, "-out", cert)
    return cert, key


def make_cert(directory, name, ca, san):
    """A server certificate signed by `ca` (from make_ca) naming `san`, e.g.
    "IP:127.0.0.1,DNS:localhost": returns (cert path, key path)."""
    cert, key, csr, ext = (f"{directory}/{name}.{e}" for e in ("pem", "key", "csr", "ext"))
    with open(ext, "w") as f:
        f.write(f"subjectAltName={san}\n")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", f"/CN={name}", "-keyout", key, "-out", csr)
    openssl("x509", "-req", "-days", "1", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial",
            "-extfile", ext, "-out", cert)
    return cert, key


class Front:
    """Forwards to `upstream` ("http://127.0.0.1:port"). `tls`: (cert, key) to serve
    https. `rewrite`: {upstream port: new origin} applied to loopback URLs in answers.
    `fake(method, path)`: (status, headers, body) to answer itself, or None to forward."""

    def __init__(self, upstream, tls=None, rewrite=None, fake=None):
        self.upstream = urlsplit(upstream)
        self.rewrite = rewrite if rewrite is not None else {}
        self.fake = fake
        self.requests = []   # (method, path) of every request, in order
        self.lock = threading.Lock()
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def handle_one(self):
                with front.lock:
                    front.requests.append((self.command, self.path))
                body = self.body()
                answer = front.fake(self.command, self.path) if front.fake else None
                if answer is None:
                    answer = front.forward(self.command, self.path, self.headers, body)
                status, headers, data = answer
                data = front.rewritten(data)
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, front.rewritten(value.encode()).decode())
                length = str(len(data))
                if self.command == "HEAD":   # the length of what a GET would answer
                    length = next((v for k, v in headers if k.lower() == "content-length"), "0")
                self.send_header("Content-Length", length)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_one

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                sock, address = self.socket.accept()
                if tls:   # the handshake happens in the request's thread, at its first read
                    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    context.load_cert_chain(*tls)
                    sock = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                return sock, address

            def handle_error(self, request, client_address):
                pass   # a client that refused the certificate, or left

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def rewritten(self, data):
        return LOOPBACK_URL.sub(lambda m: self.rewrite.get(int(m.group(1)), m.group(0).decode()).encode(),
                                data)

    def forward(self, method, path, headers, body):
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            sent = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(method, path, body=body if body or method in ("POST", "PUT", "PATCH") else None,
                               headers=sent)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def count(self, method=None, path_prefix=""):
        with self.lock:
            return sum(1 for m, p in self.requests
                       if (method is None or m == method) and p.startswith(path_prefix))

    def close(self):
        self.server.shutdown()
        self.server.server_close()
