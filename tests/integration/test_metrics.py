"""Operator signals of a running agent: /metrics in Prometheus' text format (requests,
upstream latency, token cache, image bytes, shuffles, registry sizes, scheduler decisions),
JSON logs, and request ids that travel from the client through the agent to the cloud."""
import json
import os
import tempfile
import time
import unittest
import uuid

from harness import Federation, http, openstack, token
from prometheus_text import parse_exposition, total

SHUFFLE_ARGS = ("--shuffle-period-ms", "200", "--shuffle-timeout-ms", "1000",
                "--capacity-period-ms", "200", "--log-format", "json")


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=2, chain=True, agent_args=SHUFFLE_ARGS)
        cls.agent = cls.fed.agents[0]
        cls.uncached = cls.fed.start_agent("cloudlet-1", "agent-uncached",
                                           ("--token-cache-entries", "0"))

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()

    def scrape(self, agent=None):
        status, headers, body = http("GET", (agent or self.agent)["url"] + "/metrics")
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers)
        return parse_exposition(body.decode())

    def test_scrape_needs_no_token_and_names_every_family(self):
        types, samples = self.scrape()
        expected = {
            "fedstack_http_requests_total": "counter",
            "fedstack_http_request_duration_seconds": "histogram",
            "fedstack_http_connections_refused_total": "counter",
            "fedstack_upstream_request_duration_seconds": "histogram",
            "fedstack_upstream_failures_total": "counter",
            "fedstack_token_cache_lookups_total": "counter",
            "fedstack_keystone_token_validations_total": "counter",
            "fedstack_image_bytes_streamed_total": "counter",
            "fedstack_cyclon_shuffles_total": "counter",
            "fedstack_cyclon_shuffles_received_total": "counter",
            "fedstack_neighbours": "gauge",
            "fedstack_registry_entries": "gauge",
            "fedstack_scheduler_decisions_total": "counter",
            "fedstack_create_retries_total": "counter",
            "fedstack_build_info": "gauge",
            "process_resident_memory_bytes": "gauge",
            "process_open_fds": "gauge",
        }
        for name, kind in expected.items():
            self.assertEqual(types.get(name), kind, name)
        self.assertGreater(total(samples, "process_resident_memory_bytes"), 1 << 20)
        self.assertGreater(total(samples, "process_open_fds"), 3)
        self.assertEqual(total(samples, "fedstack_build_info"), 1)
        # Every upstream call is labelled with its cloudlet, the first service token's included.
        self.assertGreater(total(samples, "fedstack_upstream_request_duration_seconds_count"), 0)
        self.assertEqual(total(samples, "fedstack_upstream_request_duration_seconds_count", cloudlet="unknown"), 0)
        status, _, _ = http("POST", self.agent["url"] + "/metrics", body={})
        self.assertEqual(status, 405)

    def test_an_image_create_is_counted_everywhere_it_went(self):
        _, before = self.scrape()
        env = self.fed.env(0)
        with tempfile.NamedTemporaryFile(suffix=".img") as f:
            f.write(os.urandom(3000))
            f.flush()
            image = openstack(env, "image", "create", "--file", f.name, "--disk-format", "raw",
                              "metrics-image", "-f", "json")
        try:
            _, after = self.scrape()
        finally:
            openstack(env, "image", "delete", image["id"])

        def delta(name, **labels):
            return total(after, name, **labels) - total(before, name, **labels)

        self.assertEqual(delta("fedstack_http_requests_total", api="image", method="POST", status="201"), 1)
        self.assertEqual(delta("fedstack_http_requests_total", api="image", method="PUT", status="204"), 1)
        self.assertEqual(delta("fedstack_image_bytes_streamed_total", direction="upload"), 3000)
        self.assertEqual(delta("fedstack_scheduler_decisions_total", kind="image"), 1)
        self.assertEqual(delta("fedstack_registry_entries", kind="image"), 1)
        self.assertGreater(delta("fedstack_upstream_request_duration_seconds_count",
                                 cloudlet="keystone", service="identity"), 0)
        self.assertGreater(delta("fedstack_upstream_request_duration_seconds_count", service="image"), 0)
        # The CLI's token was issued through this agent, which cached it then: its create and
        # upload were checked without asking Keystone.
        self.assertGreaterEqual(delta("fedstack_token_cache_lookups_total", result="hit"), 2)
        self.assertEqual(delta("fedstack_token_cache_lookups_total", result="miss"), 0)
        self.assertEqual(delta("fedstack_keystone_token_validations_total"), 0)
        self.assertGreater(delta("fedstack_http_request_duration_seconds_count", api="image"), 1)

    def test_the_token_cache_saves_keystone_calls(self):
        tok, _ = token(self.fed.keystone_url)   # straight from Keystone: no agent has seen it
        calls = 10
        saved = {}
        for name, agent in (("cached", self.agent), ("uncached", self.uncached)):
            _, before = self.scrape(agent)
            for _ in range(calls):
                status, _, body = http("GET", agent["url"] + "/v2/images", headers={"X-Auth-Token": tok})
                self.assertEqual(status, 200, body)
            _, after = self.scrape(agent)
            saved[name] = (total(after, "fedstack_keystone_token_validations_total")
                           - total(before, "fedstack_keystone_token_validations_total"),
                           total(after, "fedstack_token_cache_lookups_total", result="hit")
                           - total(before, "fedstack_token_cache_lookups_total", result="hit"))
        self.assertEqual(saved["cached"], (1, calls - 1))
        self.assertEqual(saved["uncached"], (calls, 0))
        _, before = self.scrape()
        status, _, _ = http("GET", self.agent["url"] + "/v2/images", headers={"X-Auth-Token": "bogus"})
        self.assertEqual(status, 401)
        _, after = self.scrape()
        self.assertEqual(total(after, "fedstack_keystone_token_validations_total", result="invalid")
                         - total(before, "fedstack_keystone_token_validations_total", result="invalid"), 1)

    def test_shuffles_and_the_neighbour_cache_are_reported(self):
        deadline = time.monotonic() + 60
        while True:
            _, samples = self.scrape()
            answered = total(samples, "fedstack_cyclon_shuffles_total", result="answered")
            if answered > 0 and total(samples, "fedstack_neighbours") == 1:
                break
            self.assertLess(time.monotonic(), deadline, "no answered shuffle within 60 s")
            time.sleep(0.2)   # one scrape per shuffle period; the answered shuffle is the event
        self.assertGreaterEqual(total(samples, "fedstack_cyclon_shuffles_total", result="sent"), answered)

    def wait_for_log(self, path, predicate, what):
        deadline = time.monotonic() + 30
        while True:
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    found = predicate(line)
                    if found:
                        return found
            self.assertLess(time.monotonic(), deadline, f"{what} not in {path}")
            time.sleep(0.1)   # the log line is written after the answer; poll the file

    def test_a_request_id_travels_to_the_cloud_and_into_json_logs(self):
        tok, _ = token(self.agent["url"])
        given = "req-" + str(uuid.uuid4())
        status, headers, _ = http("GET", self.agent["url"] + "/v2/images",
                                  headers={"X-Auth-Token": tok, "X-Openstack-Request-Id": given})
        self.assertEqual(status, 200)
        self.assertEqual(headers["X-Openstack-Request-Id"], given)
        status, headers, _ = http("GET", self.agent["url"] + "/v2.0/networks", headers={"X-Auth-Token": tok})
        self.assertEqual(status, 200)
        made = headers["X-Openstack-Request-Id"]
        self.assertTrue(made.startswith("req-"))
        sim_log = os.path.join(self.fed.dir, "sim.log")
        for rid in (given, made):
            self.wait_for_log(sim_log, lambda line, rid=rid: rid in line, rid)
        agent_log = os.path.join(self.fed.dir, "agent-1.log")

        def request_line(line):
            entry = json.loads(line)   # every line of a json-format log is one object
            if entry.get("request_id") == made and "/v2.0/networks" in entry["message"]:
                return entry
            return None
        entry = self.wait_for_log(agent_log, request_line, made)
        self.assertEqual(entry["level"], "info")
        self.assertIn(" 200 ", entry["message"])


if __name__ == "__main__":
    unittest.main()
