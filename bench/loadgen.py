"""A bounded HTTP load generator shared by the load benchmarks.

Threads with keep-alive connections send requests built by a callable for a fixed
time, and record status, latency and the response body of each. Loopback only.
"""

import http.client
import json
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

Request = tuple[str, str, dict | None, dict]  # method, path, json body, headers


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    bodies: list[dict] = field(default_factory=list)
    elapsed: float = 0.0

    def summary(self, label: str) -> dict:
        ok = len(self.latencies)
        quantiles = statistics.quantiles(self.latencies, n=100) if ok >= 2 else [0.0] * 99
        return {
            "target": label,
            "requests": ok,
            "throughput_per_s": round(ok / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": round(quantiles[49] * 1000, 1),
            "p99_ms": round(quantiles[98] * 1000, 1),
            "statuses": self.statuses,
            "errors": len(self.errors),
        }


def run_load(
    base_url: str | list[str],
    make_request: Callable[[int, int], Request],
    *,
    clients: int,
    seconds: float,
    on_response: Callable[[int, dict], Request | None] | None = None,
    max_requests: int = 1_000_000,
) -> Result:
    """Each client thread loops: build a request, send it, optionally send the
    follow-up request that `on_response` derives from the answer.

    With several base URLs (several app servers) client i starts on server i modulo
    their number and, when a request fails on the connection (the server is down),
    moves to the next one, as a load balancer would."""
    targets = [urlsplit(url) for url in ([base_url] if isinstance(base_url, str) else base_url)]
    for parts in targets:
        assert parts.hostname in {"127.0.0.1", "localhost", "::1"}, "loopback targets only"
    result = Result()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(max_requests))

    def send(conn, request: Request):
        method, path, body, headers = request
        payload = json.dumps(body).encode() if body is not None else None
        started = time.perf_counter()
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        latency = time.perf_counter() - started
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"raw": raw[:200].decode(errors="replace")}
        with lock:
            result.latencies.append(latency)
            result.statuses[response.status] = result.statuses.get(response.status, 0) + 1
            result.bodies.append({"status": response.status, "path": path, "data": data})
        return response.status, data

    def connect(target: int) -> http.client.HTTPConnection:
        parts = targets[target % len(targets)]
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def client(index: int):
        target = index
        conn = connect(target)
        while time.monotonic() < deadline:
            try:
                with lock:
                    number = next(counter)
            except StopIteration:
                return
            try:
                status, data = send(conn, make_request(index, number))
                follow = on_response(status, data) if on_response else None
                if follow is not None:
                    send(conn, follow)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    result.errors.append(repr(exc))
                conn.close()
                target += 1  # fail over to the next server, if there is another
                conn = connect(target)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    result.elapsed = time.monotonic() - started
    return result


def wait_for(url: str, timeout: float = 60.0) -> None:
    parts = urlsplit(url)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
            conn.request("GET", parts.path or "/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database a bench names if this machine lacks it."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    host = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    user = ["-U", parts.username or "root"]
    found = subprocess.run(
        [
            "psql",
            *host,
            *user,
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not found:
        subprocess.run(["createdb", *host, *user, name], check=True)


def gunicorn(
    executable, app: str, port: int, workers: int = 3, threads: int = 4, **popen
) -> subprocess.Popen:
    """The server every load bench measures: `workers` processes × `threads` threads."""
    command = [str(executable), app, "-b", f"127.0.0.1:{port}", "-w", str(workers)]
    command += ["--worker-class", "gthread", "--threads", str(threads), "--log-level", "warning"]
    return subprocess.Popen(command, **popen)


TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields after the command name


def process_tree(root: int) -> list[int]:
    """`root` and its descendants (gunicorn's master and its workers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, frontier = [root], [root]
    while frontier:
        frontier = [child for pid in frontier for child in parents.get(pid, [])]
        found.extend(frontier)
    return found


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to `database`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if command.startswith("postgres: ") and f" {database} " in command:
            found.append(int(entry.name))
    return found


def cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds each process has used so far (Linux /proc)."""
    found = {}
    for pid in pids:
        if fields := _stat(pid):
            found[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return found


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two `cpu_seconds` snapshots (a process that started
    in between counts from zero)."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())
