"""Indicators for what a user may see, over a period, broken down by a dimension.

`indicators(user, period, by)` is the public entry point (the dashboard, the JSON
endpoint, the bulletin and /api/v1 use it). It counts only
`Case.objects.visible_to(user)`: from the monthly rollup when the user's
visibility is a jurisdiction (or everything), which makes a year over ten million
cases a matter of milliseconds, and straight from the cases table otherwise (a
unit's handler also sees the cases the unit co-handles, which the rollup does not
record). Both ways give the same numbers; the definitions are in
`qingdan.stats.formulas`.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import DateField, Q, Sum
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.cases.choices import TIER_ORDER, UNANSWERED_STATES, Channel, Tier
from qingdan.cases.models import Case
from qingdan.core.errors import ValidationFailed
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Category, Department, Jurisdiction

from . import formulas as f
from .choices import Dimension, RollupKind
from .metrics import (
    ALL_COUNTS,
    LIVE_COUNTS,
    STATIC_COUNTS,
    alias,
    live_aggregates,
    static_aggregates,
)
from .models import IndicatorSettings, MonthlyRollup
from .periods import Period, add_months, local_start, parse_period
from .rollup import refresh, without_jit

AUTO, ROLLUP, LIVE = "auto", "rollup", "live"
# Where each dimension lives: the rollup kind to read and the column (same name on
# the case row and the rollup row).
DIMENSION_COLUMN = {
    Dimension.JURISDICTION: (RollupKind.PLACE, "jurisdiction_id"),
    Dimension.UNIT: (RollupKind.UNIT, "lead_unit_id"),
    Dimension.CATEGORY: (RollupKind.CATEGORY, "category_id"),
    Dimension.CHANNEL: (RollupKind.CHANNEL, "channel"),
    Dimension.TIER: (RollupKind.PLACE, "tier"),
}
RANKED = {Dimension.UNIT, Dimension.JURISDICTION}
LEVEL_DEPTH = {Level.CITY: 0, Level.TOWN: 1, Level.VILLAGE: 2}
CHILD_LEVEL = {Level.CITY: Level.TOWN, Level.TOWN: Level.VILLAGE, Level.VILLAGE: Level.VILLAGE}
TREND_MONTHS = 12


def rollup_scope(user) -> Q | None:
    """A filter on rollup rows that selects exactly `Case.objects.visible_to(user)`,
    or None when that visibility cannot be expressed on the rollup."""
    if user is None or not user.is_authenticated:
        return None
    if user.sees_everything:
        return Q()
    if user.jurisdiction_id and not user.department_id:
        return Q(jurisdiction__code__startswith=user.jurisdiction.scope_prefix)
    return None


class Counter:
    """Counts visible cases per key (a month or a dimension's value)."""

    def __init__(self, user, now: dt.datetime, source: str = AUTO):
        self.now = now
        self.cases = Case.objects.visible_to(user).order_by()
        self.scope = None if source == LIVE else rollup_scope(user)
        if source == ROLLUP and self.scope is None:
            raise ValueError("this user's visibility cannot be read from the rollup")
        self.source = ROLLUP if self.scope is not None else LIVE
        self.live_in_rollup = False
        if self.source == ROLLUP:
            state = refresh(now)
            # Asked about a moment before the rollup's own time (a report for a
            # fixed past `now`): the clock-dependent counts are made on the spot.
            self.live_in_rollup = state.as_of is not None and state.as_of <= now

    def _cases(self, first: dt.date | None, end: dt.date):
        cases = self.cases.filter(registered_at__lt=local_start(end))
        if first is not None:
            cases = cases.filter(registered_at__gte=local_start(first))
        return cases

    def count(self, column: str, kind: str, first: dt.date | None, end: dt.date) -> dict:
        """{key: Tally} over the months [first, end)."""
        tallies: dict = defaultdict(f.Tally)
        cases = self._cases(first, end)
        if column == "month":
            cases = cases.annotate(month=Cast(TruncMonth("registered_at"), DateField()))
        if self.source == ROLLUP:
            assert self.scope is not None
            rows = MonthlyRollup.objects.filter(self.scope, kind=kind, month__lt=end)
            if first is not None:
                rows = rows.filter(month__gte=first)
            names = ALL_COUNTS if self.live_in_rollup else STATIC_COUNTS
            sums = {alias(name): Sum(name) for name in names}
            for row in rows.order_by().values(column).annotate(**sums):
                tallies[row[column]].add_row(row, names, alias)
            if not self.live_in_rollup:
                live = cases.filter(state__in=UNANSWERED_STATES)
                for row in live.values(column).annotate(**live_aggregates(self.now)):
                    tallies[row[column]].add_row(row, LIVE_COUNTS, alias)
        else:
            aggregates = {**static_aggregates(), **live_aggregates(self.now)}
            for row in cases.values(column).annotate(**aggregates):
                tallies[row[column]].add_row(row, key=alias)
        return tallies


def _merged(monthly: dict, months) -> f.Tally:
    total = f.Tally()
    for month in months:
        if month in monthly:
            total.merge(monthly[month])
    return total


def _period_info(period: Period) -> dict:
    return {
        "code": period.code,
        "label": period.label,
        "start": period.first_month.isoformat(),
        "end": period.last_day.isoformat(),
    }


def compute(user, period: Period, dims=(), *, source: str = AUTO, now=None) -> dict:
    """Everything the dashboard, the API and the bulletin show (numbers unrounded)."""
    now = now or timezone.now()
    formulas = IndicatorSettings.current()
    counter = Counter(user, now, source)
    # The reads in one transaction (one snapshot), without PostgreSQL's JIT.
    with transaction.atomic():
        without_jit()
        return _report(counter, user, period, dims, now, formulas)


def _report(counter: "Counter", user, period: Period, dims, now, formulas) -> dict:
    monthly = counter.count("month", RollupKind.PLACE, None, period.end_month)
    year_ago, previous = period.year_ago(), period.previous()

    def over(months) -> dict:
        return f.indicators_of(_merged(monthly, months), formulas)

    # A period not over yet is compared with the same months a year before, not with
    # the whole of last year's period (the current month counts as elapsed).
    today = timezone.localtime(now).date()
    next_month = add_months(today.replace(day=1), 1)
    elapsed = [m for m in period.months if m < next_month]
    year_ago_months = (
        year_ago.months
        if len(elapsed) == len(period.months)
        else [add_months(m, -12) for m in elapsed]
    )
    total, before, last_year = over(period.months), over(previous.months), over(year_ago_months)
    history = sorted(monthly)
    cumulative = over([m for m in history if m < period.end_month])
    cumulative_to = min(period.end_month, next_month)
    cumulative_year_ago = over([m for m in history if m < add_months(cumulative_to, -12)])
    year_ago_info = _period_info(year_ago)
    if year_ago_months != year_ago.months:
        last = add_months(year_ago_months[-1], 1) if year_ago_months else year_ago.first_month
        year_ago_info["end"] = (last - dt.timedelta(days=1)).isoformat()
    trend = []
    for i in range(TREND_MONTHS - 1, -1, -1):
        month = add_months(period.last_month, -i)
        now_values, then_values = over([month]), over([add_months(month, -12)])
        trend.append(
            {
                "month": month.strftime("%Y-%m"),
                "in_period": month in period.months,
                "received": now_values["received"],
                "closed": now_values["closed"],
                "received_year_ago": then_values["received"],
                "closed_year_ago": then_values["closed"],
                "satisfaction_rate": now_values["satisfaction_rate"],
            }
        )
    return {
        "period": _period_info(period),
        "previous_period": _period_info(previous),
        "year_ago_period": year_ago_info,
        "source": counter.source,
        "generated_at": now.isoformat(),
        "formulas": {
            "response_weight": float(formulas.response_weight),
            "resolution_weight": float(formulas.resolution_weight),
            "satisfaction_weight": float(formulas.satisfaction_weight),
            "basically_satisfied_weight": float(formulas.basically_satisfied_weight),
            "supported_reply_counts_as_solved": formulas.supported_reply_counts_as_solved,
        },
        "total": total,
        "previous": before,
        "year_ago": last_year,
        "change": {"yoy": f.changes(total, last_year), "mom": f.changes(total, before)},
        "cumulative": {
            # The totals run to today while the period is not over.
            "to": min(period.last_day, today).isoformat(),
            "received": cumulative["received"],
            "closed": cumulative["closed"],
            "received_yoy": f.ratio(
                cumulative["received"] - cumulative_year_ago["received"],
                cumulative_year_ago["received"],
            ),
            "closed_yoy": f.ratio(
                cumulative["closed"] - cumulative_year_ago["closed"], cumulative_year_ago["closed"]
            ),
        },
        "trend": trend,
        "groups": {
            str(dim): _groups(counter, user, Dimension(dim), period, formulas) for dim in dims
        },
    }


def _groups(counter: Counter, user, dim: str, period: Period, formulas) -> list[dict]:
    kind, column = DIMENSION_COLUMN[Dimension(dim)]
    tallies = counter.count(column, kind, period.first_month, period.end_month)
    if dim == Dimension.JURISDICTION:
        named = _by_jurisdiction(user, tallies)
    else:
        names = _names(dim, [key for key in tallies if key is not None])
        named = {names.get(key, _unnamed(dim, key)): tally for key, tally in tallies.items()}
        if dim == Dimension.TIER:
            for tier in TIER_ORDER:
                named.setdefault((str(tier), str(tier.label)), f.Tally())
    groups = [
        {"key": key, "name": name, **f.indicators_of(tally, formulas)}
        for (key, name), tally in named.items()
    ]
    return _ordered(dim, groups)


def _unnamed(dim: str, key) -> tuple[str, str]:
    if dim == Dimension.UNIT:
        return ("", _("No lead unit (the tier's own desk)"))
    if dim == Dimension.CATEGORY:
        return ("", _("Uncategorised"))
    return (str(key or ""), str(key or "—"))


def _names(dim: str, keys: list) -> dict:
    if dim == Dimension.UNIT:
        units = Department.objects.filter(pk__in=keys).select_related("jurisdiction")
        return {unit.pk: (unit.code, str(unit)) for unit in units}
    if dim == Dimension.CATEGORY:
        return {c.pk: (c.code, c.name) for c in Category.objects.filter(pk__in=keys)}
    if dim == Dimension.CHANNEL:
        return {key: (key, str(Channel(key).label)) for key in keys if key in Channel.values}
    if dim == Dimension.TIER:
        return {key: (key, str(Tier(key).label)) for key in keys if key in Tier.values}
    return {}


def _by_jurisdiction(user, tallies: dict) -> dict:
    """Roll the places of the cases up to the level below the user's own (a city's
    towns, a town's villages); a case placed above that level is its own group."""
    nodes = {j.pk: j for j in Jurisdiction.objects.only("code", "name", "level", "parent_id")}
    scope = getattr(user, "scope_jurisdiction", None) if user is not None else None
    target = CHILD_LEVEL[Level(scope.level)] if scope is not None else Level.TOWN
    named: dict = {}
    for node in nodes.values():
        if node.level == target and (scope is None or node.code.startswith(scope.scope_prefix)):
            named[(node.code, node.name)] = f.Tally()
    for pk, tally in tallies.items():
        node = nodes[pk]
        while LEVEL_DEPTH[Level(node.level)] > LEVEL_DEPTH[target] and node.parent_id:
            node = nodes[node.parent_id]
        if node.level == target:
            key = (node.code, node.name)
        else:
            key = (node.code, _("%(name)s (own level)") % {"name": node.name})
        named.setdefault(key, f.Tally()).merge(tally)
    return named


def _ordered(dim: str, groups: list[dict]) -> list[dict]:
    if dim == Dimension.TIER:
        order = [str(t) for t in TIER_ORDER]
        return sorted(groups, key=lambda g: order.index(g["key"]) if g["key"] in order else 9)
    if dim not in RANKED:
        return sorted(groups, key=lambda g: (-g["received"], g["name"]))
    groups.sort(
        key=lambda g: (
            not g["key"],  # the cases without a lead unit after the units
            g["composite_score"] is None,
            -(g["composite_score"] or 0),
            -g["received"],
            g["name"],
        )
    )
    # Competition ranking (1, 2, 2, 4) of the real units and places; the cases
    # without a lead unit are listed but not ranked.
    rank, position, previous = 0, 0, object()
    for group in groups:
        score = group["composite_score"]
        group["rank"] = None
        if score is None or not group["key"]:
            continue
        position += 1
        if score != previous:
            rank, previous = position, score
        group["rank"] = rank
    return groups


def _rounded(value, digits: int = 4):
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {key: _rounded(item, digits) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item, digits) for item in value]
    return value


def parse_dimension(by: str | None) -> str | None:
    if by in (None, ""):
        return None
    if by not in Dimension.values:
        raise ValidationFailed(
            {
                "by": [
                    _("Break down by one of: %(choices)s.")
                    % {"choices": ", ".join(Dimension.values)}
                ]
            }
        )
    return by


def indicators(user, period: str | Period, by: str | None = None, *, now=None) -> dict:
    """The indicators over `Case.objects.visible_to(user)` for `period` ('2026H1',
    '2026Q3', '2026-07', '2026'), broken down `by` a Dimension (or not), as plain
    JSON-ready data: rates as fractions (4 decimals) or None when there is nothing
    to divide by. Raises ValidationFailed (field `period` or `by`) on bad input."""
    if not isinstance(period, Period):
        period = parse_period(period)
    dim = parse_dimension(by)
    report = compute(user, period, [dim] if dim else [], now=now)
    report["by"] = dim
    report["groups"] = report["groups"].get(dim, []) if dim else []
    return _rounded(report)
