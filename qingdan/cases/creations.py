"""The actions that create a case, declared like the case actions (`catalogue.py`,
whose entries act on a case): registration, with its row (`transitions.CREATIONS`).

Its web form and its request body cannot be derived from catalogue fields, so the
entry names them: `forms.IntakeForm` (the petitioner's fields flat, the category's
extra questions added as the category is chosen) and `api_serializers.CaseCreate`
(petitioner and representatives nested). The intake page builds its form from this
entry, POST /api/v1/cases/ parses with it.
"""

from django.utils.translation import gettext_lazy as _

from qingdan.core.catalogue import ActionSpec, Catalogue

from . import actions
from .api_serializers import CaseCreate
from .forms import IntakeForm
from .transitions import REGISTER

CASE_CREATIONS = Catalogue(
    "cases",
    [
        ActionSpec(
            REGISTER,
            actions.register_case,
            _("Register"),
            on_subject=False,
            versioned=False,
            creates=True,
            form=IntakeForm,
            serializer=CaseCreate,
        ),
    ],
)
