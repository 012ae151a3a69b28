"""Due times of a case, recomputed by the actions layer on every transition.

Each stage of a case (acceptance, transfer/assignment, handling) has a clock while
it runs; the matching `DeadlinePolicy` says from which event it counts, how long,
and in which unit. `due_at` is the nearest limit among the running clocks (and a
superior's assigned deadline), `warn_at` the earliest warning.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from qingdan.core.vocabulary import HANDLING_STATES, UNANSWERED_STATES, State, Tier

from . import calendar
from .choices import CHASED_STAGES, ClockStart, DeadlineStatus, LimitUnit, Stage
from .models import ClockPause
from .policies import policy_for

# A superior's assigned deadline without a handling policy to say when to warn.
DEFAULT_WARNING = dt.timedelta(days=3)
START_FIELD = {
    ClockStart.RECEIVED: "registered_at",
    ClockStart.ACCEPTED: "handling_started_at",
    ClockStart.REPLIED: "replied_at",
    ClockStart.SERVED: "answer_served_at",
}
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Clock:
    stage: str
    policy: Any  # DeadlinePolicy
    started_at: dt.datetime
    # None while the clock is paused.
    due_at: dt.datetime | None
    warn_at: dt.datetime | None

    @property
    def paused(self) -> bool:
        return self.due_at is None


def status_at(due_at: dt.datetime | None, warn_at: dt.datetime | None, now: dt.datetime) -> str:
    if due_at is None:
        return DeadlineStatus.NONE
    if now > due_at:
        return DeadlineStatus.OVERDUE
    if warn_at is not None and now >= warn_at:
        return DeadlineStatus.WARNING
    return DeadlineStatus.OK


def stage_runs(stage: str, case) -> bool:
    if stage == Stage.ACCEPT:
        return case.state == State.REGISTERED
    if stage == Stage.ASSIGN:
        # A village has no units: there the agent solves it or passes it up.
        return (
            case.state == State.ACCEPTED and case.lead_unit_id is None and case.tier != Tier.VILLAGE
        )
    if stage == Stage.HANDLE:
        return case.state in UNANSWERED_STATES
    return False


def _pauses(case, now: dt.datetime) -> tuple[dt.timedelta, bool]:
    """Total paused time so far and whether the clock is paused now."""
    if case.pk is None:
        return dt.timedelta(0), False
    cache = getattr(case, "_prefetched_objects_cache", {})
    pauses = cache.get("clock_pauses")
    if pauses is None:
        pauses = ClockPause.objects.filter(case_id=case.pk)
    total, open_now = dt.timedelta(0), False
    for pause in pauses:
        if pause.ended_at is None:
            open_now = True
        else:
            total += max(pause.ended_at - pause.started_at, dt.timedelta(0))
    return total, open_now


def compute_clock(stage: str, case, now: dt.datetime) -> Clock | None:
    """The clock of `stage` as its policy sets it, whether or not the stage runs."""
    policy = policy_for(stage, case)
    if policy is None:
        return None
    started_at = getattr(case, START_FIELD[ClockStart(policy.starts_at)])
    if started_at is None:
        return None
    paused, open_now = _pauses(case, now) if policy.pausable else (dt.timedelta(0), False)
    if open_now:
        return Clock(stage, policy, started_at, None, None)
    extension = case.extension_days if policy.extendable else 0
    if policy.unit == LimitUnit.HOURS:
        due = calendar.hours_limit(started_at, policy.limit + 24 * extension) + paused
    else:
        # Days of a hearing count whole: a day partly spent in one does not count.
        paused_days = -(-paused // ONE_DAY)
        due = calendar.limit_from(started_at, policy.limit + extension + paused_days, policy.unit)
    return Clock(stage, policy, started_at, due, due - policy.warn_before)


def pending_clocks(case, now: dt.datetime) -> list[Clock]:
    """The running clocks of the stages the worker chases."""
    clocks = []
    for stage in CHASED_STAGES:
        if stage_runs(stage, case):
            clock = compute_clock(stage, case, now)
            if clock is not None:
                clocks.append(clock)
    return clocks


def deadline_limits(case, clocks: list[Clock]) -> list[tuple[dt.datetime, dt.datetime]]:
    """(limit, warning) of each running clock, and of a superior's assigned deadline."""
    limits: list[tuple[dt.datetime, dt.datetime]] = [
        (c.due_at, c.warn_at) for c in clocks if c.due_at is not None and c.warn_at is not None
    ]
    if case.state in HANDLING_STATES and case.assigned_deadline:
        handle = next((c for c in clocks if c.stage == Stage.HANDLE), None)
        before = handle.policy.warn_before if handle else DEFAULT_WARNING
        limits.append((case.assigned_deadline, case.assigned_deadline - before))
    return limits


def next_check_after(case, clocks: list[Clock], now: dt.datetime) -> dt.datetime | None:
    """The next moment the case's deadline status or alerts change after `now`: a
    warning still ahead, or a limit not yet passed (a case is overdue only after it)."""
    moments = [
        moment
        for due, warn in deadline_limits(case, clocks)
        for moment in ((warn,) if warn > now else ()) + ((due,) if due >= now else ())
    ]
    return min(moments, default=None)


def recompute_due_times(case, now: dt.datetime) -> dict[str, Any]:
    """Set the deadline columns on `case` for its current state; return them.

    Raises `calendar.UnknownCalendarYear` (code `calendar_year_unknown`) when a
    working-day limit falls in a year whose schedule is not entered yet.
    """
    fields: dict[str, Any] = {}
    clocks = {clock.stage: clock for clock in pending_clocks(case, now)}
    # The acceptance limit is kept after acceptance: the response rate reads it.
    if case.state == State.REGISTERED or (case.accept_due_at is None and case.registered_at):
        accept = clocks.get(Stage.ACCEPT) or compute_clock(Stage.ACCEPT, case, now)
        fields["accept_due_at"] = accept.due_at if accept else case.accept_due_at
    # So is the handling limit after the reply: "closed on time" reads it.
    if stage_runs(Stage.HANDLE, case):
        handle = clocks.get(Stage.HANDLE)
        fields["handle_due_at"] = handle.due_at if handle else None
    else:
        fields["handle_due_at"] = case.handle_due_at

    limits = deadline_limits(case, list(clocks.values()))
    due_at = min((due for due, _warn in limits), default=None)
    warn_at = min((warn for _due, warn in limits), default=None)
    fields["due_at"] = due_at
    fields["warn_at"] = warn_at
    # After a transition the worker looks once from the first warning on (alerts it
    # already raised are not raised again), then moves the check forward.
    fields["next_check_at"] = warn_at
    fields["deadline_status"] = status_at(due_at, warn_at, now)
    if case.state == State.REPLIED and case.replied_at and case.closed_on_time is None:
        limit = fields["handle_due_at"] or case.assigned_deadline
        fields["closed_on_time"] = bool(limit is None or case.replied_at <= limit)
    for name, value in fields.items():
        setattr(case, name, value)
    return fields


def review_request_deadline(case) -> dt.datetime | None:
    """The end of the petitioner's window to ask for review (arts. 35-36), by policy;
    None while the window has not started (the answer's service is not recorded)."""
    clock = compute_clock(Stage.REVIEW_REQUEST, case, case.replied_at or dt.datetime.now(dt.UTC))
    return clock.due_at if clock else None


def co_opinion_due(case, requested_at: dt.datetime) -> dt.datetime | None:
    """When a co-handling unit added at `requested_at` owes the lead unit its opinion
    (协办意见), by policy; None when no policy sets it."""
    policy = policy_for(Stage.CO_OPINION, case)
    if policy is None:
        return None
    if policy.unit == LimitUnit.HOURS:
        return calendar.hours_limit(requested_at, policy.limit)
    return calendar.limit_from(requested_at, policy.limit, policy.unit)
