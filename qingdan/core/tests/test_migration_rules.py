"""The rule for migrations on the big tables (qingdan.core.migration_rules) holds for
every migration, and the check catches what it is there to catch."""

import io

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.test import SimpleTestCase, TestCase

from qingdan.core.migration_ops import (
    AddFieldOnline,
    AddIndexOnline,
    CreateIndexOnlineSQL,
    RunPythonInBatches,
    each_batch,
)
from qingdan.core.migration_rules import BIG_TABLES, check_migration, project_violations


def touch_cases(apps, schema_editor):
    apps.get_model("cases", "Case").objects.update(version=1)


def touch_cases_dotted(apps, schema_editor):
    apps.get_model("cases.CaseEvent").objects.all().delete()


def touch_categories(apps, schema_editor):
    apps.get_model("orgs", "Category").objects.update(active=True)


def change_rows(apps, rows):
    rows.update(version=1)


class MigrationRuleTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = MigrationLoader(None, ignore_no_migrations=True)

    def problems(self, *operations, app_label="cases", atomic=True, reviewed=None):
        migration = migrations.Migration("9999_future", app_label)
        migration.operations = list(operations)
        migration.atomic = atomic
        if reviewed:
            migration.large_tables_reviewed = reviewed
        return [v.reason for v in check_migration(migration, self.loader.project_state())]

    def test_every_migration_follows_the_rule(self):
        self.assertEqual([str(v) for v in project_violations()], [])

    def test_the_big_tables_exist(self):
        tables = set(connection.introspection.django_table_names(include_views=False))
        self.assertEqual(sorted(BIG_TABLES - tables), [])

    def test_an_index_on_a_big_table_must_be_built_online(self):
        index = models.Index(fields=["state", "updated_at"], name="case_state_updated")
        self.assertIn("use AddIndexOnline", self.problems(migrations.AddIndex("case", index))[0])
        self.assertEqual(self.problems(AddIndexOnline("case", index), atomic=False), [])
        self.assertIn("atomic = False", self.problems(AddIndexOnline("case", index))[0])
        # A small table may take a plain index.
        small = models.Index(fields=["name"], name="category_name")
        self.assertEqual(
            self.problems(migrations.AddIndex("category", small), app_label="orgs"), []
        )

    def test_a_new_column(self):
        indexed = models.DateTimeField(null=True, db_index=True)
        self.assertIn(
            "use AddFieldOnline", self.problems(migrations.AddField("case", "seen_at", indexed))[0]
        )
        self.assertEqual(
            self.problems(AddFieldOnline("case", "seen_at", indexed), atomic=False), []
        )
        plain = [
            models.DateTimeField(null=True),
            models.IntegerField(default=0),
            models.CharField(max_length=10, blank=True),
        ]
        for field in plain:
            self.assertEqual(self.problems(migrations.AddField("case", "extra", field)), [])
        self.assertIn(
            "rewritten",
            self.problems(
                migrations.AddField(
                    "case", "stamped", models.DateTimeField(db_default=models.functions.Now())
                )
            )[0],
        )
        key = models.ForeignKey("orgs.Category", null=True, on_delete=models.PROTECT)
        self.assertIn("foreign key", self.problems(migrations.AddField("case", "topic", key))[0])
        self.assertIn(
            "unique",
            self.problems(
                migrations.AddField(
                    "case", "code", models.CharField(null=True, unique=True, max_length=5)
                )
            )[0],
        )

    def test_a_column_change(self):
        longer = models.CharField("tracking number", max_length=40, unique=True)
        self.assertIn(
            "rewrite", self.problems(migrations.AlterField("case", "tracking_number", longer))[0]
        )
        # Only what the database does not see: allowed.
        renamed = models.CharField("case number", max_length=32, unique=True)
        self.assertEqual(
            self.problems(migrations.AlterField("case", "tracking_number", renamed)), []
        )
        # A reviewed change, with its reason.
        self.assertEqual(
            self.problems(
                migrations.AlterField("case", "tracking_number", longer),
                reviewed={"AlterField case.tracking_number": "varchar grows: catalogue only"},
            ),
            [],
        )

    def test_data_changes_must_be_batched(self):
        self.assertIn("RunPythonInBatches", self.problems(migrations.RunPython(touch_cases))[0])
        self.assertIn("cases_caseevent", self.problems(migrations.RunPython(touch_cases_dotted))[0])
        self.assertEqual(
            self.problems(migrations.RunPython(touch_categories), app_label="orgs"), []
        )
        self.assertEqual(
            self.problems(RunPythonInBatches("cases.Case", change_rows), atomic=False), []
        )
        # In an atomic migration the batches would all commit together.
        self.assertIn(
            "atomic = False", self.problems(RunPythonInBatches("cases.Case", change_rows))[0]
        )
        self.assertIn(
            "raw SQL on cases_case",
            self.problems(migrations.RunSQL("UPDATE cases_case SET version = 1"))[0],
        )
        self.assertIn(
            "raw SQL on cases_case",
            self.problems(
                migrations.RunSQL("CREATE INDEX x ON cases_case (title)"), app_label="stats"
            )[0],
        )
        self.assertEqual(
            self.problems(
                CreateIndexOnlineSQL("cases_case", "x", ["title"]), app_label="stats", atomic=False
            ),
            [],
        )

    def test_a_table_created_in_the_same_migration_is_exempt(self):
        create = migrations.CreateModel("CaseNote", [("id", models.BigAutoField(primary_key=True))])
        index = models.Index(fields=["id"], name="casenote_id")
        self.assertEqual(self.problems(create, migrations.AddIndex("casenote", index)), [])


class OnlineIndexSQLTests(SimpleTestCase):
    """What `sqlmigrate` shows for the rewritten migrations on this database."""

    databases = {"default"}

    def sql(self, app_label, name):
        out = io.StringIO()
        call_command("sqlmigrate", app_label, name, stdout=out)
        return out.getvalue()

    def test_indexes_are_built_concurrently_on_postgresql(self):
        expected = (
            "CREATE INDEX CONCURRENTLY" if connection.vendor == "postgresql" else "CREATE INDEX"
        )
        for app_label, name, index in [
            ("cases", "0005", "cases_case_next_check_at"),
            ("cases", "0006", "case_state_accept_due"),
            ("cases", "0003", "cases_petitioner_phone_digest"),
            ("stats", "0003", "stats_case_place_registered"),
        ]:
            with self.subTest(migration=f"{app_label}.{name}"):
                lines = [
                    line
                    for line in self.sql(app_label, name).splitlines()
                    if index in line and not line.startswith("--")
                ]
                self.assertTrue(lines, f"no index {index} in {app_label}.{name}")
                self.assertTrue(all(line.startswith(expected) for line in lines), lines)
                if connection.vendor == "postgresql":
                    continue
                self.assertFalse(any("CONCURRENTLY" in line for line in lines))


class ResumeAfterInterruptionTests(SimpleTestCase):
    """An interrupted CREATE INDEX CONCURRENTLY leaves an invalid index behind; running
    the migration again replaces it instead of keeping it (IF NOT EXISTS would)."""

    databases = {"default"}

    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("concurrent index builds are PostgreSQL's")
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE qd_scratch (id integer, v integer)")
            cursor.execute("INSERT INTO qd_scratch VALUES (1, 1), (2, 1)")
        self.addCleanup(self.drop)

    def drop(self):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS qd_scratch")

    def valid(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = 'qd_scratch_v'"
            )
            return [row[0] for row in cursor.fetchall()]

    def test_an_invalid_index_is_built_again(self):
        with self.assertRaises(IntegrityError), connection.cursor() as cursor:
            # Fails on the duplicate after creating the index entry: left invalid.
            cursor.execute("CREATE UNIQUE INDEX CONCURRENTLY qd_scratch_v ON qd_scratch (v)")
        self.assertEqual(self.valid(), [False])
        with connection.schema_editor(atomic=False) as editor:
            operation = CreateIndexOnlineSQL("qd_scratch", "qd_scratch_v", ["v"])
            operation.database_forwards("core", editor, None, None)
            self.assertEqual(self.valid(), [True])
            # Run again (a rerun migration): the valid index stays.
            operation.database_forwards("core", editor, None, None)
        self.assertEqual(self.valid(), [True])


class EachBatchTests(TestCase):
    def test_every_row_once_in_bounded_batches_each_in_a_transaction(self):
        rows = ContentType.objects.all()
        total = rows.count()
        seen: list[list[int]] = []

        def change(batch):
            self.assertTrue(connection.in_atomic_block)
            seen.append(list(batch.values_list("pk", flat=True)))

        # Gaps in the keys: every other row.
        odd = rows.filter(pk__in=[pk for pk in rows.values_list("pk", flat=True) if pk % 2])
        batches = each_batch(rows, change, size=7, using="default")
        self.assertEqual(batches, -(-total // 7))
        self.assertEqual(
            sorted(pk for batch in seen for pk in batch), sorted(rows.values_list("pk", flat=True))
        )
        self.assertTrue(all(len(batch) <= 7 for batch in seen))
        seen.clear()
        each_batch(odd, change, size=3, using="default")
        self.assertTrue(all(0 < len(batch) <= 3 for batch in seen))
        self.assertEqual(sum(map(len, seen)), odd.count())
