"""The intake actions declared once (with their rows in `transitions.py`): the pages'
forms (`forms.py`) and the API's endpoints under /api/v1/intake/ (`api.py`) are
derived from these entries.

Not here, with their hand-written forms: the enterprise visit (its problems are rows
of a formset, each a case; the enterprise a nested record), the superior assignment's
registration (the petitioner named in the superior's file, nested), the work-order
import (a file and its column mapping, run in the background) and the policy answer
library (a model form over the answer; citing returns text for the reply). Their
fields do not fit flat catalogue fields without a nested kind.
"""

from django.utils.translation import gettext_lazy as _

from qingdan.core import catalogue as c
from qingdan.core.catalogue import ActionSpec, Catalogue, Context
from qingdan.orgs.models import Jurisdiction

from . import actions
from .choices import QUICK_CHANNELS


def places(context: Context):
    return Jurisdiction.objects.visible_to(context.user).order_by("code")


def own_place(context: Context):
    """The registrar's own place, chosen until they choose another."""
    scope = context.user.scope_jurisdiction
    return scope.pk if scope is not None else None


INTAKE_ACTIONS = Catalogue(
    "intake",
    [
        ActionSpec(
            "report_completion",
            actions.report_completion,
            _("Record the report"),
            {
                "text": c.text(_("Report"), rows=5, max_length=20000),
                "reported_on": c.date(_("Reported on"), required=False),
            },
            endpoint="completion-report",
            versioned=False,
            creates=True,
            description=_(
                "The completion report (办结报告) sent to the assigning body, once the case "
                "is answered; once per case."
            ),
        ),
        ActionSpec(
            "quick_register",
            actions.quick_register,
            _("Quick entry"),
            {
                "channel": c.choice(_("Channel"), QUICK_CHANNELS, form_required=True),
                "location": c.line(_("Where"), max_length=200),
                "content": c.text(_("What happened"), max_length=20000),
                "phone": c.line(_("Phone (optional)"), max_length=20, required=False),
                "jurisdiction": c.one(
                    _("Village or town"),
                    Jurisdiction,
                    offered=places,
                    initial=own_place,
                    required=False,
                ),
            },
            on_subject=False,
            versioned=False,
            creates=True,
            description=_("A police report or a grid visit: where, what, maybe a phone."),
        ),
    ],
)
