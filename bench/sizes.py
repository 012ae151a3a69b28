"""Rows and bytes per case and per event on PostgreSQL, and the tables at a province's
volume (docs/scaling.md).

    .venv/bin/python bench/sizes.py                        # 10,000 cases, about 15 min
    .venv/bin/python bench/sizes.py --cases 2000           # quicker; index figures rougher
    .venv/bin/python bench/sizes.py --measure-only \\
        --database-url postgres://root@127.0.0.1:5432/qingdan   # an existing installation

Without --measure-only the database is dropped and created again, migrated, given the
demo organisation, and `--cases` cases are registered through the actions layer over
the last 120 days (time travelled with time-machine), each with the intake analysis
(fingerprint, category suggestion, warnings) and the life of a demo story: solved on
the spot in the village, replied by the town or by a city bureau with co-handling units
and closed, or left open to fall due. 20% of the filers come back. Texts are the shared
complaint messages and official replies when they lie beside the clone (real lengths),
else short synthetic ones. Then one worker pass at today's date raises the warnings and
breaches, queues and sends their notifications and builds the statistics rollup, and
VACUUM ANALYZE runs. No attachments are uploaded (a row of ~150 bytes; the files lie in
MEDIA_ROOT).

It prints, per table: rows, rows per case, heap, index and TOAST bytes per row and bytes
per case, measured with pg_relation_size / pg_indexes_size / pg_total_relation_size and
avg(pg_column_size(row)), as written and, on its own database, again after VACUUM FULL
(packed, indexes rebuilt: the lower bound; --measure-only runs only VACUUM ANALYZE, which
takes no lock that stops an installation); the bytes per column of the case and event
rows; each index of the big tables; and the tables at 30 million cases a year for 5
years. It asserts nothing.
"""

import argparse
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "complaints"
APPS = ("cases", "deadlines", "notifications", "triage", "stats", "supervision", "intake")
CASES_A_YEAR = 30_000_000
YEARS = 5


def say(text: str = "") -> None:
    print(text, flush=True)


def texts() -> tuple[list[tuple[str, str]], list[str]]:
    messages = DATA / "labelled_messages.csv"
    replies = DATA / "replied_messages.csv"
    if messages.exists() and replies.exists():
        with messages.open(encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r["title"].strip()]
        pairs = [(r["title"][:150], r["text"][len(r["title"]) :].strip()[:5000]) for r in rows]
        with replies.open(encoding="utf-8") as handle:
            answers = [r["答复意见"].strip()[:5000] for r in csv.DictReader(handle)]
        return pairs, [a for a in answers if a]
    say(f"({DATA} missing: short synthetic texts, sizes will be low)")
    return [(f"问题{n}", f"村里第{n}号问题，请尽快处理。" * 4) for n in range(200)], [
        "经核查，已按政策处理并答复。" * 3
    ]


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    host = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    user = ["-U", parts.username or "root"]
    subprocess.run(["dropdb", *host, *user, "--if-exists", name], check=True)
    subprocess.run(["createdb", *host, *user, name], check=True)


def generate(count: int, seed: int) -> None:
    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    from qingdan.cases import actions
    from qingdan.cases.choices import Channel, Rating, ReplyOpinion, Urgency
    from qingdan.orgs.demo import TOWN_SLUGS, load_demo_organisation
    from qingdan.orgs.models import Category, Department, User

    call_command("migrate", verbosity=0)
    load_demo_organisation()
    pairs, answers = texts()
    rng = random.Random(seed)
    categories = list(Category.objects.filter(parent__isnull=True)) or list(Category.objects.all())
    supervisor = User.objects.get(username="supervisor")
    towns = []
    for slug in TOWN_SLUGS:
        agent = User.objects.get(username=f"{slug}_v1_agent")
        towns.append(
            (
                agent,
                User.objects.get(username=f"{slug}_clerk"),
                Department.objects.get(code=f"{slug}-zzb"),
                User.objects.get(username=f"{slug}_zzb"),
            )
        )
    # City bureaus with a handler account (the lead unit's handler replies).
    handlers = {
        user.department: user
        for user in User.objects.filter(
            role="handler", department__jurisdiction__level="city"
        ).select_related("department")
    }
    bureaus = list(handlers)
    people: list[dict] = []
    now = timezone.now()
    started = time.monotonic()
    for n in range(count):
        if n == count // 5:
            # A classifier trained on the first cases: the rest get category suggestions,
            # as in an installation that has trained one.
            with time_machine.travel(now - dt.timedelta(days=120 - 24), tick=False):
                call_command("train-classifier", verbosity=0)
        moment = now - dt.timedelta(days=120) + dt.timedelta(days=120) * n / count
        if people and rng.random() < 0.2:
            person = rng.choice(people)
        else:
            person = {
                "name": "王李张刘陈杨赵黄周吴"[n % 10] + "建国秀英志强桂兰海燕"[n % 5 * 2 :][:2],
                "phone": f"13{n % 10}{10_000_000 + n:08d}",
                "id_number": "",
                "address": f"{n % 97}号",
            }
            people.append(person)
        agent, clerk, office, office_handler = towns[n % len(towns)]
        title, content = pairs[n % len(pairs)]
        answer = answers[n % len(answers)]
        kind = n % 10
        with time_machine.travel(moment, tick=False):
            case = actions.register_case(
                agent,
                channel=rng.choice([Channel.WALK_IN, Channel.PHONE, Channel.PHONE, Channel.WEB]),
                title=title,
                content=content,
                jurisdiction=agent.jurisdiction,
                petitioner=person,
                category=rng.choice(categories),
                urgency=Urgency.URGENT if n % 7 == 0 else Urgency.NORMAL,
            )
            if kind == 9:
                continue  # waiting for acceptance
            actions.accept(agent, case)
            if kind <= 2:  # 即接即办
                actions.resolve_on_the_spot(agent, case, reply_text=answer[:500])
                actions.record_evaluation(agent, case, rating=Rating.SATISFIED)
                actions.close(agent, case)
                continue
            actions.escalate_to_town(agent, case, reason="需镇上协调处理。")
            if kind == 8:
                continue  # at the town, nobody assigned
            if kind == 5:
                actions.escalate_to_city(clerk, case, reason="需市直部门联合处理。")
                lead = rng.choice(bureaus)
                others = [b for b in bureaus if b != lead][:2]
                actions.assign(
                    supervisor, case, lead_unit=lead, co_units=others, note="请牵头办理。"
                )
                replier, closer = handlers[lead], supervisor
            else:
                actions.assign(clerk, case, lead_unit=office, note="请综治中心牵头调处。")
                replier, closer = office_handler, clerk
            if kind in (6, 7):
                continue  # in progress
            actions.reply(replier, case, reply_opinion=ReplyOpinion.SUPPORTS, reply_text=answer)
            actions.record_evaluation(replier, case, rating=Rating.SATISFIED)
            actions.close(closer, case)
        if (n + 1) % 1000 == 0:
            rate = (n + 1) / (time.monotonic() - started)
            say(f"  {n + 1} cases ({rate:.0f}/s)")
    from qingdan.deadlines.worker import Worker

    report = Worker().run_once()
    say(f"worker pass: {report.summary()}")


def measure(cursor, vacuum_full: bool) -> dict[str, dict]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 1"
    )
    tables = [r[0] for r in cursor.fetchall() if r[0].split("_", 1)[0] in APPS]
    for table in tables:
        cursor.execute(f'VACUUM {"FULL " if vacuum_full else ""}ANALYZE "{table}"')
    figures = {}
    for table in tables:
        cursor.execute(f'SELECT count(*), coalesce(avg(pg_column_size(t.*)), 0) FROM "{table}" t')
        rows, tuple_bytes = cursor.fetchone()
        cursor.execute(
            "SELECT pg_relation_size(c.oid), pg_indexes_size(c.oid), "
            "pg_total_relation_size(c.oid), "
            "coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) "
            "FROM pg_class c WHERE c.relname = %s",
            [table],
        )
        heap, indexes, total, toast = cursor.fetchone()
        figures[table] = {
            "rows": rows,
            "tuple": float(tuple_bytes),
            "heap": heap,
            "indexes": indexes,
            "toast": toast,
            "total": total,
        }
    return figures


def per(value: float, rows: int) -> str:
    return f"{value / rows:,.0f}" if rows else "–"


def human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:,.1f} {unit}" if unit != "B" else f"{size:,.0f} B"
        size /= 1024
    return ""


def index_sizes(cursor) -> dict[str, list[tuple[str, int]]]:
    sizes = {}
    for table in ("cases_case", "cases_caseevent"):
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_relation_size(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid = %s::regclass ORDER BY 2 DESC",
            [table],
        )
        sizes[table] = cursor.fetchall()
    return sizes


def report(written: dict, packed: dict, indexes: dict, cursor) -> None:
    from qingdan.core.migration_rules import BIG_TABLES

    # Tables whose rows come with cases; the others (calendar, policies, organisation,
    # the monthly rollup by place and category) do not grow with the number of cases.
    growing = BIG_TABLES | {"supervision_supervisionnotice", "cases_caselink"}

    cases = written["cases_case"]["rows"]
    events = written["cases_caseevent"]["rows"]
    say(f"\n{cases:,} cases, {events:,} timeline events ({events / cases:.2f} per case)\n")
    say(
        "| table | rows | per case | row (avg pg_column_size) | heap/row | indexes/row | "
        "TOAST/row | bytes per case | packed (VACUUM FULL) |"
    )
    say("|---|---|---|---|---|---|---|---|---|")
    ordered = sorted(written, key=lambda t: -written[t]["total"])
    for table in ordered:
        w, p = written[table], packed[table]
        if not w["rows"]:
            continue
        mark = " *" if table in BIG_TABLES else ""
        say(
            f"| {table}{mark} | {w['rows']:,} | {w['rows'] / cases:.2f} | {w['tuple']:.0f} | "
            f"{per(w['heap'], w['rows'])} | {per(w['indexes'], w['rows'])} | "
            f"{per(w['toast'], w['rows'])} | {w['total'] / cases:,.0f} | "
            f"{p['total'] / cases:,.0f} |"
        )
    total_written = sum(w["total"] for w in written.values())
    total_packed = sum(p["total"] for p in packed.values())
    say(f"| all | | | | | | | {total_written / cases:,.0f} | {total_packed / cases:,.0f} |")
    say("(* the big tables of qingdan.core.migration_rules)")

    for table in ("cases_case", "cases_caseevent", "cases_petitioner"):
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [table],
        )
        columns = [r[0] for r in cursor.fetchall()]
        select = ", ".join(f'avg(pg_column_size("{c}"))' for c in columns)
        cursor.execute(f'SELECT {select} FROM "{table}"')
        sizes = sorted(
            zip(columns, (float(v or 0) for v in cursor.fetchone()), strict=True),
            key=lambda item: -item[1],
        )
        say(f"\n{table}: average bytes per column (largest first)")
        say(", ".join(f"{name} {size:.0f}" for name, size in sizes if size >= 1))

    for table, sizes in indexes.items():
        rows = written[table]["rows"]
        say(f"\n{table}: indexes, bytes per row as written")
        say(", ".join(f"{name} {size / rows:.0f}" for name, size in sizes))

    volume = CASES_A_YEAR * YEARS
    say(f"\nAt {CASES_A_YEAR:,} cases a year for {YEARS} years ({volume:,} cases):")
    say("| table | rows | a year | 5 years (as written) | 5 years (packed) |")
    say("|---|---|---|---|---|")
    grand = [0.0, 0.0]
    for table in ordered:
        w, p = written[table], packed[table]
        if not w["rows"] or table not in growing:
            continue
        rows = w["rows"] / cases * volume
        size, size_packed = w["total"] / cases * volume, p["total"] / cases * volume
        grand[0] += size
        grand[1] += size_packed
        if size >= 10 * 1024**3:
            say(
                f"| {table} | {rows:,.0f} | {human(size / YEARS)} | {human(size)} | "
                f"{human(size_packed)} |"
            )
    say(
        f"| all that grow with cases | | {human(grand[0] / YEARS)} | {human(grand[0])} | "
        f"{human(grand[1])} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://root@127.0.0.1:5432/qingdan_bench_sizes"
    )
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--measure-only", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("sizes are measured on PostgreSQL")
    if not args.measure_only:
        fresh_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["QINGDAN_TRIAGE_AT_INTAKE"] = "inline"
    os.environ.setdefault("QINGDAN_NOTIFICATION_BACKENDS", "file")
    os.environ.setdefault("QINGDAN_NOTIFICATION_FILE", "/tmp/qingdan-sizes-notifications.log")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
    import django

    django.setup()
    from django.db import connection

    if not args.measure_only:
        say(f"registering {args.cases:,} cases with their stories …")
        generate(args.cases, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        say(cursor.fetchone()[0])
        written = measure(cursor, vacuum_full=False)
        indexes = index_sizes(cursor)
        # VACUUM FULL locks each table while it rewrites it: only on the bench's own data.
        packed = written if args.measure_only else measure(cursor, vacuum_full=True)
        report(written, packed, indexes, cursor)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
