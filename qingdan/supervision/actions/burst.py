"""The deadline burst: many due cases acted on together, a chunk per transaction.

Limits counted in days fall due at the same minute (the end of a day), so the worker
meets them in thousands. What `act_on_deadlines` does for one case is done here for a
chunk of cases with a few statements each, not per case: the chunk's case rows are
claimed (locked, SKIP LOCKED on PostgreSQL so that a second worker takes the next
chunk instead of waiting), their clocks computed in Python, the alerts inserted in one
statement that skips those another worker raised meanwhile (ON CONFLICT DO NOTHING
RETURNING: the unique alert stays the claim), then the timeline events, supervision
notices and outbox rows inserted in one statement per table and the cases' deadline
columns updated together. Everything commits with the alerts, or nothing does.

Left to the one-case path, inside the same transaction (a savepoint each): the cases
whose breach escalates them (the escalation changes the case, its tier and its
clocks, through the cases' actions; they are few) and those whose notice the rules
would refuse (the refusal is then raised and reported as before).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import prefetch_related_objects

from qingdan.cases.actions import Actor
from qingdan.cases.choices import OPEN_STATES, Action
from qingdan.cases.models import Case, CaseEvent
from qingdan.core import bulk
from qingdan.core.errors import ActionError
from qingdan.deadlines.choices import AlertLevel
from qingdan.deadlines.models import DeadlineAlert
from qingdan.deadlines.services import Clock, next_check_after, pending_clocks, status_at
from qingdan.notifications.actions import outbox_rows
from qingdan.notifications.models import OutboxMessage

from ..models import SupervisionNotice
from ..recipients import StaffIndex
from .breaches import AlertTexts, act_on_deadlines, alert_texts, alerts_due
from .notices import check_notice, notice_event_data, notice_place, notice_recipients, notice_texts


def claim_due_cases(now: dt.datetime, limit: int, *, skip: Iterable[int] = ()) -> list[Case]:
    """Up to `limit` cases whose check is due, earliest first, locked for the calling
    transaction. On PostgreSQL rows another worker holds are skipped, not waited for;
    SQLite serialises writers. `skip`: cases this pass already left due (a case it could
    not act on), so that it does not take them again."""
    query = (
        Case.objects.filter(next_check_at__lte=now)
        .exclude(pk__in=list(skip))
        .order_by("next_check_at")
        # The petitioner too: notifications mask the case's text with its values.
        .select_related("jurisdiction__parent__parent", "lead_unit", "petitioner")
    )
    if connection.features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True, of=("self",))
    cases = list(query[:limit])
    # Read after the lock: the pauses of the rows now held.
    prefetch_related_objects(cases, "clock_pauses")
    return cases


@dataclass
class Outcome:
    """What a chunk did, for the pass report."""

    acted: int = 0
    alerts: list[DeadlineAlert] = field(default_factory=list)
    # Cases left due (their clocks could not be computed, or their action failed),
    # with what to name them in the report.
    failed: list[tuple[Case, BaseException]] = field(default_factory=list)
    # Cases acted on one by one: their next check is theirs to set.
    one_by_one: list[int] = field(default_factory=list)


@dataclass
class _Due:
    case: Case
    clocks: list[Clock]
    raising: list[tuple[Clock, str]]


def act_on_due_cases(
    cases: list[Case],
    now: dt.datetime,
    *,
    on_claimed: Callable[[Case, DeadlineAlert], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Outcome:
    """Act on `cases` (claimed by `claim_due_cases` in the calling transaction)."""
    assert connection.in_atomic_block, "call inside the transaction that claimed the cases"
    outcome = Outcome()
    existing: dict[int, set] = {}
    for case_id, stage, level, due_at in DeadlineAlert.objects.filter(
        case_id__in=[case.pk for case in cases]
    ).values_list("case_id", "stage", "level", "due_at"):
        existing.setdefault(case_id, set()).add((stage, level, due_at))
    batch: list[_Due] = []
    alone: list[Case] = []
    moved: list[Case] = []
    for case in cases:
        if case.state not in OPEN_STATES:
            _set_columns(case, [], now, moved)
            continue
        try:
            clocks = pending_clocks(case, now)
        except ActionError as error:
            outcome.failed.append((case, error))  # left due: tried again next pass
            continue
        raising = alerts_due(clocks, now, existing.get(case.pk, set()))
        if not raising:
            if status_at(case.due_at, case.warn_at, now) != case.deadline_status:
                outcome.acted += 1
            _set_columns(case, clocks, now, moved)
        elif _needs_one_by_one(case, raising):
            alone.append(case)
        else:
            outcome.acted += 1
            batch.append(_Due(case, clocks, raising))
    _raise_together(batch, now, on_claimed, outcome, moved)
    bulk.update_columns(Case, moved, ["deadline_status", "next_check_at"])
    for case in alone:
        if should_stop():
            break
        outcome.one_by_one.append(case.pk)
        try:
            alerts = act_on_deadlines(case.pk, now, on_claimed=on_claimed)
        except Exception as error:  # noqa: BLE001 - one bad case must not stop the others
            outcome.failed.append((case, error))
        else:
            outcome.acted += 1
            outcome.alerts.extend(alerts)
    return outcome


def _needs_one_by_one(case: Case, raising: list[tuple[Clock, str]]) -> bool:
    for clock, level in raising:
        if level != AlertLevel.OVERDUE:
            continue
        policy = clock.policy
        if policy.escalate:
            return True
        if policy.supervise:
            try:
                check_notice(
                    Actor.system(), case, reason="-", reply_within=policy.notice_reply_within
                )
            except ActionError:
                return True  # the one-case path raises and reports the refusal
    return False


def _set_columns(case: Case, clocks: list[Clock], now: dt.datetime, moved: list[Case]) -> None:
    """The deadline flags as `act_on_deadlines` sets them (for lists and the worker,
    not a change of the case: no version bump)."""
    if case.state in OPEN_STATES:
        case.deadline_status = status_at(case.due_at, case.warn_at, now)
    case.next_check_at = next_check_after(case, clocks, now)
    moved.append(case)


def _raise_together(
    batch: list[_Due],
    now: dt.datetime,
    on_claimed: Callable[[Case, DeadlineAlert], None] | None,
    outcome: Outcome,
    moved: list[Case],
) -> None:
    if not batch:
        return
    new_alert, new_notice = bulk.Maker(DeadlineAlert), bulk.Maker(SupervisionNotice)
    alerts = [
        new_alert(
            case=due.case,
            stage=clock.stage,
            level=level,
            due_at=clock.due_at,
            raised_at=now,
            policy=clock.policy,
        )
        for due in batch
        for clock, level in due.raising
    ]
    # The claim: an alert another worker raised meanwhile is not written again, and
    # what it calls for is not done again.
    won = bulk.insert_values(DeadlineAlert, alerts, unique=("case", "stage", "level", "due_at"))
    system = Actor.system()
    staff = StaffIndex(due.case for due in batch)
    raised: list[tuple[Case, Clock, DeadlineAlert, AlertTexts, SupervisionNotice | None]] = []
    claimed = iter(alerts)
    for due in batch:
        case = due.case
        for clock, _level in due.raising:
            alert = next(claimed)
            if alert.pk not in won:
                continue
            if on_claimed is not None:
                on_claimed(case, alert)
            outcome.alerts.append(alert)
            texts = alert_texts(case, clock, alert)
            policy = clock.policy
            notice = None
            if alert.level == AlertLevel.OVERDUE and policy.supervise:
                notice = new_notice(
                    case=case,
                    alert=alert,
                    unit=case.lead_unit,
                    jurisdiction=notice_place(case),
                    reason=texts.notice_reason.strip(),
                    issued_by=None,
                    issued_at=now,
                    due_at=now + policy.notice_reply_within,
                )
            raised.append((case, clock, alert, texts, notice))
        _set_columns(case, due.clocks, now, moved)
    # First the notices: their events and messages name their numbers (their keys).
    bulk.insert_values(SupervisionNotice, [row[4] for row in raised if row[4] is not None])
    # Then, in the order the one-case path writes them: the alert's event, the
    # notice's event and message, the alert's message.
    events: list[CaseEvent] = []
    messages: list[OutboxMessage] = []
    new_event = bulk.Maker(CaseEvent)
    for case, _clock, _alert, texts, notice in raised:
        events.append(
            _event(new_event, case, system, Action.DEADLINE, now, texts.note, texts.event_data)
        )
        if notice is not None:
            event_data = notice_event_data(notice)
            events.append(
                _event(new_event, case, system, Action.SUPERVISE, now, notice.reason, event_data)
            )
            subject, body = notice_texts(notice, case)
            messages += outbox_rows(
                staff.staff_for(case, notice_recipients(case)),
                subject=subject,
                body=body,
                kind="notice_issued",
                case=case,
                now=now,
            )
        messages += outbox_rows(
            staff.staff_for(case, texts.kinds),
            subject=texts.subject,
            body=texts.body,
            kind=texts.kind,
            case=case,
            now=now,
        )
    bulk.insert_values(CaseEvent, events)
    bulk.insert_values(OutboxMessage, messages)


def _event(make, case: Case, actor: Actor, action: str, now, note: str, data) -> CaseEvent:
    """A timeline event as `record_event` writes it."""
    return make(
        case=case,
        at=now,
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        from_state=case.state,
        to_state=case.state,
        note=note,
        to_unit=case.lead_unit if action == Action.SUPERVISE else None,
        data=data,
    )
