from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ValidationFailed

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
