"""Pausing a case's handling clock for a hearing, and resuming it. (What happens when
a limit approaches or passes is in `qingdan.supervision.actions.breaches`.)"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions._base import Actor, as_actor, commit, require
from qingdan.cases.choices import HANDLING_STATES, Action, State
from qingdan.cases.models import Case
from qingdan.cases.transitions import LEAD, TIER, rights_on
from qingdan.core.errors import NotAllowed, TransitionRefused

from .choices import Stage
from .models import ClockPause
from .policies import policy_for


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
