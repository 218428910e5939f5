"""Starts fedstack processes on 127.0.0.1 for end-to-end tests and talks to them.

Processes announce readiness with one JSON line on stdout; the harness waits for
that line (an event), never for a fixed time.

Node ports are mutual TLS by default, as in production: the harness makes one federation CA
per test process (scripts/fedstack-certs.sh), gives every agent it starts a node certificate
for its region unless the test passes --node-ca or --insecure-plain-node-port itself, and
exports an operator certificate in FEDSTACK_NODE_CA/CERT/KEY, which the introspection
commands (`fedstack members ...`) read by default.
"""
import atexit
import itertools
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

FEDSTACK = os.environ.get("FEDSTACK_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "fedstack")
CERTS_SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "fedstack-certs.sh")
# The CLI's sitecustomize: `--wait` polls every 0.2 s, not every 5 s (cli_site/sitecustomize.py).
CLI_SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cli_site")

_ca_dir = None
_cert_names = itertools.count(1)


def certs(*args):
    """Runs scripts/fedstack-certs.sh."""
    subprocess.run(["bash", CERTS_SCRIPT, *args], check=True, capture_output=True, text=True)


def federation_ca():
    """This test process' federation CA directory (made once), with an operator certificate
    exported for the introspection commands."""
    global _ca_dir
    if _ca_dir is None:
        directory = tempfile.mkdtemp(prefix="fedstack-ca-")
        atexit.register(shutil.rmtree, directory, True)
        certs("init", os.path.join(directory, "ca"))
        certs("client", os.path.join(directory, "ca"), "operator")
        _ca_dir = os.path.join(directory, "ca")
        os.environ.setdefault("FEDSTACK_NODE_CA", os.path.join(_ca_dir, "ca.crt"))
        os.environ.setdefault("FEDSTACK_NODE_CERT", os.path.join(_ca_dir, "operator.crt"))
        os.environ.setdefault("FEDSTACK_NODE_KEY", os.path.join(_ca_dir, "operator.key"))
    return _ca_dir


def node_tls_args(region, name="node"):
    """--node-ca/--node-cert/--node-key of a fresh certificate of this process' CA for `region`."""
    directory = federation_ca()
    unique = f"{name}-{next(_cert_names)}"
    certs("node", directory, unique, "127.0.0.1", region)
    return ("--node-ca", os.path.join(directory, "ca.crt"),
            "--node-cert", os.path.join(directory, unique + ".crt"),
            "--node-key", os.path.join(directory, unique + ".key"))


def with_node_tls(region, name, args):
    """`args` plus a node certificate, unless they choose the node port's security themselves."""
    if "--node-ca" in args or "--insecure-plain-node-port" in args:
        return tuple(args)
    return (*node_tls_args(region, name), *args)


def operator_tls_args():
    directory = federation_ca()
    return ("--ca", os.path.join(directory, "ca.crt"), "--cert", os.path.join(directory, "operator.crt"),
            "--key", os.path.join(directory, "operator.key"))


class Process:
    """A child process whose stdout is read line by line and whose stderr goes to a file."""

    def __init__(self, args, log_path, env=None):
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log,
                                     stdin=subprocess.DEVNULL, env=env)
        self.buffer = b""

    def read_line(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no output within {timeout}s; see {self.log_path}")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"process exited ({self.proc.wait()}); see {self.log_path}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def read_json(self, timeout=60):
        while True:
            line = self.read_line(timeout)
            try:
                return json.loads(line)
            except ValueError:
                continue

    def stop(self, grace=10):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                # Where it hung: its last log lines.
                sys.stderr.write(f"{self.proc.args[:2]} still running {grace}s after SIGTERM; "
                                 f"killed. Last lines of {self.log_path}:\n")
                self.log.flush()
                with open(self.log_path, "rb") as f:
                    sys.stderr.write(b"".join(f.readlines()[-30:]).decode(errors="replace"))
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self.proc.stdout.close()
        return self.proc.returncode


class Federation:
    """`fedstack sim` plus one agent per cloudlet (or the first `agents` cloudlets).

    `agent_args` go to every agent; `per_agent_args(i)`, if given, returns further
    arguments for agent i (1-based), e.g. each agent's own certificate."""

    def __init__(self, cloudlets=1, build_delay_ms=200, agent_args=(), sim_args=(), chain=False,
                 agents=None, per_agent_args=None):
        self.dir = tempfile.mkdtemp(prefix="fedstack-e2e-")
        self.processes = []
        self.agents = []
        try:
            self.sim = self._start(["sim", "--cloudlets", str(cloudlets), "--data-dir",
                                    os.path.join(self.dir, "sim"), "--build-delay-ms",
                                    str(build_delay_ms), *sim_args], "sim.log")
            self.endpoints = self.sim.read_json()
            self.keystone_url = self.endpoints["keystone_url"]
            for i in range(1, (cloudlets if agents is None else agents) + 1):
                join = ("--join", self.agents[-1]["node"]) if chain and self.agents else ()
                own = tuple(per_agent_args(i)) if per_agent_args else ()
                self.agents.append(self.start_agent(f"cloudlet-{i}", f"agent-{i}",
                                                    (*agent_args, *own, *join)))
        except BaseException:
            # A process that did not come up must not leave the others running.
            self.close()
            raise

    def _start(self, args, log_name):
        p = Process([FEDSTACK, *args], os.path.join(self.dir, log_name))
        self.processes.append(p)
        return p

    def start_agent(self, region, name, extra=(), keystone_url=None):
        p = self._start(["agent", "--port", "0", "--node-port", "0", "--keystone-url",
                         keystone_url or self.keystone_url, "--service-password", "secret",
                         "--region", region, "--data-dir",
                         os.path.join(self.dir, name), *with_node_tls(region, name, extra)],
                        name + ".log")
        ready = p.read_json()
        ready["process"] = p
        return ready

    def env(self, agent=0, user="admin", password="secret", project="admin"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({
            "OS_AUTH_URL": self.agents[agent]["url"] + "/v3",
            "OS_IDENTITY_API_VERSION": "3",
            "OS_USERNAME": user, "OS_PASSWORD": password, "OS_PROJECT_NAME": project,
            "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
            "OS_REGION_NAME": self.agents[agent]["region"], "OS_INTERFACE": "public",
        })
        return env

    def close(self):
        codes = [p.stop() for p in reversed(self.processes)]
        if os.environ.get("FEDSTACK_KEEP_TEST_DIRS") is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        return codes


def openstack(env, *args, check=True):
    """Runs the real openstack CLI; returns parsed JSON for `-f json` calls, else stdout."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (CLI_SITE, env.get("PYTHONPATH")) if p)
    result = subprocess.run(["openstack", *args], env=env, capture_output=True, text=True,
                            timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"openstack {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stderr}")
    if "-f" in args and "json" in args and result.returncode == 0:
        return json.loads(result.stdout) if result.stdout.strip() else None
    return result


def capacity_reports(node):
    """The capacity reports an agent's node holds (`fedstack capacity --json`); [] if it cannot say."""
    result = subprocess.run([FEDSTACK, "capacity", "--node", node, "--json", "--timeout-ms", "2000"],
                            capture_output=True, text=True, timeout=30)
    return json.loads(result.stdout)["reports"] if result.returncode == 0 else []


def wait_for_capacity(agents, regions, timeout=60, pause=0.25):
    """Returns once each of `agents` (Federation.agents entries) holds a capacity report of
    every cloudlet in `regions` at the same moment (the scheduler decides from what gossip
    brought). CYCLON swaps neighbours in and out, so a view is complete only now and then:
    each agent is read until it is, `pause` s apart (each read is a process that costs CPU
    the agents need). Raises AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    for agent in agents:
        while not set(regions) <= {r["region"] for r in capacity_reports(agent["node"])}:
            if time.monotonic() > deadline:
                raise AssertionError(f"{agent['node']} never saw the capacity of every one of {sorted(regions)}")
            time.sleep(pause)


def http(method, url, body=None, headers=None, raw=None, timeout=30):
    """One HTTP call; returns (status, headers, body bytes)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and "Content-Type" not in (headers or {}):
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def token(keystone_or_agent_url, user="admin", password="secret", project="admin"):
    """A project-scoped token and its body, from a Keystone or an agent (`.../v3`)."""
    auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}
    base = keystone_or_agent_url.rstrip("/")
    if not base.endswith("/v3"):
        base += "/v3"
    status, headers, body = http("POST", base + "/auth/tokens", auth)
    assert status == 201, (status, body)
    return headers["X-Subject-Token"], json.loads(body)


def flavor_id(agent_url, tok, name="m1.tiny"):
    """The ID an agent's cloudlet gives the flavor `name`: every cloud numbers its own."""
    status, _, body = http("GET", agent_url + "/compute/v2.1/flavors", headers={"X-Auth-Token": tok})
    assert status == 200, (status, body)
    return next(f["id"] for f in json.loads(body)["flavors"] if f["name"] == name)


def members(node, extra=()):
    """A node's neighbour cache through `fedstack members --json`; None if it cannot be read.
    `extra`: more options, e.g. --ca/--cert/--key for a node with TLS."""
    result = subprocess.run([FEDSTACK, "members", "--node", node, "--json", "--timeout-ms", "2000",
                             *extra], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        return None
    return json.loads(result.stdout)


def make_project_member(keystone_or_agent_url, admin_token, name):
    """A project `name` with a user `name` (password `name`) holding its `member` role, made over
    plain HTTP (what `project create`, `user create --project` and `role add` do, without
    three CLI processes). Returns the project's ID."""
    base = keystone_or_agent_url.rstrip("/")
    if not base.endswith("/v3"):
        base += "/v3"
    headers = {"X-Auth-Token": admin_token}
    status, _, body = http("POST", base + "/projects", {"project": {"name": name, "domain_id": "default"}},
                           headers=headers)
    assert status == 201, (status, body)
    project = json.loads(body)["project"]["id"]
    status, _, body = http("POST", base + "/users", {"user": {
        "name": name, "password": name, "domain_id": "default", "default_project_id": project}}, headers=headers)
    assert status == 201, (status, body)
    user = json.loads(body)["user"]["id"]
    status, _, body = http("GET", base + "/roles?name=member", headers=headers)
    assert status == 200, (status, body)
    role = json.loads(body)["roles"][0]["id"]
    status, _, body = http("PUT", f"{base}/projects/{project}/users/{user}/roles/{role}", headers=headers)
    assert status == 204, (status, body)
    return project
