"""`bench/run --quick` as CI's smoke test: every benchmark runs and writes its
figures. It never judges speed (the machine is shared); it checks that each
table has numbers in it and each plot is a PNG."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import FEDSTACK

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NUMBER = r"\d+(?:\.\d+)?"


def table_rows(text, first_cell):
    """Cells of the markdown table rows whose first cell is `first_cell`."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_cell:
            rows.append(cells)
    return rows


class QuickBenchRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix="fedstack-bench-run-")
        build = os.path.dirname(os.path.abspath(FEDSTACK))
        env = {**os.environ, "BUILD_DIR": build, "FEDSTACK_BIN": os.path.abspath(FEDSTACK)}
        cls.result = subprocess.run([os.path.join(ROOT, "bench", "run"), "--quick", cls.out], env=env,
                                    capture_output=True, text=True, timeout=800)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, ignore_errors=True)

    def read(self, name):
        with open(os.path.join(self.out, name)) as f:
            return f.read()

    def assert_png(self, name):
        with open(os.path.join(self.out, name), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", name)

    def test_every_benchmark_ran_and_the_summary_says_where(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout[-4000:] + self.result.stderr[-2000:])
        self.assertIn(f"results: {self.out}/README.md", self.result.stdout)
        summary = self.read("README.md")
        names = ["proxy", "image-stream", "identity", "cyclon", "placement", "federation"]
        if os.path.exists(os.path.join(ROOT, "bench", "thesis", "run.sh")):
            names.append("thesis")
        for name in names:
            row = table_rows(summary, name)
            self.assertEqual(len(row), 1, name)
            self.assertRegex(row[0][1], r"^\[\w+\.md\]", name)

    def test_proxy_overhead_has_every_target_at_every_connection_count(self):
        text = self.read("proxy.md")
        for title in ("GET /v2/images", "GET /v2/schemas/image"):
            self.assertIn(f"### {title}", text)
        for connections in ("1", "64"):
            rows = table_rows(text, connections)
            self.assertEqual(len(rows), 2, connections)   # one per call
            for row in rows:
                # req/s, p50 and p99 of direct, nginx and agent, then the two ratios
                for cell in row[1:12]:
                    self.assertRegex(cell, f"^{NUMBER}$", row)
        self.assert_png("proxy.png")

    def test_streaming_moved_the_whole_image_both_ways(self):
        text = self.read("stream.md")
        for direction in ("upload", "download"):
            row, = table_rows(text, direction)
            # MiB/s direct, nginx, agent, copying agent; the ratio pairs; CPU per GiB
            for cell in row[1:5]:
                self.assertRegex(cell, f"^{NUMBER}$", row)
            for cell in row[5:7]:
                self.assertRegex(cell, f"^{NUMBER} / {NUMBER}$", row)
            self.assertRegex(row[7], f"^{NUMBER} / {NUMBER} / {NUMBER}$", row)
        self.assertRegex(text, rf"peak RSS \(VmHWM\): agent {NUMBER} MiB .*, agent, copying {NUMBER} MiB")

    def test_without_the_cache_every_request_is_validated_and_with_it_none_in_the_loop(self):
        text = self.read("identity.md")
        cached, = table_rows(text, "token cache (default)")
        uncached, = table_rows(text, "no token cache")
        self.assertEqual(float(cached[3]), 0.0, cached)
        self.assertEqual(float(uncached[3]), float(uncached[1]), uncached)
        self.assertEqual(float(uncached[2]), float(uncached[1]), uncached)

    def test_the_thesis_experiment_wrote_tables_and_plots(self):
        if not os.path.exists(os.path.join(ROOT, "bench", "thesis", "run.sh")):
            self.skipTest("bench/thesis/run.sh is not in this tree")
        self.assertRegex(self.read("thesis.md"), r"\n\|---")
        plots = [f for f in os.listdir(os.path.join(self.out, "thesis")) if f.endswith(".png")]
        self.assertTrue(plots)
        for plot in plots:
            self.assert_png(os.path.join("thesis", plot))

    def test_membership_scheduling_and_federation_figures_were_regenerated(self):
        cyclon = self.read("cyclon.md")
        self.assertTrue(table_rows(cyclon, "CYCLON"), cyclon[:500])
        self.assert_png("cyclon_indegree.png")
        self.assert_png("cyclon_deadlinks.png")
        placement = self.read("placement.md")
        self.assertTrue(re.search(r"^\| oracle \(least loaded\) \| " + NUMBER, placement, re.M), placement[:500])
        federation = self.read("federation.md")
        self.assertIn("| CYCLON alone", federation)
        self.assertRegex(federation, rf"through B: \d+ GETs .* median {NUMBER} ms")


if __name__ == "__main__":
    unittest.main()
