"""12345 work-order import at scale: N rows (default 100,000) from one .xlsx file (or
.csv), imported by `qingdan import-orders` into a fresh database, on SQLite and on
PostgreSQL. Prints rows/s and total time per database, then re-imports the same
file to time the all-skipped pass.

The rows are realistic: content and titles from the public complaint CSVs
(shared/data/complaints), the towns and villages of `build_county()`, valid mobile
numbers (callers recur), call times in the formats hotlines write, urgency labels
and handling limits (5个工作日, 7天, 24小时, a date).

    .venv/bin/python bench/import_bench.py                       # SQLite + PostgreSQL
    .venv/bin/python bench/import_bench.py --rows 20000 --databases sqlite
    .venv/bin/python bench/import_bench.py --format csv
PostgreSQL: --pg postgres://root@127.0.0.1:5432 (a database bench_import_<pid> is
created and dropped there).
"""

import argparse
import csv
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "complaints"
HEADERS = ["工单编号", "来电时间", "标题", "诉求内容", "诉求人", "联系电话", "所属街镇", "所属村居",
           "地址", "诉求类型", "紧急程度", "办理时限"]  # fmt: skip
PLACES = [("玲珑镇", "欧家夼村"), ("玲珑镇", "台上村"), ("玲珑镇", ""), ("金岭镇", "大户村"),
          ("370685101000", "")]  # fmt: skip
URGENCY = ["一般", "一般", "一般", "普通", "紧急", "加急", "复杂"]
LIMITS = ["5个工作日", "7天", "24小时", "15日", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def corpus() -> list[tuple[str, str]]:
    pairs = []
    for name in ("unlabelled_messages.csv", "replied_messages.csv", "hot_issue_messages.csv"):
        with (DATA / name).open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                title = (row.get("留言主题") or "").strip()
                detail = (row.get("留言详情") or "").strip()
                if title and detail:
                    pairs.append((title, detail[:2000]))
    return pairs


def rows(n: int, seed: int = 12345):
    rng = random.Random(seed)
    texts = corpus()
    prefixes = ["138", "139", "135", "136", "150", "151", "158", "159", "186", "187", "188", "133"]
    phones = [f"{rng.choice(prefixes)}{rng.randrange(10**8):08d}" for _ in range(max(n // 3, 1))]
    start = dt.datetime(2024, 1, 2, 8, 0)
    for i in range(n):
        title, detail = texts[i % len(texts)]
        moment = start + dt.timedelta(minutes=i * 3 + rng.randrange(3))
        style = i % 4
        if style == 0:
            called: object = moment  # a datetime cell
        elif style == 1:
            called = moment.strftime("%Y-%m-%d %H:%M:%S")
        elif style == 2:
            called = f"{moment.year}/{moment.month}/{moment.day} {moment:%H:%M}"
        else:
            called = (
                f"{moment.year}年{moment.month}月{moment.day}日 {moment.hour}时{moment.minute}分"
            )
        town, village = PLACES[i % len(PLACES)]
        limit = LIMITS[i % len(LIMITS)]
        yield [
            f"GD{2024_000000 + i}",
            called,
            title[:60],
            detail,
            rng.choice(SURNAMES) + rng.choice(["先生", "女士", "某某"]),
            rng.choice(phones),
            town,
            village,
            f"{town}{village}{rng.randrange(1, 200)}号",
            "",
            rng.choice(URGENCY),
            limit,
        ]


def write_file(n: int, fmt: str, folder: Path) -> Path:
    if fmt == "csv":
        path = folder / f"orders-{n}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            for row in rows(n):
                writer.writerow(
                    [
                        c.strftime("%Y-%m-%d %H:%M:%S") if isinstance(c, dt.datetime) else c
                        for c in row
                    ]  # fmt: skip
                )
        return path
    from openpyxl import Workbook

    path = folder / f"orders-{n}.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(HEADERS)
    for row in rows(n):
        sheet.append(row)
    book.save(path)
    return path


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the workbook reader): the
    machine is shared, so wall time depends on what else runs."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(path: Path) -> None:
    """Runs inside a fresh database named by DATABASE_URL."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
    # Benchmarks run without DEBUG, as production does; their data is thrown away.
    os.environ.setdefault("SECRET_KEY", "qingdan-bench-only-key")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from qingdan.cases.models import Case, CaseEvent, Petitioner
    from qingdan.orgs.testing import build_county

    call_command("migrate", verbosity=0)
    build_county()
    for label in ("first import", "re-import (all skipped)"):
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        with open(os.devnull, "w") as sink:
            call_command("import-orders", str(path), stdout=sink, stderr=sink)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        n = int(path.stem.split("-")[1])
        print(
            f"  {connection.vendor:10s} {label:24s} {n:7d} rows  {seconds:6.1f} s  "
            f"{n / seconds:8.0f} rows/s  (CPU {cpu:5.1f} s incl. reader; "
            f"load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    print(
        f"  {connection.vendor:10s} cases {Case.objects.count()}, events "
        f"{CaseEvent.objects.count()}, petitioners {Petitioner.objects.count()}",
        flush=True,
    )


def run_on(url: str, path: Path) -> int:
    env = {**os.environ, "DATABASE_URL": url, "QINGDAN_DATA_DIR": str(path.parent)}
    return subprocess.call([sys.executable, __file__, "--child", str(path)], env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pg", default="postgres://root@127.0.0.1:5432")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        path = write_file(args.rows, args.format, Path(folder))
        print(
            f"{path.name}: {path.stat().st_size / 1e6:.1f} MB written in "
            f"{time.perf_counter() - started:.1f} s (not timed below)"
        )
        for database in args.databases.split(","):
            if database == "sqlite":
                run_on(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", path)
            elif database == "postgres":
                import psycopg

                name = f"bench_import_{os.getpid()}"
                with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                    admin.execute(f"CREATE DATABASE {name}")
                try:
                    run_on(f"{args.pg}/{name}", path)
                finally:
                    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
