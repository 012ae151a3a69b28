"""Deadline breaches: the cases whose next deadline check has come.

Reads them through the `Case.next_check_at` index (the cost follows the number of due
cases, not the size of the table), hands each with an alert or status change due to
`act_on_deadlines` in its own transaction, and moves the check of the others to their
next warning or limit, so that a backlog of warned or overdue cases is not read again
every pass.
"""

import datetime as dt

from qingdan.cases.choices import OPEN_STATES
from qingdan.cases.models import Case
from qingdan.core.errors import ActionError
from qingdan.core.jobs import JobContext, job
from qingdan.deadlines.choices import AlertLevel
from qingdan.deadlines.models import DeadlineAlert
from qingdan.deadlines.services import Clock, next_check_after, pending_clocks, status_at

from ..actions.breaches import act_on_deadlines


@job(
    "deadline breaches",
    order=20,
    counters=("candidates", "acted", "warnings", "overdue", "escalated"),
    summary=(
        "due cases read {candidates}, acted on {acted}: "
        "{warnings} warnings, {overdue} overdue, {escalated} escalated"
    ),
)
def chase_cases(ctx: JobContext) -> None:
    # Earliest check first, in the order of the next_check_at index.
    now = ctx.now
    due = Case.objects.filter(next_check_at__lte=now).order_by("next_check_at")
    due_ids = list(due.values_list("pk", flat=True))
    ctx.report.add("candidates", len(due_ids))
    for start in range(0, len(due_ids), ctx.batch_size):
        if ctx.should_stop():
            return
        chunk = due_ids[start : start + ctx.batch_size]
        cases = Case.objects.filter(pk__in=chunk).prefetch_related("clock_pauses")
        raised = set(
            DeadlineAlert.objects.filter(case_id__in=chunk).values_list(
                "case_id", "stage", "level", "due_at"
            )
        )
        for case in cases:
            if ctx.should_stop():
                return
            clocks = _clocks(ctx, case)
            if clocks is None:
                continue
            if _needs_action(case, clocks, now, raised):
                _act(ctx, case)
            else:
                _move_check(case, clocks, now)


def _clocks(ctx: JobContext, case: Case) -> list[Clock] | None:
    if case.state not in OPEN_STATES:
        return []
    try:
        return pending_clocks(case, ctx.now)
    except ActionError:
        # Left where it is: tried again next pass, and reported each time.
        ctx.failed(f"case {case.tracking_number}")
        return None


def _needs_action(case: Case, clocks: list[Clock], now: dt.datetime, raised: set) -> bool:
    if case.state not in OPEN_STATES:
        return False
    if status_at(case.due_at, case.warn_at, now) != case.deadline_status:
        return True
    for clock in clocks:
        if clock.due_at is None or clock.warn_at is None or clock.warn_at > now:
            continue  # paused, or not yet in the warning window
        level = AlertLevel.OVERDUE if now > clock.due_at else AlertLevel.WARNING
        if (case.pk, clock.stage, level, clock.due_at) not in raised:
            return True
    return False


def _move_check(case: Case, clocks: list[Clock], now: dt.datetime) -> None:
    # Only if the case is still as read: a transition meanwhile set its own check.
    Case.objects.filter(pk=case.pk, version=case.version, next_check_at=case.next_check_at).update(
        next_check_at=next_check_after(case, clocks, now)
    )


def _act(ctx: JobContext, case: Case) -> None:
    try:
        alerts = act_on_deadlines(case.pk, ctx.now, on_claimed=ctx.on_claimed)
    except Exception:  # noqa: BLE001 - one bad case must not stop the others
        ctx.failed(f"case {case.tracking_number}")
        return
    report = ctx.report
    report.add("acted")
    for alert in alerts:
        report.add("warnings" if alert.level == AlertLevel.WARNING else "overdue")
        report.add("escalated", alert.escalated)
