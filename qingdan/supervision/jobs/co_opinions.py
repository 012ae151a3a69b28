"""Late co-handling opinions: the units asked for one, and the lead unit, told once."""

from qingdan.core.jobs import JobContext, job

from ..actions import chase_co_opinion, late_co_opinions


@job(
    "co-handling opinions",
    order=35,
    counters=("co_opinions",),
    summary="{co_opinions} late co-handling opinions",
)
def chase_co_opinions(ctx: JobContext) -> None:
    def chase(co_handling) -> None:
        ctx.report.add("co_opinions", chase_co_opinion(co_handling, ctx.now))

    ctx.each(list(late_co_opinions(ctx.now)[: ctx.batch_size]), chase, label="co-handling {}")
