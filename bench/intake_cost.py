"""What one API intake costs the server: SQL statements and CPU per POST /api/v1/cases/,
through Django's test client in one process (no HTTP, no load generator), and what the
queued analysis then costs the worker per case.

    .venv/bin/python bench/intake_cost.py                      # PostgreSQL, 300 intakes
    .venv/bin/python bench/intake_cost.py --intakes 100 --profile 25

Uses the database `qingdan_intake_cost` (created and migrated on first use; its cases
are left there, which is what a running installation looks like: each run adds more).
The token is looked up the way the server does (cache: locmem here, Redis in
production). --profile N prints cProfile's top N functions of the intake loop.
To measure another version of the code with the same script, put its tree first:
PYTHONPATH=/path/to/other/tree .venv/bin/python bench/intake_cost.py
"""

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intakes", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--database-url", default="postgres://root@127.0.0.1:5432/qingdan_intake_cost"
    )
    parser.add_argument("--triage", choices=["inline", "worker", "both"], default="both")
    parser.add_argument("--profile", type=int, default=0, help="print the top N of cProfile")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
    os.environ.setdefault("SECRET_KEY", "qingdan-bench-only-key")
    os.environ["QINGDAN_TRIAGE_STRICT"] = "1"
    os.environ["QINGDAN_API_RATE_USER"] = "1000000/min"
    if args.database_url.startswith("postgres"):
        from loadgen import ensure_database

        ensure_database(args.database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from load_intake import intake_request, sample_texts
    from rest_framework.authtoken.models import Token

    from qingdan.orgs.demo import load_demo_organisation
    from qingdan.orgs.models import Jurisdiction, User

    try:
        from qingdan.triage.analysis import analyse_pending
    except ImportError:  # the code before the batched analysis (PYTHONPATH=<old tree>)
        from qingdan.triage.actions import analyse_pending  # type: ignore[attr-defined,no-redef]

    import qingdan

    print(f"code: {Path(qingdan.__file__).parent}", flush=True)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="supervisor").exists():
        load_demo_organisation()
    token, _created = Token.objects.get_or_create(user=User.objects.get(username="supervisor"))
    villages = list(Jurisdiction.objects.filter(level="village").values_list("code", flat=True))
    texts = sample_texts()
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    phones = random.randrange(10**8)
    run = f"COST-{phones:08d}"
    counter = iter(range(10**9))

    def one() -> int:
        number = next(counter)
        _m, path, body, _h = intake_request(
            texts, number, village=random.choice(villages), phones=phones, prefix=run, headers={}
        )
        response = client.post(path, body, content_type="application/json", **headers)
        assert response.status_code == 201, response.content[:300]
        return number

    modes = ["inline", "worker"] if args.triage == "both" else [args.triage]
    for mode in modes:
        settings.QINGDAN_TRIAGE_AT_INTAKE = mode
        analyse_pending(limit=10**6)  # nothing of an earlier run left in the queue
        for _ in range(args.warmup):
            one()
        analyse_pending(limit=10**6)
        statements, cpu = [], []
        profiler = cProfile.Profile() if args.profile else None
        for _ in range(args.intakes):
            connection.queries_log.clear()  # it keeps 9,000 at most: counts would go wrong
            with CaptureQueriesContext(connection) as queries:
                started = time.process_time()
                if profiler:
                    profiler.enable()
                one()
                if profiler:
                    profiler.disable()
                cpu.append(time.process_time() - started)
            statements.append(len(queries))
        line = (
            f"analysis {mode:6}: {statistics.mean(statements):.1f} statements per intake "
            f"(min {min(statements)}, max {max(statements)}), "
            f"server CPU {statistics.mean(cpu) * 1000:.2f} ms per intake "
            f"(median {statistics.median(cpu) * 1000:.2f} ms)"
        )
        if mode == "worker":
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.process_time()
                done = analyse_pending(limit=10**6)
                spent = time.process_time() - started
            line += (
                f"; the worker then: {spent / max(done, 1) * 1000:.2f} ms CPU and "
                f"{len(queries) / max(done, 1):.1f} statements per case ({done} cases)"
            )
        print(line, flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
