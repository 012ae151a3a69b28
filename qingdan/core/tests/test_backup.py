import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TransactionTestCase, override_settings

from qingdan.cases import actions
from qingdan.cases.models import Attachment, Case, CaseEvent, Petitioner
from qingdan.orgs.models import User
from qingdan.orgs.testing import PERSON, build_county


class BackupRoundTripTests(TransactionTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="qingdan-backup-"))
        self.addCleanup(shutil.rmtree, self.tmp)

    def snapshot(self):
        case = Case.objects.get(title="屋顶漏水")
        return {
            "cases": list(Case.objects.order_by("pk").values_list("tracking_number", "state")),
            "events": list(
                CaseEvent.objects.order_by("pk").values_list("case_id", "action", "note", "at")
            ),
            "petitioner": (case.petitioner.name, case.petitioner.phone),
            "reveal": User.objects.get(username="town_clerk").can_reveal_personal_data,
            "attachment": Attachment.objects.get().file.read(),
        }

    def test_export_then_import_into_an_empty_installation(self):
        with override_settings(MEDIA_ROOT=self.tmp / "media"):
            org = build_county()
            case = actions.register_case(
                org.village_agent,
                channel="walk_in",
                title="屋顶漏水",
                content="下雨漏水",
                jurisdiction=org.village,
                petitioner=PERSON,
            )
            actions.accept(org.village_agent, case)
            actions.add_attachment(
                org.village_agent,
                case,
                file=SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n1234", "image/png"),
            )
            before = self.snapshot()
            archive = self.tmp / "backup.tar.gz"
            call_command("export", str(archive))
            with tarfile.open(archive) as tar:
                data = tar.extractfile("data.json").read().decode()
                manifest = json.load(tar.extractfile("manifest.json"))
            self.assertNotIn(PERSON["phone"], data)  # personal data stays encrypted
            self.assertEqual(manifest["counts"]["cases.case"], 1)

        with override_settings(MEDIA_ROOT=self.tmp / "restored"):
            call_command("flush", interactive=False, verbosity=0)
            self.assertFalse(Case.objects.exists())
            call_command("import-dump", str(archive))
            self.assertEqual(self.snapshot(), before)
            self.assertEqual(Petitioner.objects.with_phone(PERSON["phone"]).count(), 1)
            with self.assertRaises(CommandError):  # never on top of existing data
                call_command("import-dump", str(archive))

    def test_not_a_backup(self):
        bogus = self.tmp / "bogus.tar.gz"
        bogus.write_text("hello")
        with self.assertRaises(CommandError):
            call_command("import-dump", str(bogus))
