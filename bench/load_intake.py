"""Load test: intake and a case action from concurrent clients against gunicorn +
PostgreSQL on 127.0.0.1, then a check that every acknowledged case and event is in
the database exactly once. With --kill-worker the `qingdan worker` is killed and
restarted midway (when the worker command exists).

    .venv/bin/python bench/load_intake.py --seconds 30 --clients 16
    .venv/bin/python bench/load_intake.py --seconds 60 --clients 16 --intake-only \
        --triage worker --analysis-workers 2     # issue 17: analysis by 2 workers

Each server process first gets --warmup seconds (default 5) of unmeasured intake: it
loads the classifier and fills its caches, as it does once after a restart.

Target (issue 10): >= 300 intakes/s, p99 < 200 ms, zero errors, zero lost or doubled
records on this 2-core machine. Prints what it measured; it asserts nothing.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from loadgen import (  # noqa: E402
    cpu_between,
    cpu_seconds,
    ensure_database,
    gunicorn,
    postgres_backends,
    process_tree,
    run_load,
    wait_for,
)

PORT = 8101
MESSAGES = ROOT.parent / "shared" / "data" / "complaints" / "unlabelled_messages.csv"


def sample_texts() -> list[tuple[str, str]]:
    """Real complaint texts when the shared data set is beside the clone, else a few."""
    if MESSAGES.exists():
        import csv

        with MESSAGES.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return [(r["留言主题"][:150], r["留言详情"][:2000]) for r in rows if r["留言详情"].strip()]
    return [
        ("村口路灯不亮", "村口路灯坏了一周，晚上出行不便。"),
        ("道路破损积水", "小区门口道路破损积水。"),
        ("装修噪音扰民", "邻居装修噪音扰民。"),
    ]


def intake_request(texts, number: int, *, village: str, phones: int, prefix: str, headers):
    """An intake of the `number`-th sample text, by a new person each time, also across
    runs on the same database (a petitioner seen before makes the repeat check read
    their cases): phone numbers count up from `phones`."""
    title, content = texts[number % len(texts)]
    body = {
        "channel": "phone",
        "title": f"{prefix} {title}"[:200],
        "content": content,
        "jurisdiction": village,
        "petitioner": {"name": "张三", "phone": f"139{(phones + number) % 10**8:08d}"},
    }
    return ("POST", "/api/v1/cases/", body, headers)


def manage(*args, env, capture=False):
    return subprocess.run(
        [sys.executable, "-m", "qingdan.cli", *args],
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )


def prepare(env) -> tuple[str, list[str]]:
    ensure_database(env["DATABASE_URL"])
    manage("migrate", "-v0", env=env)
    script = (
        "from qingdan.orgs.demo import load_demo_organisation;"
        "from qingdan.orgs.models import Jurisdiction;"
        "load_demo_organisation();"
        "codes = Jurisdiction.objects.filter(level='village').values_list('code', flat=True);"
        "print(' '.join(codes))"
    )
    villages = manage("shell", "-c", script, env=env, capture=True).stdout.split("\n")[-2].split()
    token = manage("issue-token", "supervisor", env=env, capture=True).stdout.strip()
    return token, villages


def start_server(env, workers: int, threads: int = 4) -> subprocess.Popen:
    executable = Path(sys.executable).parent / "gunicorn"
    return gunicorn(executable, "qingdan.wsgi", PORT, workers, threads, env=env, cwd=ROOT)


def start_worker(env, nice: int = 0) -> subprocess.Popen | None:
    commands = manage("help", "--commands", env=env, capture=True).stdout.split()
    if "worker" not in commands:
        return None
    # A niced worker leaves the CPU to the requests and catches up when they ease.
    prefix = ["nice", "-n", str(nice)] if nice else []
    return subprocess.Popen([*prefix, sys.executable, "-m", "qingdan.cli", "worker"], env=env)


def verify(env, run: str, acknowledged: list[str], accepted: list[str]) -> dict:
    script = f"""
import json
from collections import Counter
from qingdan.cases.models import Case, CaseEvent
ours = Case.objects.filter(title__startswith={run!r})
cases = Counter(ours.values_list('tracking_number', flat=True))
events = Counter(CaseEvent.objects.filter(case__title__startswith={run!r}, action='accept')
                 .values_list('case__tracking_number', flat=True))
registers = Counter(CaseEvent.objects.filter(case__title__startswith={run!r}, action='register')
                    .values_list('case__tracking_number', flat=True))
print(json.dumps({{'cases': cases, 'accepts': events, 'registers': registers}}))
"""
    output = manage("shell", "-c", script, env=env, capture=True).stdout
    found = json.loads(output.strip().splitlines()[-1])
    cases, accepts, registers = found["cases"], found["accepts"], found["registers"]
    return {
        "acknowledged_cases": len(acknowledged),
        "lost_cases": sum(1 for t in acknowledged if t not in cases),
        "doubled_cases": sum(1 for n in cases.values() if n > 1),
        "unacknowledged_in_db": sum(1 for t in cases if t not in set(acknowledged)),
        "register_events_not_once": sum(1 for t in acknowledged if registers.get(t) != 1),
        "acknowledged_accepts": len(accepted),
        "lost_accepts": sum(1 for t in accepted if accepts.get(t, 0) == 0),
        "doubled_accepts": sum(1 for n in accepts.values() if n > 1),
    }


def psql(env, query: str) -> list[int]:
    output = subprocess.run(
        ["psql", env["DATABASE_URL"], "-tAF", " ", "-c", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [int(n) for n in output.split()]


def pending_analyses(env) -> int:
    return psql(env, "SELECT count(*) FROM triage_pendinganalysis")[0]


def drain(env, run: str, load_ended: float, limit: float = 600) -> dict:
    """Wait until the workers have analysed every case of this run; report how long
    the queue took to empty after the load ended, and that each case was analysed once.
    Polled with psql every half second (a Django shell per look would take the CPU
    the workers need)."""
    query = f"""
SELECT (SELECT count(*) FROM triage_pendinganalysis p JOIN cases_case c ON c.id = p.case_id
        WHERE c.title LIKE '{run}%'),
       (SELECT count(*) FROM triage_casefingerprint f JOIN cases_case c ON c.id = f.case_id
        WHERE c.title LIKE '{run}%')"""
    while True:
        pending, fingerprints = psql(env, query)
        if pending == 0 or time.monotonic() - load_ended > limit:
            break
        time.sleep(0.5)
    return {
        "analysis_queue_left": pending,
        "analysed_cases": fingerprints,
        "drain_seconds_after_load": round(time.monotonic() - load_ended, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="threads per server process")
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument(
        "--analysis-workers",
        type=int,
        default=1,
        help="`qingdan worker` processes analysing the queue (with --triage worker)",
    )
    parser.add_argument(
        "--warmup", type=float, default=5, help="seconds of unmeasured intake first (0: none)"
    )
    parser.add_argument("--intake-only", action="store_true", help="no follow-up action")
    parser.add_argument("--database-url", default="postgres://root@127.0.0.1:5432/qingdan_load")
    parser.add_argument(
        "--triage",
        choices=["inline", "worker"],
        default="inline",
        help="QINGDAN_TRIAGE_AT_INTAKE: analyse in the request, or queue for the worker",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=0,
        help="run the worker under `nice -n N` (a lower CPU priority than the server)",
    )
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DB_CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "qingdan.settings",
        # Without DEBUG, as production; the benchmark's data is thrown away.
        "SECRET_KEY": os.environ.get("SECRET_KEY", "qingdan-bench-only-key"),
        "QINGDAN_TRIAGE_STRICT": "0",
        "QINGDAN_TRIAGE_AT_INTAKE": args.triage,
        # One system account sends everything here; its per-user API limit is lifted.
        "QINGDAN_API_RATE_USER": "1000000/min",
    }
    token, villages = prepare(env)
    run = f"LOAD-{uuid.uuid4().hex[:6]}"
    server = start_server(env, args.workers, args.threads)
    worker = (
        start_worker(env, args.worker_nice) if args.kill_worker or args.triage == "worker" else None
    )
    more_workers = [
        start_worker(env, args.worker_nice)
        for _ in range(args.analysis_workers - 1 if args.triage == "worker" else 0)
    ]
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    acknowledged: list[str] = []
    accepted: list[str] = []
    holder: dict = {}  # the worker started again after the kill
    try:
        wait_for(f"http://127.0.0.1:{PORT}/portal/")

        texts = sample_texts()
        phones = random.randrange(10**8)  # where this run's phone numbers start

        def intake(client: int, number: int, prefix: str = run):
            village = random.choice(villages)
            return intake_request(
                texts, number, village=village, phones=phones, prefix=prefix, headers=headers
            )

        def follow(status: int, data: dict):
            if status != 201:
                return None
            acknowledged.append(data["tracking_number"])
            if args.intake_only:
                return None
            path = f"/api/v1/cases/{data['tracking_number']}/accept/"
            return ("POST", path, {}, {**headers, "If-Match": '"1"'})

        if worker is not None and args.kill_worker:

            def killer():
                time.sleep(args.seconds / 2)
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                print("worker killed and restarted midway", flush=True)
                return start_worker(env, args.worker_nice)

            import threading

            thread = threading.Thread(target=lambda: holder.update(w=killer()), daemon=True)
            thread.start()
        if args.warmup:
            # Each server process loads the classifier and fills its caches on its first
            # requests, as a server does once after a restart: not part of the figures.
            run_load(
                f"http://127.0.0.1:{PORT}",
                lambda client, number: intake(client, number, prefix="WARMUP"),
                clients=args.clients,
                seconds=args.warmup,
            )
        # CPU of each side over the measured load (Linux /proc): the server processes,
        # PostgreSQL's backends for this database, the analysis workers, this client.
        database = env["DATABASE_URL"].rsplit("/", 1)[1]
        workers = [w for w in (worker, *more_workers) if w is not None]
        queued_before = pending_analyses(env) if args.triage == "worker" else 0
        server_before = cpu_seconds(process_tree(server.pid))
        postgres_before = cpu_seconds(postgres_backends(database))
        workers_before = cpu_seconds(p for w in workers for p in process_tree(w.pid))
        client_before = time.process_time()
        result = run_load(
            f"http://127.0.0.1:{PORT}",
            intake,
            clients=args.clients,
            seconds=args.seconds,
            on_response=follow,
        )
        load_ended = time.monotonic()
        server_cpu = cpu_between(server_before, cpu_seconds(process_tree(server.pid)))
        postgres_cpu = cpu_between(postgres_before, cpu_seconds(postgres_backends(database)))
        client_cpu = time.process_time() - client_before
        for item in result.bodies:
            if item["path"].endswith("/accept/") and item["status"] == 200:
                accepted.append(item["data"]["tracking_number"])
        intakes = [b for b in result.bodies if b["path"] == "/api/v1/cases/"]
        summary = result.summary("qingdan")
        summary["intakes"] = len(intakes)
        summary["intakes_per_s"] = round(len(intakes) / result.elapsed, 1)
        summary["intake_errors"] = sum(1 for b in intakes if b["status"] != 201)
        per_request = 1000 / max(len(result.latencies), 1)
        summary["server_cpu_ms_per_request"] = round(server_cpu * per_request, 2)
        summary["postgres_cpu_ms_per_request_during_load"] = round(postgres_cpu * per_request, 2)
        summary["client_cpu_ms_per_request"] = round(client_cpu * per_request, 2)
        print(json.dumps(summary, ensure_ascii=False))
        if result.errors:
            print("client errors:", result.errors[:5])
        if args.triage == "worker":
            if args.kill_worker:
                thread.join()
                worker = holder.get("w", worker)
            drained = drain(env, run, load_ended)
            spent = cpu_between(
                workers_before, cpu_seconds(p for w in workers for p in process_tree(w.pid))
            )
            # The queue at the start of the load (the warm-up's cases) and this run's.
            analysed = queued_before + drained["analysed_cases"]
            drained["analysis_workers"] = len(workers)
            drained["worker_cpu_ms_per_case"] = round(spent * 1000 / max(analysed, 1), 2)
            print(json.dumps(drained))
        else:
            time.sleep(1)
        print(json.dumps(verify(env, run, acknowledged, accepted)))
    finally:
        server.terminate()
        server.wait(10)
        for process in (worker, holder.get("w"), *more_workers):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(10)


if __name__ == "__main__":
    main()
