"""Supervision actions: notices and their replies, leader ownership, the joint
meeting and its decisions, and the worker's chasing of late replies and decisions.

Each checks rights (`rules`), writes its change, a timeline event on the case when
there is one, and its notifications (outbox) in one transaction.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions._base import Actor, as_actor, record_event, require
from qingdan.cases.choices import OPEN_STATES, Action, DeadlineStatus
from qingdan.cases.models import Case
from qingdan.core.errors import NotAllowed, TransitionRefused
from qingdan.deadlines.choices import Recipient
from qingdan.deadlines.services import status_at
from qingdan.notifications.actions import enqueue
from qingdan.orgs.choices import Role

from . import rules
from .choices import AgendaReason, DecisionState, MeetingState, NoticeState
from .models import AgendaItem, JointMeeting, KeyCase, MeetingDecision, SupervisionNotice
from .recipients import staff_for, supervisors_over

MAX_REPLY_WITHIN = dt.timedelta(days=90)
AGENDA_MAX = 100


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _refuse_finished(case: Case) -> None:
    if case.state not in OPEN_STATES:
        raise TransitionRefused(
            _("A finished case is not supervised."), code="case_finished", field="case"
        )


# --- supervision notices (督办单) ------------------------------------------------


def issue_notice(
    actor,
    case: Case,
    *,
    reason: str,
    reply_within: dt.timedelta | None,
    alert=None,
    now: dt.datetime | None = None,
) -> SupervisionNotice:
    """A notice to the unit leading the case (or the place at its tier), to be
    answered within `reply_within`."""
    actor = as_actor(actor)
    if actor.user is not None:
        if not rules.may_supervise_case(actor.user, case):
            raise NotAllowed(_("Only supervisors and leaders who see the case issue notices."))
    elif actor.label != "system":
        raise NotAllowed(_("You may not do this on this case."))
    _refuse_finished(case)
    errors: dict[str, list] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Say what the unit must do.")]
    if reply_within is None or not dt.timedelta(hours=1) <= reply_within <= MAX_REPLY_WITHIN:
        errors["reply_within"] = [_("The reply is due within 1 hour to 90 days.")]
    require(errors)
    assert reply_within is not None
    now = now or timezone.now()
    place = case.tier_jurisdiction or case.jurisdiction
    with transaction.atomic():
        notice = SupervisionNotice.objects.create(
            case=case,
            alert=alert,
            unit=case.lead_unit,
            jurisdiction=place,
            reason=reason.strip(),
            issued_by=actor.user,
            issued_at=now,
            due_at=now + reply_within,
        )
        record_event(
            case,
            actor,
            Action.SUPERVISE,
            at=now,
            note=reason.strip(),
            to_unit=case.lead_unit,
            data={"notice": notice.number, "reply_due": notice.due_at.isoformat()},
        )
        with translation.override(settings.LANGUAGE_CODE):
            values = {
                "number": notice.number,
                "case": case.tracking_number,
                "title": case.title,
                "due": _when(notice.due_at),
                "reason": notice.reason,
            }
            enqueue(
                staff_for(
                    case, [Recipient.LEAD_UNIT if case.lead_unit_id else Recipient.TIER_STAFF]
                ),
                subject=gettext("Supervision notice %(number)s on %(case)s: reply by %(due)s")
                % values,
                body=gettext("%(case)s %(title)s\n%(reason)s\nReply by %(due)s.") % values,
                kind="notice_issued",
                case=case,
                now=now,
            )
    return notice


def reply_notice(
    actor, notice: SupervisionNotice, *, reply_text: str, now=None
) -> SupervisionNotice:
    actor = as_actor(actor)
    if not rules.may_reply(actor.user, notice):
        raise NotAllowed(_("Only the supervised unit answers this notice."))
    if notice.state != NoticeState.OPEN:
        raise TransitionRefused(_("This notice was already answered."), code="notice_answered")
    require({} if (reply_text or "").strip() else {"reply_text": [_("Write the reply.")]})
    now = now or timezone.now()
    text = reply_text.strip()
    with transaction.atomic():
        updated = SupervisionNotice.objects.filter(pk=notice.pk, state=NoticeState.OPEN).update(
            state=NoticeState.ANSWERED, reply_text=text, replied_by=actor.user, replied_at=now
        )
        if updated != 1:
            raise TransitionRefused(_("This notice was already answered."), code="notice_answered")
        notice.state, notice.reply_text = NoticeState.ANSWERED, text
        notice.replied_by, notice.replied_at = actor.user, now
        case = notice.case
        record_event(
            case,
            actor,
            Action.SUPERVISE,
            at=now,
            note=text,
            data={"notice": notice.number, "answer": True},
        )
        recipients = list(supervisors_over(case.jurisdiction))
        if notice.issued_by_id:
            recipients.append(notice.issued_by)
        with translation.override(settings.LANGUAGE_CODE):
            values = {"number": notice.number, "case": case.tracking_number, "text": text}
            enqueue(
                recipients,
                subject=gettext("Supervision notice %(number)s answered") % values,
                body=gettext("%(case)s\n%(text)s") % values,
                kind="notice_answered",
                case=case,
                now=now,
            )
    return notice


def flag_overdue_notice(notice_pk: int, now: dt.datetime) -> bool:
    """The worker: a notice not answered in time is told to the supervisors and the
    owning leader, once (the conditional UPDATE is the claim)."""
    with transaction.atomic():
        claimed = SupervisionNotice.objects.filter(
            pk=notice_pk, state=NoticeState.OPEN, overdue_at__isnull=True, due_at__lt=now
        ).update(overdue_at=now)
        if not claimed:
            return False
        notice = SupervisionNotice.objects.select_related(
            "case__jurisdiction__parent__parent", "unit", "jurisdiction"
        ).get(pk=notice_pk)
        case = notice.case
        with translation.override(settings.LANGUAGE_CODE):
            values = {
                "number": notice.number,
                "case": case.tracking_number,
                "who": notice.answerer,
                "due": _when(notice.due_at),
            }
            note = (
                gettext("Supervision notice %(number)s to %(who)s was not answered by %(due)s.")
                % values
            )
            record_event(
                case,
                Actor.system(),
                Action.SUPERVISE,
                at=now,
                note=note,
                data={"notice": notice.number, "late": True},
            )
            recipients = list(staff_for(case, [Recipient.SUPERVISORS, Recipient.LEADER]))
            if notice.issued_by_id:
                recipients.append(notice.issued_by)
            enqueue(
                recipients,
                subject=gettext("[Overdue] supervision notice %(number)s") % values,
                body=note,
                kind="notice_overdue",
                case=case,
                now=now,
            )
    return True


# --- leader ownership (领导包保) ----------------------------------------------------


def assign_leader(actor, case: Case, *, leader, note: str = "", now=None) -> KeyCase:
    actor = as_actor(actor)
    if not rules.may_supervise_case(actor.user, case):
        raise NotAllowed(_("Only supervisors and leaders who see the case name its leader."))
    _refuse_finished(case)
    errors: dict[str, list] = {}
    if leader is None:
        errors["leader"] = [_("Choose the leader.")]
    elif leader.role != Role.LEADER or not leader.is_active:
        errors["leader"] = [_("%(name)s is not a leader.") % {"name": str(leader)}]
    elif leader.scope_jurisdiction is None or not leader.scope_jurisdiction.contains(
        case.jurisdiction
    ):
        errors["leader"] = [
            _("%(name)s does not oversee the place of this case.") % {"name": str(leader)}
        ]
    require(errors)
    now = now or timezone.now()
    with transaction.atomic():
        current = KeyCase.objects.active().filter(case=case).first()
        if current is not None and current.leader_id == leader.pk:
            raise TransitionRefused(_("This leader already owns the case."), code="already_owned")
        if current is not None:
            KeyCase.objects.filter(pk=current.pk).update(released_at=now)
        try:
            with transaction.atomic():
                key = KeyCase.objects.create(
                    case=case,
                    leader=leader,
                    note=note.strip(),
                    assigned_by=actor.user,
                    assigned_at=now,
                )
        except IntegrityError as exc:
            raise TransitionRefused(
                _("Someone named a leader for this case meanwhile."), code="already_owned"
            ) from exc
        with translation.override(settings.LANGUAGE_CODE):
            values = {"leader": str(leader), "case": case.tracking_number, "title": case.title}
            record_event(
                case,
                actor,
                Action.SUPERVISE,
                at=now,
                note=gettext("Key case owned by %(leader)s.") % values
                + (f" {note.strip()}" if note.strip() else ""),
                data={"leader": leader.pk, "key_case": key.pk},
            )
            enqueue(
                [leader],
                subject=gettext("You own the key case %(case)s") % values,
                body=gettext("%(case)s %(title)s") % values,
                kind="key_case",
                case=case,
                now=now,
            )
    return key


def release_leader(actor, key: KeyCase, *, now=None) -> KeyCase:
    actor = as_actor(actor)
    case = key.case
    if not rules.may_supervise_case(actor.user, case):
        raise NotAllowed(_("Only supervisors and leaders who see the case name its leader."))
    now = now or timezone.now()
    with transaction.atomic():
        if not KeyCase.objects.filter(pk=key.pk, released_at__isnull=True).update(released_at=now):
            raise TransitionRefused(_("This ownership already ended."), code="already_released")
        key.released_at = now
        with translation.override(settings.LANGUAGE_CODE):
            record_event(
                case,
                actor,
                Action.SUPERVISE,
                at=now,
                note=gettext("%(leader)s no longer owns the case.") % {"leader": str(key.leader)},
                data={"leader": key.leader_id, "key_case": key.pk, "released": True},
            )
    return key


# --- the joint meeting (联席会议) ---------------------------------------------------


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
    require(errors)
    assert held_at is not None  # require() refused a missing time above
    if not rules.may_convene(actor.user, jurisdiction):
        raise NotAllowed(
            _("Supervisors and leaders convene the joint meeting of a town or city they oversee."),
            field="jurisdiction",
        )
    return JointMeeting.objects.create(
        jurisdiction=jurisdiction, title=title.strip()[:200], held_at=held_at, convener=actor.user
    )


def _check_manage(actor: Actor, meeting: JointMeeting) -> None:
    if not rules.may_manage_meeting(actor.user, meeting):
        raise NotAllowed(
            _("Only the convener and the supervisors over the place manage this meeting.")
        )


def build_agenda(actor, meeting: JointMeeting, *, now=None) -> int:
    """Put on the agenda the place's open cases that are overdue, owned by a leader,
    or handled by several departments. Adds what is missing; returns how many."""
    actor = as_actor(actor)
    _check_manage(actor, meeting)
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


def record_minutes(actor, meeting: JointMeeting, *, minutes: str, now=None) -> JointMeeting:
    actor = as_actor(actor)
    _check_manage(actor, meeting)
    require({} if (minutes or "").strip() else {"minutes": [_("Write the minutes.")]})
    now = now or timezone.now()
    JointMeeting.objects.filter(pk=meeting.pk).update(
        minutes=minutes.strip(), state=MeetingState.HELD, minutes_recorded_at=now
    )
    meeting.minutes, meeting.state, meeting.minutes_recorded_at = (
        minutes.strip(),
        MeetingState.HELD,
        now,
    )
    return meeting


def decision_warning() -> dt.timedelta:
    return dt.timedelta(hours=settings.QINGDAN_DECISION_WARNING_HOURS)


def add_decision(
    actor,
    meeting: JointMeeting,
    *,
    text: str,
    owner,
    due_at: dt.datetime | None,
    case: Case | None = None,
    now=None,
) -> MeetingDecision:
    """A decision of the meeting: a task for `owner`, due at `due_at`."""
    actor = as_actor(actor)
    _check_manage(actor, meeting)
    now = now or timezone.now()
    errors: dict[str, list] = {}
    if not (text or "").strip():
        errors["text"] = [_("Write the decision.")]
    if owner is None or not owner.is_active:
        errors["owner"] = [_("Choose who carries it out.")]
    if due_at is None:
        errors["due_at"] = [_("Give the deadline.")]
    elif due_at <= now:
        errors["due_at"] = [_("The deadline must be in the future.")]
    if case is not None and not meeting.jurisdiction.contains(case.jurisdiction):
        errors["case"] = [_("The case is not in the place of this meeting.")]
    require(errors)
    assert due_at is not None
    with transaction.atomic():
        decision = MeetingDecision.objects.create(
            meeting=meeting,
            case=case,
            text=text.strip(),
            owner=owner,
            due_at=due_at,
            warn_at=due_at - decision_warning(),
            created_by=actor.user,
            deadline_status=status_at(due_at, due_at - decision_warning(), now),
        )
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
                    data={"meeting": meeting.pk, "decision": decision.pk, "owner": owner.pk},
                )
            enqueue(
                [owner],
                subject=gettext("Joint meeting task due %(due)s") % values,
                body=gettext("%(meeting)s\n%(text)s") % values,
                kind="decision_assigned",
                case=case,
                now=now,
            )
    return decision


def complete_decision(actor, decision: MeetingDecision, *, note: str, now=None) -> MeetingDecision:
    actor = as_actor(actor)
    if not rules.may_complete_decision(actor.user, decision):
        raise NotAllowed(_("Only the owner and the meeting's managers report this task done."))
    if decision.state != DecisionState.OPEN:
        raise TransitionRefused(_("This task is already done."), code="decision_done")
    require({} if (note or "").strip() else {"note": [_("Say what was done.")]})
    now = now or timezone.now()
    with transaction.atomic():
        if not MeetingDecision.objects.filter(pk=decision.pk, state=DecisionState.OPEN).update(
            state=DecisionState.DONE, done_at=now, done_note=note.strip()
        ):
            raise TransitionRefused(_("This task is already done."), code="decision_done")
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
        recipients = [decision.owner]
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
