"""Enterprise visits (调研走访 / 关企面对面): one visit, a list of problems, each a
case with the enterprise as petitioner (channel enterprise_visit)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import as_actor, register_case, require
from qingdan.cases.actions.registration import _clean_petitioner, find_or_create_petitioner
from qingdan.cases.choices import Channel, PetitionerKind, Urgency
from qingdan.core.errors import ValidationFailed
from qingdan.orgs.models import Jurisdiction

from ..importer.values import derive_title
from ..models import EnterpriseVisit, VisitProblem

MAX_PROBLEMS = 50


def record_enterprise_visit(
    actor,
    *,
    visited_on: dt.date | None,
    enterprise: dict[str, Any],
    jurisdiction: Jurisdiction | None,
    staff: list,
    topics: str,
    problems: list[dict[str, Any]],
) -> EnterpriseVisit:
    """Record the visit and register each problem raised as a tracked case; all or
    nothing. A problem is {"content", optional "title", "category", "urgency"}."""
    actor = as_actor(actor)
    errors: dict[str, list] = {}
    if visited_on is None:
        errors["visited_on"] = [_("When was the visit?")]
    elif visited_on > timezone.localdate():
        errors["visited_on"] = [_("The visit date is in the future.")]
    cleaned, enterprise_errors = _clean_petitioner(
        {**enterprise, "kind": PetitionerKind.ENTERPRISE}, "enterprise."
    )
    errors.update(enterprise_errors)
    if jurisdiction is None:
        errors["jurisdiction"] = [_("Choose where the enterprise is.")]
    if not (topics or "").strip():
        errors["topics"] = [_("Note what was discussed.")]
    if not staff:
        errors["staff"] = [_("Name the staff on the visit.")]
    problems = [p for p in problems if (p.get("content") or "").strip()]
    if not problems:
        errors["problems"] = [_("List at least one problem the enterprise raised.")]
    elif len(problems) > MAX_PROBLEMS:
        errors["problems"] = [_("At most %(n)d problems per visit.") % {"n": MAX_PROBLEMS}]
    require(errors)
    assert visited_on is not None and jurisdiction is not None

    with transaction.atomic():
        petitioner = find_or_create_petitioner(cleaned)
        visit = EnterpriseVisit.objects.create(
            visited_on=visited_on,
            enterprise=petitioner,
            jurisdiction=jurisdiction,
            topics=topics.strip(),
            created_by=actor.user,
        )
        visit.staff.set(staff)
        note = str(_("Raised on the enterprise visit of %(date)s.") % {"date": visited_on})
        registered: list = []
        for position, problem in enumerate(problems, start=1):
            content = problem["content"].strip()
            try:
                case = register_case(
                    actor,
                    channel=Channel.ENTERPRISE_VISIT,
                    title=(problem.get("title") or "").strip() or derive_title(content),
                    content=content,
                    jurisdiction=jurisdiction,
                    petitioner=petitioner,
                    category=problem.get("category"),
                    urgency=problem.get("urgency") or Urgency.NORMAL,
                    # One visit's problems are distinct, never repeats of each other.
                    raised_with=registered,
                    note=note,
                )
            except ValidationFailed as exc:
                raise ValidationFailed(
                    {f"problems.{position}.{k}": v for k, v in exc.errors.items()}
                ) from exc
            VisitProblem.objects.create(visit=visit, case=case, position=position)
            registered.append(case)
    return visit
