import ast
import io
import json
import shutil
import tarfile
import tempfile
import threading
import time
from pathlib import Path

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import translation

from qingdan.cases import actions
from qingdan.cases.models import Attachment, Case, CaseEvent, Petitioner
from qingdan.core.backup import backup_models, seeded_labels
from qingdan.orgs.models import User
from qingdan.orgs.testing import PERSON, build_county

CORE = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n1234"


def photo(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def register(org, title: str, *, attach: bool = False) -> Case:
    case = actions.register_case(
        org.village_agent,
        channel="walk_in",
        title=title,
        content="下雨漏水",
        jurisdiction=org.village,
        petitioner=PERSON,
    )
    if attach:
        actions.add_attachment(org.village_agent, case, file=photo())
    return case


def rewrite(source: Path, target: Path, change) -> None:
    """Copy an archive, letting `change(manifest, rows)` edit its two documents."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        manifest = json.load(old.extractfile("manifest.json"))
        rows = json.load(old.extractfile("data.json"))
        change(manifest, rows)
        for member in old.getmembers():
            if member.name in {"manifest.json", "data.json"}:
                payload = json.dumps(manifest if member.name == "manifest.json" else rows).encode()
                member.size = len(payload)
                new.addfile(member, io.BytesIO(payload))
            else:
                new.addfile(member, old.extractfile(member) if member.isfile() else None)


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
            case = register(org, "屋顶漏水", attach=True)
            actions.accept(org.village_agent, case)
            # A file no row names (a failed upload, a later write): not in the archive.
            (self.tmp / "media" / "stray.txt").write_text("stray")
            before = self.snapshot()
            archive = self.tmp / "backup.tar.gz"
            call_command("export", str(archive), stdout=io.StringIO())
            with tarfile.open(archive) as tar:
                data = tar.extractfile("data.json").read().decode()
                manifest = json.load(tar.extractfile("manifest.json"))
                names = tar.getnames()
            self.assertNotIn(PERSON["phone"], data)  # personal data stays encrypted
            self.assertEqual(manifest["counts"]["cases.case"], 1)
            self.assertEqual(names, ["manifest.json", "data.json", f"media/{manifest['media'][0]}"])

        with override_settings(MEDIA_ROOT=self.tmp / "restored"):
            call_command("flush", interactive=False, verbosity=0)
            self.assertFalse(Case.objects.exists())
            call_command("import-dump", str(archive), stdout=io.StringIO())
            self.assertEqual(self.snapshot(), before)
            self.assertEqual(Petitioner.objects.with_phone(PERSON["phone"]).count(), 1)
            with (
                translation.override("zh-hans"),
                self.assertRaisesMessage(CommandError, "已有数据"),
            ):
                call_command("import-dump", str(archive))

    @translation.override("en")
    def test_not_a_backup(self):
        bogus = self.tmp / "bogus.tar.gz"
        bogus.write_text("hello")
        with self.assertRaisesMessage(CommandError, "not a complete .tar.gz archive"):
            call_command("import-dump", str(bogus))
        with self.assertRaisesMessage(CommandError, "there is no such file"):
            call_command("import-dump", str(self.tmp / "missing.tar.gz"))


class BackupWhileInUseTests(TransactionTestCase):
    """Issue 14.6: with a writer registering cases during the export, the archive held
    events whose case was missing and the restore crashed with an IntegrityError."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="qingdan-backup-"))
        self.addCleanup(shutil.rmtree, self.tmp)
        override = override_settings(MEDIA_ROOT=self.tmp / "media")
        override.enable()
        self.addCleanup(override.disable)
        self.org = build_county()
        for number in range(3):
            register(self.org, f"开始前{number}", attach=True)

    def keep_registering(self, stop: threading.Event, done: list, failures: list) -> None:
        try:
            while not stop.is_set():
                register(self.org, f"导出时{len(done)}", attach=len(done) % 2 == 0)
                done.append(1)
        except Exception as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            connection.close()

    def test_export_while_a_writer_registers_cases_restores(self):
        stop, done, failures = threading.Event(), [], []
        writer = threading.Thread(target=self.keep_registering, args=(stop, done, failures))
        writer.start()
        try:
            while len(done) < 2 and writer.is_alive():
                time.sleep(0.01)
            archive = self.tmp / "live.tar.gz"
            during = len(done)
            call_command("export", str(archive), stdout=io.StringIO())
            during = len(done) - during
            # Let the writer go on after the snapshot too: those cases must not appear.
            while len(done) < during + 4 and writer.is_alive():
                time.sleep(0.01)
        finally:
            stop.set()
            writer.join(60)
        self.assertEqual(failures, [])
        self.assertGreater(during, 0, "the writer registered nothing while the export ran")
        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
        self.assertLess(manifest["counts"]["cases.case"], Case.objects.count())

        with override_settings(MEDIA_ROOT=self.tmp / "restored"):
            call_command("flush", interactive=False, verbosity=0)
            call_command("import-dump", str(archive), stdout=io.StringIO())
            restored = {
                model._meta.label_lower: model._base_manager.count() for model in backup_models()
            }
            self.assertEqual(restored, manifest["counts"])
            for case in Case.objects.all():
                self.assertTrue(case.events.filter(action="register").exists(), case)
            for attachment in Attachment.objects.all():
                self.assertEqual(attachment.file.read(), PNG)
            self.assertEqual(
                sorted(
                    str(p.relative_to(self.tmp / "restored"))
                    for p in (self.tmp / "restored").rglob("*.png")
                ),
                sorted(manifest["media"]),
            )


class BadArchiveTests(TransactionTestCase):
    """A bad archive is refused in a sentence and nothing of it is written."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="qingdan-backup-"))
        self.addCleanup(shutil.rmtree, self.tmp)
        override = override_settings(MEDIA_ROOT=self.tmp / "media")
        override.enable()
        self.addCleanup(override.disable)
        org = build_county()
        for number in range(3):
            register(org, f"漏水{number}", attach=True)
        self.good = self.tmp / "good.tar.gz"
        call_command("export", str(self.good), stdout=io.StringIO())
        call_command("flush", interactive=False, verbosity=0)
        shutil.rmtree(self.tmp / "media")

    def assert_refused(self, archive: Path, *fragments: str) -> None:
        with translation.override("en"), self.assertRaises(CommandError) as caught:
            call_command("import-dump", str(archive), stdout=io.StringIO())
        message = str(caught.exception)
        self.assertIn("cannot be restored", message)
        self.assertIn("Nothing was restored", message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertNotIn("Traceback", message)
        self.assertFalse(Case.objects.exists())
        self.assertFalse(User.objects.exists())
        self.assertEqual(list((self.tmp / "media").rglob("*.png")), [])

    def test_bad_archives_are_refused(self):
        # One installation, many bad copies of its backup: each refusal writes nothing.
        raw = self.good.read_bytes()
        with self.subTest("cut off"):
            cut = self.tmp / "cut.tar.gz"
            cut.write_bytes(raw[: len(raw) * 2 // 3])
            self.assert_refused(cut, "damaged or cut off")
        with self.subTest("damaged"):
            damaged = self.tmp / "damaged.tar.gz"
            middle = len(raw) // 2
            damaged.write_bytes(raw[:middle] + bytes(16) + raw[middle + 16 :])
            self.assert_refused(damaged, "damaged or cut off")
        with self.subTest("an event whose case is missing"):

            def drop_a_case(manifest, rows):
                case = next(row for row in rows if row["model"] == "cases.case")
                rows.remove(case)
                manifest["counts"]["cases.case"] -= 1  # consistent counts: only a link broken

            orphan = self.tmp / "orphan.tar.gz"
            rewrite(self.good, orphan, drop_a_case)
            self.assert_refused(orphan, "cases.caseevent", "cases.case", "not in the archive")
        with self.subTest("files missing"):
            no_media = self.tmp / "no-media.tar.gz"
            with tarfile.open(self.good) as old, tarfile.open(no_media, "w:gz") as new:
                for member in old.getmembers():
                    if not member.name.startswith("media/"):
                        new.addfile(member, old.extractfile(member))
            self.assert_refused(no_media, "cases.attachment", "which is not in the archive")
        with self.subTest("counts"):
            miscounted = self.tmp / "miscounted.tar.gz"
            rewrite(
                self.good,
                miscounted,
                lambda manifest, rows: manifest["counts"].update({"cases.case": 4}),
            )
            self.assert_refused(miscounted, "the manifest counts 4 rows of cases.case")
        with self.subTest("format"):
            other = self.tmp / "other.tar.gz"
            rewrite(self.good, other, lambda manifest, rows: manifest.update(format="other-2"))
            self.assert_refused(other, "other-2")
        with self.subTest("newer version"):
            newer = self.tmp / "newer.tar.gz"
            rewrite(
                self.good,
                newer,
                lambda manifest, rows: manifest["migrations"].append("cases.9999_future"),
            )
            self.assert_refused(newer, "newer version", "cases.9999_future")
        with self.subTest("the good one restores"):
            call_command("import-dump", str(self.good), stdout=io.StringIO())
            self.assertEqual(Case.objects.count(), 3)
            self.assertEqual(len(list((self.tmp / "media").rglob("*.png"))), 3)


class SeededTablesTests(TestCase):
    def test_every_table_migrate_fills_is_declared(self):
        """A restore replaces the rows `migrate` wrote and refuses any other data:
        each app declares its seeded tables (`seeded_by_migrations`)."""
        filled = {
            model._meta.label_lower for model in backup_models() if model._base_manager.exists()
        }
        self.assertEqual(filled - seeded_labels(), set())
        self.assertIn("deadlines.deadlinepolicy", seeded_labels())


class CoreLayerTests(TestCase):
    def test_core_imports_no_other_qingdan_app(self):
        """qingdan.core is the lowest layer: it finds models through the app registry."""
        offending = []
        for path in CORE.rglob("*.py"):
            if "tests" in path.relative_to(CORE).parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "qingdan" and len(parts) > 1 and parts[1] != "core":
                        offending.append(f"{path.relative_to(CORE)}: {name}")
        self.assertEqual(offending, [])
        self.assertTrue(apps.is_installed("qingdan.core"))
