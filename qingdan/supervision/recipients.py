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


class StaffIndex:
    """`staff_for` for many cases at once (the deadline burst): the staff accounts they
    may need read in two queries, then each case's recipients picked in memory with
    the same rules, in the same order (by pk)."""

    def __init__(self, cases) -> None:
        cases = list(cases)
        units = {case.lead_unit_id for case in cases if case.lead_unit_id}
        places: set[int] = set()
        for case in cases:
            owner = case.tier_jurisdiction
            if owner is not None:
                places.add(owner.pk)
            places.update(_places_above(case.jurisdiction))
        self.leaders: dict[int, set[int]] = {}
        for case_id, leader_id in (
            KeyCase.objects.active()
            .filter(case_id__in=[case.pk for case in cases])
            .values_list("case_id", "leader_id")
        ):
            self.leaders.setdefault(case_id, set()).add(leader_id)
        named = {pk for ids in self.leaders.values() for pk in ids}
        named |= {case.created_by_id for case in cases if case.created_by_id}
        users = User.objects.filter(
            Q(department_id__in=units)
            | Q(jurisdiction_id__in=places, role__in=[Role.AGENT, Role.SUPERVISOR])
            | Q(pk__in=named),
            is_active=True,
        ).order_by("pk")
        self.users = list(users)
        self.by_unit: dict[int, list] = {}
        self.agents: dict[int, list] = {}
        self.supervisors: dict[int, list] = {}
        self.by_pk = {user.pk: user for user in self.users}
        for user in self.users:
            if user.department_id:
                self.by_unit.setdefault(user.department_id, []).append(user)
            if user.role == Role.AGENT and user.jurisdiction_id:
                self.agents.setdefault(user.jurisdiction_id, []).append(user)
            if user.role == Role.SUPERVISOR and user.jurisdiction_id:
                self.supervisors.setdefault(user.jurisdiction_id, []).append(user)

    def staff_for(self, case, kinds) -> list:
        kinds = set(kinds)
        found: dict[int, object] = {}

        def add(users) -> None:
            for user in users:
                found[user.pk] = user

        if Recipient.LEAD_UNIT in kinds and case.lead_unit_id:
            add(self.by_unit.get(case.lead_unit_id, ()))
        if Recipient.TIER_STAFF in kinds:
            owner = case.tier_jurisdiction
            if owner is not None:
                add(self.agents.get(owner.pk, ()))
        if Recipient.SUPERVISORS in kinds:
            for place in _places_above(case.jurisdiction):
                add(self.supervisors.get(place, ()))
        if Recipient.LEADER in kinds:
            add(self.by_pk[pk] for pk in self.leaders.get(case.pk, ()) if pk in self.by_pk)
        if Recipient.RECEIVER in kinds and case.created_by_id in self.by_pk:
            add([self.by_pk[case.created_by_id]])
        return [found[pk] for pk in sorted(found)]
