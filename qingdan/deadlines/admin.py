"""The calendar and the policies are data an administrator edits here: next year's
holidays as soon as the State Council publishes them, local hotline limits."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qingdan.core.admin import ReadOnlyAdmin

from .choices import Recipient
from .models import CalendarYear, ClockPause, DeadlineAlert, DeadlinePolicy, SpecialDay


class SpecialDayInline(admin.TabularInline):
    model = SpecialDay
    extra = 3
    fields = ["date", "kind", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source"]
    inlines = [SpecialDayInline]


@admin.register(SpecialDay)
class SpecialDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "calendar_year"]
    list_filter = ["kind", "calendar_year"]
    date_hierarchy = "date"


class PolicyForm(forms.ModelForm):
    notify_on_warning = forms.MultipleChoiceField(
        label=_("notify on warning"),
        choices=Recipient.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notify_on_breach = forms.MultipleChoiceField(
        label=_("notify when overdue"),
        choices=Recipient.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DeadlinePolicy
        fields = [
            "name",
            "stage",
            "is_active",
            "legal_basis",
            "channel",
            "category",
            "urgency",
            "review_level",
            "priority",
            "starts_at",
            "limit",
            "unit",
            "warn_before",
            "extendable",
            "pausable",
            "notify_on_warning",
            "supervise",
            "notice_reply_within",
            "escalate",
            "notify_on_breach",
        ]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = [
        "name",
        "stage",
        "channel",
        "category",
        "urgency",
        "review_level",
        "limit_label",
        "supervise",
        "escalate",
        "is_active",
    ]
    list_filter = ["stage", "channel", "urgency", "is_active"]
    list_select_related = ["category"]
    fieldsets = [
        (None, {"fields": ["name", "stage", "is_active", "legal_basis"]}),
        (
            _("Which cases"),
            {"fields": ["channel", "category", "urgency", "review_level", "priority"]},
        ),
        (
            _("The limit"),
            {"fields": ["starts_at", "limit", "unit", "warn_before", "extendable", "pausable"]},
        ),
        (
            _("When it approaches and passes"),
            {
                "fields": [
                    "notify_on_warning",
                    "supervise",
                    "notice_reply_within",
                    "escalate",
                    "notify_on_breach",
                ]
            },
        ),
    ]

    @admin.display(description=_("limit"))
    def limit_label(self, obj):
        return obj.limit_label


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(ReadOnlyAdmin):
    list_display = ["case", "stage", "level", "due_at", "raised_at", "escalated"]
    list_filter = ["stage", "level", "escalated"]
    search_fields = ["case__tracking_number"]
    list_select_related = ["case"]


@admin.register(ClockPause)
class ClockPauseAdmin(ReadOnlyAdmin):
    list_display = ["case", "started_at", "ended_at", "reason"]
    list_select_related = ["case"]
