"""Meeting tasks: open joint-meeting decisions turn yellow when their warning comes
and red when their limit passes (each change once)."""

from qingdan.cases.choices import DeadlineStatus
from qingdan.core.jobs import JobContext, job

from ..actions import chase_decision
from ..choices import DecisionState
from ..models import MeetingDecision


@job("meeting tasks", order=40, counters=("decisions",), summary="{decisions} tasks chased")
def chase_meeting_tasks(ctx: JobContext) -> None:
    due = (
        MeetingDecision.objects.filter(state=DecisionState.OPEN, warn_at__lte=ctx.now)
        .exclude(deadline_status=DeadlineStatus.OVERDUE)
        .values_list("pk", flat=True)
    )

    def chase(pk: int) -> None:
        ctx.report.add("decisions", chase_decision(pk, ctx.now) is not None)

    ctx.each(list(due), chase, label="decision id {}")
