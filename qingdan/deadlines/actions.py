"""Actions on deadlines: pausing a clock for a hearing, and what the worker does when
a limit approaches or passes (one case per call, in one transaction)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import escalate
from qingdan.cases.actions._base import (
    DUE_FIELDS,
    Actor,
    as_actor,
    commit,
    record_event,
    require,
)
from qingdan.cases.choices import HANDLING_STATES, OPEN_STATES, Action, State, Tier
from qingdan.cases.models import Case
from qingdan.cases.transitions import LEAD, TIER, rights_on
from qingdan.core.errors import ActionError, NotAllowed, TransitionRefused

from . import calendar as business_calendar
from .choices import AlertLevel, Stage
from .models import ClockPause, DeadlineAlert
from .policies import clear_cache as policy_cache_clear
from .policies import policy_for
from .services import Clock, next_check_after, pending_clocks, recompute_due_times, status_at


def _may_pause(actor: Actor, case: Case) -> None:
    if actor.user is None or not rights_on(actor.user, case) & {TIER, LEAD}:
        raise NotAllowed(_("You may not do this on this case."))
    if case.state not in HANDLING_STATES:
        raise TransitionRefused(
            _("A case that is “%(state)s” cannot be handled this way.")
            % {"state": State(case.state).label},
            code="state_refuses",
        )


def pause_clock(actor, case: Case, *, reason: str, now: dt.datetime | None = None) -> ClockPause:
    """Stop the handling clock for a hearing (art. 36: hearing time does not count)."""
    actor = as_actor(actor)
    _may_pause(actor, case)
    policy = policy_for(Stage.HANDLE, case)
    if policy is None or not policy.pausable:
        raise TransitionRefused(
            _("The handling limit of this case does not stop for hearings."),
            code="clock_not_pausable",
        )
    require({} if (reason or "").strip() else {"reason": [_("Give the reason.")]})
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                pause = ClockPause.objects.create(
                    case=case, started_at=now, reason=reason.strip(), started_by=actor.user
                )
        except IntegrityError as exc:
            raise TransitionRefused(
                _("The clock of this case is already paused."), code="clock_paused"
            ) from exc
        commit(
            case,
            actor,
            Action.DEADLINE,
            changes={},
            note=reason.strip(),
            now=now,
            data={"clock": "paused"},
        )
    return pause


def resume_clock(
    actor, case: Case, *, note: str = "", now: dt.datetime | None = None
) -> ClockPause:
    actor = as_actor(actor)
    _may_pause(actor, case)
    now = now or timezone.now()
    with transaction.atomic():
        pause = ClockPause.objects.filter(case=case, ended_at__isnull=True).first()
        if pause is None:
            raise TransitionRefused(
                _("The clock of this case is not paused."), code="clock_running"
            )
        ClockPause.objects.filter(pk=pause.pk, ended_at__isnull=True).update(
            ended_at=now, ended_by=actor.user
        )
        pause.ended_at = now
        commit(
            case,
            actor,
            Action.DEADLINE,
            changes={},
            note=note.strip(),
            now=now,
            data={
                "clock": "resumed",
                "paused_hours": round((now - pause.started_at) / dt.timedelta(hours=1), 2),
            },
        )
    return pause


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
        for clock in clocks:
            if clock.due_at is None or clock.warn_at is None or clock.warn_at > now:
                continue  # paused, or not yet in the warning window
            level = AlertLevel.OVERDUE if now > clock.due_at else AlertLevel.WARNING
            if (clock.stage, level, clock.due_at) in existing:
                continue
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


def _carry_out(case: Case, clock: Clock, alert: DeadlineAlert, now: dt.datetime) -> None:
    from qingdan.notifications.actions import enqueue
    from qingdan.supervision.actions import issue_notice
    from qingdan.supervision.recipients import staff_for

    policy = clock.policy
    system = Actor.system()
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
        record_event(
            case,
            system,
            Action.DEADLINE,
            at=now,
            note=note,
            data={
                "stage": clock.stage,
                "level": alert.level,
                "due_at": clock.due_at.isoformat(),
                "policy": policy.name,
                "alert": alert.pk,
            },
        )
        if alert.level == AlertLevel.OVERDUE:
            if policy.supervise:
                issue_notice(
                    system,
                    case,
                    reason=gettext(
                        "%(stage)s limit passed (due %(due)s): handle it and report back."
                    )
                    % values,
                    reply_within=policy.notice_reply_within,
                    alert=alert,
                    now=now,
                )
            if policy.escalate:
                _escalate(case, alert, values)
        body = gettext("%(number)s %(title)s\n%(note)s") % {**values, "note": note}
        enqueue(staff_for(case, kinds), subject=subject, body=body, kind=kind, case=case, now=now)


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


@dataclass
class RecomputeReport:
    checked: int = 0
    changed: int = 0
    refused: list[str] = field(default_factory=list)  # "number: why", left as they were


def recompute_open_cases(
    *, now: dt.datetime | None = None, dry_run: bool = False, batch_size: int = 500
) -> RecomputeReport:
    """Recompute the due-time columns of every open case under today's policies and
    calendar, after an administrator changed them (a limit, a holiday, next year's
    schedule). Transitions recompute them anyway; this brings the others in line now.
    A case whose limit falls in a year the calendar does not know keeps its columns
    and is reported. The columns are derived data: no version bump, no timeline event."""
    business_calendar.clear_cache()
    policy_cache_clear()
    now = now or timezone.now()
    report = RecomputeReport()
    ids = list(
        Case.objects.filter(state__in=OPEN_STATES).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            for case in Case.objects.filter(pk__in=chunk).prefetch_related("clock_pauses"):
                report.checked += 1
                before = {name: getattr(case, name) for name in DUE_FIELDS}
                try:
                    recompute_due_times(case, now)
                except ActionError as error:
                    report.refused.append(f"{case.tracking_number}: {error.message}")
                    continue
                after = {name: getattr(case, name) for name in DUE_FIELDS}
                if after != before:
                    report.changed += 1
                    if not dry_run:
                        Case.objects.filter(pk=case.pk).update(**after)
    return report
