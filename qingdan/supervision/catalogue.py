"""The supervision actions, each declared once: its row (`transitions.TRANSITIONS`,
same name), its function, its label and its inputs. The board's and the meeting
page's forms (`forms.py`), the API's endpoints under /api/v1/supervision/ with their
request bodies (`api.py`) and the action × persona matrix of the tests are derived
from this list.

Issuing a notice, naming a case's leader and convening a meeting start from their
inputs (`on_subject=False`): the case is picked in the form (by its number, with the
case picker), the meeting is created in the place chosen. None is versioned: a notice,
a key case and a meeting carry no version; their conditional updates refuse a change
made meanwhile.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingdan.cases.models import Case
from qingdan.core import catalogue as c
from qingdan.core.catalogue import ActionSpec, Catalogue, Context
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Department, Jurisdiction, User

from . import actions


def visible_cases(context: Context):
    return Case.objects.visible_to(context.user).select_related(
        "jurisdiction__parent__parent", "lead_unit"
    )


def case_picker(label, **kwargs) -> c.Field:
    """A case typed by its number, among those the actor sees; the box suggests the
    visible cases matching what is typed (number or title). The pages have always
    called it `tracking_number`."""
    return c.one(
        label,
        Case,
        slug="tracking_number",
        queryset=visible_cases,
        typed=True,
        not_found=_("No case with this number that you can see."),
        suggest="web:case-options",
        placeholder=_("Number or words of the title"),
        form_name="tracking_number",
        **kwargs,
    )


def leaders_near(context: Context):
    """Leaders over the places the user sees, and above them."""
    return User.objects.leaders_near(context.user)


def meeting_places(context: Context):
    """Towns and the city the user sees: a village holds no joint meeting."""
    return Jurisdiction.objects.visible_to(context.user).exclude(level=Level.VILLAGE)


def owners_for(context: Context):
    """Staff of the meeting's place and the city's departments (部门报到)."""
    prefix = context.subject.jurisdiction.scope_prefix
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(jurisdiction__code__startswith=prefix)
            | Q(department__jurisdiction__code__startswith=prefix)
            | Q(department__jurisdiction__level=Level.CITY)
        )
        .order_by("department__name", "username")
    )


def units_for(context: Context):
    """The units of the meeting's place and the city's bureaus."""
    prefix = context.subject.jurisdiction.scope_prefix
    return (
        Department.objects.filter(is_active=True)
        .filter(
            Q(jurisdiction__code__startswith=prefix)
            | Q(jurisdiction__level=Level.CITY, jurisdiction__code__startswith=prefix[:6])
        )
        .select_related("jurisdiction")
        .order_by("jurisdiction__code", "name")
    )


def people(label) -> c.Field:
    return c.many(label, User, slug="username", offered=owners_for, searchable=True, required=False)


SUPERVISION_ACTIONS = Catalogue(
    "supervision",
    [
        ActionSpec(
            "issue_notice",
            actions.issue_notice,
            _("Issue a supervision notice"),
            {
                "case": case_picker(_("Case number"), form_required=True),
                "reason": c.text(_("What is required"), form_required=True),
                "reply_within": c.days(
                    _("Reply within (days)"),
                    min_value=1,
                    max_value=90,
                    initial=5,
                    form_required=True,
                    form_name="reply_days",
                ),
            },
            on_subject=False,
            versioned=False,
            creates=True,
        ),
        ActionSpec(
            "reply_notice",
            actions.reply_notice,
            _("Send the reply"),
            {"reply_text": c.text(_("Reply"), form_required=True)},
            endpoint="reply",
            versioned=False,
        ),
        ActionSpec(
            "assign_leader",
            actions.assign_leader,
            _("Name the leader who owns a case"),
            {
                "case": case_picker(_("Case number"), form_required=True),
                "leader": c.one(
                    _("Leader"), User, slug="username", offered=leaders_near, form_required=True
                ),
                "note": c.line(_("Note"), max_length=500, required=False),
            },
            on_subject=False,
            versioned=False,
            creates=True,
        ),
        ActionSpec(
            "release_leader",
            actions.release_leader,
            _("End ownership"),
            endpoint="release",
            versioned=False,
        ),
        ActionSpec(
            "convene_meeting",
            actions.convene_meeting,
            _("Convene a joint meeting"),
            {
                "jurisdiction": c.one(
                    _("Town or city"), Jurisdiction, offered=meeting_places, form_required=True
                ),
                "title": c.line(_("Title"), max_length=200, form_required=True),
                "held_at": c.datetime(_("Held at"), form_required=True),
            },
            on_subject=False,
            versioned=False,
            creates=True,
        ),
        ActionSpec(
            "build_agenda",
            actions.build_agenda,
            _("Build the agenda"),
            endpoint="agenda",
            versioned=False,
            description=_(
                "Open cases of this place that are overdue, owned by a leader, or handled "
                "by several departments."
            ),
        ),
        ActionSpec(
            "record_minutes",
            actions.record_minutes,
            _("Save the minutes"),
            {
                "minutes": c.text(_("Minutes"), rows=6, max_length=20000, form_required=True),
                "attendees": people(_("Attendees")),
                "attending_units": c.many(
                    _("Attending units"),
                    Department,
                    offered=units_for,
                    searchable=True,
                    required=False,
                ),
            },
            endpoint="minutes",
            versioned=False,
        ),
        ActionSpec(
            "add_decision",
            actions.add_decision,
            _("Record a decision"),
            {
                "text": c.text(_("Decision"), rows=2, form_required=True),
                "owner_unit": c.one(
                    _("Owning unit"), Department, offered=units_for, required=False
                ),
                "owners": people(_("Owners")),
                "due_at": c.datetime(_("Due"), form_required=True),
                "case": case_picker(_("Case number (optional)"), required=False),
            },
            endpoint="decisions",
            versioned=False,
            creates=True,
        ),
        ActionSpec(
            "complete_decision",
            actions.complete_decision,
            _("Report done"),
            {"note": c.line(_("What was done"), max_length=2000, form_required=True)},
            endpoint="done",
            versioned=False,
        ),
    ],
)
