"""Read-side queries of the workbench: what waits on whom.

"Waiting on me" is `transitions.rights_on` turned into one SQL condition, so the
queue is filtered and paginated by the database, never by looping in Python.
"""

from django.db.models import F, Q, QuerySet

from qingdan.cases.choices import OPEN_STATES, State
from qingdan.cases.models import Case, CoHandling
from qingdan.cases.transitions import TIER_ROLES
from qingdan.orgs.choices import Level, Role

# City supervisors and leaders hold the tier right at every tier (see rights_on).
OVERSEERS = frozenset({Role.SUPERVISOR, Role.LEADER})


def waiting_condition(user) -> Q:
    """Open cases where `user` holds the tier right, where their unit leads or
    co-handles, or that they received and that wait for the petitioner's rating."""
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return Q()
    condition = Q(pk__in=[])
    scope = user.jurisdiction
    if scope is not None and user.role in TIER_ROLES:
        place = Q(jurisdiction__code__startswith=scope.scope_prefix)
        if scope.level == Level.CITY and user.role in OVERSEERS:
            condition |= place
        else:
            condition |= place & Q(tier=scope.level)
    if user.department_id:
        condition |= Q(lead_unit_id=user.department_id) | Q(
            pk__in=CoHandling.objects.filter(department_id=user.department_id).values("case_id")
        )
    # The receiving agent reports the answer back and records the rating (RECEIVER).
    condition |= Q(created_by_id=user.pk, state=State.REPLIED)
    return condition


def queue_for(user) -> QuerySet[Case]:
    """The open cases waiting on `user`, the nearest deadline first."""
    return (
        Case.objects.visible_to(user)
        .filter(state__in=OPEN_STATES)
        .filter(waiting_condition(user))
        .order_by(F("due_at").asc(nulls_last=True), "registered_at", "pk")
    )


def all_visible(user) -> QuerySet[Case]:
    """Every case the user may see (search beyond the queue), newest first."""
    return Case.objects.visible_to(user).order_by("-registered_at", "-pk")


def with_list_columns(queryset: QuerySet[Case]) -> QuerySet[Case]:
    # The petitioner comes with each row: titles are masked with its values, no query more.
    return queryset.select_related(
        "jurisdiction", "category", "lead_unit__jurisdiction", "petitioner"
    )
