"""The joint meeting (联席会议): its agenda, minutes and decisions, and the worker's
chasing of the decisions as tasks with deadlines."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import Actor, as_actor, record_event, require
from qingdan.cases.choices import OPEN_STATES, Action, DeadlineStatus
from qingdan.cases.models import Case
from qingdan.deadlines.services import status_at
from qingdan.notifications.actions import enqueue

from ..choices import AgendaReason, DecisionState, MeetingState
from ..models import AgendaItem, JointMeeting, MeetingDecision
from ..recipients import supervisors_over
from ..transitions import TRANSITIONS
from ._common import AGENDA_MAX, _when, out_of_range, years_message


def convene_meeting(
    actor, *, jurisdiction, title: str, held_at: dt.datetime | None
) -> JointMeeting:
    actor = as_actor(actor)
    errors: dict[str, list] = {}
    if jurisdiction is None:
        errors["jurisdiction"] = [_("Choose the town or the city.")]
    if not (title or "").strip():
        errors["title"] = [_("The title is required.")]
    if held_at is None:
        errors["held_at"] = [_("When is the meeting?")]
    elif out_of_range(held_at):
        errors["held_at"] = [years_message()]
    require(errors)
    assert held_at is not None  # require() refused a missing time above
    TRANSITIONS["convene_meeting"].check_rights(actor.user, jurisdiction)
    return JointMeeting.objects.create(
        jurisdiction=jurisdiction, title=title.strip()[:200], held_at=held_at, convener=actor.user
    )


def _check_manage(actor: Actor, meeting: JointMeeting, action: str) -> None:
    row = TRANSITIONS[action]
    row.check_rights(actor.user, meeting)
    row.check_state(meeting)


def build_agenda(actor, meeting: JointMeeting, *, now=None) -> int:
    """Put on the agenda the place's open cases that are overdue, owned by a leader,
    or handled by several departments. Adds what is missing; returns how many."""
    actor = as_actor(actor)
    _check_manage(actor, meeting, "build_agenda")
    now = now or timezone.now()
    open_cases = Case.objects.filter(
        state__in=OPEN_STATES, jurisdiction__code__startswith=meeting.jurisdiction.scope_prefix
    )
    found: dict[int, list[str]] = {}
    queries = (
        (AgendaReason.OVERDUE, open_cases.filter(due_at__lt=now).order_by("due_at")),
        (
            AgendaReason.KEY,
            open_cases.filter(
                leader_ownerships__released_at__isnull=True, leader_ownerships__isnull=False
            ).order_by("registered_at"),
        ),
        (
            AgendaReason.CROSS_DEPARTMENT,
            open_cases.filter(co_handlings__isnull=False).distinct().order_by("registered_at"),
        ),
    )
    for reason, query in queries:
        for pk in query.values_list("pk", flat=True)[:AGENDA_MAX]:
            found.setdefault(pk, []).append(reason)
    with transaction.atomic():
        existing = {item.case_id: item for item in meeting.agenda.select_for_update()}
        position = max((item.position for item in existing.values()), default=0)
        added = 0
        for pk, reasons in found.items():
            item = existing.get(pk)
            if item is not None:
                merged = sorted(set(item.reasons) | set(reasons))
                if merged != sorted(item.reasons):
                    AgendaItem.objects.filter(pk=item.pk).update(reasons=merged)
                continue
            if len(existing) + added >= AGENDA_MAX:
                break
            position += 1
            AgendaItem.objects.create(
                meeting=meeting, case_id=pk, reasons=reasons, position=position
            )
            added += 1
    return added


def _inactive(people, field: str, message) -> dict[str, list]:
    return {field: [message]} if any(not item.is_active for item in people) else {}


def record_minutes(
    actor,
    meeting: JointMeeting,
    *,
    minutes: str,
    attendees=None,
    attending_units=None,
    now=None,
) -> JointMeeting:
    """The minutes, and who attended (people and units; None leaves them as they are).
    A meeting is held once its time has come: minutes written before it (the
    preparation) leave it planned."""
    actor = as_actor(actor)
    _check_manage(actor, meeting, "record_minutes")
    errors = {} if (minutes or "").strip() else {"minutes": [_("Write the minutes.")]}
    errors.update(_inactive(attendees or [], "attendees", _("An attendee's account is closed.")))
    errors.update(
        _inactive(attending_units or [], "attending_units", _("A unit is no longer active."))
    )
    require(errors)
    now = now or timezone.now()
    state = MeetingState.HELD if meeting.held_at <= now else meeting.state
    with transaction.atomic():
        JointMeeting.objects.filter(pk=meeting.pk).update(
            minutes=minutes.strip(), state=state, minutes_recorded_at=now
        )
        if attendees is not None:
            meeting.attendees.set(attendees)
        if attending_units is not None:
            meeting.attending_units.set(attending_units)
    meeting.minutes, meeting.state, meeting.minutes_recorded_at = minutes.strip(), state, now
    return meeting


def decision_warning() -> dt.timedelta:
    return dt.timedelta(hours=settings.QINGDAN_DECISION_WARNING_HOURS)


def add_decision(
    actor,
    meeting: JointMeeting,
    *,
    text: str,
    owners=(),
    owner_unit=None,
    due_at: dt.datetime | None,
    case: Case | None = None,
    now=None,
) -> MeetingDecision:
    """A decision of the meeting: a task for a unit and/or one or more people, due at
    `due_at`."""
    actor = as_actor(actor)
    _check_manage(actor, meeting, "add_decision")
    now = now or timezone.now()
    owners = list(owners or [])
    errors: dict[str, list] = {}
    if not (text or "").strip():
        errors["text"] = [_("Write the decision.")]
    if not owners and owner_unit is None:
        errors["owners"] = [_("Choose who carries it out: a unit, or one or more people.")]
    errors.update(_inactive(owners, "owners", _("An owner's account is closed.")))
    if owner_unit is not None and not owner_unit.is_active:
        errors["owner_unit"] = [_("This unit is no longer active.")]
    if due_at is None:
        errors["due_at"] = [_("Give the deadline.")]
    elif due_at <= now:
        errors["due_at"] = [_("The deadline must be in the future.")]
    elif out_of_range(due_at):
        errors["due_at"] = [years_message()]
    if case is not None and not meeting.jurisdiction.contains(case.jurisdiction):
        errors["case"] = [_("The case is not in the place of this meeting.")]
    require(errors)
    assert due_at is not None
    with transaction.atomic():
        decision = MeetingDecision.objects.create(
            meeting=meeting,
            case=case,
            text=text.strip(),
            owner_unit=owner_unit,
            due_at=due_at,
            warn_at=due_at - decision_warning(),
            created_by=actor.user,
            deadline_status=status_at(due_at, due_at - decision_warning(), now),
        )
        decision.owners.set(owners)
        with translation.override(settings.LANGUAGE_CODE):
            values = {"meeting": meeting.title, "text": decision.text, "due": _when(due_at)}
            if case is not None:
                record_event(
                    case,
                    actor,
                    Action.SUPERVISE,
                    at=now,
                    note=gettext("Joint meeting “%(meeting)s” decided: %(text)s (due %(due)s)")
                    % values,
                    data={
                        "meeting": meeting.pk,
                        "decision": decision.pk,
                        "owners": [person.pk for person in owners],
                        "owner_unit": owner_unit.pk if owner_unit else None,
                    },
                )
            enqueue(
                decision.owner_accounts(),
                subject=gettext("Joint meeting task due %(due)s") % values,
                body=gettext("%(meeting)s\n%(text)s") % values,
                kind="decision_assigned",
                case=case,
                now=now,
            )
    return decision


def complete_decision(actor, decision: MeetingDecision, *, note: str, now=None) -> MeetingDecision:
    actor = as_actor(actor)
    row = TRANSITIONS["complete_decision"]
    row.check_rights(actor.user, decision)
    row.check_state(decision)
    require({} if (note or "").strip() else {"note": [_("Say what was done.")]})
    now = now or timezone.now()
    with transaction.atomic():
        if not MeetingDecision.objects.filter(pk=decision.pk, state=DecisionState.OPEN).update(
            state=DecisionState.DONE, done_at=now, done_note=note.strip()
        ):
            raise row.state_error()  # done meanwhile
        decision.state, decision.done_at, decision.done_note = DecisionState.DONE, now, note.strip()
        with translation.override(settings.LANGUAGE_CODE):
            values = {"text": decision.text, "note": note.strip()}
            if decision.case is not None:
                record_event(
                    decision.case,
                    actor,
                    Action.SUPERVISE,
                    at=now,
                    note=gettext("Joint meeting task done: %(note)s") % values,
                    data={"decision": decision.pk, "done": True},
                )
            enqueue(
                [decision.meeting.convener],
                subject=gettext("Joint meeting task done") % values,
                body=gettext("%(text)s\n%(note)s") % values,
                kind="decision_done",
                case=decision.case,
                now=now,
            )
    return decision


def chase_decision(decision_pk: int, now: dt.datetime) -> str | None:
    """The worker: turn an open task yellow or red and tell its owner (and, when it is
    late, the convener and the supervisors), once per change of colour."""
    with transaction.atomic():
        decision = MeetingDecision.objects.select_related("meeting__jurisdiction", "case").get(
            pk=decision_pk
        )
        status = status_at(decision.due_at, decision.warn_at, now)
        if decision.state != DecisionState.OPEN or status in (
            decision.deadline_status,
            DeadlineStatus.OK,
        ):
            return None
        claimed = MeetingDecision.objects.filter(
            pk=decision.pk, state=DecisionState.OPEN, deadline_status=decision.deadline_status
        ).update(deadline_status=status)
        if not claimed:
            return None
        meeting = decision.meeting
        recipients = decision.owner_accounts()
        with translation.override(settings.LANGUAGE_CODE):
            values = {
                "text": decision.text[:60],
                "due": _when(decision.due_at),
                "meeting": meeting.title,
            }
            if status == DeadlineStatus.OVERDUE:
                recipients += [meeting.convener, *supervisors_over(meeting.jurisdiction)]
                subject = gettext("[Overdue] joint meeting task: %(text)s") % values
            else:
                subject = gettext("[Warning] joint meeting task due %(due)s: %(text)s") % values
            body = gettext("%(meeting)s\n%(text)s\nDue %(due)s.") % values
            if decision.case is not None:
                record_event(
                    decision.case,
                    Actor.system(),
                    Action.SUPERVISE,
                    at=now,
                    note=subject,
                    data={"decision": decision.pk, "status": status},
                )
            enqueue(
                recipients,
                subject=subject,
                body=body,
                kind=f"decision_{status}",
                case=decision.case,
                now=now,
            )
    return status
