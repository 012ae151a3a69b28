"""The outbox job: send the queued notifications, retrying failures with back-off."""

from qingdan.core.jobs import JobContext, job

from .actions import deliver_due


@job(
    "notifications",
    order=50,
    counters=("sent", "retried", "failed"),
    summary="notifications {sent} sent, {retried} to retry, {failed} failed",
)
def deliver_outbox(ctx: JobContext) -> None:
    # Batch after batch until nothing is due: a busy pass may queue thousands.
    while not ctx.should_stop():
        delivery = deliver_due(should_stop=ctx.should_stop)
        ctx.report.add("sent", delivery.sent)
        ctx.report.add("retried", delivery.retried)
        ctx.report.add("failed", delivery.failed)
        if not (delivery.sent or delivery.retried or delivery.failed):
            return
