"""`qingdan recompute-deadlines` after an administrator shortens a limit."""

from io import StringIO

import time_machine
from django.core.management import call_command
from django.test import TestCase

from qingdan.cases.models import Case
from qingdan.deadlines.choices import Stage
from qingdan.deadlines.models import DeadlinePolicy
from qingdan.deadlines.tests.helpers import at, clear_caches, end_of, register
from qingdan.orgs.testing import build_county


class RecomputeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        self.addCleanup(clear_caches)

    def test_a_shorter_acceptance_limit_reaches_open_cases(self):
        with time_machine.travel(at(2026, 3, 2, 9), tick=False):
            case = register(self.org)
        self.assertEqual(case.accept_due_at, end_of(2026, 3, 17))  # 15 days
        version = case.version
        policy = DeadlinePolicy.objects.get(
            stage=Stage.ACCEPT, channel="", category=None, urgency="", is_active=True
        )
        DeadlinePolicy.objects.filter(pk=policy.pk).update(limit=10)

        out = StringIO()
        with time_machine.travel(at(2026, 3, 3, 9), tick=False):
            call_command("recompute-deadlines", "--dry-run", stdout=out)
        self.assertIn("1 would change", out.getvalue())
        case.refresh_from_db()
        self.assertEqual(case.accept_due_at, end_of(2026, 3, 17))  # dry run wrote nothing

        with time_machine.travel(at(2026, 3, 3, 9), tick=False):
            call_command("recompute-deadlines", stdout=out)
        case.refresh_from_db()
        self.assertEqual(case.accept_due_at, end_of(2026, 3, 12))  # 10 days
        self.assertEqual(case.due_at, end_of(2026, 3, 12))
        self.assertEqual(case.version, version)  # derived columns: not a change of the case
        self.assertEqual(Case.objects.filter(accept_due_at=end_of(2026, 3, 12)).count(), 1)
