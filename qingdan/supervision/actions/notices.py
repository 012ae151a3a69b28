"""Supervision notices (督办单): issued, answered, and chased by the worker when late."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import Actor, as_actor, record_event, require
from qingdan.cases.choices import Action
from qingdan.cases.models import Case
from qingdan.deadlines.choices import Recipient
from qingdan.notifications.actions import enqueue

from ..choices import NoticeState
from ..models import SupervisionNotice
from ..recipients import staff_for, supervisors_over
from ..transitions import TRANSITIONS
from ._common import MAX_REPLY_WITHIN, _when


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
    check_notice(actor, case, reason=reason, reply_within=reply_within)
    assert reply_within is not None
    now = now or timezone.now()
    with transaction.atomic():
        notice = SupervisionNotice.objects.create(
            case=case,
            alert=alert,
            unit=case.lead_unit,
            jurisdiction=notice_place(case),
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
            data=notice_event_data(notice),
        )
        subject, body = notice_texts(notice, case)
        enqueue(
            staff_for(case, notice_recipients(case)),
            subject=subject,
            body=body,
            kind="notice_issued",
            case=case,
            now=now,
        )
    return notice


def check_notice(actor, case: Case, *, reason: str, reply_within: dt.timedelta | None) -> None:
    """Refuse a notice the rules do not allow (also asked by the deadline burst before
    it issues notices in bulk)."""
    row = TRANSITIONS["issue_notice"]
    row.check_rights(actor.user, case, system=actor.label == "system")
    row.check_state(case)
    errors: dict[str, list] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Say what the unit must do.")]
    if reply_within is None or not dt.timedelta(hours=1) <= reply_within <= MAX_REPLY_WITHIN:
        errors["reply_within"] = [_("The reply is due within 1 hour to 90 days.")]
    require(errors)


def notice_place(case: Case):
    return case.tier_jurisdiction or case.jurisdiction


def notice_event_data(notice: SupervisionNotice) -> dict:
    return {"notice": notice.number, "reply_due": notice.due_at.isoformat()}


def notice_recipients(case: Case) -> list[str]:
    return [Recipient.LEAD_UNIT if case.lead_unit_id else Recipient.TIER_STAFF]


def notice_texts(notice: SupervisionNotice, case: Case) -> tuple[str, str]:
    """The subject and text of a new notice's message, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "number": notice.number,
            "case": case.tracking_number,
            "title": case.title,
            "due": _when(notice.due_at),
            "reason": notice.reason,
        }
        subject = gettext("Supervision notice %(number)s on %(case)s: reply by %(due)s") % values
        body = gettext("%(case)s %(title)s\n%(reason)s\nReply by %(due)s.") % values
    return subject, body


def reply_notice(
    actor, notice: SupervisionNotice, *, reply_text: str, now=None
) -> SupervisionNotice:
    actor = as_actor(actor)
    row = TRANSITIONS["reply_notice"]
    row.check_rights(actor.user, notice)
    row.check_state(notice)
    require({} if (reply_text or "").strip() else {"reply_text": [_("Write the reply.")]})
    now = now or timezone.now()
    text = reply_text.strip()
    with transaction.atomic():
        updated = SupervisionNotice.objects.filter(pk=notice.pk, state=NoticeState.OPEN).update(
            state=NoticeState.ANSWERED, reply_text=text, replied_by=actor.user, replied_at=now
        )
        if updated != 1:
            raise row.state_error()  # answered meanwhile
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
