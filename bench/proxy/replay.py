"""A replaying upstream for bench/proxy/lists.py: nginx in front of `fedstack sim`
that answers recorded GETs from files, at nginx's cost, and passes everything
else to the sim.

    front = Replay(directory, sim_endpoints)   # live: every call goes to the sim
    front.keystone_url, front.endpoints         # what agents and nginx are given
    front.record(url, token)                    # the answer to GET url, kept as a file
    ... later GETs of those URLs (path and query) come from the files.

One nginx (one worker) listens once per sim service (Keystone, and each
cloudlet's Glance, Neutron, Nova). It rewrites the sim's addresses to its own
in every answer from the sim (sub_filter, proxy_redirect), so the catalog an agent reads
from Keystone names the front, and the agent calls the front. A GET whose
path and query have a file under the service's directory (`<path>@<query>`)
is answered from it; the answer's bytes are what the sim gave (through the
front) when recorded. The simulated cloud needs most of a second of CPU for a
1,000-item answer; the front answers it in tens of microseconds, so both the
agent and the nginx baseline are measured, not the cloud."""
import os
import urllib.parse

from harness import Process, http  # noqa: E402
from overhead import free_port  # noqa: E402


def _host(url):
    return url.split("://", 1)[1].split("/", 1)[0]


class Replay:
    def __init__(self, directory, endpoints):
        os.makedirs(directory)
        for d in (os.path.dirname(directory), directory):
            os.chmod(d, 0o755)   # the workers run as nobody
        self.directory = directory
        urls = [("keystone", endpoints["keystone_url"])]
        for c in endpoints["cloudlets"]:
            for kind in ("image_url", "network_url", "compute_url"):
                urls.append((f"{c['region']}-{kind.split('_')[0]}", c[kind]))
        # sim host:port -> (name, front port), one listener each.
        self.fronts = {}
        for name, url in urls:
            host = _host(url)
            if host not in self.fronts:
                self.fronts[host] = (name, free_port())
        self.endpoints = self._rewrite(endpoints)
        self.keystone_url = self.endpoints["keystone_url"]
        path = os.path.join(directory, "nginx.conf")
        with open(path, "w") as f:
            f.write(self._conf())
        self.process = Process(["nginx", "-c", path, "-p", directory, "-e", "/dev/stdout"],
                               os.path.join(directory, "stderr.log"))
        while "start worker process" not in self.process.read_line(timeout=30):
            pass

    def _rewrite(self, value):
        if isinstance(value, dict):
            return {k: self._rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._rewrite(v) for v in value]
        if isinstance(value, str):
            for sim, (_, port) in self.fronts.items():
                value = value.replace(sim, f"127.0.0.1:{port}")
            return value
        return value

    def _conf(self):
        d = self.directory
        # Only what goes to the sim is rewritten: the recorded files are served as they are.
        subs = "".join(f"      sub_filter '{sim}' '127.0.0.1:{port}';\n"
                       f"      proxy_redirect http://{sim}/ http://127.0.0.1:{port}/;\n"
                       for sim, (_, port) in self.fronts.items())
        servers = []
        for sim, (name, port) in self.fronts.items():
            os.makedirs(os.path.join(d, "files", name), exist_ok=True)
            servers.append(f"""
  upstream {name} {{ server {sim}; keepalive 32; }}
  server {{
    listen 127.0.0.1:{port};
    root {d}/files/{name};
    default_type application/json;
    location / {{ try_files "$uri@$args" @sim; }}
    location @sim {{
      proxy_pass http://{name};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Accept-Encoding "";
{subs}    }}
  }}""")
        return f"""daemon off;
master_process on;
worker_processes 1;
pid {d}/nginx.pid;
error_log /dev/stdout notice;
events {{ worker_connections 4096; }}
http {{
  log_format calls '$request_method $server_port $request_uri';
  access_log {d}/calls.log calls;
  types {{ }}
  client_max_body_size 0;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  proxy_buffers 64 64k;
  sub_filter_types application/json;
  sub_filter_once off;
  sendfile on;
  etag off;
{''.join(servers)}
}}
"""

    def record(self, url, tok, headers=None):
        """Keeps the front's answer to GET `url` (a front URL) as the file later GETs of it get."""
        status, _, body = http("GET", url, headers={"X-Auth-Token": tok, **(headers or {})})
        assert status == 200, (url, status, body[:200])
        parts = urllib.parse.urlsplit(url)
        name = next(n for n, p in self.fronts.values() if parts.port == p)
        path = os.path.join(self.directory, "files", name,
                            urllib.parse.unquote(parts.path).lstrip("/") + "@" + parts.query)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
        os.chmod(path, 0o644)
        return len(body)

    def calls(self):
        """The calls the front has seen so far: (method, front URL)."""
        with open(os.path.join(self.directory, "calls.log")) as f:
            return [(m, f"http://127.0.0.1:{port}{uri}") for m, port, uri in
                    (line.split(" ", 2) for line in f.read().splitlines())]

    def stop(self):
        self.process.stop()
