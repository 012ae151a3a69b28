"""Migration operations that a large installation can run while it serves.

On PostgreSQL a plain CREATE INDEX blocks every write to the table until the index is
built (minutes on tens of millions of rows), and one UPDATE over a whole table holds
its row locks and its WAL until it ends. These operations do the same work without
that: indexes are built CONCURRENTLY on PostgreSQL (plainly elsewhere, where tables are
small), data is changed in batches that each commit. The migration state they leave
is exactly that of Django's AddIndex / AddField, so models and `makemigrations` do not
see a difference.

A migration that uses the index operations must say `atomic = False` (PostgreSQL
refuses CREATE INDEX CONCURRENTLY inside a transaction). Each operation can be run
again after an interruption: a column already added is kept, an index left invalid by
an interrupted concurrent build is dropped and built again, a batch already done is
found done. `qingdan.core.migration_rules` checks that migrations on the big tables
use them.
"""

from collections.abc import Callable, Sequence

from django.db import NotSupportedError, migrations, models, router, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.ddl_references import Statement
from django.db.migrations.operations.base import Operation


def _is_postgresql(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def _refuse_transaction(schema_editor: BaseDatabaseSchemaEditor, operation: str) -> None:
    if schema_editor.collect_sql:  # sqlmigrate: only shows the statements
        return
    if schema_editor.connection.in_atomic_block:
        raise NotSupportedError(
            f"{operation} builds its index CONCURRENTLY on PostgreSQL, which cannot run in a "
            "transaction: set `atomic = False` on the migration."
        )


def _index_state(schema_editor: BaseDatabaseSchemaEditor, name: str) -> str:
    """'valid', 'invalid' (an interrupted concurrent build) or 'absent'."""
    if schema_editor.collect_sql:
        return "absent"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s AND pg_catalog.pg_table_is_visible(c.oid)",
            [name],
        )
        row = cursor.fetchone()
    if row is None:
        return "absent"
    return "valid" if row[0] else "invalid"


def _run_concurrently(schema_editor: BaseDatabaseSchemaEditor, name: str, sql) -> None:
    """Run a CREATE INDEX CONCURRENTLY statement for index `name`, skipping a valid index
    of that name and dropping one that an interrupted build left invalid."""
    state = _index_state(schema_editor, name)
    if state == "valid":
        return
    if state == "invalid":
        schema_editor.execute(
            f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}", params=None
        )
    schema_editor.execute(sql, params=None)


class AddIndexOnline(migrations.AddIndex):
    """AddIndex built CONCURRENTLY on PostgreSQL (writes go on during the build), a
    plain CREATE INDEX on other databases. Same state as AddIndex."""

    atomic = False

    def describe(self):
        return f"Create index {self.index.name} on {self.model_name} without blocking writes"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _is_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        _refuse_transaction(schema_editor, "AddIndexOnline")
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            sql = self.index.create_sql(model, schema_editor, concurrently=True)
            _run_concurrently(schema_editor, self.index.name, sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _is_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        _refuse_transaction(schema_editor, "AddIndexOnline")
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


class AddFieldOnline(migrations.AddField):
    """AddField for a column with `db_index=True` or a foreign key: the column is added
    on its own (a nullable column or one with a constant default is a catalogue change
    on PostgreSQL 11+, no rewrite), then its index is built CONCURRENTLY under the name
    Django gives it, and a foreign key's constraint is added NOT VALID and validated
    after (VALIDATE CONSTRAINT does not block writes). Other databases get a plain
    AddField. Same state as AddField."""

    atomic = False

    def describe(self):
        return f"Add field {self.name} to {self.model_name}, its index without blocking writes"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _is_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        _refuse_transaction(schema_editor, "AddFieldOnline")
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.name)
        foreign_key = field.remote_field is not None and getattr(field, "db_constraint", False)
        if not self._column_exists(schema_editor, model, field.column):
            # The column alone: without the index add_field would build under lock, and
            # without the key's constraint, which would be validated under lock.
            saved = field.db_index, field.default, getattr(field, "db_constraint", None)
            field.db_index = False
            if foreign_key:
                field.db_constraint = False  # type: ignore[attr-defined]
            if not self.preserve_default:
                field.default = self.field.default
            try:
                schema_editor.add_field(model, field)
            finally:
                field.db_index, field.default = saved[0], saved[1]
                if foreign_key:
                    field.db_constraint = saved[2]  # type: ignore[attr-defined]
        for statement in schema_editor._field_indexes_sql(model, field):
            concurrent = Statement(schema_editor.sql_create_index_concurrently, **statement.parts)
            _run_concurrently(schema_editor, str(statement.parts["name"]).strip('"'), concurrent)
        if foreign_key:
            self._add_foreign_key(schema_editor, model, field)

    @staticmethod
    def _add_foreign_key(schema_editor, model, field) -> None:
        constraint = schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
        name = str(constraint.parts["name"]).strip('"')
        table = schema_editor.quote_name(model._meta.db_table)
        exists = False
        if not schema_editor.collect_sql:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [name])
                exists = cursor.fetchone() is not None
        if not exists:
            schema_editor.execute(f"{constraint} NOT VALID", params=None)
        schema_editor.execute(
            f"ALTER TABLE {table} VALIDATE CONSTRAINT {schema_editor.quote_name(name)}",
            params=None,
        )

    @staticmethod
    def _column_exists(schema_editor, model, column: str) -> bool:
        if schema_editor.collect_sql:
            return False
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            description = connection.introspection.get_table_description(
                cursor, model._meta.db_table
            )
        return any(item.name == column for item in description)


class CreateIndexOnlineSQL(Operation):
    """A raw index on another app's table (not in any model's state): CREATE INDEX
    CONCURRENTLY IF NOT EXISTS on PostgreSQL, CREATE INDEX IF NOT EXISTS elsewhere."""

    reversible = True
    atomic = False

    def __init__(self, table: str, name: str, columns: Sequence[str]) -> None:
        self.table, self.name, self.columns = table, name, list(columns)

    def deconstruct(self):
        kwargs = {"table": self.table, "name": self.name, "columns": self.columns}
        return (self.__class__.__qualname__, [], kwargs)

    def describe(self):
        return f"Create index {self.name} on {self.table} without blocking writes"

    def state_forwards(self, app_label, state):
        pass  # the index is in no model's state

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not router.allow_migrate(schema_editor.connection.alias, app_label):
            return
        quote = schema_editor.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        target = f"{quote(self.name)} ON {quote(self.table)} ({columns})"
        if not _is_postgresql(schema_editor):
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {target}", params=None)
            return
        _refuse_transaction(schema_editor, "CreateIndexOnlineSQL")
        _run_concurrently(schema_editor, self.name, f"CREATE INDEX CONCURRENTLY {target}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not router.allow_migrate(schema_editor.connection.alias, app_label):
            return
        concurrently = "CONCURRENTLY " if _is_postgresql(schema_editor) else ""
        if concurrently:
            _refuse_transaction(schema_editor, "CreateIndexOnlineSQL")
        name = schema_editor.quote_name(self.name)
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}", params=None)


BatchFunction = Callable[[models.QuerySet], object]


def each_batch(
    queryset: models.QuerySet,
    change: BatchFunction,
    *,
    size: int,
    using: str,
    on_batch: Callable[[int | None], None] | None = None,
) -> int:
    """Call `change(rows)` on consecutive primary-key ranges of `queryset` of at most
    `size` rows, each in its own transaction: locks are held for one batch, and an
    interrupted run keeps the batches already committed. Returns the number of batches.
    The range bounds are found by keyset (the `size`-th primary key after the last
    bound), so gaps in the keys make neither empty nor oversized batches."""
    keys = queryset.order_by("pk").values_list("pk", flat=True)
    after = None
    batches = 0
    while True:
        remaining = keys if after is None else keys.filter(pk__gt=after)
        bound = list(remaining[size - 1 : size])
        upper = bound[0] if bound else None
        if upper is None and not remaining.exists():
            return batches
        rows = queryset if after is None else queryset.filter(pk__gt=after)
        if upper is not None:
            rows = rows.filter(pk__lte=upper)
        with transaction.atomic(using=using):
            change(rows)
        batches += 1
        if on_batch is not None:
            on_batch(upper)
        if upper is None:
            return batches
        after = upper


class RunPythonInBatches(migrations.RunPython):
    """Change the rows of one model in primary-key batches, each its own transaction
    (`each_batch`). `change(apps, rows)` receives the historical model's queryset of one
    batch; it should be idempotent (select only rows not yet changed), so that a
    migration interrupted midway is simply run again."""

    def __init__(
        self,
        model: str,
        change: Callable,
        *,
        batch_size: int = 10_000,
        reverse: Callable | None = None,
        elidable: bool = False,
    ) -> None:
        self.model, self.change, self.batch_size = model, change, batch_size
        self.reverse = reverse
        super().__init__(
            self._forwards,
            reverse if reverse is not None else migrations.RunPython.noop,
            atomic=False,
            elidable=elidable,
        )

    def deconstruct(self):
        kwargs = {"model": self.model, "change": self.change, "batch_size": self.batch_size}
        if self.reverse is not None:
            kwargs["reverse"] = self.reverse
        if self.elidable:
            kwargs["elidable"] = True
        return (self.__class__.__qualname__, [], kwargs)

    def describe(self):
        return f"Change {self.model} in batches of {self.batch_size}"

    def _forwards(self, apps, schema_editor):
        model = apps.get_model(self.model)
        alias = schema_editor.connection.alias
        each_batch(
            model._base_manager.using(alias).all(),
            lambda rows: self.change(apps, rows),
            size=self.batch_size,
            using=alias,
        )
