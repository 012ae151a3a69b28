"""The periodic bulletin (年中答卷): statements in the manner of the seed article —
“上半年共登记群众诉求…件，同比增长…%；…办结…件…。截至6月底，累计…” — computed
from the indicators, plus charts and tables, as HTML and as a PDF (WeasyPrint).

The PDF needs a CJK font on the machine: Debian's `fonts-noto-cjk` (or
`fonts-wqy-zenhei`).
"""

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qingdan.core import pii
from qingdan.core.characters import strip_illegal
from qingdan.orgs.choices import Role
from qingdan.orgs.models import Jurisdiction, User

from . import charts
from . import format as fmt
from .choices import Dimension
from .indicators import compute
from .periods import Period

ALL_DIMENSIONS = [str(d) for d in Dimension]
TOP = 3


def viewer_for(jurisdiction: Jurisdiction | None = None) -> User:
    """An unsaved reader for commands: sees one jurisdiction's cases, or everything."""
    if jurisdiction is None:
        return User(username="bulletin", is_superuser=True)
    return User(username="bulletin", role=Role.ANALYST, jurisdiction=jurisdiction)


def place_name(user) -> str:
    scope = getattr(user, "scope_jurisdiction", None) if user is not None else None
    if scope is not None and (user.sees_everything or not user.department_id):
        return scope.name
    if user is not None and user.department_id:
        return str(user.department)
    cities = list(Jurisdiction.objects.filter(parent=None).values_list("name", flat=True)[:2])
    return cities[0] if len(cities) == 1 else _("all jurisdictions")


def title(user, period: Period) -> str:
    return _("%(place)s: complaints and petitions, %(period)s") % {
        "place": place_name(user),
        "period": period.label,
    }


def _sentence(text: str) -> str:
    # The msgid ends in a space that joins English sentences; Chinese needs none.
    return _("%(sentence)s. ") % {"sentence": text}


def _listing(groups: list[dict], total: int, opening: str) -> str | None:
    """'By category, X came first with n cases (s); Y, n cases (s); …'."""
    top = [g for g in groups if g["received"]][:TOP]
    if not top:
        return None
    first, rest = top[0], top[1:]
    text = opening % {
        "first": first["name"],
        "count": first["received"],
        "share": fmt.percent(first["received"] / total),
    }
    for group in rest:
        text += _("; %(name)s, %(count)s cases (%(share)s)") % {
            "name": group["name"],
            "count": group["received"],
            "share": fmt.percent(group["received"] / total),
        }
    return _sentence(text)


def statements(report: dict, period: Period) -> list[str]:
    """The bulletin's paragraphs, from a `compute()` report with every dimension."""
    total, yoy = report["total"], report["change"]["yoy"]
    when = period.short_label
    if not total["received"]:
        return [_sentence(_("In %(when)s no case was registered") % {"when": when}).strip()]
    paragraphs = []
    overview = _(
        "In %(when)s, %(received)s cases were registered, %(growth)s; %(accepted)s were "
        "accepted and %(closed)s closed, a closure rate of %(closure_rate)s; %(on_time)s were "
        "closed on time, %(on_time_rate)s of those closed"
    ) % {
        "when": when,
        "received": total["received"],
        "growth": fmt.growth_phrase(yoy["received"]),
        "accepted": total["accepted"],
        "closed": total["closed"],
        "closure_rate": fmt.percent(total["closure_rate"]),
        "on_time": total["closed_on_time"],
        "on_time_rate": fmt.percent(total["on_time_rate"]),
    }
    cumulative = report["cumulative"]
    figures = {
        "received": cumulative["received"],
        "closed": cumulative["closed"],
        "growth": fmt.growth_phrase(cumulative["received_yoy"]),
    }
    to = dt.date.fromisoformat(cumulative["to"])
    if to < period.last_day:
        # The period is not over: the totals run to the day the report was made.
        so_far = _(
            "By %(day)s, %(received)s cases had been registered in all and %(closed)s "
            "closed; the total registered was %(growth)s"
        ) % {**figures, "day": _("%(m)s/%(d)s") % {"m": to.month, "d": to.day}}
    else:
        so_far = _(
            "By the end of %(month)s, %(received)s cases had been registered in all and "
            "%(closed)s closed; the total registered was %(growth)s"
        ) % {**figures, "month": _("month %(n)s") % {"n": period.last_month.month}}
    paragraphs.append(_sentence(overview) + _sentence(so_far))
    rates = {
        "response": fmt.percent(total["response_rate"]),
        "resolution": fmt.percent(total["resolution_rate"]),
        "satisfaction": fmt.percent(total["satisfaction_rate"]),
    }
    if total["composite_score"] is None:
        text = (
            _(
                "The response rate was %(response)s, the resolution rate %(resolution)s and "
                "the satisfaction rate %(satisfaction)s"
            )
            % rates
        )
    else:
        text = _(
            "The response rate was %(response)s, the resolution rate %(resolution)s and the "
            "satisfaction rate %(satisfaction)s; the composite score was %(score)s, %(change)s"
        ) % {
            **rates,
            "score": fmt.score(total["composite_score"]),
            "change": fmt.points_phrase(yoy["composite_score"], score_points=True),
        }
    paragraphs.append(_sentence(text))
    if total["closed"]:
        by_tier, shares = total["closed_by_tier"], total["tier_share"]
        paragraphs.append(
            _sentence(
                _(
                    "Of the cases closed, %(village)s were closed at the village tier "
                    "(%(village_share)s), %(town)s at the town tier (%(town_share)s) and "
                    "%(city)s through city coordination (%(city_share)s); the share settled "
                    "within the town was %(within_town)s, %(change)s"
                )
                % {
                    "village": by_tier["village"],
                    "village_share": fmt.percent(shares["village"]),
                    "town": by_tier["town"],
                    "town_share": fmt.percent(shares["town"]),
                    "city": by_tier["city"],
                    "city_share": fmt.percent(shares["city"]),
                    "within_town": fmt.percent(total["within_town_rate"]),
                    "change": fmt.points_phrase(yoy["within_town_rate"]),
                }
            )
        )
    groups = report["groups"]
    for dim, opening in (
        (
            Dimension.CATEGORY,
            _("By category, %(first)s came first with %(count)s cases (%(share)s)"),
        ),
        (
            Dimension.CHANNEL,
            _("By channel, most cases came through %(first)s: %(count)s cases (%(share)s)"),
        ),
    ):
        listing = _listing(groups.get(str(dim), []), total["received"], opening)
        if listing:
            paragraphs.append(listing)
    paragraphs.append(
        _sentence(
            _(
                "%(overdue)s cases passed their time limit; %(repeat)s were repeat petitions, "
                "%(repeat_share)s of the cases registered, %(growth)s"
            )
            % {
                "overdue": total["overdue"],
                "repeat": total["repeat"],
                "repeat_share": fmt.percent(total["repeat_rate"]),
                "growth": fmt.growth_phrase(yoy["repeat"]),
            }
        )
    )
    ranked = [g for g in groups.get(str(Dimension.UNIT), []) if g["rank"] is not None][:TOP]
    if ranked:
        units = pgettext("list separator", ", ").join(
            _("%(name)s (%(score)s points)")
            % {"name": g["name"], "score": fmt.score(g["composite_score"])}
            for g in ranked
        )
        paragraphs.append(
            _sentence(_("By composite score the leading units were %(units)s") % {"units": units})
        )
    places = [g for g in groups.get(str(Dimension.JURISDICTION), []) if g["received"]]
    scored = [g for g in places if g["rank"] is not None]
    if len(places) > 1 and scored:
        busiest = max(places, key=lambda g: g["received"])
        if busiest is scored[0]:
            text = _(
                "Among the places, %(top)s had both the highest composite score (%(score)s "
                "points) and the most cases registered (%(count)s)"
            )
        else:
            text = _(
                "Among the places, %(top)s had the highest composite score (%(score)s "
                "points) and %(busiest)s registered the most cases (%(count)s)"
            )
        paragraphs.append(
            _sentence(
                text
                % {
                    "top": scored[0]["name"],
                    "score": fmt.score(scored[0]["composite_score"]),
                    "busiest": busiest["name"],
                    "count": busiest["received"],
                }
            )
        )
    return [paragraph.strip() for paragraph in paragraphs]


def chart_set(report: dict) -> dict:
    """The charts of the dashboard and the bulletin."""
    total, total_year_ago = report["total"], report["year_ago"]
    received = total["received"] or 1
    categories = [
        (g["name"], g["received"], f"{g['received']} · {fmt.percent(g['received'] / received)}")
        for g in report["groups"].get(str(Dimension.CATEGORY), [])
        if g["received"]
    ][:10]
    units = [
        (g["name"], g["composite_score"], fmt.score(g["composite_score"]))
        for g in report["groups"].get(str(Dimension.UNIT), [])
        if g["rank"] is not None
    ][:12]
    return {
        "trend": charts.trend_chart(report["trend"]),
        "categories": charts.bar_chart(categories, _("Cases by category")),
        "tiers": charts.tier_chart(
            [
                (_("This period"), total["tier_share"], total["closed_by_tier"]),
                (
                    _("A year earlier"),
                    total_year_ago["tier_share"],
                    total_year_ago["closed_by_tier"],
                ),
            ]
        ),
        "ranking": charts.bar_chart(units, _("Composite score of the units"), scale=100),
    }


def key_rows(report: dict) -> list[dict]:
    """The table of main indicators: this period, a year earlier, the change."""
    total, before, yoy = report["total"], report["year_ago"], report["change"]["yoy"]
    rows = []
    for name, label in (
        ("received", pgettext("number of cases", "Registered")),
        ("accepted", pgettext("number of cases", "Accepted")),
        ("closed", pgettext("number of cases", "Closed")),
        ("closed_on_time", _("Closed on time")),
        ("overdue", _("Past the time limit")),
        ("repeat", _("Repeat petitions")),
        ("leader_received", _("Leader receptions")),
    ):
        rows.append(
            {
                "label": label,
                "now": fmt.count(total[name]),
                "then": fmt.count(before[name]),
                "change": fmt.signed_percent(yoy[name]),
            }
        )
    for name, label in (
        ("closure_rate", _("Closure rate")),
        ("on_time_rate", _("On-time rate")),
        ("response_rate", _("Response rate")),
        ("resolution_rate", _("Resolution rate")),
        ("satisfaction_rate", _("Satisfaction rate")),
        ("village_rate", _("Closed in the village")),
        ("within_town_rate", _("Closed within the town")),
    ):
        rows.append(
            {
                "label": label,
                "now": fmt.percent(total[name]),
                "then": fmt.percent(before[name]),
                "change": fmt.signed_points(yoy[name])
                + (_(" pp") if yoy[name] is not None else ""),
            }
        )
    rows.append(
        {
            "label": _("Composite score"),
            "now": fmt.score(total["composite_score"]),
            "then": fmt.score(before["composite_score"]),
            "change": fmt.signed_points(
                None if yoy["composite_score"] is None else yoy["composite_score"] / 100
            ),
        }
    )
    return rows


def _masked_names(report: dict) -> dict:
    """The bulletin is published: the names it lists (places, units, categories, which
    administrators type) go through the detector of personal data like any free text."""
    groups = {
        dimension: [
            {**group, "name": strip_illegal(pii.mask_text(str(group["name"])))} for group in rows
        ]
        for dimension, rows in report["groups"].items()
    }
    return {**report, "groups": groups}


def bulletin_context(user, period: Period, *, now=None) -> dict:
    now = now or timezone.now()
    report = _masked_names(compute(user, period, ALL_DIMENSIONS, now=now))
    return {
        "title": pii.mask_text(title(user, period)),
        "period": period,
        "report": report,
        "statements": statements(report, period),
        "key_rows": key_rows(report),
        "charts": chart_set(report),
        "generated_at": timezone.localtime(now),
        "place": pii.mask_text(place_name(user)),
    }


def render_pdf(user, period: Period, *, now=None, **pdf_options) -> bytes:
    from weasyprint import HTML  # imported late: heavy, and only the bulletin needs it

    html = render_to_string("stats/bulletin_pdf.html", bulletin_context(user, period, now=now))
    return HTML(string=html).write_pdf(**pdf_options)
