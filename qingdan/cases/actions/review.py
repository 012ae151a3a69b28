"""Review (复查) and re-review (复核) as linked follow-up cases, and the closure
agreement (息诉罢访协议)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import TransitionRefused
from qingdan.deadlines import calendar, services

from ..choices import TIER_ORDER, Action, ReviewLevel, State, Tier
from ..models import Case, CaseLink, ClosureAgreement
from .base import as_actor, guard, record_event, require
from .registration import register_case

REVIEW_REQUEST_DAYS = 30  # arts. 35 and 36


def review_request_deadline(case: Case) -> dt.datetime | None:
    """The last moment to ask for review (arts. 35-36): 30 days from the recorded
    service of the written answer, by the review-window policy. None while the window
    has not started: the answer's service is not recorded yet (docs/decisions.md)."""
    if case.replied_at is None or case.answer_served_at is None:
        return None
    return services.review_request_deadline(case) or calendar.calendar_days_limit(
        case.answer_served_at, REVIEW_REQUEST_DAYS
    )


def review_window_open(case: Case, now: dt.datetime | None = None) -> bool:
    """Whether the petitioner may still ask for review of this answer: always before
    the answer is served (the window has not started), until its end after."""
    if case.replied_at is None:
        return False
    deadline = review_request_deadline(case)
    return deadline is None or (now or timezone.now()) <= deadline


def request_review(actor, case: Case, *, reason: str, expected_version: int | None = None) -> Case:
    """Open the follow-up case one body higher; after re-review the matter is final."""
    actor = as_actor(actor)
    guard(actor, case, Action.REQUEST_REVIEW, expected_version)
    if case.review_level >= ReviewLevel.RE_REVIEW:
        raise TransitionRefused(
            _("The re-review opinion is final (信访终结); no further review is possible."),
            code="matter_final",
        )
    if case.follow_ups.exists():
        raise TransitionRefused(
            _("A review of this case was already requested."), code="review_exists"
        )
    if not review_window_open(case):
        raise TransitionRefused(
            _("A review must be requested within %(n)d days of receiving the written answer.")
            % {"n": REVIEW_REQUEST_DAYS},
            code="review_too_late",
        )
    require({} if (reason or "").strip() else {"reason": [_("Give the reason.")]})
    level = ReviewLevel(case.review_level + 1)
    index = TIER_ORDER.index(Tier(case.tier))
    tier = TIER_ORDER[min(index + 1, len(TIER_ORDER) - 1)]
    prefix = _("Review") if level == ReviewLevel.REVIEW else _("Re-review")
    with transaction.atomic():
        follow_up = register_case(
            actor,
            channel=case.channel,
            title=f"{prefix}: {case.title}"[:200],
            content=reason.strip(),
            jurisdiction=case.jurisdiction,
            petitioner=case.petitioner,
            category=case.category,
            urgency=case.urgency,
            address=case.address,
            tier=tier,
        )
        Case.objects.filter(pk=follow_up.pk).update(parent=case, review_level=level)
        follow_up.parent, follow_up.review_level = case, level
        CaseLink.objects.create(from_case=follow_up, to_case=case, kind="review")
        record_event(
            case,
            actor,
            Action.REQUEST_REVIEW,
            note=reason.strip(),
            data={"follow_up": follow_up.tracking_number, "level": int(level)},
        )
    return follow_up


def record_closure_agreement(
    actor,
    case: Case,
    *,
    signed_at: dt.date,
    signed_by: str,
    summary: str,
    expected_version: int | None = None,
) -> ClosureAgreement:
    actor = as_actor(actor)
    guard(actor, case, Action.CLOSURE_AGREEMENT, expected_version)
    errors: dict[str, list] = {}
    if not (summary or "").strip():
        errors["summary"] = [_("Write down the terms agreed.")]
    if not (signed_by or "").strip():
        errors["signed_by"] = [_("Who signed the agreement?")]
    if signed_at is None:
        errors["signed_at"] = [_("The date of signature is required.")]
    elif signed_at > timezone.localdate():
        errors["signed_at"] = [_("The date of signature cannot be in the future.")]
    require(errors)
    if ClosureAgreement.objects.filter(case=case).exists():
        raise TransitionRefused(
            _("This case already has a closure agreement."), code="agreement_exists"
        )
    with transaction.atomic():
        agreement = ClosureAgreement.objects.create(
            case=case,
            signed_at=signed_at,
            signed_by=signed_by.strip(),
            summary=summary.strip(),
            recorded_by=actor.user,
        )
        record_event(case, actor, Action.CLOSURE_AGREEMENT, note=summary.strip())
    return agreement


__all__ = [
    "State",
    "record_closure_agreement",
    "request_review",
    "review_request_deadline",
    "review_window_open",
]
