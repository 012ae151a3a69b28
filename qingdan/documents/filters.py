"""One filterset for the documents list, shared by the web page and the API."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .choices import DocumentKind
from .models import Document, Service


class DocumentFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DocumentKind.choices)
    case = django_filters.CharFilter(
        label=_("Tracking number"), field_name="case__tracking_number", lookup_expr="iexact"
    )
    reference = django_filters.CharFilter(label=_("Document number"), lookup_expr="icontains")
    year = django_filters.NumberFilter(label=_("Year"))
    served = django_filters.BooleanFilter(label=_("Served"), method="filter_served")

    class Meta:
        model = Document
        fields = ["kind", "case", "reference", "year", "served"]

    def filter_served(self, queryset, name, value):
        served = Exists(Service.objects.filter(document=OuterRef("pk")))
        return queryset.filter(served) if value else queryset.exclude(served)
