"""The statistics job: bring the monthly rollup up to date with the timeline, last in a
pass (after the deadline work), so that no reader of a statistics page waits for it.
Its first build (minutes at ten million cases) is done here too, rather than in the
request of the first person to open a statistics page."""

import logging
import time

from qingdan.core.jobs import JobContext, job

from . import rollup
from .models import RollupState

log = logging.getLogger("qingdan.worker")


@job(
    "statistics rollup",
    order=90,  # last in a pass
    counters=("statistics_seconds",),
    summary="statistics {statistics_seconds:.2f} s",
)
def refresh_rollup(ctx: JobContext) -> None:
    started = time.monotonic()
    try:
        first = not RollupState.objects.filter(pk=1, as_of__isnull=False).exists()
        rollup.refresh(ctx.now)
        if first:
            log.info("worker: statistics rollup built in %.1f s", time.monotonic() - started)
    finally:
        ctx.report.add("statistics_seconds", time.monotonic() - started)
