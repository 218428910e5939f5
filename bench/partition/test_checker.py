"""Each count of the partition checker over small synthetic histories and cloud states.

    python3 -m unittest -v bench/partition/test_checker.py   (or from bench/partition: test_checker)
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from checker import check  # noqa: E402


def create(kind, name, gid, outcome="ok"):
    return {"op": "create", "kind": kind, "name": name, "gid": gid if outcome == "ok" else None,
            "outcome": outcome}


def delete(kind, name, gid, outcome="ok"):
    return {"op": "delete", "kind": kind, "name": name, "gid": gid, "outcome": outcome}


def res(kind, name, rid, gid=None, copy_of=None, region="cloudlet-1"):
    return {"region": region, "kind": kind, "id": rid, "name": name, "gid": gid, "copy_of": copy_of}


class CheckTest(unittest.TestCase):
    def test_a_healthy_history_counts_nothing(self):
        ops = [create("image", "i1", "g1"), create("server", "s1", "g2"),
               create("network", "n1", "g3"), delete("network", "n1", "g3"),
               create("image", "i2", None, outcome="unknown"),   # adopted: resolves
               create("image", "i3", None, outcome="fail")]      # 4xx: made nothing
        cloud = [res("image", "i1", "c1", gid="g1"), res("server", "s1", "c2", gid="g2", region="cloudlet-3"),
                 res("image", "i1", "c3", copy_of="g1", region="cloudlet-3"),
                 res("image", "i2", "c4", gid="g4")]
        counts, _ = check(ops, cloud, {"g1": True, "g2": True, "g4": True})
        self.assertEqual(counts, {"lost": 0, "gone": 0, "duplicates": 0, "unexplained": 0})

    def test_an_acknowledged_create_that_no_agent_answers_is_lost(self):
        ops = [create("image", "i1", "g1"), create("image", "i2", "g2")]
        cloud = [res("image", "i1", "c1", gid="g1"), res("image", "i2", "c2", gid="g2")]
        counts, details = check(ops, cloud, {"g1": True, "g2": False})
        self.assertEqual(counts["lost"], 1)
        self.assertIn("g2", details["lost"][0])
        # The cloud still holds it: not gone; the registry does not explain it.
        self.assertEqual((counts["gone"], counts["unexplained"]), (0, 1))

    def test_a_lost_create_the_client_deleted_or_may_have_deleted_is_not_lost(self):
        ops = [create("image", "i1", "g1"), delete("image", "i1", "g1", outcome="unknown"),
               create("image", "i2", "g2"), delete("image", "i2", "g2", outcome="ok")]
        counts, _ = check(ops, [], {})
        self.assertEqual((counts["lost"], counts["gone"]), (0, 0))

    def test_a_resource_nobody_deleted_that_no_cloud_holds_is_gone(self):
        # The registry still answers (for example from a stale record) but the resource is gone;
        # a delete answered 404 deleted nothing, so it does not excuse the loss.
        ops = [create("network", "n1", "g1"), delete("network", "n1", "g1", outcome="fail")]
        counts, details = check(ops, [], {"g1": True})
        self.assertEqual(counts["gone"], 1)
        self.assertEqual(counts["lost"], 0)
        self.assertIn("n1", details["gone"][0])

    def test_two_resources_for_one_create_are_a_duplicate(self):
        ops = [create("server", "s1", "g1"), create("server", "s2", None, outcome="unknown")]
        cloud = [res("server", "s1", "c1", gid="g1", region="cloudlet-1"),
                 res("server", "s1", "c2", gid="g1", region="cloudlet-2"),
                 res("server", "s2", "c3", gid="g2"), res("server", "s2", "c4", gid="g2"),
                 res("server", "s2", "c5", gid="g2"),
                 res("image", "s1", "c6", gid="g9")]   # another kind, same name: not the create's
        counts, details = check(ops, cloud, {"g1": True, "g2": True, "g9": True})
        self.assertEqual(counts["duplicates"], 3)
        self.assertEqual(counts["unexplained"], 0)
        self.assertTrue(any("c2" in d for d in details["duplicates"]), details)

    def test_copies_for_boots_are_not_duplicates(self):
        ops = [create("image", "i1", "g1")]
        cloud = [res("image", "i1", "c1", gid="g1"), res("image", "i1", "c2", copy_of="g1", region="cloudlet-2")]
        counts, _ = check(ops, cloud, {"g1": True})
        self.assertEqual(counts["duplicates"], 0)

    def test_what_no_registry_explains_is_unexplained(self):
        ops = [create("network", "n1", "g1"), delete("network", "n1", "g1"),
               create("network", "n2", None, outcome="unknown")]
        cloud = [res("network", "n1", "c1", gid="g1"),                  # deleted, still there
                 res("network", "n2", "c2"),                            # tag never added
                 res("image", "i1", "c3", copy_of="g7", region="cloudlet-4"),   # copy of nothing
                 res("image", "i2", "c4", gid="g8")]                     # explained
        counts, details = check(ops, cloud, {"g1": False, "g8": True})
        self.assertEqual(counts["unexplained"], 3)
        self.assertEqual(sorted(d.split()[1] for d in details["unexplained"]), ["i1", "n1", "n2"])
        self.assertEqual((counts["lost"], counts["gone"], counts["duplicates"]), (0, 0, 0))


if __name__ == "__main__":
    unittest.main()
