"""The rights a person holds on a case, each defined once: as the test on one case
(`rights_on`, for the case page and the actions' guard) and as the same rule in SQL
(`condition`, behind `Case.objects.with_right(user, right)`, for lists such as the
queue's "waiting on me"). A test holds the two to the same answer for every persona.
"""

from django.db.models import Q

from qingdan.core.vocabulary import TIER_ORDER, State
from qingdan.orgs.choices import Level
from qingdan.orgs.permissions import OVERSEER_ROLES, PLACE_ROLES, is_administrator

TIER = "tier"  # works at the jurisdiction that owns the case at its current tier
# Works at a tier above the case's current tier, in a place that contains the case
# (a town over its villages' cases, the city over everything): may take it over.
ABOVE = "above"
LEAD = "lead"  # handler in the lead unit
CO = "co"  # handler in a co-handling unit
VIEW = "view"  # may see the case
RECEIVER = "receiver"  # the agent who received it: tracks it to the end and reports back
PETITIONER = "petitioner"  # the petitioner, through the portal or a return visit
SYSTEM = "system"  # the worker

STAFF_RIGHTS = (TIER, ABOVE, LEAD, CO, VIEW, RECEIVER)
# An administrator holds these on every case.
ADMINISTRATOR_RIGHTS = frozenset({TIER, ABOVE, LEAD, CO, VIEW})
NOTHING = Q(pk__in=[])
# Not Q(): an empty Q vanishes when combined with another (Q() | x is x).
EVERYTHING = Q(pk__isnull=False)


def _scope(user):
    return user.jurisdiction


def _acts_at_every_tier(user, scope) -> bool:
    # City supervisors and leaders oversee every tier; others act at their own.
    return scope.level == Level.CITY and user.role in OVERSEER_ROLES


def _tiers_below(level: str) -> list[str]:
    """The tiers under a place's level (a town: the village; a village: none)."""
    tiers = [str(tier) for tier in TIER_ORDER]
    return tiers[: tiers.index(level)] if level in tiers else []


def rights_on(user, case) -> frozenset[str]:
    """The rights `user` holds on `case`, derived from role, place and unit."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if is_administrator(user):
        return ADMINISTRATOR_RIGHTS
    rights: set[str] = set()
    scope = _scope(user)
    if scope is not None and scope.contains(case.jurisdiction):
        rights.add(VIEW)
        if user.role in PLACE_ROLES and (
            scope.level == case.tier or _acts_at_every_tier(user, scope)
        ):
            rights.add(TIER)
        if user.role in PLACE_ROLES and case.tier in _tiers_below(scope.level):
            rights.add(ABOVE)
    if case.created_by_id == user.pk and VIEW in rights:
        rights.add(RECEIVER)
    if user.department_id:
        if case.lead_unit_id == user.department_id:
            rights.update({LEAD, VIEW})
        elif any(c.department_id == user.department_id for c in case.co_handlings.all()):
            rights.update({CO, VIEW})
    return frozenset(rights)


def registers_cases(user) -> bool:
    """Registering is the work of a place's desk (agents, supervisors, leaders) and of
    the administrator; a unit's handler sees only its unit's cases, an analyst reads."""
    return is_administrator(user) or (
        user is not None
        and user.is_authenticated
        and user.role in PLACE_ROLES
        and user.jurisdiction_id is not None
    )


def may_register(user, jurisdiction) -> bool:
    """Registration rights match sight: a case is registered only where its registrar
    will see it (their own place)."""
    if is_administrator(user):
        return True
    return registers_cases(user) and user.jurisdiction.contains(jurisdiction)


def waiting_on(user, model) -> Q:
    """Open or not, the cases that wait on `user`: where they hold the tier right,
    where their unit leads or co-handles, or that they received and that wait for
    the petitioner's rating (the receiving agent reports the answer back)."""
    return (
        condition(TIER, user, model)
        | condition(LEAD, user, model)
        | condition(CO, user, model)
        | (condition(RECEIVER, user, model) & Q(state=State.REPLIED))
    )


def condition(right: str, user, model) -> Q:
    """The cases of `model` (Case) on which `user` holds `right`, as a filter."""
    if user is None or not user.is_authenticated:
        return NOTHING
    if is_administrator(user):
        return EVERYTHING if right in ADMINISTRATOR_RIGHTS else NOTHING
    if right == VIEW:
        if user.sees_everything:
            return EVERYTHING
        return _in_place(user) | _in_unit(user, model, LEAD) | _in_unit(user, model, CO)
    if right == TIER:
        scope = _scope(user)
        if scope is None or user.role not in PLACE_ROLES:
            return NOTHING
        if _acts_at_every_tier(user, scope):
            return _in_place(user)
        return _in_place(user) & Q(tier=scope.level)
    if right == ABOVE:
        scope = _scope(user)
        if scope is None or user.role not in PLACE_ROLES or not _tiers_below(scope.level):
            return NOTHING
        return _in_place(user) & Q(tier__in=_tiers_below(scope.level))
    if right in (LEAD, CO):
        return _in_unit(user, model, right)
    if right == RECEIVER:
        return Q(created_by_id=user.pk) & _in_place(user)
    return NOTHING  # the petitioner and the worker hold no account


def _in_place(user) -> Q:
    scope = _scope(user)
    if scope is None:
        return NOTHING
    return Q(jurisdiction__code__startswith=scope.scope_prefix)


def _in_unit(user, model, right: str) -> Q:
    if not user.department_id:
        return NOTHING
    if right == LEAD:
        return Q(lead_unit_id=user.department_id)
    co_handling = model._meta.get_field("co_handlings").related_model
    co_cases = co_handling.objects.filter(department_id=user.department_id).values("case_id")
    # A lead unit that also co-handles holds LEAD, not CO (as rights_on decides).
    return Q(pk__in=co_cases) & ~Q(lead_unit_id=user.department_id)
