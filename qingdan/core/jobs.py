"""Periodic jobs: declared by the app that owns the work, run by `qingdan worker`.

An app declares its jobs in a module `jobs.py` (a package `jobs/` when it has
several, one job a module): each a function that does one kind of periodic work
item by item, declared with `@job(name, order=..., counters=..., summary=...)`.
The worker (`qingdan.jobs`) imports every app's `jobs` module and runs the
registered jobs each pass, lowest `order` first; it names no app (after
healthchecks' small single-purpose commands).

A job
- checks `ctx.should_stop()` between its items, so that SIGTERM stops the worker
  after the item at hand;
- claims each item so that it happens once with several workers and after a kill
  (a unique row or a conditional UPDATE committed with the work);
- logs and skips a failing item with `ctx.failed(...)`; a job that raises is
  logged by the runner and the pass goes on with the next job;
- adds what it did to the pass report: `ctx.report.add("sent", 3)`.
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("qingdan.worker")


@dataclass(frozen=True)
class Job:
    name: str  # in logs and in the report's error items: "statistics rollup"
    order: int  # its place in a pass, lowest first
    run: "Callable[[JobContext], None]"
    # The report's counters it adds to (0 at the start of each pass).
    counters: tuple[str, ...] = ()
    # Its part of the pass summary: str.format over the report's counters.
    summary: str = ""
    # Also run between passes every so many seconds, or not (None); read at start.
    poll_seconds: Callable[[], float | None] | None = None
    # Called once when a long-running worker starts (not by a single pass, `--once`).
    on_start: Callable[[], object] | None = None


class PassReport:
    """What one pass did: the counters its jobs declared (read as attributes,
    `report.overdue`), the errors, and how long it took."""

    def __init__(self, jobs: Iterable[Job] = ()):
        self.jobs = tuple(jobs)
        self.counts: dict[str, float] = {name: 0 for job in self.jobs for name in job.counters}
        self.errors = 0
        self.error_items: list[str] = []
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        # Only for names that are not attributes: the counters.
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    def add(self, counter: str, amount: float = 1) -> None:
        self.counts[counter] = self.counts.get(counter, 0) + amount

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.counts,
            "errors": self.errors,
            "error_items": list(self.error_items),
            "seconds": self.seconds,
        }

    def summary(self) -> str:
        parts = [job.summary.format_map(self.counts) for job in self.jobs if job.summary]
        return "; ".join([*parts, f"{self.errors} errors", f"{self.seconds:.2f} s"])


@dataclass
class JobContext:
    """What a job is given for one run."""

    now: dt.datetime
    report: PassReport
    should_stop: Callable[[], bool]
    batch_size: int = 500
    # Called inside a claiming transaction, before the work: for tests and tracing.
    on_claimed: Callable[..., None] | None = None

    def each[T](self, items: Iterable[T], work: Callable[[T], object], *, label: str) -> None:
        """Work through `items` one at a time, each claimed and committed by `work`:
        stop when asked, log and skip a failing one (`label.format(item)` names it)."""
        for item in items:
            if self.should_stop():
                return
            try:
                work(item)
            except Exception:  # noqa: BLE001 - one bad item must not stop the others
                self.failed(label.format(item))

    def failed(self, what: str) -> None:
        """Log the exception being handled; the item is left for the next pass."""
        log.exception("worker: %s failed; skipped until the next pass", what)
        self.report.errors += 1
        self.report.error_items.append(what)


_registry: dict[str, Job] = {}


def register(job: Job) -> Job:
    """Declare a job (at import of the app's `jobs` module). Registering a job of
    the same name from the same module again replaces it; from another, refused."""
    existing = _registry.get(job.name)
    if existing is not None and existing.run.__module__ != job.run.__module__:
        raise ValueError(f"two jobs named {job.name!r}: {existing.run.__module__}, {job.run}")
    _registry[job.name] = job
    return job


def job(
    name: str,
    *,
    order: int,
    counters: tuple[str, ...] = (),
    summary: str = "",
    poll_seconds: Callable[[], float | None] | None = None,
    on_start: Callable[[], object] | None = None,
) -> "Callable[[Callable[[JobContext], None]], Callable[[JobContext], None]]":
    """Declare the decorated function a job: `@job("late notices", order=30, ...)`."""

    def declare(run: Callable[[JobContext], None]) -> Callable[[JobContext], None]:
        register(Job(name, order, run, counters, summary, poll_seconds, on_start))
        return run

    return declare


def registered() -> list[Job]:
    return sorted(_registry.values(), key=lambda job: (job.order, job.name))
