"""The warnings list filter, shared by the page and any API listing flags."""

import django_filters
from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import OPEN_STATES
from qingdan.cases.models import CaseFlag

from .choices import FlagKind

KIND_CHOICES = [
    *FlagKind.choices,
    ("raised_higher_within_limit", _("Raised higher within the limit")),
]


class FlagFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=KIND_CHOICES)
    open = django_filters.BooleanFilter(label=_("Open cases only"), method="filter_open")
    created_after = django_filters.DateFilter(
        label=_("Raised from"), field_name="created_at", lookup_expr="date__gte"
    )
    created_before = django_filters.DateFilter(
        label=_("Raised until"), field_name="created_at", lookup_expr="date__lte"
    )

    class Meta:
        model = CaseFlag
        fields = ["kind", "open", "created_after", "created_before"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(case__state__in=OPEN_STATES)
        return queryset.exclude(case__state__in=OPEN_STATES)
