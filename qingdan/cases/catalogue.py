"""The case actions, each declared once: its transition row (`transitions.TRANSITIONS`,
same name), its function, its label and its inputs. The case page's forms and
buttons, the API's POST endpoints under /cases/{tracking_number}/ with their request
bodies, and the permission matrix are derived from this list; its order is the order
of the buttons on the case page.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qingdan.core import catalogue as c
from qingdan.core.catalogue import ActionSpec, Catalogue, Context
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Department, Jurisdiction

from . import actions
from .choices import Action, LegalChannel, PetitionerKind, Rating, ReplyOpinion, Tier
from .models import Case
from .transitions import PAUSE_CLOCK, RESUME_CLOCK, clock_can_pause, clock_can_resume

REASON = _("Reason")


def reason(label=REASON) -> c.Field:
    return c.text(label)


def note() -> c.Field:
    return c.text(_("Note"), rows=2, required=False)


def units_for(context: Context):
    """Units of the place that owns the case at its tier (for a town, the city bureaus
    are out of reach until it is escalated)."""
    owner = context.subject.tier_jurisdiction
    if owner is None:
        return Department.objects.none()
    return (
        Department.objects.filter(is_active=True, jurisdiction__code__startswith=owner.scope_prefix)
        .select_related("jurisdiction")
        .order_by("jurisdiction__code", "name")
    )


def unit_group(unit: Department):
    """City bureaus under one heading, each town's offices under the town's name."""
    if unit.jurisdiction.level == Level.CITY:
        return _("City bureaus")
    return unit.jurisdiction.name


def places(context: Context):
    return Jurisdiction.objects.order_by("code")


def visible_cases(context: Context):
    return Case.objects.visible_to(context.user)


def _reply_fields(opinion_default=c.NOT_GIVEN) -> dict[str, c.Field]:
    return {
        "reply_opinion": c.choice(
            _("Opinion"),
            ReplyOpinion,
            default=opinion_default,
            initial=ReplyOpinion.SUPPORTS,
            form_required=True,
        ),
        "reply_text": c.text(_("Written reply"), max_length=20000),
    }


CASE_ACTIONS = Catalogue(
    "cases",
    [
        ActionSpec(Action.ACCEPT, actions.accept, _("Accept"), {"note": note()}),
        ActionSpec(
            Action.RESOLVE_ON_THE_SPOT,
            actions.resolve_on_the_spot,
            _("Resolve on the spot"),
            _reply_fields(opinion_default=ReplyOpinion.SUPPORTS),
        ),
        ActionSpec(
            Action.ESCALATE,
            actions.escalate,
            _("Escalate"),
            {"reason": reason()},
            shown=lambda case: case.tier != Tier.CITY,
        ),
        ActionSpec(
            Action.TAKE_OVER,
            actions.take_over,
            _("Take over to my tier"),
            {"reason": reason()},
            shown=lambda case: case.tier != Tier.CITY,
        ),
        ActionSpec(
            Action.ASSIGN,
            actions.assign,
            _("Assign a lead unit"),
            {
                "lead_unit": c.one(_("Lead unit"), Department, offered=units_for),
                "co_units": c.many(
                    _("Co-handling units"),
                    Department,
                    offered=units_for,
                    default=list,
                    group=unit_group,
                ),
                "note": note(),
            },
            shown=lambda case: case.tier != Tier.VILLAGE,
        ),
        ActionSpec(Action.REPLY, actions.reply, _("Reply"), _reply_fields()),
        ActionSpec(
            Action.EVALUATE,
            actions.record_evaluation,
            _("Record the petitioner's evaluation"),
            {"rating": c.choice(_("Evaluation"), Rating, radio=True), "note": note()},
        ),
        # "Close" alone is the admin's 关闭 (an earlier catalogue); a case is 办结.
        ActionSpec(
            Action.CLOSE, actions.close, pgettext_lazy("case action", "Close"), {"note": note()}
        ),
        ActionSpec(
            Action.REOPEN,
            actions.reopen,
            _("Reopen"),
            {"reason": reason()},
            shown=lambda case: case.rating == Rating.UNSATISFIED,
        ),
        ActionSpec(
            Action.CO_HANDLE,
            actions.add_co_handling,
            _("Add co-handling units"),
            {
                "units": c.many(_("Units"), Department, offered=units_for, group=unit_group),
                "note": note(),
            },
        ),
        ActionSpec(
            Action.CO_OPINION,
            actions.give_co_opinion,
            _("Give the co-handling opinion"),
            {"opinion": c.text(_("Opinion for the lead unit"), rows=4)},
            shown=lambda case: bool(case.co_handlings.all()),
        ),
        ActionSpec(
            Action.EXTEND,
            actions.extend,
            _("Extend the handling limit"),
            {
                "days": c.integer(_("Days (at most 30)")),
                "reason": reason(),
                "approved_by": c.line(_("Approved by (head)")),
                "reason_told_to_petitioner": c.boolean(_("The petitioner was told the reason")),
            },
            shown=lambda case: not case.extension_days,
        ),
        ActionSpec(
            Action.HAND_BACK,
            actions.hand_back,
            _("Pass down to the lower tier"),
            {"reason": reason()},
            shown=lambda case: case.tier != Tier.VILLAGE and case.jurisdiction.level != case.tier,
        ),
        ActionSpec(
            Action.TRANSFER,
            actions.transfer,
            _("Transfer to another place"),
            {"to_jurisdiction": c.one(_("To"), Jurisdiction, offered=places), "reason": reason()},
        ),
        ActionSpec(Action.NOT_ACCEPT, actions.not_accept, _("Do not accept"), {"reason": reason()}),
        ActionSpec(
            Action.DIVERT,
            actions.divert,
            _("Divert to the legal channel"),
            {
                "legal_channel": c.choice(_("Legal channel"), LegalChannel),
                "help_given": reason(_("Help given to file there")),
            },
        ),
        ActionSpec(
            Action.REQUEST_REVIEW,
            actions.request_review,
            _("Request a review"),
            {"reason": reason()},
            creates=True,
        ),
        ActionSpec(
            Action.CLOSURE_AGREEMENT,
            actions.record_closure_agreement,
            _("Record a closure agreement"),
            {
                "signed_at": c.date(_("Signed on")),
                "signed_by": c.line(_("Signed by")),
                "summary": reason(_("Terms agreed")),
            },
        ),
        ActionSpec(
            Action.NOTE,
            actions.add_note,
            _("Add a note"),
            {"note": c.text(_("Note"), rows=2)},
        ),
        ActionSpec(
            Action.LINK,
            actions.link_cases,
            _("Link another case"),
            {
                "other": c.one(
                    _("Tracking number of the other case"),
                    Case,
                    slug="tracking_number",
                    queryset=visible_cases,
                    typed=True,
                    form_required=True,
                    not_found=_("No case you can see has this tracking number."),
                ),
                "kind": c.line(_("Kind of link"), max_length=20, default="related", in_form=False),
                "note": note(),
            },
        ),
        ActionSpec(
            Action.ADD_PETITIONER,
            actions.add_petitioner,
            _("Add the petitioner"),
            {
                "kind": c.choice(
                    _("Petitioner is"),
                    PetitionerKind,
                    default=PetitionerKind.PERSON,
                    initial=PetitionerKind.PERSON,
                    form_required=True,
                ),
                "name": c.line(_("Name")),
                "phone": c.line(_("Mobile phone"), max_length=20, required=False),
                "id_number": c.line(_("ID number"), max_length=18, required=False),
                "credit_code": c.line(
                    _("Unified social credit code"), max_length=18, required=False
                ),
                "address": c.line(_("Address"), max_length=200, required=False),
            },
            shown=lambda case: not case.petitioner_id,
        ),
        ActionSpec(
            Action.ATTACH,
            actions.add_attachment,
            _("Add an attachment"),
            {"file": c.upload(_("File"))},
            endpoint="attachments",
            multipart=True,
            creates=True,
        ),
        ActionSpec(
            PAUSE_CLOCK,
            actions.pause_clock,
            _("Pause the handling limit for a hearing"),
            {"reason": reason()},
            shown=clock_can_pause,
        ),
        ActionSpec(
            RESUME_CLOCK,
            actions.resume_clock,
            _("Resume the handling limit after the hearing"),
            {"note": note()},
            shown=clock_can_resume,
        ),
    ],
)
