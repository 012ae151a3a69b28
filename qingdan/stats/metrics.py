"""The counts behind every indicator, as conditions on a case row.

The same conditions fill the monthly rollup and make the plain recount, so the two
cannot drift apart. Counts split in two:

- *static* counts depend only on the case row (they change when an action changes
  the case, and the rollup is refreshed from the timeline);
- *live* counts depend on the clock too (a case becomes overdue by time passing
  alone): the rollup holds them exact as of `RollupState.as_of`, and a refresh
  recounts the slices of the cases whose limit passed since then.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q

from qingdan.cases.choices import UNANSWERED_STATES, Rating, ReplyOpinion, State, Tier
from qingdan.cases.models import CaseFlag

from .choices import DEFAULT_REPEAT_FLAG_KINDS

# The first response to a registered case: accepting it, or deciding it is not a
# petition to accept (not accepted / diverted to the legal channel).
FIRST_RESPONSE_WITHOUT_ACCEPTANCE = (State.NOT_ACCEPTED, State.DIVERTED)

STATIC_COUNTS = (
    "received",
    "accepted",
    "responded",
    "responded_on_time",
    "not_accepted",
    "diverted",
    "replied",
    "closed",
    "closed_village",
    "closed_town",
    "closed_city",
    "closed_on_time",
    "replied_late",
    "rated",
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "unsatisfied_supported",
    "repeat",
    "leader_received",
)
LIVE_COUNTS = ("overdue_open", "unresponded_late")
ALL_COUNTS = STATIC_COUNTS + LIVE_COUNTS


def repeat_flag_kinds() -> tuple[str, ...]:
    return tuple(getattr(settings, "QINGDAN_STATS_REPEAT_FLAG_KINDS", DEFAULT_REPEAT_FLAG_KINDS))


def static_conditions() -> dict[str, Q]:
    """name → condition on a Case row; `received` counts every row."""
    repeat_flag = Exists(CaseFlag.objects.filter(case=OuterRef("pk"), kind__in=repeat_flag_kinds()))
    return {
        "received": Q(pk__isnull=False),
        "accepted": Q(accepted_at__isnull=False),
        "responded": Q(accepted_at__isnull=False) | Q(state__in=FIRST_RESPONSE_WITHOUT_ACCEPTANCE),
        "responded_on_time": Q(accepted_at__lte=F("accept_due_at"))
        | Q(
            accepted_at__isnull=True,
            state__in=FIRST_RESPONSE_WITHOUT_ACCEPTANCE,
            closed_at__lte=F("accept_due_at"),
        ),
        "not_accepted": Q(state=State.NOT_ACCEPTED),
        "diverted": Q(state=State.DIVERTED),
        "replied": Q(replied_at__isnull=False),
        "closed": Q(state=State.CLOSED),
        # The tier that closed it: where the case is when it is closed.
        "closed_village": Q(state=State.CLOSED, tier=Tier.VILLAGE),
        "closed_town": Q(state=State.CLOSED, tier=Tier.TOWN),
        "closed_city": Q(state=State.CLOSED, tier=Tier.CITY),
        "closed_on_time": Q(state=State.CLOSED, closed_on_time=True),
        "replied_late": Q(closed_on_time=False),
        "rated": Q(rating__in=Rating.values),
        "satisfied": Q(rating=Rating.SATISFIED),
        "basically_satisfied": Q(rating=Rating.BASICALLY_SATISFIED),
        "unsatisfied": Q(rating=Rating.UNSATISFIED),
        "unsatisfied_supported": Q(rating=Rating.UNSATISFIED, reply_opinion=ReplyOpinion.SUPPORTS),
        "repeat": Q(review_level__gt=0) | Q(repeat_flag),
        # 领导坐班接访: walk-in cases a leader on duty received.
        "leader_received": Q(receiving_leader__isnull=False),
    }


def live_conditions(now: dt.datetime) -> dict[str, Q]:
    return {
        "overdue_open": Q(state__in=UNANSWERED_STATES, due_at__lt=now),
        "unresponded_late": Q(state=State.REGISTERED, accept_due_at__lt=now),
    }


def alias(name: str) -> str:
    """The name of a count in a query: apart from field names (a count called
    `closed_on_time` would shadow the field in the other conditions)."""
    return f"n_{name}"


def static_aggregates() -> dict[str, Count]:
    return {
        alias(name): Count("pk") if name == "received" else Count("pk", filter=cond)
        for name, cond in static_conditions().items()
    }


def live_aggregates(now: dt.datetime) -> dict[str, Count]:
    return {alias(name): Count("pk", filter=cond) for name, cond in live_conditions(now).items()}
