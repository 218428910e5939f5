"""Runs the suite's steps and counts, per API, which table calls passed and which failed."""
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

import wire


class StepFailed(AssertionError):
    pass


def http(method, url, body=None, headers=None, timeout=300):
    """One HTTP call; returns (status, headers, body bytes)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class Recorder:
    """Every request made through an agent, by table call, and every step's outcome."""

    def __init__(self, agents, log_dir):
        self.agents = agents
        self.log_dir = log_dir
        self.steps = []       # {flow, name, ok, error, seconds}; None while a step runs
        self.requests = []    # {step, agent, api, call, method, path, status}
        self._failed_calls = {}
        self._lock = threading.Lock()
        self._flow = threading.local()   # flows run in parallel, one per thread

    @property
    def flow(self):
        return getattr(self._flow, "name", "setup")

    @flow.setter
    def flow(self, name):
        self._flow.name = name

    def _begin(self):
        with self._lock:
            self.steps.append(None)
            return len(self.steps) - 1

    def _note(self, step, method, url, status):
        for i, base in enumerate(self.agents):
            path = wire.relative_path(url, base)
            if path is None:
                continue
            row = wire.table_call(method, path)
            with self._lock:
                self.requests.append({"step": step, "agent": i, "api": wire.api_of(path),
                                      "call": row[1] if row else None, "method": method,
                                      "path": path, "status": status})
            return

    def _finish(self, step, name, started, error, covers):
        ok = error is None
        with self._lock:
            self.steps[step] = {"flow": self.flow, "name": name, "ok": ok, "error": error,
                                "seconds": round(time.monotonic() - started, 2)}
            if not ok:
                hit = {r["call"] for r in self.requests if r["step"] == step and r["call"]}
                for call in set(covers) | hit:
                    self._failed_calls[call] = self._failed_calls.get(call, 0) + 1
        print(f"  [{'pass' if ok else 'FAIL'}] {self.flow}: {name}" + ("" if ok else f"\n         {error}"),
              flush=True)

    def cli(self, env, *args, name=None, covers=(), check=None, timeout=600):
        """Runs `openstack --debug ARGS`; returns parsed JSON for `-f json`, else the result.
        `check(result)` may raise StepFailed; a non-zero exit fails the step."""
        name = name or "openstack " + " ".join(a for a in args if a not in ("-f", "json"))
        started, error, value = time.monotonic(), None, None
        step = self._begin()
        try:
            result = subprocess.run(["openstack", "--debug", *args], env=env, capture_output=True,
                                    text=True, timeout=timeout)
            for method, url, status in wire.requests_in_debug_log(result.stderr):
                self._note(step, method, url, status)
            with open(os.path.join(self.log_dir, f"step-{step:03d}.log"), "w") as f:
                f.write(f"$ openstack {' '.join(args)}\n{result.stdout}\n{result.stderr}")
            if result.returncode != 0:
                tail = [l for l in result.stderr.splitlines() if l and not l.startswith(" ")][-2:]
                raise StepFailed(f"exit {result.returncode}: {' | '.join(tail)} (log step-{step:03d}.log)")
            value = json.loads(result.stdout) if "json" in args and result.stdout.strip() else result
            if check:
                check(value)
        except (StepFailed, AssertionError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
            error = str(e) or type(e).__name__
        self._finish(step, name, started, error, covers)
        if error:
            raise StepFailed(error)
        return value

    def http(self, method, url, body=None, headers=None, name=None, expect=(200,), covers=()):
        """One HTTP call through an agent, recorded; returns (status, headers, parsed body)."""
        name = name or f"{method} {url}"
        started, step = time.monotonic(), self._begin()
        status, hdrs, raw = http(method, url, body, headers)
        self._note(step, method, url, status)
        error = None if status in expect else f"answered {status}, expected {expect}: {raw[:300]!r}"
        self._finish(step, name, started, error, covers)
        if error:
            raise StepFailed(error)
        try:
            return status, hdrs, json.loads(raw) if raw else None
        except ValueError:
            return status, hdrs, raw

    def check(self, name, condition, detail=""):
        """A step that only checks what earlier steps returned; a failed check is recorded
        and the flow goes on (later steps do not depend on it)."""
        self._finish(self._begin(), name, time.monotonic(), None if condition else (detail or "condition false"), ())
        return bool(condition)

    # ------------------------------------------------------------------ summary
    def table(self):
        """{api: {call: {"ok": n 2xx answers in passed steps, "failed": n}}} for every table call."""
        out = {api: {} for api in wire.APIS}
        for api, call, _, _ in wire.TABLE_CALLS:
            out[api][call] = {"ok": 0, "failed": self._failed_calls.get(call, 0)}
        for r in self.requests:
            if not r["call"]:
                continue
            entry = out[r["api"]][r["call"]]
            if r["status"] >= 500:
                entry["failed"] += 1
            elif 200 <= r["status"] < 300 and self.steps[r["step"]]["ok"]:
                entry["ok"] += 1
        return out

    def summary(self):
        table = self.table()
        by_api = {}
        for api, calls in table.items():
            passed = sum(1 for c in calls.values() if c["ok"] and not c["failed"])
            failed = sum(1 for c in calls.values() if c["failed"])
            by_api[api] = {"table_calls": len(calls), "passed": passed, "failed": failed,
                           "not_exercised": len(calls) - passed - failed}
        statuses = {}
        for r in self.requests:
            key = (r["api"], f"{r['status'] // 100}xx")
            statuses[key] = statuses.get(key, 0) + 1
        flows = {}
        for s in self.steps:
            f = flows.setdefault(s["flow"], {"passed": 0, "failed": 0})
            f["passed" if s["ok"] else "failed"] += 1
        return {"by_api": by_api, "calls": table, "flows": flows,
                "requests": {f"{a} {c}": n for (a, c), n in sorted(statuses.items())},
                "failures": [s for s in self.steps if not s["ok"]]}


def format_summary(summary):
    lines = ["", "Table calls (thesis tables 3.2-3.5; volume: Block Storage, issue 19) through the agents:", "",
             "| API | calls | passed | failed | not exercised |", "|---|---|---|---|---|"]
    total = [0, 0, 0, 0]
    for api, s in summary["by_api"].items():
        row = [s["table_calls"], s["passed"], s["failed"], s["not_exercised"]]
        total = [a + b for a, b in zip(total, row)]
        lines.append(f"| {api} | " + " | ".join(map(str, row)) + " |")
    lines.append("| **all** | " + " | ".join(f"**{n}**" for n in total) + " |")
    lines += ["", "| call | 2xx answers | failures |", "|---|---|---|"]
    for api, calls in summary["calls"].items():
        for call, c in calls.items():
            lines.append(f"| {call} | {c['ok']} | {c['failed']} |")
    lines += ["", "Steps by flow:", "", "| flow | passed | failed |", "|---|---|---|"]
    for flow, f in summary["flows"].items():
        lines.append(f"| {flow} | {f['passed']} | {f['failed']} |")
    lines += ["", "HTTP requests through the agents by API and status class: " +
              ", ".join(f"{k}: {v}" for k, v in summary["requests"].items())]
    if summary["failures"]:
        lines += ["", "Failures:"] + [f"- {s['flow']}: {s['name']}: {s['error']}" for s in summary["failures"]]
    return "\n".join(lines)
