"""Numbers: per issuing body, per kind, per year, without gaps or duplicates, also
with several issuers at once (threads, each with its own connection, on SQLite and on
PostgreSQL); given at issue, never at preview; given back when the issue fails."""

import datetime as dt
import shutil
import tempfile
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test import TransactionTestCase, override_settings

from qingdan.cases import actions as cases
from qingdan.documents import actions
from qingdan.documents.choices import DocumentKind as K
from qingdan.documents.models import Document, DocumentSequence
from qingdan.orgs.testing import build_county

from . import helpers as h

SHANGHAI = ZoneInfo("Asia/Shanghai")


class NumberingTests(h.DocumentsTestCase):
    def test_per_body_per_kind_per_year(self):
        org = self.org
        with time_machine.travel(dt.datetime(2026, 12, 30, 10, tzinfo=SHANGHAI), tick=False):
            first = actions.issue(org.village_agent, h.accepted(org), kind=K.ACCEPTANCE)
            second = actions.issue(org.village_agent, h.accepted(org), kind=K.ACCEPTANCE)
            answer = actions.issue(org.village_agent, h.replied(org), kind=K.REPLY)
            # Another body (the city) numbers on its own.
            city = h.register(org, org.city_supervisor, tier="city")
            cases.accept(org.city_supervisor, city)
            city_first = actions.issue(org.city_supervisor, city, kind=K.ACCEPTANCE)
        with time_machine.travel(dt.datetime(2027, 1, 4, 10, tzinfo=SHANGHAI), tick=False):
            next_year = actions.issue(org.village_agent, h.accepted(org), kind=K.ACCEPTANCE)
        self.assertEqual(
            [d.reference for d in (first, second, answer, city_first, next_year)],
            [
                "玲信受〔2026〕1号",
                "玲信受〔2026〕2号",
                "玲信复〔2026〕1号",
                "招信受〔2026〕1号",
                "玲信受〔2027〕1号",
            ],
        )
        self.assertEqual((first.issuer, city_first.issuer), (org.town, org.city))

    def test_preview_takes_no_number_and_stores_nothing(self):
        org = self.org
        case = h.accepted(org)
        preview = actions.preview(org.village_agent, case, kind=K.ACCEPTANCE)
        self.assertTrue(preview.pdf.startswith(b"%PDF"))
        text = h.pdf_text(preview.pdf)
        self.assertIn("×号", h.squeeze(text))
        # The watermark (rotated: pdftotext reads its characters one by one).
        self.assertLessEqual(set("样稿未签发"), set(text))
        self.assertFalse(Document.objects.exists())
        self.assertFalse(DocumentSequence.objects.exists())
        self.assertFalse(case.events.filter(action="document").exists())
        issued = actions.issue(org.village_agent, case, kind=K.ACCEPTANCE)
        self.assertTrue(issued.reference.endswith("〕1号"))

    def test_a_failed_issue_gives_its_number_back(self):
        org = self.org
        case = h.accepted(org)
        blocked = Path(tempfile.mkdtemp(prefix="qingdan-blocked-"))
        self.addCleanup(shutil.rmtree, blocked, True)
        (blocked / "documents").write_text("a file where the folder should be")
        with override_settings(MEDIA_ROOT=blocked), self.assertRaises(OSError):
            actions.issue(org.village_agent, case, kind=K.ACCEPTANCE)
        self.assertFalse(Document.objects.exists())
        self.assertFalse(case.events.filter(action="document").exists())
        document = actions.issue(org.village_agent, case, kind=K.ACCEPTANCE)
        self.assertTrue(document.reference.endswith("〕1号"), document.reference)


class ConcurrentNumberingTests(TransactionTestCase):
    """Two servers issuing at once: each thread holds its own database connection."""

    def setUp(self):
        self.org = build_county()
        self.media = tempfile.mkdtemp(prefix="qingdan-documents-")
        override = override_settings(MEDIA_ROOT=self.media)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, self.media, True)

    def test_two_issuers_at_once_give_each_number_once_without_gaps(self):
        org = self.org
        per_thread = 4
        cases = [h.accepted(org) for _ in range(2 * per_thread)]
        barrier = threading.Barrier(2)
        errors: list[Exception] = []

        def issue_all(mine):
            try:
                barrier.wait()
                for case in mine:
                    actions.issue(org.village_agent, case, kind=K.ACCEPTANCE)
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=issue_all, args=(cases[i::2],)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        self.assertEqual(errors, [])
        numbers = sorted(Document.objects.values_list("number", flat=True))
        self.assertEqual(numbers, list(range(1, 2 * per_thread + 1)))
        self.assertEqual(DocumentSequence.objects.get().last, 2 * per_thread)
        # Each case got exactly one, and its timeline says so.
        for case in cases:
            self.assertEqual(Document.objects.filter(case=case).count(), 1)
            self.assertEqual(case.events.filter(action="document").count(), 1)
        self.assertIn(connection.vendor, {"sqlite", "postgresql"})
