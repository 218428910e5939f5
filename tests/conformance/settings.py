"""Where the suite finds the clouds and the agents: the environment, or a small file.

The file holds `KEY=VALUE` lines (an openrc's `export KEY=VALUE` works too); the
environment wins over it. Keys:

  OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME,
  OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME   the real clouds' shared Keystone (admin)
  FEDSTACK_AGENTS        comma-separated base URLs of the agents (http://host:8080)
  CONFORMANCE_FLAVOR     flavor to boot (m1.tiny)
  CONFORMANCE_WORKDIR    where image files, logs and Rally's database go (a new temp dir)
  CONFORMANCE_FLOWS      comma-separated flows to run (identity, image, network, compute,
                         zones, boots_elsewhere, lists_and_paging, volumes; default all)
  CONFORMANCE_VOLUME_FLAVOR  flavor of the boot from a volume (m1.nano)
"""
import os
import re
import shlex
import tempfile

REQUIRED = ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "FEDSTACK_AGENTS")


def read_file(path):
    values = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
            if not m:
                raise ValueError(f"{path}: not KEY=VALUE: {line}")
            words = shlex.split(m.group(2)) or [""]
            values[m.group(1)] = words[0]
    return values


class Settings:
    def __init__(self, path=None, environ=None):
        values = read_file(path) if path else {}
        environ = os.environ if environ is None else environ
        values.update({k: v for k, v in environ.items() if k in REQUIRED or k.startswith(("OS_", "CONFORMANCE_"))})
        missing = [k for k in REQUIRED if not values.get(k)]
        if missing:
            raise SystemExit("conformance: missing " + ", ".join(missing) + " (environment or --config FILE)")
        self.values = values
        self.agents = [u.strip().rstrip("/") for u in values["FEDSTACK_AGENTS"].split(",") if u.strip()]
        self.flavor = values.get("CONFORMANCE_FLAVOR", "m1.tiny")
        self.workdir = values.get("CONFORMANCE_WORKDIR") or tempfile.mkdtemp(prefix="fedstack-conformance-")
        os.makedirs(self.workdir, exist_ok=True)

    def credentials(self):
        v = self.values
        return {
            "OS_USERNAME": v["OS_USERNAME"], "OS_PASSWORD": v["OS_PASSWORD"],
            "OS_PROJECT_NAME": v["OS_PROJECT_NAME"],
            "OS_USER_DOMAIN_NAME": v.get("OS_USER_DOMAIN_NAME", "Default"),
            "OS_PROJECT_DOMAIN_NAME": v.get("OS_PROJECT_DOMAIN_NAME", "Default"),
            "OS_IDENTITY_API_VERSION": "3", "OS_INTERFACE": "public",
        }

    def env(self, auth_url, region):
        """A clean environment for the openstack CLI or Rally: no other OS_* leaks in."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(self.credentials())
        env["OS_AUTH_URL"] = auth_url
        env["OS_REGION_NAME"] = region
        return env

    def cloud_env(self, region):
        return self.env(self.values["OS_AUTH_URL"], region)

    def agent_env(self, agent_url, region):
        return self.env(agent_url + "/v3", region)
