"""What the worker says about documents: written answers not served some days after
the reply. Until the service is recorded the petitioner's window to ask for review
has not started (arts. 35-36), so an office that forgets to record it (or to serve)
keeps the case open-ended; the tier's agents, the lead unit and the receiving agent
are told once per answer.

The worker runs it each pass (`remind_unserved`, before the outbox is sent).
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.cases.actions import Actor, record_event
from qingdan.cases.choices import ANSWERED_STATES, Action, ReviewLevel
from qingdan.cases.models import Case
from qingdan.core.jobs import JobContext, job
from qingdan.deadlines.choices import Recipient
from qingdan.notifications.actions import enqueue
from qingdan.supervision.recipients import staff_for

from .models import ServiceReminder

BATCH = 500
TOLD = (Recipient.TIER_STAFF, Recipient.LEAD_UNIT, Recipient.RECEIVER)


def unserved_answers(now: dt.datetime):
    """Answered cases whose answer is not served after the configured days, not yet
    reminded about."""
    cutoff = now - dt.timedelta(days=settings.QINGDAN_DOCUMENTS_UNSERVED_DAYS)
    reminded = ServiceReminder.objects.filter(
        case=OuterRef("pk"), replied_at=OuterRef("replied_at")
    )
    return (
        Case.objects.filter(
            answer_served_at__isnull=True,
            replied_at__lte=cutoff,
            state__in=ANSWERED_STATES,
            review_level__lt=ReviewLevel.RE_REVIEW,
        )
        .exclude(Exists(reminded))
        .select_related("jurisdiction__parent", "lead_unit")
        .order_by("replied_at", "pk")
    )


def remind(case: Case, now: dt.datetime) -> bool:
    """Tell about one case once: the unique reminder row is the claim."""
    days = settings.QINGDAN_DOCUMENTS_UNSERVED_DAYS
    assert case.replied_at is not None  # selected so
    with transaction.atomic():
        try:
            with transaction.atomic():
                ServiceReminder.objects.create(case=case, replied_at=case.replied_at)
        except IntegrityError:
            return False  # another worker told already
        text = _(
            "The written answer of %(date)s is not recorded as served after %(days)d days: "
            "the petitioner's window to ask for review has not started."
        ) % {"date": timezone.localtime(case.replied_at).date().isoformat(), "days": days}
        record_event(
            case,
            Actor.system(),
            Action.DEADLINE,
            at=now,
            note=text,
            data={"kind": "answer_not_served"},
        )
        enqueue(
            staff_for(case, TOLD),
            subject=_("%(number)s: the answer is not served") % {"number": case.tracking_number},
            body=f"{case.tracking_number} {case.title}\n{text}",
            kind="answer_not_served",
            case=case,
            now=now,
        )
    return True


def run(now: dt.datetime | None = None) -> int:
    """One pass: remind about up to BATCH unserved answers; 0 when switched off."""
    if settings.QINGDAN_DOCUMENTS_UNSERVED_DAYS <= 0:
        return 0
    now = now or timezone.now()
    return sum(remind(case, now) for case in unserved_answers(now)[:BATCH])


@job(
    "unserved answers",
    order=45,  # before the outbox job sends what it queues
    counters=("unserved_reminded",),
    summary="{unserved_reminded} unserved answers reminded",
)
def remind_unserved(ctx: JobContext) -> None:
    ctx.report.add("unserved_reminded", run(ctx.now))
