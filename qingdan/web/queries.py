"""Read-side queries of the workbench: what waits on whom.

"Waiting on me" is the rights of `qingdan.cases.rights` as one SQL condition, so the
queue is filtered and paginated by the database, never by looping in Python.
"""

from django.db.models import F, QuerySet

from qingdan.cases.choices import OPEN_STATES
from qingdan.cases.models import Case


def queue_for(user) -> QuerySet[Case]:
    """The open cases waiting on `user`, the nearest deadline first."""
    return (
        Case.objects.visible_to(user)
        .filter(state__in=OPEN_STATES)
        .waiting_on(user)
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
