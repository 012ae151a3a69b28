"""Forms of the supervision pages: each parses its input and calls one action."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from qingdan.cases.models import Case
from qingdan.core.forms import ActionForm
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Department, Jurisdiction, User

from . import actions

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def case_picker(name: str) -> forms.TextInput:
    """A case number box that suggests the visible cases matching what is typed (number
    or title), fetched as <option>s into its <datalist> (web:case-options, htmx)."""
    return forms.TextInput(
        attrs={
            "list": f"case-options-{name}",
            "autocomplete": "off",
            "hx-get": reverse_lazy("web:case-options"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": f"#case-options-{name}",
            "hx-swap": "innerHTML",
            "placeholder": _("Number or words of the title"),
        }
    )


def _visible_case(user, number: str) -> Case:
    case = (
        Case.objects.visible_to(user)
        .select_related("jurisdiction__parent__parent", "lead_unit")
        .filter(tracking_number=(number or "").strip())
        .first()
    )
    if case is None:
        raise forms.ValidationError(_("No case with this number that you can see."))
    return case


class SupervisionForm(ActionForm):
    # Action field names that differ from the form's.
    aliases = {"case": "tracking_number", "reply_within": "reply_days"}


class IssueNoticeForm(SupervisionForm):
    tracking_number = forms.CharField(
        label=_("Case number"), max_length=32, widget=case_picker("notice")
    )
    reason = forms.CharField(
        label=_("What is required"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    reply_days = forms.IntegerField(
        label=_("Reply within (days)"), min_value=1, max_value=90, initial=5
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_tracking_number(self):
        return _visible_case(self.user, self.cleaned_data["tracking_number"])

    def perform(self):
        data = self.cleaned_data
        return actions.issue_notice(
            self.user,
            data["tracking_number"],
            reason=data["reason"],
            reply_within=dt.timedelta(days=data["reply_days"]),
        )


class ReplyForm(SupervisionForm):
    reply_text = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, user, notice, **kwargs):
        super().__init__(*args, prefix=f"notice-{notice.pk}", **kwargs)
        self.user, self.notice = user, notice

    def perform(self):
        return actions.reply_notice(
            self.user, self.notice, reply_text=self.cleaned_data["reply_text"]
        )


def leaders_for(user):
    """Leaders over the places the user sees, and above them."""
    return User.objects.leaders_near(user)


class AssignLeaderForm(SupervisionForm):
    tracking_number = forms.CharField(
        label=_("Case number"), max_length=32, widget=case_picker("leader")
    )
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=User.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["leader"].queryset = leaders_for(user)

    def clean_tracking_number(self):
        return _visible_case(self.user, self.cleaned_data["tracking_number"])

    def perform(self):
        data = self.cleaned_data
        return actions.assign_leader(
            self.user, data["tracking_number"], leader=data["leader"], note=data["note"]
        )


class MeetingForm(SupervisionForm):
    jurisdiction = forms.ModelChoiceField(
        label=_("Town or city"), queryset=Jurisdiction.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    held_at = forms.DateTimeField(label=_("Held at"), widget=DATETIME_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.visible_to(user).exclude(
            level=Level.VILLAGE
        )

    def perform(self):
        data = self.cleaned_data
        return actions.convene_meeting(
            self.user,
            jurisdiction=data["jurisdiction"],
            title=data["title"],
            held_at=data["held_at"],
        )


def owners_for(meeting):
    """Staff of the meeting's place and the city's departments (部门报到)."""
    prefix = meeting.jurisdiction.scope_prefix
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(jurisdiction__code__startswith=prefix)
            | Q(department__jurisdiction__code__startswith=prefix)
            | Q(department__jurisdiction__level=Level.CITY)
        )
        .order_by("department__name", "username")
    )


def units_for(meeting):
    """The units of the meeting's place and the city's bureaus."""
    prefix = meeting.jurisdiction.scope_prefix
    return (
        Department.objects.filter(is_active=True)
        .filter(
            Q(jurisdiction__code__startswith=prefix)
            | Q(jurisdiction__level=Level.CITY, jurisdiction__code__startswith=prefix[:6])
        )
        .select_related("jurisdiction")
        .order_by("jurisdiction__code", "name")
    )


def _people_field(label, **kwargs) -> forms.ModelMultipleChoiceField:
    # A long list: checkboxes with a search box (qingdan.js, class "filterable").
    widget = forms.CheckboxSelectMultiple(attrs={"class": "filterable"})
    return forms.ModelMultipleChoiceField(
        label=label, queryset=User.objects.none(), widget=widget, **kwargs
    )


class MinutesForm(SupervisionForm):
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    attendees = _people_field(_("Attendees"), required=False)
    attending_units = forms.ModelMultipleChoiceField(
        label=_("Attending units"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "filterable"}),
    )

    def __init__(self, *args, user, meeting, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "minutes": meeting.minutes,
                "attendees": [person.pk for person in meeting.attendees.all()],
                "attending_units": [unit.pk for unit in meeting.attending_units.all()],
            },
        )
        super().__init__(*args, **kwargs)
        self.user, self.meeting = user, meeting
        self.fields["attendees"].queryset = owners_for(meeting)
        self.fields["attending_units"].queryset = units_for(meeting)

    def perform(self):
        data = self.cleaned_data
        return actions.record_minutes(
            self.user,
            self.meeting,
            minutes=data["minutes"],
            attendees=list(data["attendees"]),
            attending_units=list(data["attending_units"]),
        )


class DecisionForm(SupervisionForm):
    text = forms.CharField(
        label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    owner_unit = forms.ModelChoiceField(
        label=_("Owning unit"), queryset=Department.objects.none(), required=False
    )
    owners = _people_field(_("Owners"), required=False)
    due_at = forms.DateTimeField(label=_("Due"), widget=DATETIME_INPUT)
    tracking_number = forms.CharField(
        label=_("Case number (optional)"), required=False, widget=case_picker("decision")
    )

    def __init__(self, *args, user, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.meeting = user, meeting
        self.fields["owners"].queryset = owners_for(meeting)
        self.fields["owner_unit"].queryset = units_for(meeting)

    def clean_tracking_number(self):
        number = self.cleaned_data["tracking_number"]
        return _visible_case(self.user, number) if number.strip() else None

    def perform(self):
        data = self.cleaned_data
        return actions.add_decision(
            self.user,
            self.meeting,
            text=data["text"],
            owners=list(data["owners"]),
            owner_unit=data["owner_unit"],
            due_at=data["due_at"],
            case=data["tracking_number"],
        )


class DoneForm(SupervisionForm):
    note = forms.CharField(label=_("What was done"), max_length=2000)

    def __init__(self, *args, user, decision, **kwargs):
        super().__init__(*args, prefix=f"decision-{decision.pk}", **kwargs)
        self.user, self.decision = user, decision

    def perform(self):
        return actions.complete_decision(self.user, self.decision, note=self.cleaned_data["note"])
