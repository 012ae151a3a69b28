"""Superior assignment (上级交办): registering what a superior body hands down, and
the completion report back to it once the case is answered."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import as_actor, record_event, register_case, require
from qingdan.cases.choices import Action, Channel, Urgency
from qingdan.cases.models import Case
from qingdan.core.errors import TransitionRefused
from qingdan.orgs.models import Category, Jurisdiction

from ..models import CompletionReport
from ..transitions import TRANSITIONS
from .imports import require_importer


def register_superior_assignment(
    actor,
    *,
    assigning_body: str,
    assigning_reference: str,
    assigned_deadline: dt.datetime | None,
    title: str,
    content: str,
    jurisdiction: Jurisdiction | None,
    category: Category | None = None,
    urgency: str = Urgency.NORMAL,
    petitioner: dict[str, Any] | None = None,
    note: str = "",
) -> Case:
    """The petitioner is optional (the superior's file may not name one); when it
    does, the case can be rated and the person served later."""
    actor = as_actor(actor)
    require_importer(actor.user)
    errors: dict[str, list] = {}
    if not (assigning_reference or "").strip():
        errors["assigning_reference"] = [_("Give the reference number of the assignment.")]
    if assigned_deadline is None:
        errors["assigned_deadline"] = [_("Give the deadline the superior set.")]
    elif assigned_deadline < timezone.now():
        errors["assigned_deadline"] = [_("The deadline has already passed.")]
    require(errors)
    return register_case(
        actor,
        channel=Channel.SUPERIOR_ASSIGNMENT,
        title=title,
        content=content,
        jurisdiction=jurisdiction,
        category=category,
        urgency=urgency,
        assigning_body=assigning_body,
        assigning_reference=assigning_reference,
        assigned_deadline=assigned_deadline,
        petitioner=petitioner if petitioner and any(petitioner.values()) else None,
        note=note,
    )


def report_completion(
    actor, case: Case, *, text: str, reported_on: dt.date | None = None
) -> CompletionReport:
    """Record the completion report (办结报告) sent to the assigning body: only for an
    assigned case, once it is replied or closed, once, by its tier or lead unit."""
    actor = as_actor(actor)
    row = TRANSITIONS["report_completion"]
    row.check_state(case)
    row.check_rights(actor.user, case)
    today = timezone.localdate()
    reported_on = reported_on or today
    errors: dict[str, list] = {}
    if not (text or "").strip():
        errors["text"] = [_("Write what was done and the result.")]
    if reported_on > today:
        errors["reported_on"] = [_("The report date is in the future.")]
    elif case.replied_at and reported_on < timezone.localdate(case.replied_at):
        errors["reported_on"] = [_("The report date is before the reply.")]
    require(errors)
    try:
        with transaction.atomic():
            report = CompletionReport.objects.create(
                case=case, text=text.strip(), reported_on=reported_on, reported_by=actor.user
            )
            record_event(
                case,
                actor,
                Action.NOTE,
                note=str(_("Completion report sent to %(body)s.") % {"body": case.assigning_body}),
                data={
                    "completion_report": report.pk,
                    "assigning_body": case.assigning_body,
                    "assigning_reference": case.assigning_reference,
                    "reported_on": reported_on.isoformat(),
                },
            )
    except IntegrityError as exc:
        raise TransitionRefused(
            _("The completion report was already sent."), code="already_reported"
        ) from exc
    return report
