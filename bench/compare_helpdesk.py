"""Side by side: the same intake load against django-helpdesk (from PyPI, its REST API
creating tickets) and against Qingdan's API, on this machine and PostgreSQL.

    .venv/bin/python bench/compare_helpdesk.py --seconds 20 --clients 12
    .venv/bin/python bench/compare_helpdesk.py --seconds 60 --clients 16 \
        --triage worker --analysis-workers 2     # issue 17, in one run

Creates bench/.venv-helpdesk (django-helpdesk, gunicorn, psycopg) on first use and a
database `helpdesk_bench`; prints both results and the throughput ratio.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from loadgen import gunicorn, run_load, wait_for  # noqa: E402

VENV = HERE / ".venv-helpdesk"
SITE = HERE / "helpdesk_site"
PORT = 8102


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "django-helpdesk",
                "pinax-teams",
                "gunicorn",
                "psycopg[binary]",
            ],
            check=True,
        )
    return python


def helpdesk(seconds: float, clients: int) -> dict:
    python = ensure_venv()
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "root",
            "-d",
            "postgres",
            "-qc",
            "DROP DATABASE IF EXISTS helpdesk_bench",
            "-c",
            "CREATE DATABASE helpdesk_bench",
        ],
        check=True,
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "settings", "PYTHONPATH": str(SITE)}
    subprocess.run([str(python), "-m", "django", "migrate", "-v0"], env=env, cwd=SITE, check=True)
    token, queue = subprocess.run(
        [str(python), "setup_site.py"],
        env=env,
        cwd=SITE,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    server = gunicorn(VENV / "bin" / "gunicorn", "wsgi", PORT, env=env, cwd=SITE)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    try:
        wait_for(f"http://127.0.0.1:{PORT}/api/tickets/")

        def ticket(client: int, number: int):
            body = {
                "queue": int(queue),
                "title": f"路灯不亮 {number}",
                "description": "村口路灯坏了一周，晚上出行不便。",
                "submitter_email": f"p{number}@example.org",
                "priority": 3,
            }
            return ("POST", "/api/tickets/", body, headers)

        return run_load(
            f"http://127.0.0.1:{PORT}", ticket, clients=clients, seconds=seconds
        ).summary("django-helpdesk")
    finally:
        server.terminate()
        server.wait(10)


def qingdan(seconds: float, clients: int, triage: str, workers: int, nice: int) -> dict:
    """load_intake.py's figures: the load, then (analysis by the workers) the drain,
    then the check that nothing was lost or doubled, in one dict."""
    output = subprocess.run(
        [
            sys.executable,
            str(HERE / "load_intake.py"),
            "--seconds",
            str(seconds),
            "--clients",
            str(clients),
            "--intake-only",
            "--triage",
            triage,
            "--analysis-workers",
            str(workers),
            "--worker-nice",
            str(nice),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found: dict = {}
    for line in output.splitlines():
        if line.startswith("{"):
            found.update(json.loads(line))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--triage", choices=["inline", "worker"], default="inline")
    parser.add_argument("--analysis-workers", type=int, default=1)
    parser.add_argument("--worker-nice", type=int, default=0, help="the workers under nice -n N")
    args = parser.parse_args()
    theirs = helpdesk(args.seconds, args.clients)
    ours = qingdan(args.seconds, args.clients, args.triage, args.analysis_workers, args.worker_nice)
    print(json.dumps(theirs, ensure_ascii=False))
    print(json.dumps(ours, ensure_ascii=False))
    ratio = (
        ours["throughput_per_s"] / theirs["throughput_per_s"]
        if theirs["throughput_per_s"]
        else float("nan")
    )
    print(f"qingdan / django-helpdesk intake throughput: {ratio:.2f}")


if __name__ == "__main__":
    main()
