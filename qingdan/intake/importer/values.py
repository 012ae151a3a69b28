"""Cell values as hotlines write them: dates, handling limits, urgency labels.

Each parser returns the value or raises `BadValue` with a message for the report."""

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.datetime import from_excel

from qingdan.cases.choices import Urgency
from qingdan.deadlines import calendar

from ..choices import URGENCY_LABELS

# Excel serial days between 1954 and 2119: anything else is not a call time.
SERIAL_MIN, SERIAL_MAX = 20000, 80000

_DATE = (
    r"(?P<y>\d{4})\s*(?:[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?)"
)
_TIME = (
    r"(?:(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{1,2})(?:\s*[:：]\s*(?P<S>\d{1,2})(?:\.\d+)?)?"
    r"|(?P<H2>\d{1,2})\s*[时点](?:\s*(?P<M2>\d{1,2})\s*分(?:\s*(?P<S2>\d{1,2})\s*秒)?)?)"
)
DATETIME_RE = re.compile(rf"^{_DATE}(?:[\sT]*{_TIME})?$")
COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")
LIMIT_RE = re.compile(
    r"^(?P<n>\d{1,4})\s*(?:个)?\s*(?P<unit>工作日|自然日|天|日|小时|时|h|H|d|D)?$"
)


class BadValue(ValueError):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def cell_text(value: Any) -> str:
    """Text of a cell: integral numbers without “.0” (phones and order numbers typed as
    numbers come back as floats), everything stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value).strip()


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment


def parse_datetime(value: Any) -> dt.datetime:
    """2024-03-05 14:22:01, 2024/3/5 14:22, 2024年3月5日 14时22分, 20240305142201,
    a datetime cell, or an Excel serial number (45356.59)."""
    if isinstance(value, dt.datetime):
        return _aware(value)
    if isinstance(value, dt.date):
        return _aware(dt.datetime.combine(value, dt.time()))
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = cell_text(value)
    if not text:
        raise BadValue(_("The date is empty."))
    match = DATETIME_RE.match(text)
    try:
        if match:
            parts = match.groupdict()
            moment = dt.datetime(
                int(parts["y"]),
                int(parts["m"] or parts["m2"]),
                int(parts["d"] or parts["d2"]),
                int(parts["H"] or parts["H2"] or 0),
                int(parts["M"] or parts["M2"] or 0),
                int(parts["S"] or parts["S2"] or 0),
            )
            return _aware(moment)
        compact = COMPACT_RE.match(text)
        if compact:
            numbers = [int(part) if part else 0 for part in compact.groups()]
            return _aware(dt.datetime(*numbers))  # type: ignore[arg-type]
    except ValueError as exc:
        raise BadValue(_("“%(value)s” is not a real date or time.") % {"value": text}) from exc
    try:
        return _from_serial(float(text))
    except ValueError:
        pass
    raise BadValue(
        _(
            "“%(value)s” is not a date; write it as 2024-03-05 14:22, 2024/3/5 14:22 "
            "or 2024年3月5日 14时22分."
        )
        % {"value": text}
    )


def _from_serial(number: float) -> dt.datetime:
    if not SERIAL_MIN <= number <= SERIAL_MAX:
        raise BadValue(_("The number %(value)s is not an Excel date.") % {"value": number})
    moment = from_excel(number)
    # Serial numbers carry float noise; hotline times are to the second.
    moment = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    return _aware(moment)


def _days_limit(received_at: dt.datetime, days: int, working: bool, cache: dict | None):
    """Day limits depend only on the local date of the call: computed once per date
    within an import (the holiday calendar is read through `deadlines.calendar`)."""
    key = (calendar.local_date(received_at), days, working)
    if cache is not None and key in cache:
        return cache[key]
    if working:
        try:
            limit = calendar.working_days_limit(received_at, days)
        except calendar.UnknownCalendarYear as exc:
            raise BadValue(exc.message) from exc
    else:
        limit = calendar.calendar_days_limit(received_at, days)
    if cache is not None:
        cache[key] = limit
    return limit


def parse_deadline(
    value: Any, received_at: dt.datetime, cache: dict | None = None
) -> dt.datetime | None:
    """The handling limit: a date and time, or a span after the call (“5个工作日”, “7天”,
    “24小时”, a bare number of days)."""
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if float(value) >= SERIAL_MIN:
            deadline = _from_serial(float(value))
        elif float(value).is_integer() and value > 0:
            return _days_limit(received_at, int(value), False, cache)
        else:
            raise BadValue(_("A handling limit in days is a whole number."))
    elif isinstance(value, dt.datetime | dt.date):
        deadline = parse_datetime(value)
    else:
        text = cell_text(value)
        match = LIMIT_RE.match(text)
        if match:
            number, unit = int(match["n"]), match["unit"] or "天"
            if number == 0:
                raise BadValue(_("A handling limit of zero is not a limit."))
            if unit in {"小时", "时", "h", "H"}:
                return calendar.hours_limit(received_at, number)
            return _days_limit(received_at, number, unit == "工作日", cache)
        try:
            deadline = parse_datetime(text)
        except BadValue as exc:
            raise BadValue(
                _("“%(value)s” is neither a date nor a limit such as 5个工作日, 7天 or 24小时.")
                % {"value": text}
            ) from exc
    if deadline < received_at:
        raise BadValue(_("The handling limit is before the call time."))
    return deadline


def parse_urgency(value: Any, extra: dict[str, str] | None = None) -> str:
    text = cell_text(value)
    if not text:
        return Urgency.NORMAL
    for candidate in (text, text.removesuffix("件")):
        if extra and candidate in extra:
            return extra[candidate]
        if candidate in URGENCY_LABELS:
            return URGENCY_LABELS[candidate]
        if candidate.lower() in Urgency.values:
            return candidate.lower()
    raise BadValue(
        _("Unknown urgency “%(value)s” (use 紧急, 加急, 一般 or 复杂).") % {"value": text}
    )


def derive_title(content: str, limit: int = 30) -> str:
    """A title from the first sentence of the content, for channels and sheets that
    carry no title."""
    text = re.sub(r"\s+", " ", content or "").strip()
    first = re.split(r"[。！？!?；;\n]", text, maxsplit=1)[0].strip(" ，,：:")
    first = first or text
    return first if len(first) <= limit else first[: limit - 1] + "…"
