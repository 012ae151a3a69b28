"""Template helpers of the workbench: deadline badges."""

from django import template
from django.utils import timezone

from qingdan.cases.choices import OPEN_STATES, DeadlineStatus
from qingdan.deadlines.services import status_at

register = template.Library()

BADGE_CLASS = {
    DeadlineStatus.OK: "green",
    DeadlineStatus.WARNING: "yellow",
    DeadlineStatus.OVERDUE: "red",
}


@register.inclusion_tag("web/_deadline_badge.html")
def deadline_badge(case, now=None):
    """Yellow when the limit approaches, red when it has passed. Computed from
    `due_at`/`warn_at` at render time: the stored `deadline_status` is only as
    fresh as the worker's last pass."""
    if case.state not in OPEN_STATES or case.due_at is None:
        return {"status": None}
    status = status_at(case.due_at, case.warn_at, now or timezone.now())
    return {
        "status": status,
        "label": DeadlineStatus(status).label,
        "css": BADGE_CLASS.get(status, ""),
        "due_at": case.due_at,
    }
