"""The fault schedule is a function of the seed, and every fault it starts it ends."""
import collections
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import schedule  # noqa: E402


class ScheduleTest(unittest.TestCase):
    def test_the_seed_makes_the_schedule(self):
        self.assertEqual(schedule.make(7, 60), schedule.make(7, 60))
        self.assertNotEqual(schedule.make(7, 60), schedule.make(8, 60))

    def test_every_fault_is_healed_within_the_duration_and_kills_hit_live_agents(self):
        for seed in range(50):
            events = schedule.make(seed, 30)
            self.assertEqual([e[0] for e in events], sorted(e[0] for e in events))
            self.assertTrue(all(0 <= t <= 30 for t, _, _ in events))
            open_faults = collections.Counter()
            down = set()
            for _, action, args in events:
                if action == "kill":
                    self.assertNotIn(args[0], down, f"seed {seed}: agent {args[0]} killed twice")
                    down.add(args[0])
                elif action == "restart":
                    down.remove(args[0])
                elif action in schedule.HEAL:
                    open_faults[(schedule.HEAL[action], args)] += 1
                else:
                    open_faults[(action, args)] -= 1
            self.assertEqual(down, set(), f"seed {seed}")
            self.assertEqual(+open_faults, collections.Counter(), f"seed {seed}")
            self.assertEqual(-open_faults, collections.Counter(), f"seed {seed}")

    def test_every_kind_of_fault_is_drawn(self):
        kinds = {action for seed in range(5) for _, action, _ in schedule.make(seed, 60)}
        self.assertTrue(set(schedule.FAULTS) <= kinds, kinds)


if __name__ == "__main__":
    unittest.main()
