"""The rule for migrations on the big tables, checked by a test over every migration.

A province's installation holds tens of millions of rows in the tables below (see
docs/scaling.md for the measured rows per case). There a migration must not block
writes for minutes: no index built with a plain CREATE INDEX, no column change that
rewrites or scans the table under lock, no UPDATE of the whole table in one
transaction. The approved ways are the operations of `qingdan.core.migration_ops`
(in a migration with `atomic = False`):

- an index: `AddIndexOnline` (a model's index), `AddFieldOnline` (a new column with
  `db_index=True`, or a foreign key: its constraint added NOT VALID, then validated),
  `CreateIndexOnlineSQL` (a raw index on another app's table);
- a data change: `RunPythonInBatches`;
- a new column that is nullable or has a constant default: plain `AddField` (a
  catalogue change on PostgreSQL 11+, no rewrite).

Anything else on a big table (AddIndex, AddConstraint, an AlterField that changes the
column, a foreign key, RunSQL naming the table, RunPython reading it) is a violation,
unless the migration explains why it is safe in `large_tables_reviewed`, a dict from the
operation's label (as printed by the check, e.g. "AlterField petitioner.name") to the
reason. Migrations marked `initial` and operations on a table created in the same
migration are exempt: the table is empty then.
"""

import inspect
import re
from dataclasses import dataclass

from django.apps import apps
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

from .migration_ops import AddFieldOnline, AddIndexOnline, CreateIndexOnlineSQL, RunPythonInBatches

# Tables that grow with the number of cases or events (rows per case measured by
# bench/sizes.py, see docs/scaling.md).
BIG_TABLES = frozenset(
    {
        "cases_case",  # one per case
        "cases_caseevent",  # the timeline: several per case
        "cases_petitioner",  # about one per case (new filers)
        "cases_attachment",
        "cases_caseflag",  # early warnings
        "cases_cohandling",
        "deadlines_deadlinealert",  # one per warning or breach
        "notifications_outboxmessage",  # several per case
        "triage_casefingerprint",  # one per case
        "triage_categorysuggestion",  # one per case
    }
)

APPROVED_INDEX_OPERATIONS = (AddIndexOnline, AddFieldOnline, CreateIndexOnlineSQL)
_GET_MODEL = re.compile(r"""get_model\(\s*["']([\w.]+)["']\s*(?:,\s*["'](\w+)["'])?""")


@dataclass(frozen=True)
class Violation:
    app_label: str
    migration: str
    operation: str
    reason: str

    def __str__(self) -> str:
        return f"{self.app_label}.{self.migration}: {self.operation}: {self.reason}"


def operation_label(operation: Operation, position: int) -> str:
    kind = type(operation).__name__
    model = getattr(operation, "model_name", None)
    if isinstance(operation, migrations.AddIndex):
        return f"{kind} {model}.{operation.index.name}"
    if isinstance(operation, migrations.AddConstraint):
        return f"{kind} {model}.{operation.constraint.name}"
    if model is not None and hasattr(operation, "name"):
        return f"{kind} {model}.{operation.name}"
    if model is not None:
        return f"{kind} {model}"
    return f"{kind} #{position}"


def _table(state: ProjectState, app_label: str, model_name: str) -> str | None:
    model_state = state.models.get((app_label, model_name.lower()))
    if model_state is None:
        return None
    return model_state.options.get("db_table") or f"{app_label}_{model_name.lower()}"


def _schema_kwargs(field: models.Field) -> tuple[str, dict]:
    _name, path, _args, kwargs = field.deconstruct()
    return path, {key: value for key, value in kwargs.items() if key not in field.non_db_attrs}


def _new_column_problem(field: models.Field, *, online: bool) -> str | None:
    if field.many_to_many:
        return None  # a new table
    if field.is_relation and getattr(field, "db_constraint", False) and not online:
        return (
            "adds a foreign key, whose constraint is validated by a scan that blocks "
            "writes: use AddFieldOnline (NOT VALID, then VALIDATE) or review it"
        )
    if field.unique:
        return "adds a unique column, whose index is built under lock"
    if getattr(field, "db_index", False) and not online:
        return "builds the column's index under lock: use AddFieldOnline"
    db_default = field.db_default
    if db_default is not models.NOT_PROVIDED and not isinstance(db_default, models.Value):
        return "a db_default expression is evaluated for every row: the table is rewritten"
    # Django fills a NOT NULL column from its default, or '' for a blank text column.
    empty_allowed = field.blank and field.empty_strings_allowed
    if not (field.null or field.has_default() or empty_allowed) and db_default is (
        models.NOT_PROVIDED
    ):
        return "a NOT NULL column without a default cannot be added to a table with rows"
    return None


def _runpython_tables(operation: migrations.RunPython, state: ProjectState) -> set[str]:
    """Big tables a RunPython's function reaches through apps.get_model (read from its
    source: the only handle a migration function has on a model)."""
    try:
        source = inspect.getsource(operation.code)
    except (OSError, TypeError):
        return set()
    tables = set()
    for first, second in _GET_MODEL.findall(source):
        app_label, model_name = (first, second) if second else first.split(".", 1)
        table = _table(state, app_label, model_name)
        if table in BIG_TABLES:
            tables.add(table)
    return tables


def check_operation(
    operation: Operation,
    *,
    app_label: str,
    state: ProjectState,
    atomic: bool,
    created: set[str],
) -> str | None:
    """Why `operation` breaks the rule, or None. `created`: tables created earlier in the
    same migration (empty, so exempt)."""
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        for inner in operation.database_operations:
            problem = check_operation(
                inner, app_label=app_label, state=state, atomic=atomic, created=created
            )
            if problem:
                return problem
        return None
    if isinstance(operation, CreateIndexOnlineSQL | RunPythonInBatches):
        table = operation.table if isinstance(operation, CreateIndexOnlineSQL) else None
        if atomic and (table is None or table in BIG_TABLES):
            return "an online operation in an atomic migration: set `atomic = False`"
        return None
    if isinstance(operation, migrations.RunSQL):
        sql = " ".join(str(part) for part in _flatten(operation.sql)).lower()
        named = sorted(t for t in BIG_TABLES - created if re.search(rf"\b{t}\b", sql))
        if named:
            return (
                f"raw SQL on {', '.join(named)}: use CreateIndexOnlineSQL for an index, "
                "RunPythonInBatches for data"
            )
        return None
    if isinstance(operation, migrations.RunPython):
        touched = sorted(_runpython_tables(operation, state) - created)
        if touched:
            return f"changes {', '.join(touched)} in one transaction: use RunPythonInBatches"
        return None
    model_name = getattr(operation, "model_name", None)
    if model_name is None:
        return None
    table = _table(state, app_label, model_name)
    if table not in BIG_TABLES or table in created:
        return None
    if isinstance(operation, APPROVED_INDEX_OPERATIONS) and atomic:
        return "an online operation in an atomic migration: set `atomic = False`"
    if isinstance(operation, migrations.AddField):
        return _new_column_problem(operation.field, online=isinstance(operation, AddFieldOnline))
    if isinstance(operation, migrations.AddIndex) and not isinstance(operation, AddIndexOnline):
        return "builds an index under lock: use AddIndexOnline"
    if isinstance(operation, migrations.AddConstraint):
        return "builds an index or validates the rows under lock"
    if isinstance(operation, migrations.AlterUniqueTogether) and operation.option_value:
        return "builds a unique index under lock"
    if isinstance(operation, migrations.AlterField):
        old = state.models[app_label, operation.model_name_lower].fields[operation.name]
        if _schema_kwargs(old) != _schema_kwargs(operation.field):
            return (
                "changes the column (type, null, index, default): a rewrite or a scan "
                "under lock on PostgreSQL"
            )
    return None


def _flatten(sql) -> list:
    if isinstance(sql, list | tuple):
        return [item for part in sql for item in _flatten(part)]
    return [sql]


def check_migration(migration: migrations.Migration, state: ProjectState) -> list[Violation]:
    """The violations of one migration against the state before it; `state` is moved
    forward through the migration."""
    reviewed = getattr(migration, "large_tables_reviewed", {})
    violations = []
    created: set[str] = set()
    for position, operation in enumerate(migration.operations):
        label = operation_label(operation, position)
        if not migration.initial:
            problem = check_operation(
                operation,
                app_label=migration.app_label,
                state=state,
                atomic=migration.atomic,
                created=created,
            )
            if problem and label not in reviewed:
                violations.append(Violation(migration.app_label, migration.name, label, problem))
        operation.state_forwards(migration.app_label, state)
        if isinstance(operation, migrations.CreateModel):
            created.add(_table(state, migration.app_label, operation.name) or "")
    return violations


def project_violations() -> list[Violation]:
    """Every violation in the migrations of Qingdan's apps, in the order they apply."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("qingdan")}
    plan: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    state = ProjectState(real_apps=loader.unmigrated_apps)
    violations = []
    for node in plan:
        migration = loader.graph.nodes[node]
        if node[0] in ours:
            violations += check_migration(migration, state)
        else:
            for operation in migration.operations:
                operation.state_forwards(migration.app_label, state)
    return violations
