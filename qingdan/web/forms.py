"""Staff forms: the queue filters, the petitioner look-up beside intake, and the
reveal form of the case page (the case actions' forms are derived from the catalogue).

Forms parse; the actions layer validates the business rules. Errors an action
raises are put back on the form field they name (`apply_action_error`), so every
message, Chinese or English, comes from one place.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.cases import actions
from qingdan.cases.choices import Channel, State, Tier
from qingdan.core.forms import ActionForm, CheckedTextForm
from qingdan.core.validators import IdType


class SingleSelectMultiple(forms.Select):
    """A one-line select for a multiple-choice filter: phones handle it better than
    a multi-select box, and the filter still receives a list."""

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else data.get(name)
        return [v for v in (values or []) if v]


class OverdueSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("All deadlines")), ("true", _("Overdue only"))]


def tune_filter_form(form: forms.Form) -> forms.Form:
    for name, choices in (("state", State), ("channel", Channel), ("tier", Tier)):
        form.fields[name].widget = SingleSelectMultiple(choices=[("", _("All")), *choices.choices])
    form.fields["overdue"].widget = OverdueSelect()
    form.fields["q"].widget = forms.TextInput(
        attrs={"type": "search", "placeholder": _("Tracking number, title or content")}
    )
    for name in ("category", "jurisdiction"):
        choice = form.fields[name]
        assert isinstance(choice, forms.ModelChoiceField)
        choice.empty_label = _("All")
    return form


# --- intake ----------------------------------------------------------------

# The registration form (with the extra questions of the category) is the catalogue's:
# `qingdan.cases.forms.IntakeForm`, named by `qingdan.cases.creations`.


class PetitionerLookupForm(CheckedTextForm):
    petitioner_phone = forms.CharField(required=False, max_length=20)
    petitioner_id_type = forms.ChoiceField(required=False, choices=IdType.choices)
    petitioner_id_number = forms.CharField(required=False, max_length=32)
    jurisdiction = forms.IntegerField(required=False)
    category = forms.IntegerField(required=False)


# --- case page ---------------------------------------------------------------


class RevealForm(ActionForm):
    reason = forms.CharField(
        label=_("Why do you need the full data?"), required=False, max_length=500
    )

    def __init__(self, *args, user, case, **kwargs):
        kwargs.setdefault("auto_id", "id_reveal_%s")
        super().__init__(*args, **kwargs)
        self.user, self.case = user, case

    def perform(self) -> dict:
        return actions.reveal_personal_data(
            self.user, self.case, reason=self.cleaned_data["reason"]
        )
