"""Reporting periods: a year (2026), a half (2026H1), a quarter (2026Q3), a month
(2026-07). Every period is a whole number of calendar months in local time, which
is why the rollup can be monthly."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ValidationFailed

from .choices import PeriodKind

MONTHS_IN = {PeriodKind.YEAR: 12, PeriodKind.HALF: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}
_PATTERNS = (
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
    (re.compile(r"^(\d{4})H([12])$"), PeriodKind.HALF),
    (re.compile(r"^(\d{4})Q([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
)
MIN_YEAR, MAX_YEAR = 1990, 2100
# What `parse_period` accepts, for the OpenAPI schema.
PERIOD_PATTERN = r"^\s*(199\d|20\d\d|2100)([Hh][12]|[Qq][1-4]|-(0?[1-9]|1[0-2]))?\s*$"


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def local_start(month: dt.date) -> dt.datetime:
    """The first instant of a month in the installation's time zone."""
    return timezone.make_aware(dt.datetime(month.year, month.month, 1))


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    index: int = 1  # the half, quarter or month within the year

    @property
    def first_month(self) -> dt.date:
        return dt.date(self.year, (self.index - 1) * MONTHS_IN[PeriodKind(self.kind)] + 1, 1)

    @property
    def months(self) -> list[dt.date]:
        return [add_months(self.first_month, i) for i in range(MONTHS_IN[PeriodKind(self.kind)])]

    @property
    def last_month(self) -> dt.date:
        return self.months[-1]

    @property
    def end_month(self) -> dt.date:
        """The first month after the period."""
        return add_months(self.last_month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.end_month - dt.timedelta(days=1)

    @property
    def start(self) -> dt.datetime:
        return local_start(self.first_month)

    @property
    def end(self) -> dt.datetime:
        """Exclusive end."""
        return local_start(self.end_month)

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind == PeriodKind.HALF:
            return f"{self.year}H{self.index}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    def __str__(self) -> str:
        return self.code

    def shifted(self, n: int) -> "Period":
        """The period n steps later (negative: earlier), of the same kind."""
        per_year = 12 // MONTHS_IN[PeriodKind(self.kind)]
        index = self.year * per_year + self.index - 1 + n
        return Period(self.kind, index // per_year, index % per_year + 1)

    def previous(self) -> "Period":
        """The period just before (环比)."""
        return self.shifted(-1)

    def year_ago(self) -> "Period":
        """The same period a year earlier (同比)."""
        return Period(self.kind, self.year - 1, self.index)

    @property
    def label(self) -> str:
        """'2026年上半年'."""
        return str(_LABELS[PeriodKind(self.kind)][self._label_index]) % {
            "year": self.year,
            "n": self.index,
        }

    @property
    def short_label(self) -> str:
        """The period within its year, as a statement starts: '上半年', '第三季度', '7月'."""
        return str(_SHORT_LABELS[PeriodKind(self.kind)][self._label_index]) % {"n": self.index}

    @property
    def _label_index(self) -> int:
        return 0 if self.kind in (PeriodKind.YEAR, PeriodKind.MONTH) else self.index - 1

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end


_LABELS = {
    PeriodKind.YEAR: [_("year %(year)s")],
    PeriodKind.HALF: [_("first half of %(year)s"), _("second half of %(year)s")],
    PeriodKind.QUARTER: [
        _("first quarter of %(year)s"),
        _("second quarter of %(year)s"),
        _("third quarter of %(year)s"),
        _("fourth quarter of %(year)s"),
    ],
    PeriodKind.MONTH: [_("%(n)s/%(year)s")],
}
_SHORT_LABELS = {
    PeriodKind.YEAR: [_("the whole year")],
    PeriodKind.HALF: [_("the first half of the year"), _("the second half of the year")],
    PeriodKind.QUARTER: [
        _("the first quarter"),
        _("the second quarter"),
        _("the third quarter"),
        _("the fourth quarter"),
    ],
    PeriodKind.MONTH: [_("month %(n)s")],
}


def parse_period(text: str | None) -> Period:
    """'2026', '2026H1', '2026Q3', '2026-07' → Period; anything else is refused with a
    message naming the field `period`."""
    value = (text or "").strip().upper()
    for pattern, kind in _PATTERNS:
        match = pattern.match(value)
        if match is None:
            continue
        year = int(match.group(1))
        index = int(match.group(2)) if kind != PeriodKind.YEAR else 1
        if not MIN_YEAR <= year <= MAX_YEAR:
            break
        if kind == PeriodKind.MONTH and not 1 <= index <= 12:
            break
        return Period(kind, year, index)
    raise ValidationFailed(
        {
            "period": [
                _(
                    "Give the period as a year (2026), a half (2026H1), a quarter (2026Q3) "
                    "or a month (2026-07)."
                )
            ]
        }
    )


def current_period(kind: str = PeriodKind.HALF, now: dt.datetime | None = None) -> Period:
    today = timezone.localtime(now or timezone.now()).date()
    months = MONTHS_IN[PeriodKind(kind)]
    return Period(kind, today.year, (today.month - 1) // months + 1)
