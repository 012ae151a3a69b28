"""Pausing the handling clock for a hearing and running it again (art. 36: hearing
time does not count towards the re-review limit)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import TransitionRefused
from qingdan.deadlines.choices import Stage
from qingdan.deadlines.models import ClockPause
from qingdan.deadlines.policies import policy_for

from ..choices import Action
from ..models import Case
from ..transitions import PAUSE_CLOCK, RESUME_CLOCK
from .base import as_actor, commit, guard, require


def pause_clock(
    actor,
    case: Case,
    *,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ClockPause:
    """Stop the handling clock for a hearing."""
    actor = as_actor(actor)
    guard(actor, case, PAUSE_CLOCK)
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
            expected_version=expected_version,
            note=reason.strip(),
            now=now,
            data={"clock": "paused"},
        )
    return pause


def resume_clock(
    actor,
    case: Case,
    *,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ClockPause:
    actor = as_actor(actor)
    guard(actor, case, RESUME_CLOCK)
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
            expected_version=expected_version,
            note=note.strip(),
            now=now,
            data={
                "clock": "resumed",
                "paused_hours": round((now - pause.started_at) / dt.timedelta(hours=1), 2),
            },
        )
    return pause
