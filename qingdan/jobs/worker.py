"""The worker: a pass runs every registered job once, lowest `order` first.

The jobs are the apps' (`<app>/jobs.py` or `<app>/jobs/<job>.py`, see
`qingdan.core.jobs`): today the intake analyses queued by registration (order 10),
the deadline breaches (20), late supervision notices (30), late co-handling opinions
(35), joint-meeting tasks (40), written answers not yet served (45), the outbox (50)
and, last, the statistics rollup (90). Between passes the worker runs the jobs that ask to
be polled (the intake analyses with QINGDAN_TRIAGE_AT_INTAKE=worker).

Safe with several workers and safe to kill: each job claims its items (a unique row
or a conditional UPDATE, SKIP LOCKED on PostgreSQL) in the transaction that does
the work. A failing item is logged and skipped by its job; a failing job is logged
and the pass goes on with the next. `request_stop()` (SIGTERM) lets the item at hand
finish, then the jobs return.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from qingdan.core import cache
from qingdan.core.jobs import Job, JobContext, PassReport, registered

log = logging.getLogger("qingdan.worker")


def discover() -> list[Job]:
    """Import every installed app's `jobs` module; the jobs they registered, in order."""
    autodiscover_modules("jobs")
    return registered()


class Worker:
    def __init__(
        self,
        *,
        batch_size: int | None = None,
        on_claimed: Callable | None = None,
        jobs: Iterable[Job] | None = None,
    ):
        self.batch_size = batch_size or settings.QINGDAN_WORKER_BATCH
        # Called inside the claiming transaction, before the work: for tests and tracing.
        self.on_claimed = on_claimed
        self.jobs = list(jobs) if jobs is not None else discover()
        self._stop = threading.Event()

    # --- control -----------------------------------------------------------------

    def request_stop(self) -> None:
        """Finish the item at hand, then return (SIGTERM)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self, interval: float, on_pass: Callable[[PassReport], None] | None = None) -> None:
        for job in self.jobs:
            if job.on_start is not None:
                job.on_start()
        polled: list[tuple[Job, float]] = []
        for job in self.jobs:
            seconds = job.poll_seconds() if job.poll_seconds else None
            if seconds is not None:
                polled.append((job, seconds))
        poll = min([interval, *(seconds for _job, seconds in polled)])
        next_pass = 0.0
        while not self.stopping:
            close_old_connections()
            if time.monotonic() >= next_pass:
                next_pass = time.monotonic() + interval
                try:
                    report = self.run_once()
                except Exception:  # noqa: BLE001 - the database may be away; try again later
                    log.exception("worker pass failed")
                else:
                    if on_pass is not None:
                        on_pass(report)
            elif polled:
                jobs = [job for job, _seconds in polled]
                self._run_jobs(jobs, PassReport(jobs), timezone.now())
            self._stop.wait(max(min(poll, next_pass - time.monotonic()), 0.0))

    def run_once(self, now=None) -> PassReport:
        started = time.monotonic()
        # Administrators may have edited the calendar or the policies since the last pass.
        cache.clear_all()
        report = PassReport(self.jobs)
        self._run_jobs(self.jobs, report, now or timezone.now())
        report.seconds = time.monotonic() - started
        return report

    # --- the jobs ----------------------------------------------------------------

    def _run_jobs(self, jobs: list[Job], report: PassReport, now) -> None:
        context = JobContext(
            now=now,
            report=report,
            should_stop=lambda: self.stopping,
            batch_size=self.batch_size,
            on_claimed=self.on_claimed,
        )
        for job in jobs:
            try:
                job.run(context)
            except Exception:  # noqa: BLE001 - the other jobs go on; retried next pass
                context.failed(job.name)
