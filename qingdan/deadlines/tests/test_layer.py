"""The deadline rules sit below cases: calendar, policies and due-time computation
import nothing from the apps built on them (import-linter's contract in pyproject
says the same for the whole project; this names the modules of this app)."""

import grimp
from django.test import SimpleTestCase

ABOVE = ("cases", "supervision", "stats", "triage", "notifications", "intake", "web", "api")
# Pause and resume are cases' actions; they move there with the action catalogue.
NOT_YET_MOVED = {"qingdan.deadlines.actions"}


class LayerTests(SimpleTestCase):
    def test_the_deadline_rules_import_nothing_above_them(self):
        graph = grimp.build_graph("qingdan")
        found = []
        for module in sorted(graph.find_descendants("qingdan.deadlines")):
            if ".tests" in module or module in NOT_YET_MOVED:
                continue
            for imported in graph.find_modules_directly_imported_by(module):
                if imported.split(".")[1] in ABOVE:
                    found.append(f"{module} -> {imported}")
        self.assertEqual(found, [])
