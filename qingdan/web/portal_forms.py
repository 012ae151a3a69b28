"""Citizen portal forms: submit a problem, look up its progress, rate, ask for review."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qingdan.cases import actions
from qingdan.cases.choices import Channel, Rating
from qingdan.cases.forms import id_type_field
from qingdan.core.errors import VersionConflict
from qingdan.core.forms import ActionForm, CheckedTextForm
from qingdan.core.validators import normalize_phone
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Category, Jurisdiction
from qingdan.orgs.questions import AsksQuestions

from . import challenge


def place_choices() -> list:
    """Towns, each with its villages, as option groups (one query)."""
    places = Jurisdiction.objects.filter(level__in=[Level.TOWN, Level.VILLAGE]).order_by("code")
    towns: dict[int, tuple[str, list]] = {}
    villages: list[Jurisdiction] = []
    for place in places:
        if place.level == Level.TOWN:
            towns[place.pk] = (
                place.name,
                [(place.pk, _("%(town)s (the town itself)") % {"town": place.name})],
            )
        else:
            villages.append(place)
    for village in villages:
        if village.parent_id in towns:
            towns[village.parent_id][1].append((village.pk, village.name))
    return [("", _("Choose your town or village"))] + list(towns.values())


class PortalSubmitForm(AsksQuestions, ActionForm):
    aliases = {
        "petitioner.name": "name",
        "petitioner.phone": "phone",
        "petitioner.id_type": "id_type",
        "petitioner.id_number": "id_number",
    }

    name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        help_text=_("With the tracking number it lets you follow the case."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    id_type = id_type_field()
    # Longer than any number: spaces typed between groups are removed by the action.
    id_number = forms.CharField(label=_("ID number (optional)"), required=False, max_length=32)
    place = forms.TypedChoiceField(label=_("Town or village"), coerce=int, choices=())
    title = forms.CharField(label=_("Subject"), max_length=200)
    content = forms.CharField(
        label=_("Describe the problem"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    category = forms.ModelChoiceField(
        label=_("Kind of problem (optional)"),
        queryset=Category.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label=_("Not sure: the office will decide"),
    )
    # Checked (type sniffed from its bytes, size) by the action, as staff attachments are.
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("A photo of the problem: JPEG, PNG or GIF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif"}),
    )
    answer = forms.IntegerField(label=_("Answer"))
    token = forms.CharField(widget=forms.HiddenInput)
    # The honeypot: hidden from people by CSS, filled in by naive bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = place_choices()
        a, b, token = challenge.new_challenge()
        self.question = _("How much is %(a)d plus %(b)d?") % {"a": a, "b": b}
        self.fields["answer"].label = self.question
        # Every display asks a fresh question: the template renders `fresh_token` and an
        # empty answer field instead of the submitted values.
        self.fresh_token = token
        self.nonce: str | None = None
        self.add_questions(self.chosen_category(self.fields["category"].queryset))

    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def clean_place(self):
        place = Jurisdiction.objects.filter(
            pk=self.cleaned_data["place"], level__in=[Level.TOWN, Level.VILLAGE]
        ).first()
        if place is None:
            raise forms.ValidationError(_("Choose your town or village."))
        return place

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("The form could not be accepted."), code="honeypot")
        nonce = challenge.check_challenge(self.data.get("token", ""), data.get("answer"))
        if nonce is None and "answer" not in self.errors:
            self.add_error("answer", _("The answer is not right, or the form is too old."))
        self.nonce = nonce
        return data

    def perform(self):
        data = self.cleaned_data
        return actions.register_with_photos(
            actions.Actor.petitioner(),
            photos=[data["photo"]] if data.get("photo") else [],
            channel=Channel.WEB,
            title=data["title"],
            content=data["content"],
            jurisdiction=data["place"],
            category=data.get("category"),
            petitioner={
                "name": data["name"],
                "phone": data["phone"],
                "id_type": data["id_type"],
                "id_number": data["id_number"],
            },
            attributes=self.answers(),
        )


class PortalLookupForm(CheckedTextForm):
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=32)
    phone = forms.CharField(
        label=_("Mobile phone given with the problem"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_tracking_number(self):
        return self.cleaned_data["tracking_number"].strip().upper()

    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


class PortalCaseForm(ActionForm):
    """The petitioner's action on their case, as the page showed it."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("label_suffix", "")  # the labels are questions
        kwargs.setdefault("initial", {"expected_version": case.version})
        super().__init__(*args, **kwargs)
        self.case = case

    def perform(self):
        if self.cleaned_data["expected_version"] != self.case.version:
            raise VersionConflict(_("The case changed meanwhile. Reload the page and try again."))
        return self.act(actions.Actor.petitioner(), self.cleaned_data)

    def act(self, petitioner, data):
        raise NotImplementedError


class PortalEvaluateForm(PortalCaseForm):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Comments (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def act(self, petitioner, data):
        return actions.record_evaluation(
            petitioner,
            self.case,
            rating=data["rating"],
            note=data["note"],
            expected_version=data["expected_version"],
        )


class PortalReviewForm(PortalCaseForm):
    reason = forms.CharField(
        label=_("Why do you ask for a review?"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def act(self, petitioner, data):
        return actions.request_review(
            petitioner,
            self.case,
            reason=data["reason"],
            expected_version=data["expected_version"],
        )
