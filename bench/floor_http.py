"""How fast can this machine answer API requests at all? The floor under the intake
target of issue 10 (>= 300 intakes/s, p99 < 200 ms on 2 cores).

    .venv/bin/python bench/floor_http.py --seconds 15 --clients 16

Runs the load generator of `load_intake.py`, with the same gunicorn settings
(3 processes x 4 threads), against three targets in turn and prints each one's
throughput and latency:

1. a ten-line WSGI application without Django that reads the body and answers 201:
   what the load generator and gunicorn themselves cost on these 2 cores;
2. Qingdan's intake endpoint sent an empty body: the token is looked up, the rate
   limit counted, the JSON parsed and refused with 400, and nothing is written: what
   Django and DRF cost before an intake does any work;
3. one real intake each, as in `load_intake.py --intake-only`.

Uses the PostgreSQL database `qingdan_load` (created if missing). Asserts nothing.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_intake  # noqa: E402
from loadgen import gunicorn, run_load, wait_for  # noqa: E402

BARE_APP = """
def application(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    body = b'{"tracking_number": "QD-2026-000001"}'
    start_response("201 Created", [("Content-Type", "application/json"),
                                   ("Content-Length", str(len(body)))])
    return [body]
"""
BARE_PORT = 8103


def measure(base: str, make, clients: int, seconds: float, label: str) -> dict:
    run_load(base, make, clients=clients, seconds=min(3.0, seconds))  # warm-up
    return run_load(base, make, clients=clients, seconds=seconds).summary(label)


def bare(args) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "bare_app.py").write_text(BARE_APP)
        executable = Path(sys.executable).parent / "gunicorn"
        server = gunicorn(executable, "bare_app", BARE_PORT, args.workers, cwd=folder)
        try:
            wait_for(f"http://127.0.0.1:{BARE_PORT}/")
            body = {"title": "村口路灯不亮" * 5, "content": "村口路灯坏了一周。" * 50}
            headers = {"Content-Type": "application/json"}
            return measure(
                f"http://127.0.0.1:{BARE_PORT}",
                lambda client, number: ("POST", "/api/v1/cases/", body, headers),
                args.clients,
                args.seconds,
                "bare WSGI app (no Django)",
            )
        finally:
            server.terminate()
            server.wait(10)


def qingdan(args) -> list[dict]:
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DB_CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "qingdan.settings",
        # Without DEBUG, as production; the benchmark's data is thrown away.
        "SECRET_KEY": os.environ.get("SECRET_KEY", "qingdan-bench-only-key"),
        "QINGDAN_TRIAGE_STRICT": "0",
        "QINGDAN_API_RATE_USER": "1000000/min",
        # A refused request is logged as a warning; the floor should not count the log.
        "LOG_LEVEL": "ERROR",
    }
    token, villages = load_intake.prepare(env)
    server = load_intake.start_server(env, args.workers)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    base = f"http://127.0.0.1:{load_intake.PORT}"
    texts = load_intake.sample_texts()
    phones = int.from_bytes(os.urandom(4)) % 10**8

    def intake(client: int, number: int):
        village = villages[number % len(villages)]
        return load_intake.intake_request(
            texts, number, village=village, phones=phones, prefix="FLOOR", headers=headers
        )

    try:
        wait_for(f"{base}/portal/")
        return [
            measure(
                base,
                lambda client, number: ("POST", "/api/v1/cases/", {}, headers),
                args.clients,
                args.seconds,
                "Qingdan intake refused with 400 (auth, rate limit, parse; no write)",
            ),
            measure(base, intake, args.clients, args.seconds, "Qingdan intake (201)"),
        ]
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--database-url", default="postgres://root@127.0.0.1:5432/qingdan_load")
    args = parser.parse_args()
    for summary in [bare(args), *qingdan(args)]:
        print(json.dumps(summary, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
