from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import Channel
from qingdan.core.errors import ValidationFailed
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Category, Department, Jurisdiction

from . import results
from .choices import Dimension
from .periods import Period, current_period, parse_period


class StatsQueryForm(forms.Form):
    """The period and the breakdown of the dashboard, the export and the bulletin."""

    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=10,
        help_text=_("A year (2026), a half (2026H1), a quarter (2026Q3) or a month (2026-07)."),
    )
    by = forms.ChoiceField(
        label=_("Break down by"),
        choices=Dimension.choices,
        required=False,
        initial=Dimension.JURISDICTION,
    )

    def clean_period(self) -> Period:
        value = (self.cleaned_data.get("period") or "").strip()
        if not value:
            return current_period()
        try:
            return parse_period(value)
        except ValidationFailed as error:
            raise forms.ValidationError([str(m) for m in error.errors["period"]]) from error

    def clean_by(self) -> str:
        return self.cleaned_data.get("by") or Dimension.JURISDICTION


class ResultsQueryForm(StatsQueryForm):
    """The period and the filters of the results list (page, .xlsx and API alike):
    codes as the API names them, offered as choices on the page."""

    enterprise = forms.CharField(label=_("Enterprise"), required=False, max_length=18)
    visit = forms.IntegerField(label=_("Enterprise visit"), required=False, min_value=1)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Department.objects.none(), required=False
    )
    place = forms.ModelChoiceField(
        label=_("Place"), queryset=Jurisdiction.objects.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )

    def __init__(self, *args, user, offer: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["by"]
        everything = [("", _("All"))]
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)
        channel.choices = [*everything, *Channel.choices]
        for name, queryset in (
            ("unit", Department.objects.visible_to(user).select_related("jurisdiction")),
            ("place", Jurisdiction.objects.visible_to(user).select_related("parent")),
            ("category", Category.objects.filter(is_active=True)),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset, field.to_field_name, field.empty_label = queryset, "code", _("All")
        self.fields["place"].label_from_instance = _place_label  # type: ignore[attr-defined]
        if offer:  # the page: the enterprises and visits as lists to choose from
            self.fields["enterprise"].widget = forms.Select(
                choices=[*everything, *results.enterprise_choices(user)]
            )
            self.fields["visit"].widget = forms.Select(
                choices=[*everything, *results.visit_choices(user)]
            )

    def filters(self) -> results.ResultsFilter:
        data = self.cleaned_data
        return results.ResultsFilter(
            enterprise=(data.get("enterprise") or "").strip(),
            visit=data.get("visit"),
            channel=data.get("channel") or "",
            unit=data.get("unit"),
            place=data.get("place"),
            category=data.get("category"),
        )


def _place_label(place: Jurisdiction) -> str:
    if place.level == Level.VILLAGE and place.parent is not None:
        return f"{place.parent.name} {place.name}"
    return place.name
