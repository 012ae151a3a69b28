"""The intake-analysis job: run the analyses registration queued (always with
QINGDAN_TRIAGE_AT_INTAKE=worker; the bulk import's in either mode), first in a pass
and, in worker mode, also between passes every QINGDAN_TRIAGE_POLL_SECONDS, so that
a clerk sees the warnings moments after registering."""

from django.conf import settings

from qingdan.core.jobs import JobContext, job

from .analysis import analyse_pending
from .warmup import start_warming


def poll_seconds() -> float | None:
    if settings.QINGDAN_TRIAGE_AT_INTAKE == "worker":
        return settings.QINGDAN_TRIAGE_POLL_SECONDS
    return None


@job(
    "intake analysis",
    order=10,  # first: a clerk waits for its warnings
    counters=("analysed",),
    summary="{analysed} intake analyses",
    poll_seconds=poll_seconds,
    # The group-risk scan compares with per-process cached vectors: fill them in the
    # background after a restart, so the first analysis per town does not pay for it.
    on_start=start_warming,
)
def analyse_queued(ctx: JobContext) -> None:
    ctx.report.add("analysed", analyse_pending(should_stop=ctx.should_stop))
