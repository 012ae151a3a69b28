"""A co-handling unit's opinion (协办意见) that is late: told once to the unit asked for it
and to the lead unit waiting on it, and kept on the case's timeline."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from qingdan.cases.actions import Actor, record_event
from qingdan.cases.choices import HANDLING_STATES, Action
from qingdan.cases.models import Case, CoHandling
from qingdan.deadlines.choices import AlertLevel, Recipient, Stage
from qingdan.deadlines.models import DeadlineAlert
from qingdan.notifications.actions import enqueue
from qingdan.orgs.models import User

from ..recipients import staff_for


def late_co_opinions(now: dt.datetime):
    """Co-handling units whose opinion is past its limit while the lead unit still
    handles the case, not yet chased for that limit."""
    chased = DeadlineAlert.objects.filter(
        case=OuterRef("case"), stage=Stage.CO_OPINION, due_at=OuterRef("opinion_due_at")
    )
    return (
        CoHandling.objects.filter(opinion="", opinion_due_at__lt=now)
        .filter(case__state__in=HANDLING_STATES)
        .exclude(Exists(chased))
        .select_related("department__jurisdiction", "case__jurisdiction__parent", "case__lead_unit")
        .order_by("opinion_due_at", "pk")
    )


def chase_co_opinion(co_handling: CoHandling, now: dt.datetime) -> bool:
    """Tell once about one late opinion: the unique alert row (per case, stage and limit)
    is the claim, written with the timeline event and the outbox rows."""
    case: Case = co_handling.case
    due = co_handling.opinion_due_at
    assert due is not None  # selected so
    with transaction.atomic():
        try:
            with transaction.atomic():
                DeadlineAlert.objects.create(
                    case=case,
                    stage=Stage.CO_OPINION,
                    level=AlertLevel.OVERDUE,
                    due_at=due,
                    raised_at=now,
                    data={"unit": co_handling.department.code},
                )
        except IntegrityError:
            return False  # chased already (another unit with the same limit, or a worker)
        late = CoHandling.objects.filter(case=case, opinion="", opinion_due_at=due).select_related(
            "department__jurisdiction"
        )
        units = [c.department for c in late]
        names = "、".join(str(unit) for unit in units)
        when = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
        note = gettext("Co-handling opinion of %(units)s is late: it was due %(due)s.") % {
            "units": names,
            "due": when,
        }
        record_event(
            case,
            Actor.system(),
            Action.DEADLINE,
            at=now,
            note=note,
            data={
                "stage": Stage.CO_OPINION,
                "level": AlertLevel.OVERDUE,
                "due_at": due.isoformat(),
            },
        )
        told = User.objects.filter(department__in=units, is_active=True) | staff_for(
            case, {Recipient.LEAD_UNIT}
        )
        enqueue(
            told.distinct(),
            subject=gettext("[Overdue] %(number)s: co-handling opinion was due %(due)s")
            % {"number": case.tracking_number, "due": when},
            body=f"{case.tracking_number} {case.title}\n{note}",
            kind="co_opinion_overdue",
            case=case,
            now=now,
        )
    return True
