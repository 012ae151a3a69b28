"""What the supervision actions share."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_REPLY_WITHIN = dt.timedelta(days=90)
AGENDA_MAX = 100
# A meeting or a task's deadline outside these years is a typing error (and would not
# render as a date-time with the offset of its time zone then).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def out_of_range(moment: dt.datetime) -> bool:
    return not EARLIEST_YEAR <= moment.year <= LATEST_YEAR


def years_message():
    return _("A date between %(first)d and %(last)d.") % {
        "first": EARLIEST_YEAR,
        "last": LATEST_YEAR,
    }


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
