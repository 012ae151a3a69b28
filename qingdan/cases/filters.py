"""The one case filterset, shared by the staff queue (web) and /api/v1/cases/."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.orgs.models import Category, Department, Jurisdiction

from .choices import OPEN_STATES, Channel, DeadlineStatus, State, Tier, Urgency
from .models import Case


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=State.choices)
    open = django_filters.BooleanFilter(label=_("Open"), method="filter_open")
    channel = django_filters.MultipleChoiceFilter(label=_("Channel"), choices=Channel.choices)
    urgency = django_filters.MultipleChoiceFilter(label=_("Urgency"), choices=Urgency.choices)
    tier = django_filters.MultipleChoiceFilter(label=_("Tier"), choices=Tier.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.filter(is_active=True)
    )
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.all(), method="filter_jurisdiction"
    )
    lead_unit = django_filters.ModelChoiceFilter(
        label=_("Lead unit"), queryset=Department.objects.all()
    )
    deadline_status = django_filters.MultipleChoiceFilter(
        label=_("Deadline"), choices=DeadlineStatus.choices
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    registered_after = django_filters.DateFilter(
        label=_("Registered from"), field_name="registered_at", lookup_expr="date__gte"
    )
    registered_before = django_filters.DateFilter(
        label=_("Registered until"), field_name="registered_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Case
        fields = ["q", "state", "channel", "category", "tier", "jurisdiction", "overdue"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Offer only the places and units the person can see.
            self.filters["jurisdiction"].queryset = Jurisdiction.objects.visible_to(user)
            self.filters["lead_unit"].queryset = Department.objects.visible_to(user)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(tracking_number__iexact=value)
            | Q(external_ref__iexact=value)
            | Q(title__icontains=value)
            | Q(content__icontains=value)
        )

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(state__in=OPEN_STATES)
            if value
            else queryset.exclude(state__in=OPEN_STATES)
        )

    def filter_jurisdiction(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(jurisdiction__code__startswith=value.scope_prefix)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(state__in=OPEN_STATES, due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
