"""The `qingdan` command line refuses a missing or unmigrated database with a sentence
saying what to do, instead of creating an empty SQLite file and failing on a missing
table."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import ConnectionHandler
from django.test import SimpleTestCase, TestCase
from django.utils import translation

from qingdan.core.database import command_needs_database, database_problem

ROOT = Path(__file__).resolve().parents[3]


def qingdan(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """`qingdan ARGS` started in `folder`, with the default SQLite database there."""
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update({"QINGDAN_DATA_DIR": str(folder), "PYTHONPATH": str(ROOT)})
    return subprocess.run(
        [sys.executable, "-m", "qingdan.cli", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def other_database(**settings_dict):
    """A connection to another database than the tests' own."""
    return ConnectionHandler({"default": settings_dict})["default"]


def sqlite(path: Path):
    return other_database(ENGINE="django.db.backends.sqlite3", NAME=str(path))


class CommandLineTests(SimpleTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp())

    def test_missing_database_is_refused_and_not_created(self):
        result = qingdan(self.folder, "bulletin", "--period", "2026H1")
        self.assertEqual(result.returncode, 2, result.stderr)
        database = self.folder / "qingdan.sqlite3"
        self.assertIn(f"数据库 {database} 不存在。", result.stderr)
        self.assertIn("请先运行 `qingdan migrate`", result.stderr)
        self.assertIn("QINGDAN_DATA_DIR=demo", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        self.assertNotIn("no such table", result.stderr)
        self.assertFalse(database.exists())
        self.assertEqual(list(self.folder.iterdir()), [])

    def test_asking_for_help_needs_no_database(self):
        usage = qingdan(self.folder, "bulletin", "--help")
        self.assertEqual(usage.returncode, 0, usage.stderr)
        self.assertIn("--period", usage.stdout)

    def test_which_commands_need_the_database(self):
        needing = [["bulletin", "--period", "2026H1"], ["worker"], ["runserver"],
                   ["createsuperuser"], ["import-orders", "x.csv"], ["export", "b.gz"]]  # fmt: skip
        for argv in needing:
            self.assertTrue(command_needs_database(argv), argv)
        free = [[], ["--version"], ["help"], ["migrate"], ["makemigrations"], ["check"],
                ["demo"], ["import-dump", "b.tar.gz"], ["eval-classifier", "a.csv"],
                ["hot-issues", "a.csv"], ["worker", "--help"], ["no-such-command"]]  # fmt: skip
        for argv in free:
            self.assertFalse(command_needs_database(argv), argv)


class DatabaseStateTests(TestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp())

    def test_a_migrated_database_has_no_problem(self):
        self.assertIsNone(database_problem())

    def test_a_missing_file_is_not_created_by_the_check(self):
        path = self.folder / "qingdan.sqlite3"
        with translation.override("en"):
            problem = database_problem(sqlite(path))
        self.assertEqual(
            problem,
            f"The database {path} does not exist. Run `qingdan migrate` to set it up, or point "
            "QINGDAN_DATA_DIR (or DATABASE_URL) at an existing installation: the demo county "
            "of scripts/demo is in ./demo (QINGDAN_DATA_DIR=demo).",
        )
        self.assertFalse(path.exists())

    def test_an_empty_database_is_not_initialised(self):
        path = self.folder / "qingdan.sqlite3"
        path.touch()
        empty = sqlite(path)
        with translation.override("zh-hans"):
            problem = database_problem(empty)
        empty.close()
        self.assertIn(f"数据库 {path} 尚未初始化（没有数据表）。", problem)
        self.assertIn("请先运行 `qingdan migrate` 初始化数据库", problem)

    def test_an_unreachable_server_is_named_without_its_password(self):
        server = other_database(
            ENGINE="django.db.backends.postgresql",
            NAME="qingdan",
            USER="qingdan",
            PASSWORD="secret",
            HOST="127.0.0.1",
            PORT="1",
        )
        with translation.override("zh-hans"):
            problem = database_problem(server)
        self.assertIn("无法使用数据库 qingdan @ 127.0.0.1", problem)
        self.assertIn("请检查 DATABASE_URL", problem)
        self.assertNotIn("secret", problem)

    def test_a_migration_not_applied_is_named(self):
        latest = max(MigrationLoader(connection).graph.leaf_nodes("cases"))[1]
        MigrationRecorder(connection).record_unapplied("cases", latest)
        with translation.override("zh-hans"):
            problem = database_problem()
        self.assertIn(f"缺少本版本清单的 1 个迁移（第一个：cases.{latest}）", problem)
        self.assertIn("请先运行 `qingdan migrate`", problem)
