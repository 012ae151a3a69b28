"""Registration tells its listeners (an explicit list, not a signal), so cases never
imports the apps that listen (triage)."""

import grimp
from django.db import connection
from django.test import SimpleTestCase, TestCase

from qingdan.cases import listeners
from qingdan.cases.models import Case
from qingdan.deadlines.tests.helpers import register
from qingdan.orgs.testing import build_county
from qingdan.triage.actions import analyse_or_queue, queue_analyses


class Refused(Exception):
    pass


class ListenerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        saved = list(listeners.on_registered)
        self.addCleanup(listeners.on_registered.__setitem__, slice(None), saved)
        self.heard: list[tuple[str, int, bool]] = []

    def listener(self, name):
        def hear(case):
            self.heard.append((name, case.pk, connection.in_atomic_block))

        return hear

    def test_triage_listens_from_its_app_config(self):
        self.assertEqual(
            [(listener.one, listener.many) for listener in listeners.on_registered],
            [(analyse_or_queue, queue_analyses)],
        )

    def test_listeners_are_told_in_order_inside_the_registration(self):
        first, second = self.listener("first"), self.listener("second")
        listeners.listen_registered(first)
        listeners.listen_registered(second)
        listeners.listen_registered(first)  # once only
        case = register(self.org)
        self.assertEqual(self.heard, [("first", case.pk, True), ("second", case.pk, True)])

    def test_a_refusing_listener_rolls_the_registration_back(self):
        def refuse(case):
            raise Refused

        listeners.listen_registered(refuse)
        with self.assertRaises(Refused):
            register(self.org)
        self.assertFalse(Case.objects.exists())

    def test_a_batch_is_told_once_to_a_batch_listener_else_case_by_case(self):
        batches = []
        listeners.on_registered[:] = []
        listeners.listen_registered(self.listener("one"), many=batches.append)
        listeners.listen_registered(self.listener("each"))
        cases = [Case(pk=1), Case(pk=2)]
        listeners.tell_registered_many(cases)
        self.assertEqual(batches, [cases])
        self.assertEqual(
            [(name, pk) for name, pk, _atomic in self.heard], [("each", 1), ("each", 2)]
        )


class LayerTests(SimpleTestCase):
    def test_cases_imports_no_app_above_it(self):
        graph = grimp.build_graph("qingdan")
        above = ("triage", "supervision", "stats", "intake", "open311", "web", "jobs")
        found = [
            f"{module} -> {imported}"
            for module in sorted(graph.find_descendants("qingdan.cases"))
            if ".tests" not in module
            for imported in graph.find_modules_directly_imported_by(module)
            if imported.split(".")[1] in above
        ]
        self.assertEqual(found, [])
