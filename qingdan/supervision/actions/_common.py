"""What the supervision actions share."""

import datetime as dt

from django.utils import timezone

MAX_REPLY_WITHIN = dt.timedelta(days=90)
AGENDA_MAX = 100


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
