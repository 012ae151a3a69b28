"""The midnight burst (issue 17 item 4): N open cases (default 100,000) whose limit,
counted in days, falls in the same minute, acted on by the deadline-breaches job with
one worker process and then with two, on PostgreSQL.

    .venv/bin/python bench/burst.py                       # 100,000 cases, 1 then 2 workers
    .venv/bin/python bench/burst.py --cases 10000         # quicker
    .venv/bin/python bench/burst.py --workers 1           # one worker only

The database (`--database-url`, default postgres://root@127.0.0.1:5432/qingdan_burst_bench)
is dropped and created again, migrated, with the `build_county()` organisation, and
dropped at the end unless --keep. The cases are a fixture written with COPY, not
through registration, each with its petitioner (encrypted as registration stores it):
half registered in a village on day D (acceptance, 15 calendar days), half accepted
on day D - 45 and assigned to a town office (handling, 60 calendar days), so that
every limit is D + 15 at 23:59:59. They were warned three days before (status
"warning", the next check at the limit, as the warning pass left them). The workers
run one minute after the limit: every case is overdue at once, and its policy (the
statutory ones) asks for an alert, a timeline event, a supervision notice with its own
event and message, and messages to the lead unit or the village's agents, the
supervisors above and a leader owning the case.

Each worker is a separate process that runs the job (`chase_cases`, the deadline step
of a `worker --once` pass; the outbox is sent by the notifications job after it) until
nothing is due; all start together once Django is loaded, and the time is from the
start to the last one's end. Statements are counted in each worker with
`connection.execute_wrapper`. Between runs the rows the run wrote are deleted, the
cases set back and the tables vacuumed. Notifications use the file backend (one row
per recipient). Prints per run: wall time, ms per due case, statements per due case
and what they were, and the 2-worker / 1-worker ratio.
"""

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BATCH = 20_000


def say(text: str = "") -> None:
    print(text, flush=True)


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
    # Benchmarks run without DEBUG, as production does; their data is thrown away.
    os.environ.setdefault("SECRET_KEY", "qingdan-bench-only-key")
    import django

    django.setup()


# --- the data --------------------------------------------------------------------------


def prepare(cases: int, info_path: Path) -> None:
    """Migrate, build the organisation and write the cases (in the child)."""
    setup_django()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from qingdan.cases.choices import Channel, DeadlineStatus, State, Tier, Urgency
    from qingdan.cases.models import Case, Petitioner
    from qingdan.core import bulk
    from qingdan.deadlines.services import recompute_due_times
    from qingdan.orgs.testing import build_county
    from qingdan.supervision.models import KeyCase

    call_command("migrate", verbosity=0)
    org = build_county()
    computed: dict[tuple, dict] = {}

    def due_times(registered: bool, start: dt.datetime, town: int) -> dict:
        """recompute_due_times as of the last transition (cached by start)."""
        key = (registered, start, town)
        if key not in computed:
            probe = Case(
                channel=Channel.WALK_IN,
                urgency=Urgency.NORMAL,
                review_level=0,
                registered_at=start if registered else start - dt.timedelta(hours=6),
                lead_unit_id=None if registered else offices[town],
                extension_days=0,
                state=State.REGISTERED if registered else State.IN_PROGRESS,
                tier=Tier.VILLAGE if registered else Tier.TOWN,
            )
            if not registered:
                probe.accepted_at = probe.handling_started_at = start
            computed[key] = recompute_due_times(probe, start)
        return computed[key]

    offices = {org.town.pk: org.town_office.pk, org.other_town.pk: org.other_town_office.pk}
    # Registered on one day, or accepted on the day whose 60 days end the same day.
    local = timezone.localtime(timezone.now()).replace(hour=2, minute=0, second=0, microsecond=0)
    registered_day = local - dt.timedelta(days=20)
    limit = due_times(True, registered_day, org.town.pk)["due_at"]
    accepted_day = next(
        day
        for back in range(40, 90)
        if due_times(False, (day := registered_day - dt.timedelta(days=back)), org.town.pk)[
            "due_at"
        ]
        == limit
    )
    villages = [(v.pk, v.parent_id) for v in (org.village, org.other_village, org.far_village)]
    make_case = bulk.Maker(Case)
    make_petitioner = bulk.Maker(Petitioner)
    started = time.perf_counter()
    written = 0
    while written < cases:
        size = min(BATCH, cases - written)
        petitioners = [
            make_petitioner(
                name=f"张{i % 97}",
                id_number=f"3706851990{i % 10000:04d}123X"[:18],
                phone=f"13{i % 1000000000:09d}",
                address=f"招远市玲珑镇{i % 500}号",
            )
            for i in range(written, written + size)
        ]
        rows = []
        for offset, i in enumerate(range(written, written + size)):
            registered = i % 2 == 0
            village, town = villages[i % len(villages)]
            minute = dt.timedelta(minutes=(i * 7) % (60 * 20))  # spread over the day
            start = (registered_day if registered else accepted_day) + minute
            times = due_times(registered, start, town)
            assert times["due_at"] == limit, (times["due_at"], limit)
            values = dict(times)
            values.update(
                tracking_number=f"BU-{i:08d}",
                channel=Channel.WALK_IN,
                title=f"午夜到期测试诉求 {i}",
                content="道路破损，积水严重，请尽快修复。",
                urgency=Urgency.NORMAL,
                state=State.REGISTERED if registered else State.IN_PROGRESS,
                tier=Tier.VILLAGE if registered else Tier.TOWN,
                jurisdiction_id=village,
                lead_unit_id=None if registered else offices[town],
                registered_at=start if registered else start - dt.timedelta(hours=6),
                accepted_at=None if registered else start,
                handling_started_at=None if registered else start,
                deadline_status=DeadlineStatus.WARNING,
                next_check_at=limit,  # the warning pass moved the check to the limit
                version=1 if registered else 3,
                created_by_id=org.village_agent.pk,
                petitioner=petitioners[offset],
            )
            rows.append(make_case(**values))
        with transaction.atomic():
            bulk.insert_rows(Petitioner, petitioners)
            bulk.insert_rows(Case, rows)
        written += size
        say(f"    {written:>8,} cases written ({time.perf_counter() - started:.1f} s)")
    # A leader owns one case in a hundred (领导包保): told of its breach too.
    owned = Case.objects.order_by("pk").values_list("pk", flat=True)[:: max(cases // 100, 1)]
    KeyCase.objects.bulk_create(
        KeyCase(
            case_id=pk,
            leader=org.city_leader,
            assigned_by=org.city_leader,
            assigned_at=registered_day,
        )
        for pk in owned
    )
    vacuum()
    info_path.write_text(json.dumps({"limit": limit.isoformat()}))


def vacuum() -> None:
    from django.db import connection

    connection.ensure_connection()
    autocommit = connection.connection.autocommit
    connection.connection.autocommit = True
    try:
        with connection.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.connection.autocommit = autocommit


def reset() -> None:
    """The database as before a run: what the run wrote deleted, the cases back."""
    setup_django()
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_outboxmessage")
        cursor.execute("DELETE FROM supervision_supervisionnotice")
        cursor.execute("DELETE FROM deadlines_deadlinealert")
        cursor.execute("DELETE FROM cases_caseevent WHERE action IN ('deadline', 'supervise')")
        cursor.execute("UPDATE cases_case SET deadline_status = 'warning', next_check_at = due_at")
    vacuum()


# --- a worker --------------------------------------------------------------------------


class Statements:
    def __init__(self) -> None:
        self.count = 0
        self.kinds: Counter = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        match = re.match(r"\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|SAVEPOINT|RELEASE)\b", sql)
        verb = match.group(1) if match else sql.split()[0]
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
        self.kinds[f"{verb} {table.group(1) if table else ''}".strip()] += 1
        return execute(sql, params, many, context)


def worker(now: str, chunk: int, go: Path, result_path: Path) -> None:
    setup_django()
    from django.db import connection

    from qingdan.core.jobs import JobContext, PassReport, registered
    from qingdan.jobs.worker import discover
    from qingdan.supervision.jobs.deadline_breaches import chase_cases

    discover()
    job = next(j for j in registered() if j.name == "deadline breaches")
    connection.ensure_connection()
    moment = dt.datetime.fromisoformat(now)
    report = PassReport([job])
    context = JobContext(now=moment, report=report, should_stop=lambda: False, batch_size=chunk)
    statements = Statements()
    while not go.exists():  # all workers loaded: start together
        time.sleep(0.005)
    started = time.perf_counter()
    cpu = time.process_time()
    with connection.execute_wrapper(statements):
        chase_cases(context)
    result = {
        "seconds": time.perf_counter() - started,
        "finished": time.time(),
        "cpu": time.process_time() - cpu,
        "statements": statements.count,
        "kinds": dict(statements.kinds),
        "report": report.as_dict(),
    }
    result_path.write_text(json.dumps(result))


# --- the parent -------------------------------------------------------------------------


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')


def child(env: dict, *args: str, wait: bool = True):
    command = [sys.executable, __file__, *args]
    if wait:
        subprocess.run(command, env=env, check=True)
        return None
    return subprocess.Popen(command, env=env)


def run(env: dict, workers: int, now: str, chunk: int, folder: Path) -> dict:
    go = folder / f"go-{workers}"
    results = [folder / f"worker-{workers}-{n}.json" for n in range(workers)]
    processes = [
        child(env, "--worker", now, str(chunk), str(go), str(path), wait=False) for path in results
    ]
    time.sleep(3)  # Django loaded in each
    started = time.time()
    go.touch()
    for process in processes:
        if process.wait() != 0:
            raise SystemExit("a worker failed")
    each = [json.loads(path.read_text()) for path in results]
    wall = max(r["finished"] for r in each) - started
    acted = sum(r["report"]["overdue"] + r["report"]["warnings"] for r in each)
    statements = sum(r["statements"] for r in each)
    kinds: Counter = Counter()
    for r in each:
        kinds.update(r["kinds"])
    return {
        "workers": workers,
        "wall": wall,
        "alerts": acted,
        "candidates": sum(r["report"]["candidates"] for r in each),
        "errors": sum(r["report"]["errors"] for r in each),
        "statements": statements,
        "kinds": kinds,
        "each": [(r["seconds"], r["cpu"], r["report"]["candidates"]) for r in each],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=500, help="the worker's batch size")
    parser.add_argument("--workers", default="1,2", help="runs, e.g. 1,2")
    parser.add_argument(
        "--database-url", default="postgres://root@127.0.0.1:5432/qingdan_burst_bench"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--prepare", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--reset", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(int(args.prepare[0]), Path(args.prepare[1]))
        return
    if args.reset:
        reset()
        return
    if args.worker:
        now, chunk, go, result = args.worker
        worker(now, int(chunk), Path(go), Path(result))
        return

    if not args.database_url.startswith("postgres"):
        raise SystemExit("the burst is measured on PostgreSQL (SKIP LOCKED)")
    folder = Path(tempfile.mkdtemp(prefix="burst-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "QINGDAN_DATA_DIR": str(folder),
        "QINGDAN_NOTIFICATION_BACKENDS": "file",
        "QINGDAN_NOTIFICATION_FILE": str(folder / "notifications.log"),
        "LOG_LEVEL": "ERROR",
    }
    say(f"PostgreSQL, {args.cases:,} cases due in the same minute, chunks of {args.chunk}")
    fresh_postgres(args.database_url)
    started = time.perf_counter()
    info = folder / "info.json"
    child(env, "--prepare", str(args.cases), str(info))
    limit = dt.datetime.fromisoformat(json.loads(info.read_text())["limit"])
    now = (limit + dt.timedelta(minutes=1)).isoformat()
    say(f"  prepared in {time.perf_counter() - started:.1f} s; limit {limit}, workers at {now}")
    runs = []
    try:
        for index, count in enumerate(int(n) for n in args.workers.split(",")):
            if index:
                child(env, "--reset")
            result = run(env, count, now, args.chunk, folder)
            runs.append(result)
            due = args.cases
            say(
                f"  {count} worker(s): {result['wall']:.1f} s, "
                f"{1000 * result['wall'] / due:.2f} ms per due case, "
                f"{result['statements'] / due:.2f} statements per due case "
                f"({result['statements']:,}); {result['alerts']:,} alerts, "
                f"{result['candidates']:,} cases read, {result['errors']} errors"
            )
            for seconds, cpu, read in result["each"]:
                say(f"      a worker: {seconds:.1f} s, CPU {cpu:.1f} s, {read:,} cases read")
            for kind, n in result["kinds"].most_common(8):
                say(f"      {n / due:7.3f} per case  {kind}")
    finally:
        if not args.keep:
            drop_postgres(args.database_url)
    by_workers = {r["workers"]: r for r in runs}
    if 1 in by_workers and 2 in by_workers:
        ratio = by_workers[2]["wall"] / by_workers[1]["wall"]
        say(f"  2 workers / 1 worker: {ratio:.2f}")


if __name__ == "__main__":
    main()
