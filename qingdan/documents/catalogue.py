"""The document actions, each declared once: the web forms (`forms.py`) and the API's
request bodies (`api.py`) are derived from these entries.

Subjects: `preview` and `issue` act on what a kind is issued on (a case, a
supervision notice, a joint meeting, or an issued document for its service receipt);
`correct` and `record_service` on an issued document. None is versioned: a document
snapshots what it drew on, and the preview shows it before it is issued.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qingdan.core import catalogue as c
from qingdan.core.catalogue import ActionSpec, Catalogue

from . import actions
from .choices import DocumentKind, ServiceMethod


def _texts() -> dict[str, c.Field]:
    """What an issuer may add to what the subject says; each kind takes some of them
    (`kinds.KindSpec.inputs`) and refuses the others."""
    return {
        "facts": c.text(
            _("Facts found"),
            required=False,
            max_length=10000,
            rows=4,
            help_text=_("Answers only; without it the written reply is printed as the facts."),
        ),
        "basis": c.text(
            _("Basis (laws and policies)"),
            required=False,
            max_length=2000,
            rows=2,
            help_text=_("Answers only; without it the default paragraph is printed."),
        ),
        "channel": c.text(
            _("Where the petitioner may turn instead"),
            required=False,
            max_length=1000,
            rows=2,
            help_text=_("Non-acceptance only; without it the default paragraph is printed."),
        ),
        "remarks": c.text(_("Further paragraphs"), required=False, max_length=5000, rows=2),
    }


def _kind() -> c.Field:
    return c.choice(_("Kind of document"), DocumentKind, form_required=True)


DOCUMENT_ACTIONS = Catalogue(
    "documents",
    [
        ActionSpec(
            "preview",
            actions.preview,
            _("Preview"),
            {"kind": _kind(), **_texts()},
            versioned=False,
            description=_("The document as it would be issued now: no number, not stored."),
        ),
        ActionSpec(
            "issue",
            actions.issue,
            pgettext_lazy("document", "Issue"),
            {"kind": _kind(), **_texts()},
            versioned=False,
            creates=True,
            description=_("Number, store and record the document on the case's timeline."),
        ),
        ActionSpec(
            "correct",
            actions.correct,
            _("Issue a corrected version"),
            {"reason": c.text(_("What the correction changes"), rows=2), **_texts()},
            versioned=False,
            creates=True,
        ),
        ActionSpec(
            "record_service",
            actions.record_service,
            _("Record service"),
            {
                "recipient": c.line(_("Served to")),
                "method": c.choice(_("How"), ServiceMethod, form_required=True),
                "served_at": c.datetime(_("Served at"), form_required=True),
                "postal_number": c.line(_("Postal tracking number"), max_length=40, required=False),
                "proof": c.Field(
                    c.Kind.FILE,
                    _("Signed receipt or proof"),
                    required=False,
                    help_text=_("Required except by post (the tracking number proves it)."),
                ),
                "note": c.text(_("Note"), rows=2, required=False, max_length=2000),
            },
            endpoint="service",
            versioned=False,
            multipart=True,
            creates=True,
        ),
    ],
)
