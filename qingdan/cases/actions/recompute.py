"""Bringing the due-time columns of open cases in line with the deadline policies and
the business calendar after an administrator changed them (`qingdan
recompute-deadlines`). The rules are `qingdan.deadlines`'; the rows are the cases'."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from qingdan.core.errors import ActionError
from qingdan.deadlines import calendar, policies
from qingdan.deadlines.services import recompute_due_times

from ..choices import OPEN_STATES
from ..models import Case
from .base import DUE_FIELDS


@dataclass
class RecomputeReport:
    checked: int = 0
    changed: int = 0
    refused: list[str] = field(default_factory=list)  # "number: why", left as they were


def recompute_open_cases(
    *, now: dt.datetime | None = None, dry_run: bool = False, batch_size: int = 500
) -> RecomputeReport:
    """Recompute the due-time columns of every open case under today's policies and
    calendar, after an administrator changed them (a limit, a holiday, next year's
    schedule). Transitions recompute them anyway; this brings the others in line now.
    A case whose limit falls in a year the calendar does not know keeps its columns
    and is reported. The columns are derived data: no version bump, no timeline event."""
    calendar.clear_cache()
    policies.clear_cache()
    now = now or timezone.now()
    report = RecomputeReport()
    ids = list(
        Case.objects.filter(state__in=OPEN_STATES).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            for case in Case.objects.filter(pk__in=chunk).prefetch_related("clock_pauses"):
                report.checked += 1
                before = {name: getattr(case, name) for name in DUE_FIELDS}
                try:
                    recompute_due_times(case, now)
                except ActionError as error:
                    report.refused.append(f"{case.tracking_number}: {error.message}")
                    continue
                after = {name: getattr(case, name) for name in DUE_FIELDS}
                if after != before:
                    report.changed += 1
                    if not dry_run:
                        Case.objects.filter(pk=case.pk).update(**after)
    return report
