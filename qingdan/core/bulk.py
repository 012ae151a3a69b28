"""A lean multi-row INSERT for bulk paths (the work-order import, the intake analyses
it queues).

Why not `bulk_create`: measured on a 20,000-row import, Django's bulk insert spends
~0.45 ms a case building one huge parameterised statement; one prepared statement
run with `executemany` (SQLite) or COPY (PostgreSQL) does it in ~0.1 ms. Values
still go through each field's `pre_save` (auto_now, digests) and `get_db_prep_save`
(encryption, time zones, JSON); only fields whose Python value is already the
database value (text, integers, booleans, foreign keys) pass through as they are.
Primary keys are allocated first (the table's sequence on PostgreSQL; on SQLite the
writer holds the database lock inside the transaction), so the caller knows them
without reading back.
"""

import contextlib

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.base import ModelState
from django.db.models.fields import AutoFieldMixin

PASS_THROUGH = (
    models.CharField,
    models.TextField,
    models.SlugField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.BooleanField,
    models.ForeignKey,
)


CONVERSIONS = ("get_prep_value", "get_db_prep_value", "get_db_prep_save")


def _needs_pre_save(field) -> bool:
    return type(field).pre_save is not models.Field.pre_save


def _keeps_python_value(field) -> bool:
    """A field of a pass-through kind whose class adds no conversion of its own
    (a digest column: yes; an encrypted column: no)."""
    base = next((kind for kind in PASS_THROUGH if isinstance(field, kind)), None)
    return base is not None and all(
        getattr(type(field), name) is getattr(base, name) for name in CONVERSIONS
    )


def _converter(field, connection):
    if _keeps_python_value(field):
        return None
    if type(field) is models.DateTimeField:
        return connection.ops.adapt_datetimefield_value

    def convert(value):
        return field.get_db_prep_save(value, connection=connection)

    return convert


def _reader(field, connection):
    attname, name = field.attname, field.name
    pre_save = _needs_pre_save(field)
    convert = _converter(field, connection)
    relation = field.is_relation

    def read(obj):
        value = field.pre_save(obj, True) if pre_save else getattr(obj, attname)
        if value is None and relation:
            # A related object given before it had a key (as save() would resolve it).
            related = obj._state.fields_cache.get(name)
            value = related.pk if related is not None else None
        if value is None or convert is None:
            return value
        return convert(value)

    return read


class Maker:
    """Unsaved instances for `insert_rows`, ~4 times cheaper than `Model(**values)`:
    defaults are computed once per model instead of once per field and instance (no
    init signals are sent; nothing listens to them for these models). Related
    objects are given as objects and kept in the instance's cache, as `__init__`
    does."""

    def __init__(self, model):
        self.model = model
        self.static: dict = {}
        self.dynamic = []
        for field in model._meta.concrete_fields:
            if field.primary_key:
                self.static[field.attname] = None
            elif field.has_default() and callable(field.default):
                self.dynamic.append(field)
            else:
                self.static[field.attname] = field.get_default()
        self.relations = {f.name: f.attname for f in model._meta.concrete_fields if f.is_relation}

    def __call__(self, **values):
        obj = self.model.__new__(self.model)
        attributes = obj.__dict__
        attributes.update(self.static)
        for field in self.dynamic:
            attributes[field.attname] = field.get_default()
        state = ModelState()
        obj._state = state
        for name, value in values.items():
            attname = self.relations.get(name)
            if attname is None:
                attributes[name] = value
            else:
                attributes[attname] = None if value is None else value.pk
                if value is not None:
                    state.fields_cache[name] = value
        return obj


def allocate_ids(model, count: int) -> list[int]:
    """`count` fresh primary keys; call inside the transaction that inserts them."""
    connection = connections[DEFAULT_DB_ALIAS]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                f"COALESCE((SELECT MAX(id) FROM {quoted}), 0))",
                [table],
            )
            last = cursor.fetchone()[0]
            return list(range(last + 1, last + 1 + count))
    raise NotImplementedError(connection.vendor)


def supported() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor in {"postgresql", "sqlite"}


def insert_rows(model, objs: list, *, with_ids: bool = True) -> None:
    """INSERT `objs` (unsaved instances of `model`) in one prepared statement; with
    `with_ids`, primary keys are allocated and set on the objects first. A primary
    key that is not an auto field (a one-to-one key) is the caller's, always written."""
    if not objs:
        return
    if not supported():
        model.objects.bulk_create(objs)
        return
    # The connection itself, not the thread-local proxy: it is read for every value.
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if not isinstance(model._meta.pk, AutoFieldMixin):
        fields = [model._meta.pk, *fields]
    elif with_ids:
        for obj, pk in zip(objs, allocate_ids(model, len(objs)), strict=True):
            obj.pk = pk
        fields = [model._meta.pk, *fields]
    readers = [_reader(f, connection) for f in fields]
    columns = _columns(connection, fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    rows = [tuple(read(obj) for read in readers) for obj in objs]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: no per-row statement, and psycopg adapts the values in C.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


# Bound parameters per statement on SQLite (the default limit since 3.32).
SQLITE_MAX_PARAMETERS = 32_766


def _columns(connection, fields) -> str:
    return ", ".join(connection.ops.quote_name(f.column) for f in fields)


def _arrays(connection, fields) -> str:
    """PostgreSQL: one array parameter a column, `unnest` turning them into rows: a
    statement of a few parameters whatever the number of rows (psycopg parses a query
    of thousands of placeholders slowly, and caches no such query)."""
    casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    return f"unnest({casts})"


def insert_values(model, objs: list, *, unique: tuple[str, ...] = ()) -> set[int]:
    """INSERT `objs` in one statement (SQLite: as few as its parameter limit allows),
    their primary keys allocated first, in the order of `objs`. Unlike COPY the
    statement goes through Django's cursor, so it is counted and traced like any other.
    With `unique` (the fields of a unique constraint), a row that would break it is
    left out (ON CONFLICT DO NOTHING): the keys of the rows written are returned, so
    the caller knows which claims it won."""
    if not objs:
        return set()
    connection = connections[DEFAULT_DB_ALIAS]
    if not supported():
        raise NotImplementedError(connection.vendor)
    for obj, pk in zip(objs, allocate_ids(model, len(objs)), strict=True):
        obj.pk = pk
    fields = [model._meta.pk, *(f for f in model._meta.concrete_fields if not f.primary_key)]
    readers = [_reader(f, connection) for f in fields]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({_columns(connection, fields)})"
    suffix = ""
    if unique:
        targets = _columns(connection, [model._meta.get_field(name) for name in unique])
        suffix = f" ON CONFLICT ({targets}) DO NOTHING RETURNING {quote(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        statements = [
            (
                f"{head} SELECT * FROM {_arrays(connection, fields)}{suffix}",
                [[read(obj) for obj in objs] for read in readers],
                objs,
            )
        ]
    else:
        row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_statement = SQLITE_MAX_PARAMETERS // len(fields)
        statements = []
        for start in range(0, len(objs), per_statement):
            batch = objs[start : start + per_statement]
            values = ", ".join([row_sql] * len(batch))
            params = [read(obj) for obj in batch for read in readers]
            statements.append((f"{head} VALUES {values}{suffix}", params, batch))
    written: set[int] = set()
    with connection.cursor() as cursor:
        for sql, params, batch in statements:
            cursor.execute(sql, params)
            if unique:
                written.update(row[0] for row in cursor.fetchall())
            else:
                written.update(obj.pk for obj in batch)
    for obj in objs:
        if obj.pk in written:
            obj._state.adding = False
            obj._state.db = connection.alias
    return written


def update_columns(model, objs: list, names: list[str]) -> None:
    """UPDATE the columns `names` of the rows of `objs` to their values on the objects,
    in one statement on PostgreSQL (Django's `bulk_update` builds a CASE of a branch a
    row and a field, slow to build for hundreds of rows); SQLite runs one prepared
    statement over the rows."""
    if not objs:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    fields = [model._meta.get_field(name) for name in names]
    readers = [_reader(f, connection) for f in [pk, *fields]]
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            aliases = ", ".join(f"c{index}" for index in range(len(fields) + 1))
            sets = ", ".join(f"{quote(f.column)} = v.c{n}" for n, f in enumerate(fields, 1))
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM {_arrays(connection, [pk, *fields])} "
                f"AS v({aliases}) WHERE {table}.{quote(pk.column)} = v.c0",
                [[read(obj) for obj in objs] for read in readers],
            )
        else:
            sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {quote(pk.column)} = %s",
                [[read(obj) for read in readers[1:]] + [readers[0](obj)] for obj in objs],
            )


@contextlib.contextmanager
def bulk_session():
    """Around a long import on SQLite: checkpoint the write-ahead log every ~80 MB
    instead of every 4 MB (each checkpoint waits for the disk), and once at the end."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint = 20000")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(previous)}")
            if not connection.in_atomic_block:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
