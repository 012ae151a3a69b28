"""Who is told about a case: the kinds of `deadlines.choices.Recipient` resolved to
active staff accounts, in one query."""

from django.db.models import Q, QuerySet

from qingdan.deadlines.choices import Recipient
from qingdan.orgs.choices import Role
from qingdan.orgs.models import User

from .models import KeyCase


def _places_above(jurisdiction) -> list[int]:
    ids = []
    node = jurisdiction
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


def staff_for(case, kinds) -> QuerySet:
    kinds = set(kinds)
    condition = Q(pk__in=[])
    if Recipient.LEAD_UNIT in kinds and case.lead_unit_id:
        condition |= Q(department_id=case.lead_unit_id)
    if Recipient.TIER_STAFF in kinds:
        owner = case.tier_jurisdiction
        if owner is not None:
            condition |= Q(jurisdiction_id=owner.pk, role=Role.AGENT)
    if Recipient.SUPERVISORS in kinds:
        condition |= Q(jurisdiction_id__in=_places_above(case.jurisdiction), role=Role.SUPERVISOR)
    if Recipient.LEADER in kinds:
        condition |= Q(pk__in=KeyCase.objects.active().filter(case_id=case.pk).values("leader_id"))
    if Recipient.RECEIVER in kinds and case.created_by_id:
        condition |= Q(pk=case.created_by_id)
    return User.objects.filter(condition, is_active=True).order_by("pk")


def supervisors_over(jurisdiction) -> QuerySet:
    return User.objects.filter(
        jurisdiction_id__in=_places_above(jurisdiction), role=Role.SUPERVISOR, is_active=True
    )
