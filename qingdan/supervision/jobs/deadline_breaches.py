"""Deadline breaches: the cases whose next deadline check has come.

Claims them through the `Case.next_check_at` index (the cost follows the number of
due cases, not the size of the table) a chunk at a time (`batch_size`), each chunk in
one transaction with SKIP LOCKED on PostgreSQL, so that several workers share a burst
of cases falling due together; `actions.burst` raises their alerts and does what the
policies say with a few statements per chunk, and moves the check of the others to
their next warning or limit, so that a backlog of warned or overdue cases is not read
again every pass. A chunk that fails as a whole is done again one case at a time, each
case in its own transaction, so that one bad case does not hold the others back.
"""

import datetime as dt
import logging

from django.db import transaction

from qingdan.cases.choices import OPEN_STATES
from qingdan.cases.models import Case
from qingdan.core.errors import ActionError
from qingdan.core.jobs import JobContext, job
from qingdan.deadlines.choices import AlertLevel
from qingdan.deadlines.models import DeadlineAlert
from qingdan.deadlines.services import Clock, next_check_after, pending_clocks, status_at

from ..actions.breaches import act_on_deadlines, alerts_due
from ..actions.burst import act_on_due_cases, claim_due_cases

log = logging.getLogger("qingdan.worker")


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
    now = ctx.now
    # Cases this pass leaves due (failed, or acted on one by one and not moved past
    # now): not claimed again by this pass.
    skip: set[int] = set()
    while not ctx.should_stop():
        cases: list[Case] = []
        try:
            with transaction.atomic():
                cases = claim_due_cases(now, ctx.batch_size, skip=skip)
                if not cases:
                    return
                outcome = act_on_due_cases(
                    cases, now, on_claimed=ctx.on_claimed, should_stop=ctx.should_stop
                )
        except Exception:  # noqa: BLE001 - done again case by case below
            if not cases:
                raise  # the claim itself failed: the runner logs it, the next pass retries
            # Not an error of the pass unless a case fails again alone (counted there).
            log.warning("worker: a chunk of %d due cases failed", len(cases), exc_info=True)
            _one_by_one(ctx, [case.pk for case in cases])
            skip.update(case.pk for case in cases)
            continue
        ctx.report.add("candidates", len(cases))
        _report_acted(ctx, outcome.acted, outcome.alerts)
        for case, error in outcome.failed:
            try:
                raise error
            except Exception:  # noqa: BLE001 - logged with its traceback, left due
                ctx.failed(f"case {case.tracking_number}")
        skip.update(case.pk for case, _error in outcome.failed)
        skip.update(outcome.one_by_one)
        # A check moved to now exactly (a limit at this very moment) is due again.
        skip.update(case.pk for case in cases if case.next_check_at and case.next_check_at <= now)
        if len(cases) < ctx.batch_size and not outcome.one_by_one:
            return


def _one_by_one(ctx: JobContext, case_pks: list[int]) -> None:
    """The path of a chunk that failed: each case read and acted on alone."""
    now = ctx.now
    cases = Case.objects.filter(pk__in=case_pks, next_check_at__lte=now).prefetch_related(
        "clock_pauses"
    )
    raised: dict[int, set] = {}
    for case_id, *key in DeadlineAlert.objects.filter(case_id__in=case_pks).values_list(
        "case_id", "stage", "level", "due_at"
    ):
        raised.setdefault(case_id, set()).add(tuple(key))
    ctx.report.add("candidates", len(cases))
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


def _needs_action(case: Case, clocks: list[Clock], now: dt.datetime, raised: dict) -> bool:
    if case.state not in OPEN_STATES:
        return False
    if status_at(case.due_at, case.warn_at, now) != case.deadline_status:
        return True
    return bool(alerts_due(clocks, now, raised.get(case.pk, set())))


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
    _report_acted(ctx, 1, alerts)


def _report_acted(ctx: JobContext, acted: int, alerts: list[DeadlineAlert]) -> None:
    report = ctx.report
    report.add("acted", acted)
    for alert in alerts:
        report.add("warnings" if alert.level == AlertLevel.WARNING else "overdue")
        report.add("escalated", alert.escalated)
