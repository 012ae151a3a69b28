"""cases.0005 fills next_check_at in batches that each commit, and only what is empty
(a run interrupted midway is run again)."""

import datetime as dt
import importlib
from types import SimpleNamespace

from django.apps import apps
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qingdan.cases.choices import Channel, Tier
from qingdan.cases.models import Case
from qingdan.core.migration_ops import RunPythonInBatches
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Jurisdiction

NEXT_CHECK = importlib.import_module("qingdan.cases.migrations.0005_next_check_at")


class NextCheckFillTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        place = Jurisdiction.objects.create(code="370685000000", name="招远市", level=Level.CITY)
        cls.now = timezone.now().replace(microsecond=0)
        cls.cases = [
            Case.objects.create(
                tracking_number=f"ZY-2026-{n:06d}",
                channel=Channel.PHONE,
                title="路灯不亮",
                content="村口路灯坏了",
                tier=Tier.CITY,
                jurisdiction=place,
                registered_at=cls.now,
                warn_at=None if n % 3 == 0 else cls.now + dt.timedelta(days=n),
            )
            for n in range(1, 12)
        ]
        # The worker has already moved this one on: the fill leaves it alone.
        Case.objects.filter(pk=cls.cases[0].pk).update(next_check_at=cls.now)

    def test_the_migration_fills_in_batches(self):
        operation = NEXT_CHECK.Migration.operations[1]
        self.assertIsInstance(operation, RunPythonInBatches)
        self.assertEqual(operation.batch_size, 10_000)
        self.assertFalse(NEXT_CHECK.Migration.atomic)

    def test_fill_copies_the_warning_time_once(self):
        fill = RunPythonInBatches("cases.Case", NEXT_CHECK.start_from_warning, batch_size=4)
        editor = SimpleNamespace(connection=connection)
        with CaptureQueriesContext(connection) as queries:
            fill.code(apps, editor)
        updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
        # 11 cases, 4 a batch: three UPDATEs, each bounded by primary key.
        self.assertEqual(len(updates), 3)
        self.assertTrue(all('"cases_case"."id" ' in sql for sql in updates), updates)
        checks = dict(Case.objects.values_list("pk", "next_check_at"))
        warnings = dict(Case.objects.values_list("pk", "warn_at"))
        self.assertEqual(checks[self.cases[0].pk], self.now)
        for case in self.cases[1:]:
            self.assertEqual(checks[case.pk], warnings[case.pk], case.tracking_number)
        # Run again after an interruption: nothing left to change.
        fill.code(apps, editor)
        self.assertEqual(dict(Case.objects.values_list("pk", "next_check_at")), checks)
