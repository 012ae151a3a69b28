"""What the supervision actions share."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import OPEN_STATES
from qingdan.cases.models import Case
from qingdan.core.errors import TransitionRefused

MAX_REPLY_WITHIN = dt.timedelta(days=90)
AGENDA_MAX = 100


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _refuse_finished(case: Case) -> None:
    if case.state not in OPEN_STATES:
        raise TransitionRefused(
            _("A finished case is not supervised."), code="case_finished", field="case"
        )
