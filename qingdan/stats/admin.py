from django.contrib import admin

from .models import IndicatorSettings


@admin.register(IndicatorSettings)
class IndicatorSettingsAdmin(admin.ModelAdmin):
    """The formulas of the rates and the composite score (one row)."""

    list_display = (
        "__str__",
        "response_weight",
        "resolution_weight",
        "satisfaction_weight",
        "basically_satisfied_weight",
        "supported_reply_counts_as_solved",
    )

    def has_add_permission(self, request):
        return not IndicatorSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
