"""Day counting for legal limits (Civil Code arts. 200-204), on the business calendar
kept as data (`CalendarYear`, `SpecialDay`).

The day of the event is not counted; a limit that ends on a statutory rest day
moves to the next working day; a limit ends at the end of its last day.

The calendar is read once into memory and kept for `QINGDAN_DEADLINE_CACHE_SECONDS`
(edits in this process clear it at once; the worker clears it every pass), so an
import of thousands of cases does not query it per case.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qingdan.core.cache import ExpiringCache
from qingdan.core.errors import ActionError

from .choices import DayKind, LimitUnit
from .models import CalendarYear, SpecialDay


class UnknownCalendarYear(ActionError):
    code = "calendar_year_unknown"

    def __init__(self, year: int):
        super().__init__(
            _(
                "The holiday calendar for %(year)d is not known yet; enter the State Council's "
                "schedule for that year before working-day limits can be computed."
            )
            % {"year": year}
        )
        self.year = year


@dataclass(frozen=True)
class _Calendar:
    years: frozenset[int]
    # date -> True for an adjusted working day, False for a rest day.
    special: dict[dt.date, bool]


def _load() -> _Calendar:
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    special = {
        day: kind == DayKind.WORK for day, kind in SpecialDay.objects.values_list("date", "kind")
    }
    return _Calendar(years, special)


_cache = ExpiringCache(_load, ttl_setting="QINGDAN_DEADLINE_CACHE_SECONDS")
clear_cache = _cache.clear
_calendar = _cache.get


def known_years() -> frozenset[int]:
    return _calendar().years


def is_workday(day: dt.date) -> bool:
    calendar = _calendar()
    if day.year not in calendar.years:
        raise UnknownCalendarYear(day.year)
    special = calendar.special.get(day)
    if special is not None:
        return special
    return day.weekday() < 5


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def end_of_day(day: dt.date) -> dt.datetime:
    tz = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def is_rest_day_for_rollover(day: dt.date) -> bool:
    """Whether a calendar-day limit ending on `day` moves on. In a year whose holiday
    schedule is not published yet, weekends are the only rest days we know; such a
    limit is recomputed on the next transition once the schedule is entered
    (docs/decisions.md)."""
    try:
        return not is_workday(day)
    except UnknownCalendarYear:
        return day.weekday() >= 5


def next_workday_on_or_after(day: dt.date) -> dt.date:
    while is_rest_day_for_rollover(day):
        day += dt.timedelta(days=1)
    return day


def calendar_days_limit(start: dt.datetime, days: int) -> dt.datetime:
    last = local_date(start) + dt.timedelta(days=days)
    return end_of_day(next_workday_on_or_after(last))


def working_days_limit(start: dt.datetime, days: int) -> dt.datetime:
    """Refused (UnknownCalendarYear) when a day to count lies in an unknown year."""
    day = local_date(start)
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return end_of_day(day)


def hours_limit(start: dt.datetime, hours: int) -> dt.datetime:
    return start + dt.timedelta(hours=hours)


def limit_from(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == LimitUnit.HOURS:
        return hours_limit(start, amount)
    if unit == LimitUnit.WORKING_DAYS:
        return working_days_limit(start, amount)
    return calendar_days_limit(start, amount)
