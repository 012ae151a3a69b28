"""Co-handling (协办): a co-handling unit gives the lead unit its opinion (协办意见),
by the limit the co-handling opinion policy set when the unit was added; the lead
unit reads the opinions received, and those still missing, before it replies."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import NotAllowed

from ..choices import Action
from ..models import Case, CoHandling
from .base import as_actor, commit, guard, require

OPINION_MAX = 5000


def give_co_opinion(actor, case: Case, *, opinion: str, expected_version=None) -> CoHandling:
    """The acting handler's unit gives (or gives again) its opinion; the timeline keeps
    every version, the case shows the latest."""
    actor = as_actor(actor)
    guard(actor, case, Action.CO_OPINION)
    department_id = getattr(actor.user, "department_id", None)
    co_handling = next(
        (item for item in case.co_handlings.all() if item.department_id == department_id), None
    )
    if co_handling is None:
        raise NotAllowed(_("Only a co-handling unit gives its opinion."), code="not_co_handling")
    text = (opinion or "").strip()
    if not text:
        require({"opinion": [_("Write the opinion.")]})
    elif len(text) > OPINION_MAX:
        require({"opinion": [_("The opinion is at most %(n)d characters.") % {"n": OPINION_MAX}]})
    now = timezone.now()
    with transaction.atomic():
        CoHandling.objects.filter(pk=co_handling.pk).update(
            opinion=text, opinion_at=now, opinion_by=actor.user
        )
        co_handling.opinion, co_handling.opinion_at = text, now
        co_handling.opinion_by = actor.user
        # Bumps the version: a reply form opened before the opinion came is stale.
        commit(
            case,
            actor,
            Action.CO_OPINION,
            changes={},
            expected_version=expected_version,
            note=text,
            now=now,
            from_unit=co_handling.department,
            to_unit=case.lead_unit,
            data={"on_time": not co_handling.opinion_late},
        )
    return co_handling
