"""Deadline worker at scale: one `worker --once` pass over N cases (default 1,000,000)
of which a fraction (default 1%) is due. The pass time must follow the due cases, not
the size of the table: a second run with the same number of due cases in a table ten
times smaller (`--small`, default N/10) must take about as long.

    .venv/bin/python bench/worker_bench.py                    # SQLite, 1,000,000 cases
    .venv/bin/python bench/worker_bench.py --cases 200000     # quicker
    .venv/bin/python bench/worker_bench.py \\
        --database-url postgres://root@127.0.0.1:5432/qingdan_bench

Each run gets a fresh database (a temporary SQLite file; on PostgreSQL the named
database and `<name>_small` are dropped and created again, and dropped at the end
unless --keep), migrated, with the `build_county()` organisation. The cases are a
benchmark fixture written straight into the table in batches (executemany on SQLite,
COPY on PostgreSQL), not through the registration path: half are registered
(acceptance clock, 15 days), half assigned to a town office and in progress
(handling clock, 60 days); their due_at/warn_at/accept_due_at/handle_due_at are
computed by `deadlines.services.recompute_due_times` as of their last transition,
deadline_status is "ok" as it was then. The statistics rollup is built before the
timed passes, as a running installation has it, so a pass includes keeping it current
(shown apart in the "statistics" column). The due ones (evenly spread) are past their
warning time, about half of them past their limit too; the others are not yet in
their warning window. Then it prints the query plan of the pass's selection (and,
after the pass, of its other reads), times one pass (`Worker().run_once()`, what
`qingdan worker --once` calls) `--repeat` times (default 3; the rows the pass added
are deleted and the cases set back in between; the fastest and the median are
shown, as the machine may be shared), then a second pass right after (nothing new
is due: the checks of the warned and overdue cases have moved to their next limit). It prints
the statements the pass spends its database time on, and FULL SCAN with the file,
line and SQL of any selection that reads a whole table. Notifications go to a file
backend in the temporary folder. Everything printed is measured on this machine;
1,000,000 cases on SQLite take about 10 minutes with --repeat 2.
"""

import argparse
import datetime as dt
import inspect
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BATCH = 20_000
ACCEPTED_AFTER = dt.timedelta(hours=6)  # an assigned case: registered, accepted 6 h later


def say(text: str = "") -> None:
    print(text, flush=True)


# --- the child: one run in one fresh database (DATABASE_URL) ----------------------------


def child(cases: int, due: int, repeats: int, result_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
    # Benchmarks run without DEBUG, as production does; their data is thrown away.
    os.environ.setdefault("SECRET_KEY", "qingdan-bench-only-key")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from qingdan.cases.models import Case
    from qingdan.jobs.worker import Worker
    from qingdan.orgs.testing import build_county
    from qingdan.stats import rollup

    call_command("migrate", verbosity=0)
    org = build_county()
    started = time.perf_counter()
    actual_due = load_cases(org, cases, due, timezone.now())
    loading = time.perf_counter() - started
    analyze()
    say(f"  loaded {cases:,} cases ({actual_due:,} due) in {loading:.1f} s")
    # A running installation has its statistics rollup (the worker's first pass builds
    # it): the passes timed here keep it current, as every pass does.
    started = time.perf_counter()
    rollup.rebuild()
    say(f"  statistics rollup built in {time.perf_counter() - started:.1f} s")

    # The same first pass `repeats` times, the database put back in between (the
    # machine may be shared: the fastest is the least disturbed).
    before = table_marks()
    passes = []
    for attempt in range(repeats):
        if attempt:
            restore(before)
            rollup.rebuild()
        statements = StatementTimer()
        cpu = time.process_time()
        with connection.execute_wrapper(statements):
            report = Worker().run_once()
        cpu = time.process_time() - cpu
        say(f"  pass 1 (#{attempt + 1}): {report.summary()} (CPU here {cpu:.2f} s)")
        if attempt == 0:
            samples = statements.samples
        passes.append(
            {
                "seconds": report.seconds,
                "cpu": cpu,
                "queries": statements.count,
                "report": report.as_dict(),
                "statements": statements.top(),
            }  # fmt: skip
        )
        if report.escalated or report.errors:
            break  # an escalation moves the case: not put back by restore()
    analyze()
    # The selection as the pass ran it, alone: with the checks set back as before the
    # pass (the pass moved them on), in a transaction rolled back afterwards.
    sql, params = samples[SELECTIONS[0][0]]
    with transaction.atomic(), connection.cursor() as cursor:
        Case.objects.update(next_check_at=F("warn_at"))
        analyze()
        select_started = time.perf_counter()
        cursor.execute(sql, params)
        selected = len(cursor.fetchall())
        selection = time.perf_counter() - select_started
        transaction.set_rollback(True)
    analyze()
    plans = explain_captured(samples)
    statements = StatementTimer()
    cpu = time.process_time()
    with connection.execute_wrapper(statements):
        again = Worker().run_once()
    cpu = time.process_time() - cpu
    say(f"  pass 2: {again.summary()} (CPU here {cpu:.2f} s)")
    result = {
        "vendor": connection.vendor,
        "cases": cases,
        "due": actual_due,
        "loading": loading,
        "selected": selected,
        "selection": selection,
        "plans": plans,
        "passes": passes,
        "pass2": {
            "seconds": again.seconds,
            "cpu": cpu,
            "queries": statements.count,
            "report": again.as_dict(),
            "statements": statements.top(),
        },  # fmt: skip
    }
    result_path.write_text(json.dumps(result, default=str))


def analyze() -> None:
    """Fresh planner statistics, as autovacuum keeps them on PostgreSQL. SQLite is left
    as deployed: Django never runs ANALYZE there, so its planner has no statistics."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class StatementTimer:
    """Counts the statements of a pass and times them by text (IN lists vary only in
    their number of placeholders, folded by top())."""

    def __init__(self) -> None:
        self.count = 0
        self.by_sql: dict[str, list] = {}
        self.samples: dict[str, tuple[str, list]] = {}  # label -> first (sql, params)

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if not many and sql.startswith("SELECT"):
            for label, table, condition, _function, _needle, _index_only in SELECTIONS:
                # The claim joins the case's place, unit and petitioner.
                if label not in self.samples and f'FROM "{table}" ' in sql:
                    if condition in sql:
                        self.samples[label] = (sql, list(params or ()))
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = self.by_sql.setdefault(sql, [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    def top(self, n: int = 6) -> list[tuple[str, int, float]]:
        import re

        folded: dict[str, list] = {}
        for sql, (count, seconds) in self.by_sql.items():
            key = re.sub(r"\((?:%s, )*%s\)", "(…)", sql)
            key = re.sub(r"\s+", " ", key)
            entry = folded.setdefault(key, [0, 0.0])
            entry[0] += count
            entry[1] += seconds
        ranked = sorted(folded.items(), key=lambda item: -item[1][1])[:n]
        return [(sql, count, seconds) for sql, (count, seconds) in ranked]


def table_marks() -> dict[str, tuple[str, int]]:
    """The highest id of every table with an integer id (what a pass may add to), but
    the statistics rollup's, which is rebuilt after each restore instead."""
    from django.apps import apps
    from django.db import connection, models

    marks = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            pk = model._meta.pk
            if model._meta.proxy or not isinstance(pk, models.AutoField | models.BigAutoField):
                continue
            if model._meta.app_label == "stats":
                continue
            table = model._meta.db_table
            cursor.execute(f'SELECT COALESCE(MAX("{pk.column}"), 0) FROM "{table}"')
            marks[table] = (str(pk.column), cursor.fetchone()[0])
    return marks


def restore(marks: dict[str, tuple[str, int]]) -> None:
    """Put the database back as before the pass: the rows it added go, and the due
    cases are "ok" again (the pass changes nothing else on a case unless it escalates,
    and then no repeat is made). Foreign keys are checked at commit on both databases."""
    from django.db import connection, transaction
    from django.db.models import F

    from qingdan.cases.choices import DeadlineStatus
    from qingdan.cases.models import Case

    with transaction.atomic(), connection.cursor() as cursor:
        for table, (column, highest) in marks.items():
            cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" > %s', [highest])
        Case.objects.exclude(deadline_status=DeadlineStatus.OK).update(
            deadline_status=DeadlineStatus.OK
        )
        Case.objects.update(next_check_at=F("warn_at"))
    if table_marks() != marks:
        raise RuntimeError("the database was not put back as it was before the pass")
    analyze()


def load_cases(org, total: int, due: int, now: dt.datetime) -> int:
    """Write `total` cases, `due` of them past their warning time, in batches."""
    from django.db import connection, transaction

    from qingdan.cases.choices import Channel, DeadlineStatus, State, Tier, Urgency
    from qingdan.cases.models import Case
    from qingdan.deadlines.services import recompute_due_times

    rng = random.Random(20260101)
    offices = {org.town.pk: org.town_office.pk, org.other_town.pk: org.other_town_office.pk}
    villages = [(v.pk, v.parent_id) for v in (org.village, org.other_village, org.far_village)]
    channels = [Channel.WALK_IN, Channel.LETTER, Channel.WEB]
    computed: dict[tuple, dict] = {}

    def due_times(profile: str, channel: str, start: dt.datetime, lead_unit: int | None) -> dict:
        """recompute_due_times as of the last transition (cached: limits count in days)."""
        key = (profile, channel, start)
        if key not in computed:
            case = Case(
                channel=channel,
                urgency=Urgency.NORMAL,
                review_level=0,
                registered_at=start if profile == "registered" else start - ACCEPTED_AFTER,
                lead_unit_id=lead_unit,
                extension_days=0,
            )
            if profile == "registered":
                case.state, case.tier = State.REGISTERED, Tier.VILLAGE
            else:
                case.state, case.tier = State.IN_PROGRESS, Tier.TOWN
                case.accepted_at = case.handling_started_at = start
            computed[key] = recompute_due_times(case, start)
        return computed[key]

    # Every column of the table: the fixture follows the model, defaults filled in.
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [str(f.column) for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}

    def row(i: int, is_due: bool) -> list:
        profile = "registered" if rng.random() < 0.5 else "assigned"
        channel = rng.choice(channels)
        village, town = rng.choice(villages)
        lead_unit = offices[town] if profile == "assigned" else None
        while True:
            # A registered case is warned 3 days before its 15-day limit, an assigned one
            # 5 days before its 60 days; the due ones started 1-10 days before that.
            if profile == "registered":
                back = rng.uniform(12.5, 18.5) if is_due else rng.uniform(0, 10)
            else:
                back = rng.uniform(55.5, 64.5) if is_due else rng.uniform(0, 52)
            # Quantised to 10 minutes so the due times are computed a few thousand times.
            start = now - dt.timedelta(minutes=10 * int(back * 144))
            times = due_times(profile, channel, start, lead_unit)
            if (times["warn_at"] <= now) == is_due:
                break
        registered = start if profile == "registered" else start - ACCEPTED_AFTER
        values = dict(defaults)
        values.update(times)
        values.update(
            tracking_number=f"WB-{i:08d}",
            channel=channel,
            title=f"工作流测试诉求 {i}",
            content="道路破损，积水严重，请尽快修复。",
            urgency=Urgency.NORMAL,
            state=State.REGISTERED if profile == "registered" else State.IN_PROGRESS,
            tier=Tier.VILLAGE if profile == "registered" else Tier.TOWN,
            jurisdiction_id=village,
            lead_unit_id=lead_unit,
            registered_at=registered,
            accepted_at=None if profile == "registered" else start,
            handling_started_at=None if profile == "registered" else start,
            deadline_status=DeadlineStatus.OK,  # as of the last transition
            updated_at=start,
            version=1 if profile == "registered" else 3,
        )
        return [values[f.attname] for f in fields]

    postgres = connection.vendor == "postgresql"
    if not postgres:
        adapted: dict[dt.datetime, str] = {}  # few distinct times: adapt each once

        def adapt(value: dt.datetime) -> str:
            if value not in adapted:
                adapted[value] = str(connection.ops.adapt_datetimefield_value(value))
            return adapted[value]

        datetime_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField"]
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    placeholders = ", ".join(["%s"] * len(columns))
    insert = f"INSERT INTO {Case._meta.db_table} ({', '.join(columns)}) VALUES ({placeholders})"
    started, written, due_written = time.perf_counter(), 0, 0
    while written < total:
        size = min(BATCH, total - written)
        rows = []
        for i in range(written, written + size):
            # Exactly `due` due cases, evenly spread over the ids.
            is_due = (i * due) // total != ((i + 1) * due) // total
            due_written += is_due
            values = row(i, is_due)
            for k in json_at:  # JSON columns (dicts, lists) as the field writes them
                values[k] = fields[k].get_db_prep_save(values[k], connection)
            if not postgres:
                for k in datetime_at:
                    if values[k] is not None:
                        values[k] = adapt(values[k])
            rows.append(values)
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                copy_sql = f"COPY {Case._meta.db_table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for values in rows:
                        copy.write_row(values)
            else:
                cursor.executemany(insert, rows)
        written += size
        elapsed = time.perf_counter() - started
        say(f"    {written:>10,} rows  {elapsed:6.1f} s  ({written / elapsed:,.0f} rows/s)")
    return due_written


def _line_of(function, needle: str) -> str:
    lines, first = inspect.getsourcelines(function)
    path = Path(inspect.getsourcefile(function) or "?").resolve()
    try:
        path = path.relative_to(ROOT)
    except ValueError:
        pass
    for offset, line in enumerate(lines):
        if needle in line:
            return f"{path}:{first + offset}"
    return f"{path}:{first}"


def _pg_full_scan(plan, table: str) -> bool:
    """A sequential scan of `table`, or an index walked from end to end (no Index Cond:
    used only for its order, every row read and filtered)."""
    if isinstance(plan, list):
        return any(_pg_full_scan(item, table) for item in plan)
    node = plan.get("Plan", plan)
    if node.get("Relation Name") == table:
        kind = node.get("Node Type", "")
        if kind == "Seq Scan" or (kind.startswith("Index") and "Index Cond" not in node):
            return True
    return any(_pg_full_scan(child, table) for child in node.get("Plans", ()))


# The reads of a pass: label, table, a condition of its WHERE clause (to recognise its
# SQL among the pass's statements), where it is written (module:function, a text of
# the line) and whether to ask PostgreSQL for an index even on a small table.
# The due cases are claimed a chunk at a time (the selection, with its LIMIT and FOR
# UPDATE), their alerts read for the chunk.
CLAIM = "qingdan.supervision.actions.burst:claim_due_cases"
CHUNK = "qingdan.supervision.actions.burst:act_on_due_cases"
SELECTIONS = [
    ("due cases (the selection)", "cases_case", '"cases_case"."next_check_at" <=',
     CLAIM, "next_check_at__lte", False),
    ("their alerts", "deadlines_deadlinealert", '"deadlines_deadlinealert"."case_id" IN',
     CHUNK, "DeadlineAlert.objects.filter", True),
    ("late notices", "supervision_supervisionnotice", '"supervision_supervisionnotice"."due_at"',
     "qingdan.supervision.jobs.late_notices:flag_late_notices", "SupervisionNotice.objects", True),
    ("tasks to chase", "supervision_meetingdecision", '"supervision_meetingdecision"."warn_at"',
     "qingdan.supervision.jobs.meeting_tasks:chase_meeting_tasks", "MeetingDecision.objects", True),
    ("notifications to send", "notifications_outboxmessage",
     '"notifications_outboxmessage"."next_attempt_at" <=',
     "qingdan.notifications.actions:deliver_due", "OutboxMessage.objects.filter", True),
]  # fmt: skip


def _where(spec: str, needle: str) -> str:
    import importlib

    module, _, name = spec.partition(":")
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return _line_of(target, needle)


def _literal(value) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def explain_captured(samples: dict[str, tuple[str, list]]) -> list[dict]:
    """EXPLAIN (ANALYZE on PostgreSQL) of each read as the pass ran it, and whether it
    reads all of its table. For the small tables PostgreSQL is told to avoid
    sequential scans (in that transaction only): on a few thousand rows a scan is the
    right plan; the question is whether an index could serve the query at scale."""
    from django.db import connection, transaction

    postgres = connection.vendor == "postgresql"
    plans = []
    for label, table, _condition, function, needle, index_only in SELECTIONS:
        if label not in samples:
            say(f"  {label}: its SQL was not recognised among the pass's statements")
            continue
        sql, params = samples[label]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            rows = cursor.fetchone()[0]
            if postgres:
                if index_only:
                    cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN (ANALYZE) {sql}", params)
                plan = "\n".join(line for (line,) in cursor.fetchall())
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                found = cursor.fetchone()[0]
                full_scan = _pg_full_scan(
                    json.loads(found) if isinstance(found, str) else found, table
                )
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())
                # SEARCH is an index range; SCAN reads the whole table, even "USING
                # INDEX" (then only to walk it in the ORDER BY's order).
                full_scan = any(
                    line.split("SCAN ", 1)[1].split()[0] == table
                    for line in plan.splitlines()
                    if "SCAN " in line
                )
        plans.append(
            {
                "label": label,
                "where": _where(function, needle),
                "sql": sql % tuple(_literal(p) for p in params),
                "plan": plan,
                "full_scan": full_scan,
                "rows": rows,
                "index_only": index_only and postgres,
            }
        )
    return plans


# --- the parent: two runs, then the comparison ------------------------------------------


def run(url: str, cases: int, due: int, repeats: int, folder: Path) -> dict:
    result_path = folder / f"result-{cases}.json"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "QINGDAN_DATA_DIR": str(folder),
        "QINGDAN_NOTIFICATION_BACKENDS": "file",
        "QINGDAN_NOTIFICATION_FILE": str(folder / "notifications.log"),
    }
    command = [sys.executable, __file__, "--child", "--cases", str(cases), "--due", str(due)]
    command += ["--repeat", str(repeats), "--result", str(result_path)]
    subprocess.run(command, env=env, check=True)
    return json.loads(result_path.read_text())


def fresh_postgres(url: str, name: str) -> str:
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _short(text: str, width: int = 160) -> str:
    """Long id lists cut to their first three, the rest of a long line elided."""
    import re

    text = re.sub(r"\b(\d+, \d+, \d+)(?:, \d+)+", r"\1, …", text)
    text = re.sub(r"\{(\d+,\d+,\d+)(?:,\d+)+\}", r"{\1,…}", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def print_plans(plans: list[dict]) -> None:
    for item in plans:
        verdict = "FULL SCAN" if item["full_scan"] else "index"
        how = ", sequential scans disabled" if item["index_only"] else ""
        say(f"  {item['label']} ({item['rows']:,} rows{how}): {verdict} — {item['where']}")
        say(f"    {_short(item['sql'])}")
        for line in item["plan"].splitlines():
            say(f"      {_short(line)}")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def print_statements(label: str, statements: list) -> None:
    say(f"  {label}: statements taking the most time (count, total, mean)")
    for sql, count, seconds in statements:
        say(
            f"    {count:>7,} {seconds:7.2f} s {seconds / count * 1000:7.3f} ms  {_short(sql, 110)}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due-fraction", type=float, default=0.01)
    parser.add_argument(
        "--small", type=int, help="cases in the second run, same due count (default cases/10)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="times the first pass is made (database put back)"
    )
    parser.add_argument("--database-url", help="postgres://…/name (default a SQLite temp file)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--due", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.cases, args.due, args.repeat, args.result)
        return 0

    due = round(args.cases * args.due_fraction)
    small = args.small or args.cases // 10
    if not 0 < due <= small:
        parser.error(f"{due:,} due cases do not fit in the small run's {small:,} cases")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for label, total in (("full", args.cases), ("small", small)):
            say(f"{label} run: {total:,} cases, {due:,} due")
            name = ""
            if args.database_url:
                base = urlsplit(args.database_url).path.lstrip("/") or "qingdan_bench"
                name = base if label == "full" else f"{base}_small"
                url = fresh_postgres(args.database_url, name)
            else:
                url = f"sqlite:///{Path(folder) / f'{label}.sqlite3'}"
            try:
                results.append(run(url, total, due, max(args.repeat, 1), Path(folder)))
            finally:
                if name and not args.keep:
                    drop_postgres(args.database_url, name)

    full, little = results
    say(f"\nquery plans ({full['vendor']}, {full['cases']:,} cases):")
    print_plans(full["plans"])
    say(f"\nwhere pass 1 spends its database time ({full['vendor']}, fastest of the repeats):")
    for label, r in (("full", full), ("small", little)):
        fastest = min(r["passes"], key=lambda p: p["seconds"])
        print_statements(f"{label} ({r['cases']:,} cases)", fastest["statements"])

    say(
        f"\nworker pass on {full['vendor']} ({len(full['passes'])} passes each, database put back):"
    )
    say(f"{'':26} {'total cases':>12} {'due':>7} {'selection':>10} {'pass min':>9} "
        f"{'median':>8} {'CPU':>7} {'statistics':>10} {'per due case':>13} {'queries':>8} "
        f"{'pass 2':>7}")  # fmt: skip
    for label, r in (("run 1 (full)", full), ("run 2 (10x fewer total)", little)):
        seconds = [p["seconds"] for p in r["passes"]]
        fastest = min(r["passes"], key=lambda p: p["seconds"])
        say(
            f"{label:26} {r['cases']:>12,} {r['due']:>7,} {r['selection']:>9.3f}s "
            f"{min(seconds):>8.2f}s {median(seconds):>7.2f}s {fastest['cpu']:>6.2f}s "
            f"{fastest['report']['statistics_seconds']:>9.2f}s "
            f"{min(seconds) / max(r['due'], 1) * 1000:>10.2f} ms {fastest['queries']:>8,} "
            f"{r['pass2']['seconds']:>6.2f}s"
        )
    report = full["passes"][0]["report"]
    say(
        f"run 1 pass: {report['candidates']:,} due cases read, {report['acted']:,} acted on, "
        f"{report['warnings']:,} warnings, {report['overdue']:,} overdue, "
        f"{report['escalated']:,} escalated, {report['sent']:,} notifications sent "
        f"(at most 500 a pass), {report['errors']} errors; "
        f"{full['passes'][0]['queries'] / max(full['due'], 1):.1f} queries per due case"
    )

    def deadline_part(passes: list[dict]) -> float:
        return min(p["seconds"] - p["report"]["statistics_seconds"] for p in passes)

    fast_full, fast_small = deadline_part(full["passes"]), deadline_part(little["passes"])
    say(
        f"pass time without the statistics full/small: {fast_full:.2f} s / {fast_small:.2f} s"
        f" = {fast_full / fast_small:.2f} for {full['cases'] / little['cases']:.0f}x the cases "
        f"and the same due cases (1.0 = the cost follows the due cases only)"
    )
    stats_full, stats_small = (
        min(p["report"]["statistics_seconds"] for p in r["passes"]) for r in (full, little)
    )
    say(
        f"statistics rollup kept current in the same pass: {stats_full:.2f} s / "
        f"{stats_small:.2f} s (it recounts each month and place the pass's events touched, "
        f"so it grows with the cases in those slices)"
    )
    again = full["pass2"]
    say(
        f"pass 2 (right after, nothing new due) re-reads {again['report']['candidates']:,} "
        f"cases still in warning or overdue and acts on {again['report']['acted']:,}: "
        f"{again['seconds']:.2f} s ({little['pass2']['seconds']:.2f} s on the small table)"
    )
    scans = [p for p in full["plans"] if p["full_scan"]]
    for item in scans:
        say(f"FULL SCAN: {item['label']} at {item['where']}: {_short(item['sql'], 400)}")
    if not scans:
        say("every selection query of the pass can use an index")
    errors = sum(p["report"]["errors"] for r in results for p in r["passes"])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
