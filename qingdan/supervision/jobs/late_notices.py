"""Late notices: open supervision notices whose reply is overdue are flagged, once."""

from qingdan.core.jobs import JobContext, job

from ..actions import flag_overdue_notice
from ..choices import NoticeState
from ..models import SupervisionNotice


@job("late notices", order=30, counters=("late_notices",), summary="{late_notices} late notices")
def flag_late_notices(ctx: JobContext) -> None:
    late = SupervisionNotice.objects.filter(
        state=NoticeState.OPEN, due_at__lt=ctx.now, overdue_at__isnull=True
    ).values_list("pk", flat=True)

    def flag(pk: int) -> None:
        ctx.report.add("late_notices", flag_overdue_notice(pk, ctx.now))

    ctx.each(list(late), flag, label="notice id {}")
