"""`qingdan serve`: the production app server, gunicorn running `qingdan.wsgi`.

Threaded workers (gthread): a request mostly waits on PostgreSQL, so a few processes
of a few threads each use the cores; on this project's 2-core machine 3 processes x 4
threads did best in bench/load_intake.py (2 or 4 processes did no better), hence
processes = CPUs + 1 and 4 threads by default. Each thread keeps its database
connection open between requests (DB_CONN_MAX_AGE, checked before reuse with
DB_CONN_HEALTH_CHECKS), so PostgreSQL sees processes x threads connections per server.
The command replaces itself with gunicorn (exec), so systemd's signals reach gunicorn's
master directly: SIGTERM stops gracefully, SIGHUP reloads the workers.
"""

import argparse
import os
import shlex
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from gunicorn.config import KNOWN_SETTINGS

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_THREADS = 4
DEFAULT_TIMEOUT = 60
# Persistent connections when the environment does not say otherwise (seconds).
DEFAULT_CONN_MAX_AGE = "600"
GUNICORN_OPTIONS = {flag for setting in KNOWN_SETTINGS for flag in setting.cli or ()}


def cpu_count() -> int:
    """CPUs this process may use: its affinity mask, capped by a cgroup v2 quota (a
    container limited to 2 CPUs on a 64-core host should not start 65 processes)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            available = min(available, max(1, int(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, available)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"{name} must be a whole number, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Run the production app server (gunicorn with qingdan.wsgi), processes and threads "
        "from the CPU count; extra gunicorn options after `--`."
    )

    def add_arguments(self, parser):
        binds = os.environ.get("QINGDAN_BIND", DEFAULT_BIND)
        parser.add_argument(
            "--bind",
            action="append",
            help="HOST:PORT or unix:PATH to listen on; repeatable "
            f"(default: QINGDAN_BIND, comma-separated, or {DEFAULT_BIND}; now {binds})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=_env_int("QINGDAN_WEB_WORKERS", cpu_count() + 1),
            help="worker processes (QINGDAN_WEB_WORKERS; default CPUs + 1 = %(default)s)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=_env_int("QINGDAN_WEB_THREADS", DEFAULT_THREADS),
            help="threads per process (QINGDAN_WEB_THREADS; default %(default)s)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=_env_int("QINGDAN_WEB_TIMEOUT", DEFAULT_TIMEOUT),
            help="seconds before a stuck worker is restarted (QINGDAN_WEB_TIMEOUT; "
            "default %(default)s: the bulletin PDF and large exports take a while)",
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=_env_int("QINGDAN_WEB_MAX_REQUESTS", 0),
            help="restart a process after this many requests, with 10%% jitter "
            "(QINGDAN_WEB_MAX_REQUESTS; default 0: never; a restart empties its caches)",
        )
        parser.add_argument(
            "--access-log",
            default=os.environ.get("QINGDAN_WEB_ACCESS_LOG", ""),
            help="file for gunicorn's access log, '-' for stdout (QINGDAN_WEB_ACCESS_LOG; "
            "default none: nginx logs the requests)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print the gunicorn command and stop"
        )
        parser.add_argument("gunicorn_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        binds = options["bind"] or [
            item.strip()
            for item in os.environ.get("QINGDAN_BIND", DEFAULT_BIND).split(",")
            if item.strip()
        ]
        for name in ("workers", "threads", "timeout"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if options["max_requests"] < 0:
            raise CommandError("--max-requests must be 0 (never) or more.")
        command = [sys.executable, "-m", "gunicorn", "qingdan.wsgi:application"]
        for bind in binds:
            command += ["--bind", bind]
        command += [
            "--worker-class",
            "gthread",
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--timeout",
            str(options["timeout"]),
            "--graceful-timeout",
            "30",
            # Longer than nginx keeps an idle upstream connection (60 s), so nginx never
            # sends a request on a connection gunicorn is closing.
            "--keep-alive",
            "75",
            "--error-logfile",
            "-",
        ]
        if "--no-control-socket" in GUNICORN_OPTIONS:
            # gunicorn 24+ opens a control socket in $HOME: two servers on one host
            # would share it, and a hardened unit may not write there.
            command.append("--no-control-socket")
        if Path("/dev/shm").is_dir():
            command += ["--worker-tmp-dir", "/dev/shm"]  # heartbeats off the disk
        if options["max_requests"]:
            jitter = max(1, options["max_requests"] // 10)
            command += [
                "--max-requests",
                str(options["max_requests"]),
                "--max-requests-jitter",
                str(jitter),
            ]
        if options["access_log"]:
            command += ["--access-logfile", options["access_log"]]
        extra = options["gunicorn_args"]
        command += extra[1:] if extra[:1] == ["--"] else extra

        environment = dict(os.environ)
        environment.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
        environment.setdefault("DB_CONN_MAX_AGE", DEFAULT_CONN_MAX_AGE)
        environment.setdefault("DB_CONN_HEALTH_CHECKS", "true")
        database = settings.DATABASES["default"]
        if options["dry_run"] or options["verbosity"] >= 2:
            self.stdout.write(shlex.join(command))
        if options["dry_run"]:
            self.stdout.write(
                f"DB_CONN_MAX_AGE={environment['DB_CONN_MAX_AGE']} "
                f"DB_CONN_HEALTH_CHECKS={environment['DB_CONN_HEALTH_CHECKS']} "
                f"database={database['ENGINE'].rsplit('.', 1)[-1]}"
            )
            return
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, command, environment)
