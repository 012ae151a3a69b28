"""The first group-risk scan per town after a restart, with and without the warm-up.

The group scan (triage.early_warning.find_group) compares a new case with up to
QINGDAN_GROUP_MAX_SCAN (500) recent cases of its town through a per-process cache of
their bigram vectors. A new process starts with the cache empty, so the first intake
of each town read and vectorised them all; `triage.warmup.warm_group_vectors` (run in a
background thread at start) fills it beforehand.

    .venv/bin/python bench/vector_warm.py                 # PostgreSQL, 5 towns x 500
    .venv/bin/python bench/vector_warm.py --towns 2 --per-town 200 \\
        --database-url sqlite:////tmp/warm.sqlite3

The database is created afresh (PostgreSQL: dropped and created; SQLite: the file
removed), migrated, given the demo organisation and `--per-town` cases per town
registered over the last 6 days (a benchmark fixture written with bulk_create, texts
from the shared complaint messages when they are beside the clone). Then, per town, the
scan for its most recent case is timed with the cache cleared (a restart) and after
`warm_group_vectors()`; the median of `--repeat` runs is printed. It asserts nothing.
"""

import argparse
import csv
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = ROOT.parent / "shared" / "data" / "complaints" / "unlabelled_messages.csv"


def texts() -> list[tuple[str, str]]:
    if MESSAGES.exists():
        with MESSAGES.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return [(r["留言主题"][:150], r["留言详情"][:2000]) for r in rows if r["留言详情"].strip()]
    print(f"({MESSAGES} missing: short synthetic texts)")
    return [(f"问题{n}", f"村里第{n}号问题，请尽快处理。" * 5) for n in range(500)]


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        Path(parts.path).unlink(missing_ok=True)
        return
    name = parts.path.lstrip("/")
    host = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    user = ["-U", parts.username or "root"]
    subprocess.run(["dropdb", *host, *user, "--if-exists", name], check=True)
    subprocess.run(["createdb", *host, *user, name], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://root@127.0.0.1:5432/qingdan_bench_warm"
    )
    parser.add_argument("--towns", type=int, default=5)
    parser.add_argument("--per-town", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    fresh_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from qingdan.cases.choices import Channel, Tier
    from qingdan.cases.models import Case
    from qingdan.orgs.choices import Level
    from qingdan.orgs.demo import load_demo_organisation
    from qingdan.orgs.models import Jurisdiction
    from qingdan.triage.early_warning import GROUP_VECTORS, find_group
    from qingdan.triage.warmup import warm_group_vectors

    call_command("migrate", verbosity=0)
    load_demo_organisation()
    now = timezone.now()
    samples = texts()
    towns = list(Jurisdiction.objects.filter(level=Level.TOWN).order_by("code")[: args.towns])
    number = 0
    for town in towns:
        villages = list(Jurisdiction.objects.filter(parent=town)) or [town]
        rows = []
        for i in range(args.per_town):
            title, content = samples[number % len(samples)]
            number += 1
            rows.append(
                Case(
                    tracking_number=f"WB-2026-{number:07d}",
                    channel=Channel.PHONE,
                    title=title,
                    content=content,
                    tier=Tier.TOWN,
                    jurisdiction=villages[i % len(villages)],
                    registered_at=now - dt.timedelta(days=6 * i / args.per_town),
                )
            )
        Case.objects.bulk_create(rows, batch_size=1000)
    print(
        f"{Case.objects.count()} cases in {len(towns)} towns, "
        f"{args.per_town} each within the last 6 days"
    )

    newest = {
        town: Case.objects.filter(jurisdiction__code__startswith=town.scope_prefix)
        .select_related("jurisdiction__parent")
        .order_by("-registered_at")
        .first()
        for town in towns
    }

    def scan(case) -> float:
        started = time.perf_counter()
        find_group(case, [], now)
        return (time.perf_counter() - started) * 1000

    for case in newest.values():  # load the code paths and the vectoriser once
        scan(case)
    cold: dict = {town: [] for town in towns}
    warm: dict = {town: [] for town in towns}
    warmups = []
    for _ in range(args.repeat):
        GROUP_VECTORS.clear()
        for town, case in newest.items():
            cold[town].append(scan(case))
        GROUP_VECTORS.clear()
        started = time.perf_counter()
        warmed = warm_group_vectors(now)
        warmups.append(time.perf_counter() - started)
        for town, case in newest.items():
            warm[town].append(scan(case))

    print(f"\nfirst group scan of a town after a restart, median of {args.repeat} (ms)")
    print("| town | cases compared | cold cache | after the warm-up |")
    print("|---|---|---|---|")
    for town in towns:
        compared = min(args.per_town - 1, 500)
        print(
            f"| {town.name} | {compared} | {statistics.median(cold[town]):.1f} | "
            f"{statistics.median(warm[town]):.1f} |"
        )
    print(
        f"\nwarm-up: {warmed} cases vectorised in {statistics.median(warmups):.2f} s "
        f"(median), cache holds {len(GROUP_VECTORS)} of {GROUP_VECTORS.size}"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
