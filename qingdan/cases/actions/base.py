"""What every action shares: the guard, the versioned save and the timeline event."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import NotAllowed, TransitionRefused, ValidationFailed, VersionConflict
from qingdan.deadlines.services import recompute_due_times

from ..choices import State
from ..models import Case, CaseEvent
from ..rights import PETITIONER, SYSTEM, rights_on
from ..transitions import refusal_reason

DUE_FIELDS = (
    "accept_due_at",
    "handle_due_at",
    "due_at",
    "warn_at",
    "next_check_at",
    "deadline_status",
    "closed_on_time",
)


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member, or the petitioner / the worker (no account)."""

    user: Any = None
    label: str = ""

    @classmethod
    def petitioner(cls) -> "Actor":
        return cls(label="petitioner")

    @classmethod
    def system(cls) -> "Actor":
        return cls(label="system")


def as_actor(actor) -> Actor:
    return actor if isinstance(actor, Actor) else Actor(user=actor)


def guard(actor: Actor, case: Case, action: str, expected_version: int | None = None) -> None:
    """Refuse an action the state or the actor's rights do not allow, or one taken on
    a version of the case that is no longer current."""
    if actor.user is not None:
        rights = rights_on(actor.user, case)
    elif actor.label == "petitioner":
        rights = frozenset({PETITIONER})
    elif actor.label == "system":
        rights = frozenset({SYSTEM})
    else:
        rights = frozenset()
    reason = refusal_reason(action, case, rights)
    if reason == "state":
        raise TransitionRefused(
            _("A case that is “%(state)s” cannot be handled this way.")
            % {"state": State(case.state).label},
            code="state_refuses",
        )
    if reason == "rights":
        raise NotAllowed(
            _("You may not do this on this case."),
            code="not_allowed",
        )
    if expected_version is not None and expected_version != case.version:
        raise VersionConflict()


def require(errors: dict[str, list]) -> None:
    if errors:
        raise ValidationFailed(errors)


def commit(
    case: Case,
    actor: Actor,
    action: str,
    *,
    changes: dict[str, Any],
    expected_version: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
    **event_fields: Any,
) -> CaseEvent:
    """Apply `changes`, recompute deadlines, bump the version and append the event.

    The update is conditional on the version the caller read: a second writer
    who read the same version gets VersionConflict and nothing of theirs is saved.
    Runs in a transaction (a savepoint inside an action's own transaction).
    """
    with transaction.atomic():
        return _commit(case, actor, action, changes, expected_version, note, now, event_fields)


def _commit(case, actor, action, changes, expected_version, note, now, event_fields) -> CaseEvent:
    now = now or timezone.now()
    expected = case.version if expected_version is None else expected_version
    if expected != case.version:
        raise VersionConflict()
    from_state = case.state
    before = {name: getattr(case, name) for name in (*changes, *DUE_FIELDS)}
    for name, value in changes.items():
        setattr(case, name, value)
    changes = {**changes, **recompute_due_times(case, now)}
    updated = Case.objects.filter(pk=case.pk, version=expected).update(
        version=F("version") + 1, updated_at=now, **changes
    )
    if updated != 1:
        for name, value in before.items():  # leave the caller's copy as it was read
            setattr(case, name, value)
        raise VersionConflict()
    case.version = expected + 1
    case.updated_at = now
    return CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        from_state=from_state,
        to_state=case.state,
        note=note,
        **event_fields,
    )


def record_event(case: Case, actor: Actor, action: str, *, note: str = "", **fields) -> CaseEvent:
    """An event that changes nothing on the case row (a note, a link, a reveal)."""
    event = event_row(case, actor, action, note=note, **fields)
    event.save()
    return event


def event_row(case: Case, actor: Actor, action: str, *, note: str = "", **fields) -> CaseEvent:
    """`record_event`'s event, not saved yet: for many written with one INSERT (the
    worker's batched intake analysis), in the transaction of what they record."""
    fields.setdefault("from_state", case.state)
    return CaseEvent(
        case=case,
        at=fields.pop("at", None) or timezone.now(),
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        to_state=case.state,
        note=note,
        **fields,
    )
