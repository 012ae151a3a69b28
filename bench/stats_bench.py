"""Statistics over many cases on PostgreSQL: rollup query time vs a plain recount.

    DATABASE_URL=postgres://root@127.0.0.1:5432/h_stats_bench \\
        .venv/bin/python bench/stats_bench.py --scale 1000000

Generates `--scale` cases (default 10,000,000) spread from 2025-01-01 to yesterday
over a county of 15 towns × 20 villages, 20 categories, 9 channels, 20 city bureaus
and 3 offices per town, with generate_series in chunks (indexes are dropped during
the load and rebuilt after). The data stay in the database: a second run with the
same scale reuses them (--regenerate to start over). Then it rebuilds the rollup,
times `indicators()` from the rollup and from a plain recount of the cases table
for several periods and breakdowns, and checks that both give the same numbers.
Everything it prints is measured on this machine.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
# Benchmarks run without DEBUG, as production does; their data is thrown away.
os.environ.setdefault("SECRET_KEY", "qingdan-bench-only-key")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from qingdan.cases.choices import Channel  # noqa: E402
from qingdan.orgs.choices import DepartmentKind, Level, Role  # noqa: E402
from qingdan.orgs.models import Category, Department, Jurisdiction, User  # noqa: E402
from qingdan.stats import rollup  # noqa: E402
from qingdan.stats.indicators import compute  # noqa: E402
from qingdan.stats.periods import parse_period  # noqa: E402

TOWNS, VILLAGES_PER_TOWN, CATEGORIES, BUREAUS, OFFICES_PER_TOWN = 15, 20, 20, 20, 3
CHUNK = 500_000
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def say(text: str) -> None:
    print(text, flush=True)


def build_county() -> dict:
    city = Jurisdiction.objects.create(code="370685000000", name="招远市", level=Level.CITY)
    towns, villages, offices = [], [], []
    for t in range(TOWNS):
        town = Jurisdiction.objects.create(
            code=f"370685{100 + t:03d}000", name=f"第{t + 1}镇", level=Level.TOWN, parent=city
        )
        towns.append(town)
        villages += Jurisdiction.objects.bulk_create(
            Jurisdiction(
                code=f"370685{100 + t:03d}{201 + v:03d}",
                name=f"{t + 1}镇{v + 1}村",
                level=Level.VILLAGE,
                parent=town,
            )
            for v in range(VILLAGES_PER_TOWN)
        )
        for k in range(OFFICES_PER_TOWN):
            offices.append(
                Department.objects.create(
                    code=f"t{t}-o{k}",
                    name=f"办公室{k + 1}",
                    kind=DepartmentKind.TOWN_OFFICE,
                    jurisdiction=town,
                )
            )
    bureaus = [
        Department.objects.create(
            code=f"b{b}", name=f"第{b + 1}局", kind=DepartmentKind.CITY_BUREAU, jurisdiction=city
        )
        for b in range(BUREAUS)
    ]
    categories = [Category.objects.create(code=f"c{i}", name=f"类别{i}") for i in range(CATEGORIES)]
    return {
        "villages": [v.pk for v in villages],
        "offices": [o.pk for o in offices],
        "bureaus": [b.pk for b in bureaus],
        "categories": [c.pk for c in categories],
    }


def _array(ids) -> str:
    return "ARRAY[" + ",".join(str(int(i)) for i in ids) + "]::bigint[]"


def case_insert_sql(ids: dict, span_seconds: int, scale: int, now: dt.datetime) -> str:
    """One INSERT … SELECT over generate_series(%s, %s): every value drawn per row."""
    channels = "ARRAY[" + ",".join(f"'{c}'" for c in Channel.values) + "]"
    villages = _array(ids["villages"])
    offices = _array(ids["offices"])
    bureaus = _array(ids["bureaus"])
    categories = _array(ids["categories"])
    return f"""
    WITH base AS (
      SELECT g,
        timestamptz '{START.isoformat()}'
          + ((g - 1) * {span_seconds}::float8 / {scale}) * interval '1 second' AS reg,
        random() AS r_place, random() AS r_tier, random() AS r_unit, random() AS r_cat,
        random() AS r_chan, random() AS r_state, random() AS r_accept, random() AS r_reply,
        random() AS r_rating, random() AS r_opinion, random() AS r_review
      FROM generate_series(%s, %s) AS g
    ), drawn AS (
      SELECT *,
        floor(r_place * {len(ids["villages"])})::int AS v,
        CASE WHEN r_tier < 0.6 THEN 'village' WHEN r_tier < 0.9 THEN 'town' ELSE 'city' END AS tier,
        reg + (r_accept * 20) * interval '1 day' AS acc,
        CASE WHEN timestamptz '{now.isoformat()}' - reg > interval '60 days'
          THEN CASE WHEN r_state < 0.85 THEN 'closed' WHEN r_state < 0.88 THEN 'evaluated'
                    WHEN r_state < 0.90 THEN 'replied' WHEN r_state < 0.93 THEN 'not_accepted'
                    WHEN r_state < 0.94 THEN 'diverted' WHEN r_state < 0.97 THEN 'in_progress'
                    WHEN r_state < 0.985 THEN 'accepted' ELSE 'registered' END
          ELSE CASE WHEN r_state < 0.30 THEN 'closed' WHEN r_state < 0.35 THEN 'evaluated'
                    WHEN r_state < 0.45 THEN 'replied' WHEN r_state < 0.47 THEN 'not_accepted'
                    WHEN r_state < 0.70 THEN 'in_progress' WHEN r_state < 0.85 THEN 'accepted'
                    ELSE 'registered' END
        END AS state
      FROM base
    ), timed AS (
      SELECT *,
        state IN ('accepted','in_progress','replied','evaluated','closed','diverted') AS is_acc,
        state IN ('replied','evaluated','closed') AS is_rep,
        acc + (1 + r_reply * 80) * interval '1 day' AS rep
      FROM drawn
    )
    INSERT INTO cases_case (
      tracking_number, external_ref, channel, title, content, urgency, state, tier, address,
      headcount, assigning_body, assigning_reference, not_accepted_reason, legal_channel,
      diversion_help, reply_opinion, reply_text, rating, extension_days, extension_reason,
      review_level, registered_at, accepted_at, handling_started_at, replied_at, evaluated_at,
      closed_at, accept_due_at, handle_due_at, due_at, warn_at, deadline_status, closed_on_time,
      updated_at, version, category_id, jurisdiction_id, lead_unit_id)
    SELECT
      'B-' || g, '', ({channels})[1 + floor(r_chan * {len(Channel.values)})::int],
      '诉求' || g, '内容', 'normal', state, tier, '', 1, '', '', '', '', '',
      CASE WHEN is_rep THEN CASE WHEN r_opinion < 0.7 THEN 'supports' WHEN r_opinion < 0.9
        THEN 'explains' ELSE 'does_not_support' END ELSE '' END,
      '', CASE WHEN state IN ('evaluated','closed') THEN CASE WHEN r_rating < 0.7 THEN 'satisfied'
        WHEN r_rating < 0.9 THEN 'basically_satisfied' ELSE 'unsatisfied' END ELSE '' END,
      0, '', CASE WHEN r_review < 0.01 THEN 1 ELSE 0 END,
      reg, CASE WHEN is_acc THEN acc END, CASE WHEN is_acc THEN acc END,
      CASE WHEN is_rep THEN rep END,
      CASE WHEN state IN ('evaluated','closed') THEN rep + interval '1 day' END,
      CASE WHEN state = 'closed' THEN rep + interval '2 days'
           WHEN state IN ('not_accepted','diverted') THEN acc END,
      reg + interval '15 days', CASE WHEN is_acc THEN acc + interval '60 days' END,
      CASE WHEN state = 'registered' THEN reg + interval '15 days'
           WHEN state IN ('accepted','in_progress') THEN acc + interval '60 days' END,
      CASE WHEN state = 'registered' THEN reg + interval '12 days'
           WHEN state IN ('accepted','in_progress') THEN acc + interval '57 days' END,
      CASE WHEN state IN ('registered','accepted','in_progress') THEN 'ok' ELSE 'none' END,
      CASE WHEN is_rep THEN rep <= acc + interval '60 days' END,
      reg, 1,
      CASE WHEN r_cat < 0.05 THEN NULL
           ELSE ({categories})[1 + floor(r_cat * {CATEGORIES})::int] END,
      ({villages})[1 + v],
      CASE WHEN state IN ('registered','not_accepted','diverted') THEN NULL
           WHEN tier = 'town' THEN ({offices})[1 + (v / {VILLAGES_PER_TOWN}) * {OFFICES_PER_TOWN}
                                               + floor(r_unit * {OFFICES_PER_TOWN})::int]
           WHEN tier = 'city' THEN ({bureaus})[1 + floor(r_unit * {BUREAUS})::int]
      END
    FROM timed
    """


def load_indexes() -> list[tuple[str, str]]:
    """The cases table's plain indexes (not those behind a constraint)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.tablename = 'cases_case' AND NOT EXISTS (
                 SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"""
        )
        return list(cursor.fetchall())


def generate(scale: int, now: dt.datetime) -> None:
    say(f"generating {scale:,} cases …")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_case, cases_caseflag, cases_caseevent, stats_monthlyrollup, "
            "stats_rollupstate, orgs_department_categories, orgs_department, orgs_category, "
            "orgs_jurisdiction, orgs_user CASCADE"
        )
    ids = build_county()
    indexes = load_indexes()
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute("SELECT setseed(0.42)")
        sql = case_insert_sql(ids, int((now - START).total_seconds()), scale, now)
        for low in range(1, scale + 1, CHUNK):
            with transaction.atomic():
                cursor.execute(sql, [low, min(low + CHUNK - 1, scale)])
            say(
                f"  {min(low + CHUNK - 1, scale):>12,} rows  {time.perf_counter() - started:7.1f} s"
            )
        # Repeat petitions: ~2.7% of cases flagged by triage.
        cursor.execute(
            "INSERT INTO cases_caseflag (case_id, kind, message, evidence, created_at) "
            "SELECT id, 'repeat', '', '{}', registered_at FROM cases_case WHERE id % 37 = 0"
        )
        index_started = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        say(f"  indexes rebuilt in {time.perf_counter() - index_started:.1f} s")
        cursor.execute("ANALYZE")
    say(f"generated in {time.perf_counter() - started:.1f} s")


def case_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        return cursor.fetchone()[0]


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10_000_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--verify-all", action="store_true", help="compare every rollup row too")
    parser.add_argument(
        "--keep-rollup", action="store_true", help="refresh the rollup left by the last run"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        say("Set DATABASE_URL to a PostgreSQL database (this bench fills it).")
        return 2
    call_command("migrate", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    if args.regenerate or case_count() != args.scale:
        generate(args.scale, now)
    else:
        say(f"reusing {args.scale:,} cases")
    state = rollup.RollupState.objects.filter(pk=1).first()
    if args.keep_rollup and state is not None and state.as_of is not None:
        # The clock moved on since the last run: the open cases whose limit passed
        # since then are recounted (what every page does after a quiet spell).
        _, seconds = timed(rollup.refresh, now)
        say(f"rollup kept from {state.as_of:%Y-%m-%d %H:%M}, refreshed in {seconds:.2f} s")
    else:
        _, seconds = timed(rollup.rebuild, now)
        rows = rollup.MonthlyRollup.objects.count()
        say(f"rollup rebuilt: {rows:,} rows in {seconds:.1f} s")
    if args.verify_all:
        problems, seconds = timed(rollup.differences)
        verdict = "EQUAL" if not problems else problems
        say(f"rollup vs recount, every row: {verdict} ({seconds:.1f} s)")

    everyone = User(username="bench", is_superuser=True)  # unsaved: sees everything
    town = Jurisdiction.objects.get(code="370685100000")
    clerk = User(username="clerk", role=Role.AGENT, jurisdiction=town)
    year = timezone.localtime(now).year
    cases = [
        (everyone, f"{year}", []),
        (everyone, f"{year}", ["jurisdiction", "unit", "category", "channel", "tier"]),
        (everyone, f"{year - 1}", ["unit"]),
        (everyone, f"{year}H1", ["category"]),
        (everyone, f"{year}-06", ["jurisdiction"]),
        (clerk, f"{year}", ["jurisdiction", "unit"]),
    ]
    say(f"\n{'who':8} {'period':8} {'by':44} {'rollup':>9} {'again':>9} {'recount':>9}  equal")
    all_equal = True
    for user, code, dims in cases:
        period = parse_period(code)
        fast, first = timed(compute, user, period, dims, source="rollup", now=now)
        _, second = timed(compute, user, period, dims, source="rollup", now=now)
        slow, plain = timed(compute, user, period, dims, source="live", now=now)
        fast.pop("source"), slow.pop("source")
        equal = fast == slow
        all_equal &= equal
        say(
            f"{user.username:8} {code:8} {','.join(dims) or '-':44} {first:8.3f}s {second:8.3f}s "
            f"{plain:8.2f}s  {'yes' if equal else 'NO'}"
        )
        if dims == [] and user is everyone:
            total = fast["total"]
            say(
                f"         received {total['received']:,}, closed {total['closed']:,}, "
                f"overdue {total['overdue']:,}, satisfaction {total['satisfaction_rate']:.4f}"
            )
    # What a refresh costs after changes: recounting the slices (month, village) of the
    # cases that changed — here 100 villages of the current month.
    month = timezone.localtime(now).date().replace(day=1)
    villages = list(
        Jurisdiction.objects.filter(level=Level.VILLAGE).values_list("pk", flat=True)[:100]
    )
    with transaction.atomic():
        _, seconds = timed(rollup._recount, {month: set(villages)}, now)
    code = month.strftime("%Y-%m")
    fast = compute(everyone, parse_period(code), ["jurisdiction"], source="rollup", now=now)
    slow = compute(everyone, parse_period(code), ["jurisdiction"], source="live", now=now)
    fast.pop("source"), slow.pop("source")
    all_equal &= fast == slow
    say(
        f"\nrecounting 100 slices (month {code} × 100 villages): {seconds:.2f} s; "
        f"equal to a recount afterwards: {'yes' if fast == slow else 'NO'}"
    )
    say(f"\nrollup numbers equal to the plain recount: {'yes' if all_equal else 'NO'}")
    return 0 if all_equal else 1


if __name__ == "__main__":
    sys.exit(main())
