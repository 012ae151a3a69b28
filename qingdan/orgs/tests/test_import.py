import re
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from qingdan.orgs.actions import import_org_csv
from qingdan.orgs.models import Category, Department, Jurisdiction

GOOD = """类型,代码,名称,层级,上级,单位类型,主管事项
辖区,370685000000,招远市,市,,,
辖区,370685001001,东关社区,社区,370685001000,,
辖区,370685001000,泉山街道,街道,370685000000,,
单位,qs-sfs,司法所,,370685001000,镇街科室,civil_disputes
单位,zy-zjj,住建局,,370685000000,市直部门,urban_rural_construction;transport
"""


class ImportOrgTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for code in ("civil_disputes", "urban_rural_construction", "transport"):
            Category.objects.get_or_create(code=code, defaults={"name": code})

    def test_good_file_any_order(self):
        report = import_org_csv(GOOD)
        self.assertTrue(report.ok, report.rejected)
        self.assertEqual(report.created, 5)
        village = Jurisdiction.objects.get(code="370685001001")
        self.assertEqual(village.parent.name, "泉山街道")
        self.assertEqual(
            set(Department.objects.get(code="zy-zjj").categories.values_list("code", flat=True)),
            {"urban_rural_construction", "transport"},
        )
        again = import_org_csv(GOOD)
        self.assertEqual((again.created, again.updated), (0, 5))
        self.assertEqual(Jurisdiction.objects.count(), 3)

    def test_bad_rows_are_reported_and_nothing_is_written(self):
        bad = GOOD + (
            "辖区,37068500200,短代码镇,镇,370685000000,,\n"
            "辖区,370686002000,外市镇,镇,370685000000,,\n"
            "辖区,370685003000,,镇,370685000000,,\n"
            "辖区,370685003201,孤村,村,370685009000,,\n"
            "单位,zy-x,某局,,370685000000,市直部门,no_such_category\n"
            "单位,zy-y,某所,,370685001001,镇街科室,\n"
            "星球,1,火星,,,,\n"
        )
        report = import_org_csv(bad)
        self.assertFalse(report.written)
        found = {(e.row, e.field) for e in report.rejected}
        self.assertEqual(
            found,
            {
                (7, "code"),
                (8, "code"),
                (9, "name"),
                (10, "parent"),
                (11, "categories"),
                (12, "jurisdiction"),
                (13, "type"),
            },
        )
        self.assertEqual(Jurisdiction.objects.count(), 0)
        self.assertEqual(Department.objects.count(), 0)

    def test_partial_writes_the_good_rows(self):
        report = import_org_csv(GOOD + "辖区,370686002000,外市镇,镇,370685000000,,\n", partial=True)
        self.assertTrue(report.written)
        self.assertEqual(len(report.rejected), 1)
        self.assertEqual(Jurisdiction.objects.count(), 3)

    def test_missing_header(self):
        report = import_org_csv("名称\n招远市\n")
        self.assertEqual({e.field for e in report.rejected}, {"type", "code"})

    def test_command_reports_rows_and_fails(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "org.csv"
            path.write_text(GOOD + "辖区,370686002000,外市镇,镇,370685000000,,\n", "utf-8-sig")
            with self.assertRaises(CommandError):
                call_command("import-org", str(path))
            self.assertEqual(Jurisdiction.objects.count(), 0)
            call_command("import-org", str(path), "--partial")
            self.assertEqual(Jurisdiction.objects.count(), 3)
            path.write_bytes(b"type,code\n\xff\xfe")
            with self.assertRaises(CommandError):
                call_command("import-org", str(path))


class DemoCommandTests(TestCase):
    def test_demo_twice_in_a_temp_directory(self):
        """Runs the real console entry point, twice, against a fresh SQLite file."""
        with tempfile.TemporaryDirectory() as tmp:
            # Without DEBUG, commands refuse the public development key (qingdan.E001).
            env = {
                "QINGDAN_DATA_DIR": tmp,
                "PATH": "/usr/bin:/bin",
                "SECRET_KEY": "qingdan-test-demo-key",
                "DJANGO_SETTINGS_MODULE": "",
            }
            env.pop("DJANGO_SETTINGS_MODULE")
            command = [sys.executable, "-m", "qingdan.cli", "demo", "--no-serve"]
            first = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True)
            self.assertEqual(first.returncode, 0, first.stderr)
            created = re.search(r"新建演示事项：(\d+) 件", first.stdout)
            self.assertGreater(int(created.group(1)), 40)
            self.assertIn("代办员", first.stdout)
            count = (
                "from qingdan.cases.models import Case, CaseEvent;"
                "from qingdan.orgs.models import Jurisdiction, User, Department;"
                "print(Case.objects.count(), CaseEvent.objects.count(),"
                " Jurisdiction.objects.count(), User.objects.count(), Department.objects.count())"
            )
            shell = [sys.executable, "-m", "qingdan.cli", "shell", "-c", count]
            before = subprocess.run(shell, cwd=tmp, env=env, capture_output=True, text=True)
            second = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True)
            self.assertEqual(second.returncode, 0, second.stderr)
            self.assertIn("新建演示事项：0 件", second.stdout)
            after = subprocess.run(shell, cwd=tmp, env=env, capture_output=True, text=True)
            self.assertEqual(before.stdout.split()[-5:], after.stdout.split()[-5:])
            self.assertEqual(int(after.stdout.split()[-5]), int(created.group(1)))
            towns = int(after.stdout.split()[-3])
            self.assertGreaterEqual(towns, 40)
            self.assertTrue((Path(tmp) / "qingdan.sqlite3").exists())
