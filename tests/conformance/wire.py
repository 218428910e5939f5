"""The calls of the thesis' tables 3.2-3.5, and what the openstack CLI sent on the wire.

`openstack --debug` logs every request urllib3 made with its status; the suite reads those
lines to learn which table calls a command made and what the agent answered.
"""
import re
from urllib.parse import urlsplit

_ID = r"(?!detail$)[^/]+"
_COMPUTE = r"^/compute/v2\.1(?:/[0-9a-f]{32})?"
_VOLUME = r"^/volume/v3(?:/[0-9a-f]{32})?"


def _network(collection, singular):
    return [
        ("network", f"GET /v2.0/{collection}", "GET", rf"^/network/v2\.0/{collection}$"),
        ("network", f"POST /v2.0/{collection}", "POST", rf"^/network/v2\.0/{collection}$"),
        ("network", f"GET /v2.0/{collection}/{{{singular}_id}}", "GET", rf"^/network/v2\.0/{collection}/{_ID}$"),
        ("network", f"DELETE /v2.0/{collection}/{{{singular}_id}}", "DELETE",
         rf"^/network/v2\.0/{collection}/{_ID}$"),
    ]


# (api, call as the thesis writes it, method, regex on the path below the agent's base URL)
TABLE_CALLS = [
    ("identity", "POST /v3/auth/tokens", "POST", r"^/v3/auth/tokens$"),
    ("identity", "GET /v3/auth/tokens", "GET", r"^/v3/auth/tokens$"),
    ("image", "GET /v2/images", "GET", r"^/image/v2/images$"),
    ("image", "POST /v2/images", "POST", r"^/image/v2/images$"),
    ("image", "GET /v2/images/{image_id}", "GET", rf"^/image/v2/images/{_ID}$"),
    ("image", "DELETE /v2/images/{image_id}", "DELETE", rf"^/image/v2/images/{_ID}$"),
    ("image", "PUT /v2/images/{image_id}/file", "PUT", rf"^/image/v2/images/{_ID}/file$"),
    ("image", "GET /v2/images/{image_id}/file", "GET", rf"^/image/v2/images/{_ID}/file$"),
    *_network("networks", "network"),
    *_network("subnets", "subnet"),
    *_network("ports", "port"),
    ("compute", "GET /v2.1/{tenant_id}/servers", "GET", _COMPUTE + r"/servers$"),
    ("compute", "POST /v2.1/{tenant_id}/servers", "POST", _COMPUTE + r"/servers$"),
    ("compute", "GET /v2.1/{tenant_id}/servers/detail", "GET", _COMPUTE + r"/servers/detail$"),
    ("compute", "GET /v2.1/{tenant_id}/servers/{server_id}", "GET", _COMPUTE + rf"/servers/{_ID}$"),
    ("compute", "DELETE /v2.1/{tenant_id}/servers/{server_id}", "DELETE", _COMPUTE + rf"/servers/{_ID}$"),
    ("compute", "GET /v2.1/{tenant_id}/flavors", "GET", _COMPUTE + r"/flavors$"),
    ("compute", "POST /v2.1/{tenant_id}/flavors", "POST", _COMPUTE + r"/flavors$"),
    ("compute", "GET /v2.1/{tenant_id}/flavors/detail", "GET", _COMPUTE + r"/flavors/detail$"),
    ("compute", "GET /v2.1/{tenant_id}/flavors/{flavor_id}", "GET", _COMPUTE + rf"/flavors/{_ID}$"),
    ("compute", "DELETE /v2.1/{tenant_id}/flavors/{flavor_id}", "DELETE", _COMPUTE + rf"/flavors/{_ID}$"),
    ("compute", "GET /v2.1/{tenant_id}/os-hypervisors", "GET", _COMPUTE + r"/os-hypervisors$"),
    # Block Storage v3 (issue 19): not in the thesis' tables; the calls the volume flow makes.
    ("volume", "POST /v3/{project_id}/volumes", "POST", _VOLUME + r"/volumes$"),
    ("volume", "GET /v3/{project_id}/volumes/detail", "GET", _VOLUME + r"/volumes/detail$"),
    ("volume", "GET /v3/{project_id}/volumes/{volume_id}", "GET", _VOLUME + rf"/volumes/{_ID}$"),
    ("volume", "POST /v3/{project_id}/volumes/{volume_id}/action", "POST", _VOLUME + rf"/volumes/{_ID}/action$"),
    ("volume", "DELETE /v3/{project_id}/volumes/{volume_id}", "DELETE", _VOLUME + rf"/volumes/{_ID}$"),
    ("volume", "POST /v3/{project_id}/snapshots", "POST", _VOLUME + r"/snapshots$"),
    ("volume", "GET /v3/{project_id}/snapshots/detail", "GET", _VOLUME + r"/snapshots/detail$"),
    ("volume", "GET /v3/{project_id}/snapshots/{snapshot_id}", "GET", _VOLUME + rf"/snapshots/{_ID}$"),
    ("volume", "DELETE /v3/{project_id}/snapshots/{snapshot_id}", "DELETE", _VOLUME + rf"/snapshots/{_ID}$"),
]
_COMPILED = [(api, call, method, re.compile(rx)) for api, call, method, rx in TABLE_CALLS]
APIS = ("identity", "image", "network", "compute", "volume")


def api_of(path):
    for prefix, api in (("/v3", "identity"), ("/image", "image"), ("/network", "network"),
                        ("/compute", "compute"), ("/volume", "volume")):
        if path == prefix or path.startswith(prefix + "/"):
            return api
    return "other"


def table_call(method, path):
    """(api, call) of the table row a request is, or None."""
    for api, call, m, rx in _COMPILED:
        if m == method and rx.match(path):
            return api, call
    return None


def relative_path(url, base):
    """The path of `url` below `base` (the agent's base URL), or None if it is elsewhere."""
    if not url.startswith(base):
        return None
    return urlsplit(url).path[len(urlsplit(base).path.rstrip("/")):] or "/"


def requests_in_debug_log(text):
    """[(method, url, status)] from `openstack --debug` output, in order.

    urllib3 logs every request it made, the token request and image bytes included, as
    `http://host:port "METHOD /path?query HTTP/1.1" STATUS LENGTH`."""
    found = []
    for m in _URLLIB3_LINE.finditer(text):
        found.append((m.group(2), m.group(1) + m.group(3), int(m.group(4))))
    return found


_URLLIB3_LINE = re.compile(r'^(https?://[^ "]+) "([A-Z]+) (\S+) HTTP/1\.[01]" (\d{3})', re.M)
