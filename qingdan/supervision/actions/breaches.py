"""What happens when a limit of a case approaches or passes (one case per call, in one
transaction): the timeline event, the supervision notice, the escalation and the
notifications the deadline policy asks for. The deadline rules (`qingdan.deadlines`)
say when; this says what is done about it. Run by the deadline-breaches job.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from qingdan.cases.actions import Actor, escalate, record_event
from qingdan.cases.choices import OPEN_STATES, Action, Tier
from qingdan.cases.models import Case
from qingdan.core.errors import ActionError
from qingdan.deadlines.choices import AlertLevel, Stage
from qingdan.deadlines.models import DeadlineAlert
from qingdan.deadlines.services import Clock, next_check_after, pending_clocks, status_at
from qingdan.notifications.actions import enqueue

from ..recipients import staff_for
from .notices import issue_notice


def _lock_case(pk: int) -> Case | None:
    """The case row, locked for this transaction. On PostgreSQL a row another worker
    holds is skipped (SKIP LOCKED) instead of waited for; SQLite serialises writers."""
    # The petitioner too: notifications mask the case's text with its values.
    query = Case.objects.select_related("jurisdiction__parent__parent", "lead_unit", "petitioner")
    if connection.features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True, of=("self",))
    return query.filter(pk=pk).first()


def act_on_deadlines(
    case_pk: int,
    now: dt.datetime,
    *,
    on_claimed: Callable[[Case, DeadlineAlert], None] | None = None,
) -> list[DeadlineAlert]:
    """Raise the warnings and breaches due on one case and do what their policies say.

    The alert row is the claim: unique per (case, stage, level, limit) and written in
    this same transaction as the notice, the escalation, the timeline events and the
    outbox rows. A second worker cannot insert it again; a worker killed before the
    commit leaves nothing behind, so the next pass does it all, once.
    """
    with transaction.atomic():
        case = _lock_case(case_pk)
        if case is None or case.state not in OPEN_STATES:
            return []
        clocks = pending_clocks(case, now)
        existing = set(
            DeadlineAlert.objects.filter(case=case).values_list("stage", "level", "due_at")
        )
        alerts = []
        for clock, level in alerts_due(clocks, now, existing):
            assert clock.due_at is not None  # a running clock
            try:
                with transaction.atomic():
                    alert = DeadlineAlert.objects.create(
                        case=case,
                        stage=clock.stage,
                        level=level,
                        due_at=clock.due_at,
                        raised_at=now,
                        policy=clock.policy,
                    )
            except IntegrityError:
                continue  # raised by another worker a moment ago
            if on_claimed is not None:
                on_claimed(case, alert)
            _carry_out(case, clock, alert, now)
            alerts.append(alert)
        # An escalation above changed the case and its clocks: look at it as it is now.
        if any(alert.escalated for alert in alerts):
            clocks = pending_clocks(case, now) if case.state in OPEN_STATES else []
        derived = {
            "deadline_status": status_at(case.due_at, case.warn_at, now),
            "next_check_at": next_check_after(case, clocks, now),
        }
        changed = {k: v for k, v in derived.items() if getattr(case, k) != v}
        if changed:
            # Flags for lists and the worker, not a change of the case: no version bump.
            Case.objects.filter(pk=case.pk).update(**changed)
            for name, value in changed.items():
                setattr(case, name, value)
        return alerts


def alerts_due(clocks: list[Clock], now: dt.datetime, existing) -> list[tuple[Clock, str]]:
    """(clock, level) of each alert due now and not in `existing` (its (stage, level,
    limit) keys): a running clock in its warning window or past its limit."""
    due: list[tuple[Clock, str]] = []
    for clock in clocks:
        if clock.due_at is None or clock.warn_at is None or clock.warn_at > now:
            continue  # paused, or not yet in the warning window
        level: str = AlertLevel.OVERDUE if now > clock.due_at else AlertLevel.WARNING
        if (clock.stage, level, clock.due_at) not in existing:
            due.append((clock, level))
    return due


@dataclass(frozen=True)
class AlertTexts:
    """What an alert writes on the timeline and tells its recipients (in the site's
    language), and who they are."""

    values: dict
    note: str
    subject: str
    body: str
    kinds: list
    kind: str
    event_data: dict
    notice_reason: str


def alert_texts(case: Case, clock: Clock, alert: DeadlineAlert) -> AlertTexts:
    policy = clock.policy
    assert clock.due_at is not None  # alerts are raised only on running clocks
    with translation.override(settings.LANGUAGE_CODE):
        stage = Stage(clock.stage).label
        due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")
        values = {"number": case.tracking_number, "stage": stage, "due": due, "title": case.title}
        if alert.level == AlertLevel.WARNING:
            note = gettext("%(stage)s limit approaching: due %(due)s.") % values
            subject = gettext("[Warning] %(number)s: %(stage)s due %(due)s") % values
            kinds, kind = policy.notify_on_warning, "deadline_warning"
        else:
            note = gettext("%(stage)s limit passed: it was due %(due)s.") % values
            subject = gettext("[Overdue] %(number)s: %(stage)s was due %(due)s") % values
            kinds, kind = policy.notify_on_breach, "deadline_overdue"
        reason = gettext("%(stage)s limit passed (due %(due)s): handle it and report back.")
        body = gettext("%(number)s %(title)s\n%(note)s") % {**values, "note": note}
    data = {
        "stage": clock.stage,
        "level": alert.level,
        "due_at": clock.due_at.isoformat(),
        "policy": policy.name,
        "alert": alert.pk,
    }
    return AlertTexts(values, note, subject, body, kinds, kind, data, reason % values)


def _carry_out(case: Case, clock: Clock, alert: DeadlineAlert, now: dt.datetime) -> None:
    policy = clock.policy
    system = Actor.system()
    texts = alert_texts(case, clock, alert)
    with translation.override(settings.LANGUAGE_CODE):
        record_event(case, system, Action.DEADLINE, at=now, note=texts.note, data=texts.event_data)
        if alert.level == AlertLevel.OVERDUE:
            if policy.supervise:
                issue_notice(
                    system,
                    case,
                    reason=texts.notice_reason,
                    reply_within=policy.notice_reply_within,
                    alert=alert,
                    now=now,
                )
            if policy.escalate:
                _escalate(case, alert, texts.values)
        recipients = staff_for(case, texts.kinds)
        enqueue(
            recipients, subject=texts.subject, body=texts.body, kind=texts.kind, case=case, now=now
        )


def _escalate(case: Case, alert: DeadlineAlert, values: dict) -> None:
    if case.tier == Tier.CITY:
        alert.data = {**alert.data, "escalation": "top_tier"}
    else:
        try:
            with transaction.atomic():
                escalate(
                    Actor.system(),
                    case,
                    reason=gettext("%(stage)s limit passed (due %(due)s): escalated by the system.")
                    % values,
                )
        except ActionError as error:
            alert.data = {**alert.data, "escalation": error.code}
        else:
            alert.escalated = True
    alert.save(update_fields=["escalated", "data"])
