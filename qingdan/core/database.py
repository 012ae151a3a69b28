"""Is the database there and up to date? Asked by the `qingdan` command line before a
command that reads or writes data runs, so that a missing or unmigrated database gets
one sentence saying what to do instead of a `no such table` traceback (and no empty
SQLite file left behind where the command was started)."""

from pathlib import Path

from django.core.management import get_commands, load_command_class
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

# Django's own commands that do not need a migrated database: they create or inspect
# the schema, work on files, or set up a database of their own (test). Our commands
# say so themselves with `requires_migrated_database = False`.
WITHOUT_DATABASE = frozenset(
    {
        "check",
        "collectstatic",
        "compilemessages",
        "createcachetable",
        "dbshell",
        "diffsettings",
        "findstatic",
        "help",
        "inspectdb",
        "makemessages",
        "makemigrations",
        "migrate",
        "optimizemigration",
        "sendtestemail",
        "shell",
        "showmigrations",
        "spectacular",
        "sqlflush",
        "sqlmigrate",
        "sqlsequencereset",
        "squashmigrations",
        "startapp",
        "startproject",
        "test",
        "testserver",
        "version",
    }
)


def command_needs_database(argv: list[str]) -> bool:
    """Whether `qingdan ARGS…` will use the database (asking for help does not)."""
    if not argv or argv[0].startswith("-") or {"-h", "--help"} & set(argv[1:]):
        return False
    name = argv[0]
    app = get_commands().get(name)
    if app is None or name in WITHOUT_DATABASE:
        return False  # an unknown command: Django says so itself
    command = load_command_class(app, name)
    return getattr(command, "requires_migrated_database", True)


def _describe(settings_dict: dict) -> str:
    """The database as a person would name it: the file, or host and name (never the
    password of a DATABASE_URL)."""
    if settings_dict.get("HOST"):
        return f"{settings_dict['NAME']} @ {settings_dict['HOST']}"
    return str(settings_dict.get("NAME"))


def _sqlite_file(settings_dict: dict) -> Path | None:
    name = str(settings_dict.get("NAME") or "")
    if "sqlite" not in settings_dict["ENGINE"] or name == ":memory:" or "mode=memory" in name:
        return None
    return Path(name.removeprefix("file:").split("?", 1)[0])


def database_problem(connection: BaseDatabaseWrapper | None = None) -> str | None:
    """What keeps commands from using the database (the default one), as a sentence
    saying what to do; None when it is there with every migration of this version applied."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    settings_dict = connection.settings_dict
    name = _describe(settings_dict)
    advice = _(
        "Run `qingdan migrate` to set it up, or point QINGDAN_DATA_DIR (or DATABASE_URL) at "
        "an existing installation: the demo county of scripts/demo is in ./demo "
        "(QINGDAN_DATA_DIR=demo)."
    )
    path = _sqlite_file(settings_dict)
    if path is not None and not path.exists():
        # Checked before connecting: connecting would create an empty file.
        return _("The database %(name)s does not exist.") % {"name": path} + " " + advice
    try:
        connection.ensure_connection()
        recorder = MigrationRecorder(connection)
        if not recorder.has_table():
            return (
                _("The database %(name)s is not initialised (it has no tables).") % {"name": name}
                + " "
                + advice
            )
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return _(
            "Cannot use the database %(name)s: %(error)s. Check DATABASE_URL and that the "
            "database server is running."
        ) % {"name": name, "error": str(error).strip()}
    if plan:
        migration = plan[0][0]
        return _(
            "The database %(name)s lacks %(count)d migration(s) of this version of Qingdan "
            "(the first: %(first)s): run `qingdan migrate` first."
        ) % {"name": name, "count": len(plan), "first": f"{migration.app_label}.{migration.name}"}
    return None
