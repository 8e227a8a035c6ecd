#!/usr/bin/env python3
"""The regression guard of run_suite.py: which figures count as regressions."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_suite  # noqa: E402


def groups(value, better="higher"):
    return [{"group": "front", "results": [{"id": "ratio", "label": "r", "value": value, "unit": "ratio",
                                            "guard": {"better": better}}]}]


class GuardTest(unittest.TestCase):
    baseline = {"margin": 0.25, "figures": {"front.ratio": {"value": 1.0, "better": "higher"}}}

    def test_within_margin_passes(self):
        self.assertEqual(run_suite.guard_regressions(groups(0.80), self.baseline), [])

    def test_beyond_margin_fails(self):
        messages = run_suite.guard_regressions(groups(0.70), self.baseline)
        self.assertEqual(len(messages), 1)
        self.assertIn("front.ratio", messages[0])

    def test_lower_is_better_fails_when_figure_grows(self):
        baseline = {"margin": 0.25, "figures": {"front.ratio": {"value": 1.0, "better": "lower"}}}
        self.assertEqual(run_suite.guard_regressions(groups(1.2, "lower"), baseline), [])
        self.assertEqual(len(run_suite.guard_regressions(groups(1.3, "lower"), baseline)), 1)

    def test_per_figure_margin_overrides(self):
        baseline = {"margin": 0.25, "figures": {"front.ratio": {"value": 1.0, "better": "higher", "margin": 0.1}}}
        self.assertEqual(len(run_suite.guard_regressions(groups(0.85), baseline)), 1)

    def test_missing_figure_fails(self):
        self.assertIn("missing", run_suite.guard_regressions([], self.baseline)[0])

    def test_baseline_keeps_only_guarded_figures(self):
        results = groups(2.0)
        results[0]["results"].append({"id": "ms", "label": "t", "value": 3.0, "unit": "ms"})
        self.assertEqual(run_suite.baseline_from(results, 0.3)["figures"],
                         {"front.ratio": {"value": 2.0, "better": "higher"}})

    def test_floors(self):
        self.assertTrue(run_suite.floor_met({"value": 5, "floor": {"max": 5}}))
        self.assertFalse(run_suite.floor_met({"value": 0.6, "floor": {"min": 0.7}}))
        self.assertIsNone(run_suite.floor_met({"value": 1}))


if __name__ == "__main__":
    unittest.main()
