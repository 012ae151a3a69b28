"""Several of everything (issue 17): 2 app servers, 2 workers, PostgreSQL and Redis on
this machine, one app server and one worker SIGKILLed midway and restarted, then the
invariants checked.

    .venv/bin/python bench/cluster.py --seconds 30 --clients 16

What it does, in its own PostgreSQL database (--database-url, dropped and created
again) and its own Redis database (--redis-url, emptied):
1. migrates, loads the demo organisation (no cases), and registers --deadline-cases
   emergency hotline orders whose 2-hour limit falls due during the load, so that the
   workers warn, escalate and notify while the load runs;
2. starts 2 `qingdan serve` (two ports, --web-workers processes of 4 threads each) and
   2 `qingdan worker` (a pass every second, intake analyses queued for them), all on the
   shared Redis cache;
3. runs the intake load (an intake and an accept per case) for --seconds, the clients
   alternating between the two servers (a client whose server is down moves to the
   other); at the midpoint it SIGKILLs one server (its whole process group) and the
   worker that is inside a batch of notification sends (or worker 0 if none is within
   a quarter of the load), and starts them again;
4. sends bursts from 6 threads at once to both servers, each more than its limit
   allows: petitioner look-ups (QINGDAN_LOOKUPS_PER_MINUTE), anonymous API requests
   (QINGDAN_API_RATE_ANON), wrong passwords for one account
   (QINGDAN_LOGIN_FAILURES_PER_ACCOUNT); and to the citizen portal, one answered form
   8 times at once, and 8 answered forms from one phone (QINGDAN_PORTAL_CASES_PER_PHONE);
5. waits for the workers to drain the analysis queue, the deadlines and the outbox,
   then checks and prints each invariant PASS/FAIL with its figures:
   - every acknowledged case stored once, its registration and accept events once;
   - every deadline breach acted on once: each seeded order has its overdue alert, one
     timeline event per alert, one supervision notice per overdue alert, one
     escalation per escalated alert;
   - every notification sent at least once and at most once more per worker kill
     (counted in the file backend's lines);
   - the limits counted jointly by both servers: exactly the limit of look-ups stored,
     of API requests answered, of passwords checked; one portal case per answer, the
     phone's limit of cases;
   - the intake analysis queue empty, each stored case analysed.
Exits 1 when a check fails. `--json` prints the checks as one JSON object (the test
qingdan/jobs/tests/test_cluster.py runs a short version so). `--cache locmem` runs the
servers on per-process caches: the look-up check then fails, as it should.
"""

import argparse
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from cluster_bursts import api_burst, login_burst, lookup_burst, portal_bursts  # noqa: E402
from cluster_checks import (  # noqa: E402
    Check,
    check_analysis,
    check_api_rate,
    check_breaches,
    check_cases,
    check_logins,
    check_lookups,
    check_notifications,
    check_portal,
)
from loadgen import run_load, wait_for  # noqa: E402

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache"
# The emergency hotline order's limit (deadlines.seed): 2 hours from receipt.
EMERGENCY_LIMIT_SECONDS = 2 * 3600
TEXTS = [
    ("村口路灯不亮", "村口路灯坏了一周，晚上出行不便，请尽快维修。"),
    ("道路破损积水", "小区门口道路破损积水，老人孩子出行困难。"),
    ("装修噪音扰民", "邻居装修噪音扰民，晚上十点以后还在施工。"),
    ("垃圾清运不及时", "菜市场旁的垃圾三天没有清运，气味很大。"),
    ("自来水浑浊", "这两天家里自来水发黄浑浊，不敢饮用。"),
]


@dataclass
class Options:
    seconds: float = 30
    clients: int = 16
    web_workers: int = 2
    deadline_cases: int = 20
    notifications: int = 1000
    send_seconds: float = 0.02
    lookups_per_minute: int = 20
    api_anon_per_minute: int = 10
    login_failures: int = 5
    cases_per_phone: int = 3
    database_url: str = "postgres://root@127.0.0.1:5432/qingdan_cluster"
    redis_url: str = "redis://127.0.0.1:6379/13"
    ports: tuple[int, int] = (8111, 8112)
    cache: str = "redis"
    drain_limit: float = 300
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="qingdan-cluster-")))


def child_env(options: Options) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": options.database_url,
        "DJANGO_SETTINGS_MODULE": "qingdan.settings",
        # Without DEBUG, as production; the data is thrown away.
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "qingdan-bench-only-key"),
        "QINGDAN_DATA_DIR": str(options.folder),
        "CACHE_BACKEND": REDIS_CACHE if options.cache == "redis" else LOCMEM_CACHE,
        "CACHE_LOCATION": options.redis_url if options.cache == "redis" else "cluster",
        "QINGDAN_TRIAGE_AT_INTAKE": "worker",
        "QINGDAN_TRIAGE_STRICT": "0",
        # One system account sends the load; its per-user API limit is lifted.
        "QINGDAN_API_RATE_USER": "1000000/min",
        "QINGDAN_LOOKUPS_PER_MINUTE": str(options.lookups_per_minute),
        "QINGDAN_API_RATE_ANON": f"{options.api_anon_per_minute}/min",
        "QINGDAN_LOGIN_FAILURES_PER_ACCOUNT": str(options.login_failures),
        "QINGDAN_PORTAL_CASES_PER_PHONE": str(options.cases_per_phone),
        # Every portal submission here comes from 127.0.0.1: the per-address limit lifted.
        "QINGDAN_PORTAL_SUBMISSIONS_PER_ADDRESS": "100000",
        # The file backend, each send taking a while (bench/cluster_backend.py).
        "QINGDAN_NOTIFICATION_BACKENDS": "cluster_backend.SlowFileBackend",
        "QINGDAN_BENCH_SEND_SECONDS": str(options.send_seconds),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT / "bench"), os.environ.get("PYTHONPATH", "")])
        ),
        "QINGDAN_NOTIFICATION_FILE": str(options.folder / "notifications.log"),
        # A killed worker's claimed messages are sent again once their lease runs out:
        # seconds here rather than the 5 minutes of production, to drain quickly.
        "QINGDAN_NOTIFICATION_LEASE_SECONDS": "5",
        "QINGDAN_WORKER_INTERVAL": "1",
        "QINGDAN_WEB_WORKERS": str(options.web_workers),
        "QINGDAN_WEB_THREADS": "4",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


class Cluster:
    """The processes of one run, and what the run needs to check them."""

    def __init__(self, options: Options):
        self.options = options
        self.env = child_env(options)
        self.servers: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.retired: list[subprocess.Popen] = []
        self.kills = {"server": 0, "worker": 0}
        self.restart_seconds = 0.0  # until the restarted server answered
        self.killed_mid_send = False
        self.run = f"CL-{uuid.uuid4().hex[:6]}"

    # --- preparation (in this process, on the cluster's database) ---------------------

    def prepare(self) -> dict:
        recreate_database(self.options.database_url)
        if self.options.cache == "redis":
            import redis

            redis.Redis.from_url(self.options.redis_url).flushdb()
        os.environ.update(self.env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return seed(self.run, self.options)

    # --- processes ----------------------------------------------------------------------

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.options.folder / f"{name}.log", "ab")  # noqa: SIM115 - the child's
        # Its own session: a kill takes the whole process group (gunicorn's master and
        # its workers), as when the machine running it dies.
        return subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_server(self, index: int) -> subprocess.Popen:
        port = self.options.ports[index]
        command = [sys.executable, "-m", "qingdan.cli", "serve", "--bind", f"127.0.0.1:{port}"]
        return self._spawn(f"server{index}", command)

    def start_worker(self, index: int) -> subprocess.Popen:
        return self._spawn(f"worker{index}", [sys.executable, "-m", "qingdan.cli", "worker"])

    def start(self) -> None:
        self.servers = [self.start_server(i) for i in range(2)]
        self.workers = [self.start_worker(i) for i in range(2)]
        for url in self.urls:
            wait_for(f"{url}/portal/", timeout=120)

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.options.ports]

    def kill_and_restart(self) -> None:
        """SIGKILL server 0 and, among the workers, one that is sending notifications
        (waiting up to a quarter of the load for one to be), each with its children,
        then start them again."""
        server = self.servers[0]
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        self.retired.append(server)
        self.kills["server"] += 1
        self.servers[0] = self.start_server(0)

        index = self._worker_sending(self.options.seconds / 4)
        self.killed_mid_send = index is not None
        index = index or 0
        worker = self.workers[index]
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        self.retired.append(worker)
        self.kills["worker"] += 1
        self.workers[index] = self.start_worker(index)

        started = time.monotonic()
        wait_for(f"{self.urls[0]}/portal/", timeout=120)
        self.restart_seconds = round(time.monotonic() - started, 1)

    def _worker_sending(self, patience: float) -> int | None:
        """The index of a worker inside a batch of sends: it wrote a notification a
        moment ago and still holds claimed messages not recorded as sent (the ones a
        kill leaves to be sent again). None if no worker was within `patience` s."""
        from django.db import connection

        from qingdan.notifications.models import OutboxMessage

        log = self.options.folder / "notifications.log"
        pids = {worker.pid: index for index, worker in enumerate(self.workers)}
        end = time.monotonic() + patience
        try:
            while time.monotonic() < end:
                try:
                    with open(log, "rb") as stream:
                        stream.seek(max(0, log.stat().st_size - 200))
                        last = json.loads(stream.read().splitlines()[-1])
                except (OSError, ValueError, IndexError):
                    last = None
                if last and last["pid"] in pids and time.time() - last["at"] < 0.05:
                    claim = OutboxMessage.objects.filter(pk=last["id"]).values("claim")
                    held = OutboxMessage.objects.filter(status="pending", claim__in=claim)
                    if held.exclude(claim="").exists():
                        return pids[last["pid"]]
                time.sleep(0.003)
            return None
        finally:
            connection.close()

    def stop(self) -> None:
        for process in [*self.servers, *self.workers]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.servers, *self.workers]:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    host = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    user = ["-U", parts.username or "root"]
    subprocess.run(["dropdb", *host, *user, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *host, *user, name], check=True)


def seed(run: str, options: Options) -> dict:
    """The demo organisation, a token for the load, a session for the look-ups, and
    emergency hotline orders due during the load (the first a fifth into it, the last
    at four fifths; the servers take some seconds to start first)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from qingdan.cases.actions import register_case
    from qingdan.notifications.actions import enqueue
    from qingdan.orgs.demo import load_demo_organisation
    from qingdan.orgs.models import Jurisdiction, User

    load_demo_organisation()
    villages = list(Jurisdiction.objects.filter(level="village").order_by("code"))
    supervisor = User.objects.get(username="supervisor")
    token = Token.objects.get_or_create(user=supervisor)[0].key
    clerk = User.objects.get(username="ll_clerk")
    session = SessionStore()
    session[SESSION_KEY] = str(clerk.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = clerk.get_session_auth_hash()
    session.create()

    start = timezone.now() + dt.timedelta(seconds=15)
    count = options.deadline_cases
    orders = []
    for index in range(count):
        due = start + dt.timedelta(
            seconds=options.seconds * (0.2 + 0.6 * index / max(count - 1, 1))
        )
        case = register_case(
            supervisor,
            channel="phone",
            urgency="emergency",
            title=f"{run} DL{index} 燃气泄漏",
            content="小区燃气管道泄漏，气味很大，请立即处理。",
            jurisdiction=villages[index % len(villages)],
            petitioner=None,
            # At the village: the breach escalates it to the town.
            tier="village",
            registered_at=due - dt.timedelta(seconds=EMERGENCY_LIMIT_SECONDS),
        )
        orders.append({"pk": case.pk, "due_at": case.due_at.isoformat() if case.due_at else None})
    # Notifications that come due during the load (as retries do), so that the outbox
    # is busy when a worker is killed: spread over the load, to the staff in turn.
    staff = list(User.objects.filter(is_active=True).order_by("pk"))
    for index in range(options.notifications):
        when = start + dt.timedelta(seconds=options.seconds * index / max(options.notifications, 1))
        enqueue(
            [staff[index % len(staff)]],
            subject=f"{run} N{index} 督办提醒",
            body="请及时办理。",
            kind="cluster",
            now=when,
        )
    return {
        "token": token,
        "villages": [v.code for v in villages],
        "place": villages[0].pk,
        "session": session.session_key,
        "clerk": clerk.pk,
        "orders": orders,
    }


# --- the load --------------------------------------------------------------------------


def run_intake_load(cluster: Cluster, seeded: dict) -> dict:
    options = cluster.options
    headers = {"Authorization": f"Token {seeded['token']}", "Content-Type": "application/json"}
    phones = random.randrange(10**8)
    acknowledged: list[str] = []

    def intake(client: int, number: int):
        title, content = TEXTS[number % len(TEXTS)]
        body = {
            "channel": "phone",
            # The request's own number in the title: a request stored twice shows.
            "title": f"{cluster.run} R{number} {title}",
            "content": content,
            "jurisdiction": random.choice(seeded["villages"]),
            "petitioner": {"name": "张三", "phone": f"139{(phones + number) % 10**8:08d}"},
        }
        return ("POST", "/api/v1/cases/", body, headers)

    def follow(status: int, data: dict):
        if status != 201:
            return None
        acknowledged.append(data["tracking_number"])
        path = f"/api/v1/cases/{data['tracking_number']}/accept/"
        return ("POST", path, {}, {**headers, "If-Match": '"1"'})

    def killer():
        time.sleep(options.seconds / 2)
        cluster.kill_and_restart()

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    result = run_load(
        cluster.urls, intake, clients=options.clients, seconds=options.seconds, on_response=follow
    )
    thread.join()
    accepted = [
        item["data"]["tracking_number"]
        for item in result.bodies
        if item["path"].endswith("/accept/") and item["status"] == 200
    ]
    intakes = [b for b in result.bodies if b["path"] == "/api/v1/cases/"]
    summary = result.summary("cluster")
    summary["intakes"] = len(intakes)
    summary["intakes_per_s"] = round(len(intakes) / result.elapsed, 1) if result.elapsed else 0
    summary["connection_errors"] = len(result.errors)
    return {"summary": summary, "acknowledged": acknowledged, "accepted": accepted}


# --- draining -------------------------------------------------------------------------


def drain(cluster: Cluster, seeded: dict, load_end: float) -> float:
    """Seconds from the end of the load until the analysis queue is empty, every seeded
    order is past its limit with its overdue alert raised, and no notification is left
    to send (the bursts are sent meanwhile)."""
    from django.db import close_old_connections
    from django.utils import timezone

    from qingdan.deadlines.models import DeadlineAlert
    from qingdan.notifications.models import OutboxMessage
    from qingdan.triage.models import PendingAnalysis

    started = time.monotonic()
    orders = [o["pk"] for o in seeded["orders"]]
    dues = [dt.datetime.fromisoformat(o["due_at"]) for o in seeded["orders"] if o["due_at"]]
    last_due = max(dues, default=None)
    while time.monotonic() - started < cluster.options.drain_limit:
        close_old_connections()
        pending = PendingAnalysis.objects.filter(case__title__startswith=cluster.run).count()
        unsent = OutboxMessage.objects.filter(status="pending").count()
        overdue = (
            DeadlineAlert.objects.filter(case_id__in=orders, level="overdue")
            .values("case_id")
            .distinct()
            .count()
        )
        past = last_due is None or timezone.now() > last_due
        if not pending and not unsent and overdue == len(orders) and past:
            break
        time.sleep(1)
    drained = round(time.monotonic() - load_end, 1)
    # One more worker pass after the last change: nothing new should follow.
    time.sleep(2)
    return drained


def run_cluster(options: Options) -> tuple[dict, list[Check]]:
    cluster = Cluster(options)
    seeded = cluster.prepare()
    try:
        cluster.start()
        load = run_intake_load(cluster, seeded)
        load_end = time.monotonic()
        lookups = lookup_burst(cluster, seeded)
        anonymous = api_burst(cluster)
        logins = login_burst(cluster)
        portal = portal_bursts(cluster, seeded)
        drained = drain(cluster, seeded, load_end)
    finally:
        cluster.stop()
    checks = [
        *check_cases(cluster.run, load["acknowledged"], load["accepted"]),
        check_breaches(seeded),
        check_notifications(cluster),
        check_lookups(cluster, seeded, lookups),
        check_api_rate(cluster, anonymous),
        check_logins(cluster, logins),
        check_portal(cluster, portal),
        check_analysis(cluster.run, drained),
    ]
    figures = {
        **load["summary"],
        "kills": cluster.kills,
        "worker killed while sending": cluster.killed_mid_send,
        "server back after (s)": cluster.restart_seconds,
        "logs": str(options.folder),
    }
    return figures, checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    defaults = Options()
    parser.add_argument("--seconds", type=float, default=defaults.seconds)
    parser.add_argument("--clients", type=int, default=defaults.clients)
    parser.add_argument(
        "--web-workers", type=int, default=defaults.web_workers, help="processes per server"
    )
    parser.add_argument("--deadline-cases", type=int, default=defaults.deadline_cases)
    parser.add_argument("--notifications", type=int, default=defaults.notifications)
    parser.add_argument(
        "--send-seconds", type=float, default=defaults.send_seconds, help="per notification"
    )
    parser.add_argument("--lookups-per-minute", type=int, default=defaults.lookups_per_minute)
    parser.add_argument("--api-anon-per-minute", type=int, default=defaults.api_anon_per_minute)
    parser.add_argument("--database-url", default=defaults.database_url)
    parser.add_argument("--redis-url", default=defaults.redis_url)
    parser.add_argument("--ports", type=int, nargs=2, default=list(defaults.ports))
    parser.add_argument("--cache", choices=["redis", "locmem"], default=defaults.cache)
    parser.add_argument("--json", action="store_true", help="the checks as one JSON object")
    args = parser.parse_args()
    options = Options(
        seconds=args.seconds,
        clients=args.clients,
        web_workers=args.web_workers,
        deadline_cases=args.deadline_cases,
        notifications=args.notifications,
        send_seconds=args.send_seconds,
        lookups_per_minute=args.lookups_per_minute,
        api_anon_per_minute=args.api_anon_per_minute,
        database_url=args.database_url,
        redis_url=args.redis_url,
        ports=tuple(args.ports),
        cache=args.cache,
    )
    figures, checks = run_cluster(options)
    if args.json:
        print(
            json.dumps(
                {"load": figures, "checks": [c.__dict__ for c in checks]},
                ensure_ascii=False,
                default=str,
            )
        )
    else:
        print(json.dumps(figures, ensure_ascii=False))
        for check in checks:
            print(check.line())
    sys.exit(0 if all(c.passed for c in checks) else 1)


if __name__ == "__main__":
    main()
