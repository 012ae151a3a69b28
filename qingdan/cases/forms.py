"""The registration form of the staff's intake page (walk-in and phone), named by
the registration's catalogue entry (`creations.py`): its fields are not derivable
from catalogue fields (the petitioner flat, the category's extra questions added as
the category is chosen).

Forms parse; the actions layer validates the business rules. Errors an action
raises are put back on the form field they name (`apply_action_error`).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.core.forms import ActionForm
from qingdan.core.validators import IdType
from qingdan.orgs.models import Category, Jurisdiction, User
from qingdan.orgs.questions import AsksQuestions

from . import actions
from .choices import Channel, PetitionerKind, Urgency
from .models import Case

# Action field names that differ from form field names.
FIELD_ALIASES = {
    "petitioner.kind": "petitioner_kind",
    "petitioner.name": "petitioner_name",
    "petitioner.id_type": "petitioner_id_type",
    "petitioner.id_number": "petitioner_id_number",
    "petitioner.phone": "petitioner_phone",
    "petitioner.credit_code": "petitioner_credit_code",
    "petitioner.address": "petitioner_address",
    "petitioner.contact_name": "petitioner_contact_name",
}

INTAKE_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.WEB]


def id_type_field() -> forms.ChoiceField:
    """The petitioner's identity document, at the staff desk and on the portal."""
    return forms.ChoiceField(
        label=_("Identity document"),
        choices=IdType.choices,
        initial=IdType.RESIDENT_ID,
        required=False,  # a client that leaves it out means the resident ID card
    )


class IntakeForm(AsksQuestions, ActionForm):
    """Walk-in and phone intake. Only the types are checked here; required fields,
    ID and phone checksums and the jurisdiction rule are the action's."""

    aliases = FIELD_ALIASES

    channel = forms.ChoiceField(label=_("Channel"), choices=INTAKE_CHANNELS)
    petitioner_kind = forms.ChoiceField(
        label=_("Petitioner is"), choices=PetitionerKind.choices, initial=PetitionerKind.PERSON
    )
    petitioner_name = forms.CharField(label=_("Name"), required=False, max_length=100)
    petitioner_phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=20)
    petitioner_id_type = id_type_field()
    # Longer than any number: spaces typed between groups are removed by the action.
    petitioner_id_number = forms.CharField(label=_("ID number"), required=False, max_length=32)
    petitioner_credit_code = forms.CharField(
        label=_("Unified social credit code"), required=False, max_length=18
    )
    petitioner_contact_name = forms.CharField(
        label=_("Contact person"), required=False, max_length=50
    )
    petitioner_address = forms.CharField(label=_("Home address"), required=False, max_length=200)
    headcount = forms.IntegerField(label=_("Number of people"), min_value=1, initial=1)
    jurisdiction = forms.ModelChoiceField(
        label=_("Where the problem happens"), queryset=Jurisdiction.objects.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    content = forms.CharField(
        label=_("What is the problem"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    address = forms.CharField(label=_("Address of the problem"), required=False, max_length=200)
    external_ref = forms.CharField(
        label=_("External reference"),
        required=False,
        max_length=64,
        help_text=_("12345 work order number or the superior's file number, if any."),
    )
    assigning_body = forms.CharField(label=_("Assigning body"), required=False, max_length=100)
    assigning_reference = forms.CharField(
        label=_("Assignment reference"), required=False, max_length=60
    )
    assigned_deadline = forms.DateTimeField(
        label=_("Assigned deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(
        label=_("Note for the timeline"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # 坐班接访: the leader on duty who received the petitioner (walk-in only).
    receiving_leader = forms.ModelChoiceField(
        label=_("Receiving leader"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.visible_to(user).order_by(
            "code"
        )
        self.fields["receiving_leader"].queryset = User.objects.leaders_near(user).order_by(
            "jurisdiction__code", "username"
        )
        if user.jurisdiction_id and not self.is_bound:
            self.fields["jurisdiction"].initial = user.jurisdiction_id
        self.add_questions(self.chosen_category(self.fields["category"].queryset))

    def perform(self) -> Case:
        data = self.cleaned_data
        petitioner = {
            "kind": data["petitioner_kind"],
            "name": data["petitioner_name"],
            "phone": data["petitioner_phone"],
            "id_type": data["petitioner_id_type"],
            "id_number": data["petitioner_id_number"],
            "credit_code": data["petitioner_credit_code"],
            "contact_name": data["petitioner_contact_name"],
            "address": data["petitioner_address"],
        }
        return actions.register_case(
            self.user,
            channel=data["channel"],
            title=data["title"],
            content=data["content"],
            jurisdiction=data["jurisdiction"],
            petitioner=petitioner,
            headcount=data["headcount"],
            category=data["category"],
            urgency=data["urgency"],
            address=data["address"],
            external_ref=data["external_ref"],
            assigning_body=data["assigning_body"],
            assigning_reference=data["assigning_reference"],
            assigned_deadline=data["assigned_deadline"],
            receiving_leader=data["receiving_leader"],
            note=data["note"],
            attributes=self.answers(),
        )
