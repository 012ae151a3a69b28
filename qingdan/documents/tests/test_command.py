"""`qingdan documents`: a batch of answers or acceptance notices into one PDF."""

import shutil
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from qingdan.documents.models import Document

from . import helpers as h


class DocumentsCommandTests(h.DocumentsTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp(prefix="qingdan-batch-"))
        self.addCleanup(shutil.rmtree, self.folder, True)

    def test_by_tracking_numbers_and_by_state(self):
        org = self.org
        first, second = h.replied(org), h.replied(org)
        out = self.folder / "answers.pdf"
        stdout, stderr = StringIO(), StringIO()
        call_command(
            "documents",
            "--kind",
            "reply",
            "--cases",
            f"{first.tracking_number},{second.tracking_number}",
            "--user",
            "village_agent",
            "--output",
            str(out),
            stdout=stdout,
            stderr=stderr,
        )
        self.assertEqual(Document.objects.count(), 2)
        text = h.squeeze(h.pdf_text(out.read_bytes()))
        for document in Document.objects.all():
            self.assertIn(document.reference, text)
        self.assertEqual(text.count("受送达人签名或盖章"), 2)
        self.assertIn("2", stdout.getvalue())
        # By state: the same two (already issued, printed again), no receipts.
        again = self.folder / "again.pdf"
        call_command(
            "documents",
            "--kind",
            "reply",
            "--state",
            "replied",
            "--since",
            "2000-01-01",
            "--user",
            "village_agent",
            "--output",
            str(again),
            "--no-receipts",
            stdout=StringIO(),
        )
        self.assertEqual(Document.objects.count(), 2)
        self.assertNotIn("送达回证", h.squeeze(h.pdf_text(again.read_bytes())))

    def test_errors_are_clear(self):
        org = self.org
        case = h.accepted(org)
        out = str(self.folder / "x.pdf")
        with self.assertRaisesMessage(CommandError, "nobody"):
            call_command(
                "documents",
                "--kind",
                "reply",
                "--cases",
                case.tracking_number,
                "--user",
                "nobody",
                "--output",
                out,
            )
        with self.assertRaisesMessage(CommandError, "ZY-1999-000001"):
            call_command(
                "documents",
                "--kind",
                "reply",
                "--cases",
                "ZY-1999-000001",
                "--user",
                "village_agent",
                "--output",
                out,
            )
        stderr = StringIO()
        with self.assertRaises(CommandError):  # an accepted case has no answer to print
            call_command(
                "documents",
                "--kind",
                "reply",
                "--cases",
                case.tracking_number,
                "--user",
                "village_agent",
                "--output",
                out,
                stderr=stderr,
            )
        self.assertIn(case.tracking_number, stderr.getvalue())
        with self.assertRaises(CommandError):  # not issued yet, and told not to issue
            call_command(
                "documents",
                "--kind",
                "acceptance",
                "--cases",
                case.tracking_number,
                "--user",
                "village_agent",
                "--output",
                out,
                "--no-issue",
                stderr=StringIO(),
            )
        self.assertFalse(Document.objects.exists())
