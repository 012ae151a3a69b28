"""The parameters of GeoReport v2 requests, parsed and checked with their own names."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.core.forms import CheckedTextForm
from qingdan.orgs.models import Category, Jurisdiction

MAX_ATTRIBUTES = 30


class JurisdictionField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Jurisdiction.objects.all(),
            to_field_name="code",
            required=False,
            error_messages={"invalid_choice": _("Unknown jurisdiction_id.")},
            **kwargs,
        )


class ServiceRequestForm(CheckedTextForm):
    """POST requests: a service, a description and a place (lat/long or an address)."""

    service_code = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True),
        to_field_name="code",
        error_messages={
            "required": _("service_code is required."),
            "invalid_choice": _("Unknown service_code."),
        },
    )
    description = forms.CharField(
        max_length=4000, error_messages={"required": _("Describe the problem.")}
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(required=False, max_length=200)
    jurisdiction_id = JurisdictionField()
    first_name = forms.CharField(required=False, max_length=50)
    last_name = forms.CharField(required=False, max_length=50)
    phone = forms.CharField(required=False, max_length=20)
    email = forms.EmailField(required=False)
    media_url = forms.URLField(required=False, max_length=500)
    device_id = forms.CharField(required=False, max_length=100)
    account_id = forms.CharField(required=False, max_length=100)

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # The spec's attribute[code]=value pairs (multi-valued codes repeat the key).
        self.attributes = [
            (key[len("attribute[") : -1], value)
            for key in data
            if key.startswith("attribute[") and key.endswith("]")
            for value in data.getlist(key)
        ]

    def clean(self):
        data = super().clean()
        has_point = data.get("lat") is not None and data.get("long") is not None
        if not has_point and not data.get("address_string"):
            raise forms.ValidationError(
                _("A location is required: lat and long, or address_string.")
            )
        if len(self.attributes) > MAX_ATTRIBUTES:
            raise forms.ValidationError(_("At most %(n)d attributes.") % {"n": MAX_ATTRIBUTES})
        return data


class RequestQueryForm(forms.Form):
    """GET requests: the spec's filters."""

    service_request_id = forms.CharField(required=False)
    service_code = forms.CharField(required=False)
    start_date = forms.DateTimeField(required=False)
    end_date = forms.DateTimeField(required=False)
    status = forms.CharField(required=False)
    jurisdiction_id = JurisdictionField()

    def clean_status(self) -> set[str]:
        wanted = {s.strip() for s in self.cleaned_data["status"].split(",") if s.strip()}
        if not wanted <= {"open", "closed"}:
            raise forms.ValidationError(_("status is open or closed."))
        return wanted

    @staticmethod
    def _list(value: str) -> list[str]:
        return [item.strip() for item in value.split(",") if item.strip()]

    def clean_service_request_id(self) -> list[str]:
        return self._list(self.cleaned_data["service_request_id"])

    def clean_service_code(self) -> list[str]:
        return self._list(self.cleaned_data["service_code"])
