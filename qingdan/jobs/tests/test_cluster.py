"""Issue 17: several of everything. A short run of bench/cluster.py: 2 app servers and
2 workers on PostgreSQL and a shared Redis cache, one server and one worker SIGKILLed
midway and started again; every invariant it checks must hold (acknowledged cases and
events once, deadline breaches acted on once, notifications sent at least once and at
most once more per kill, look-ups, API rates, login failures and portal submissions
limited across both servers, the analysis queue drained). The run has its own database
(this suite's name + `_cluster`, dropped and created again) and its own Redis database
(14, emptied)."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = "redis://127.0.0.1:6379/14"


def redis_problem() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as exc:
        return str(exc)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cluster_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}_cluster"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the cluster run needs PostgreSQL (DATABASE_URL=postgres://…): several servers "
    "and workers on one database, as in production; SQLite is one file for one machine",
)
def test_cluster_keeps_its_invariants_through_a_kill():
    problem = redis_problem()
    if problem is not None:
        pytest.skip(
            f"Redis is not reachable at {REDIS_URL} ({problem}): the cluster shares its "
            "limits there; start it with `redis-server --daemonize yes --bind 127.0.0.1 "
            "--port 6379` (.ci/run does)"
        )
    command = [
        sys.executable,
        str(ROOT / "bench" / "cluster.py"),
        "--json",
        "--seconds",
        "8",
        "--clients",
        "4",
        "--web-workers",
        "1",
        "--deadline-cases",
        "3",
        "--notifications",
        "200",
        "--lookups-per-minute",
        "8",
        "--database-url",
        cluster_database_url(),
        "--redis-url",
        REDIS_URL,
        "--ports",
        str(free_port()),
        str(free_port()),
    ]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    lines = run.stdout.strip().splitlines()
    assert lines, f"no output; exit {run.returncode}\n{run.stderr[-3000:]}"
    report = json.loads(lines[-1])
    failed = [check for check in report["checks"] if not check["passed"]]
    assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)
    assert run.returncode == 0, run.stderr[-3000:]
    # The run did what it is there for: load on both servers, a kill of each kind.
    assert report["load"]["kills"] == {"server": 1, "worker": 1}
    assert report["load"]["statuses"].get("201", 0) > 0
    assert {check["name"].split(":")[0] for check in report["checks"]} == {
        "cases",
        "events",
        "deadline breaches",
        "notifications",
        "rate limit",
        "portal limits",
        "analysis queue drained, every case analysed",
    }
