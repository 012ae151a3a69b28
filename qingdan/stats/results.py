"""What the results list (成果清单) lists: the cases registered in a period that the user
may see, narrowed by enterprise, enterprise visit, channel, lead unit, place and
category. The page, the .xlsx and the API take the same filters (`ResultsFilter`).

Enterprise visits belong to the intake app, which this app does not import: a case
names its visit through the `visit_problem` relation that intake's `VisitProblem`
gives it (`visit_problem__visit`), read here by name only.
"""

import datetime as dt
from dataclasses import dataclass, fields
from urllib.parse import urlencode

from django.db.models import Q
from django.utils import timezone

from qingdan.cases.choices import PetitionerKind
from qingdan.cases.models import Case, Petitioner
from qingdan.orgs.models import Category, Department, Jurisdiction

VISIT = "visit_problem__visit"
VISITS_OFFERED = 200  # the most recent visits the page offers to choose from


@dataclass(frozen=True)
class ResultsFilter:
    """The narrowing of the results list; empty fields do not narrow."""

    enterprise: str = ""  # the enterprise's unified social credit code
    visit: int | None = None
    channel: str = ""
    unit: Department | None = None  # the lead unit
    place: Jurisdiction | None = None  # with the places inside it
    category: Category | None = None  # with its subcategories

    def condition(self) -> Q:
        condition = Q()
        if self.enterprise:
            condition &= Q(
                petitioner__kind=PetitionerKind.ENTERPRISE,
                petitioner__credit_code=self.enterprise.upper(),
            )
        if self.visit is not None:
            condition &= Q(**{f"{VISIT}_id": self.visit})
        if self.channel:
            condition &= Q(channel=self.channel)
        if self.unit is not None:
            condition &= Q(lead_unit=self.unit)
        if self.place is not None:
            condition &= Q(jurisdiction__code__startswith=self.place.scope_prefix)
        if self.category is not None:
            condition &= Q(category=self.category) | Q(category__parent=self.category)
        return condition

    def apply(self, cases):
        condition = self.condition()
        return cases.filter(condition) if condition else cases

    def query(self) -> dict[str, str]:
        """The filters as query parameters (codes, as the API takes them)."""
        values: dict[str, str] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value in ("", None):
                continue
            values[item.name] = str(getattr(value, "code", value))
        return values

    def querystring(self) -> str:
        return urlencode(self.query())


def enterprise_choices(user) -> list[tuple[str, str]]:
    """The enterprises of the cases `user` may see: (credit code, name)."""
    visible = Case.objects.visible_to(user).values("petitioner_id")
    enterprises = Petitioner.objects.filter(kind=PetitionerKind.ENTERPRISE, pk__in=visible).exclude(
        credit_code=""
    )
    # Names are encrypted at rest: sorted here, not in SQL.
    return sorted(
        ((p.credit_code, f"{p.name}（{p.credit_code}）") for p in enterprises),
        key=lambda choice: choice[1],
    )


def visit_choices(user) -> list[tuple[int, str]]:
    """The most recent enterprise visits among the cases `user` may see."""
    rows = (
        Case.objects.visible_to(user)
        .filter(**{f"{VISIT}__isnull": False})
        .order_by(f"-{VISIT}__visited_on", f"-{VISIT}_id")
        .values_list(f"{VISIT}_id", f"{VISIT}__visited_on", "petitioner_id")
        .distinct()[: VISITS_OFFERED * 5]
    )
    seen: dict[int, tuple[dt.date, int]] = {}
    for visit, visited_on, petitioner in rows:
        seen.setdefault(visit, (visited_on, petitioner))
        if len(seen) >= VISITS_OFFERED:
            break
    names = {
        p.pk: p.name for p in Petitioner.objects.filter(pk__in={pet for _d, pet in seen.values()})
    }
    return [
        (visit, f"{visited_on:%Y-%m-%d} {names.get(petitioner, '')}".strip())
        for visit, (visited_on, petitioner) in seen.items()
    ]


def result_record(case: Case) -> dict:
    """One row of the results list as plain data (the API's answer). The petitioner
    only by their masked name."""
    local = timezone.localtime
    return {
        "tracking_number": case.tracking_number,
        "registered_at": local(case.registered_at).isoformat(),
        "place": case.jurisdiction.code,
        "place_name": case.jurisdiction.name,
        "category": case.category.code if case.category else None,
        "channel": case.channel,
        "title": case.title,
        "petitioner": case.petitioner.masked_name if case.petitioner else "",
        "state": case.state,
        "tier": case.tier,
        "lead_unit": case.lead_unit.code if case.lead_unit else None,
        "co_units": [co.department.code for co in case.co_handlings.all()],
        "reply_opinion": case.reply_opinion or None,
        "replied_at": local(case.replied_at).isoformat() if case.replied_at else None,
        "closed_at": local(case.closed_at).isoformat() if case.closed_at else None,
        "closed_on_time": case.closed_on_time,
        "rating": case.rating or None,
        "visit": getattr(getattr(case, "visit_problem", None), "visit_id", None),
    }
