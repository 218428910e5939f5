"""docs/configuration.md is generated from the same option table as --help."""
import os
import subprocess
import unittest

from harness import FEDSTACK

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


class ConfigurationReference(unittest.TestCase):
    def test_docs_list_exactly_the_agent_options(self):
        table = subprocess.run([FEDSTACK, "agent", "--config-reference"], capture_output=True,
                               text=True, check=True).stdout
        with open(os.path.join(ROOT, "docs", "configuration.md")) as f:
            docs = f.read()
        self.assertIn(table, docs, "docs/configuration.md is stale: regenerate it with "
                      "`build/fedstack agent --config-reference`")


if __name__ == "__main__":
    unittest.main()
