from django.contrib import admin

from qingdan.core.admin import ReadOnlyAdmin

from . import actions
from .models import (
    CategorySuggestion,
    ClassifierModel,
    GovernanceTopic,
    HotTerm,
    TriageSettings,
)


@admin.register(HotTerm)
class HotTermAdmin(admin.ModelAdmin):
    list_display = ["term", "level", "active", "note", "updated_at", "updated_by"]
    list_filter = ["level", "active"]
    search_fields = ["term", "note"]
    fields = ["term", "level", "note", "active"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        actions.save_hot_term(
            request.user,
            term=data["term"],
            level=data["level"],
            note=data.get("note", ""),
            active=data.get("active", False),
            instance=obj,
        )

    def delete_model(self, request, obj):
        actions.delete_hot_term(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            actions.delete_hot_term(request.user, obj)


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    list_display = ["version", "trained_at", "n_samples", "is_active"]
    exclude = ["blob"]
    readonly_fields = [
        "version",
        "trained_at",
        "trained_by",
        "n_samples",
        "classes",
        "metrics",
        "params",
        "is_active",
    ]

    def has_add_permission(self, request):
        return False  # `qingdan train-classifier` makes models


@admin.register(TriageSettings)
class TriageSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "suggestion_threshold", "updated_at", "updated_by"]
    fields = ["suggestion_threshold"]

    def save_model(self, request, obj, form, change):
        actions.set_triage_settings(
            request.user, obj, suggestion_threshold=form.cleaned_data["suggestion_threshold"]
        )

    # One row, made by the migration.
    def has_add_permission(self, request):
        return not TriageSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CategorySuggestion)
class CategorySuggestionAdmin(admin.ModelAdmin):
    list_display = ["case", "top_category", "chosen_category", "chosen_by", "created_at"]
    list_select_related = ["case", "top_category", "chosen_category", "chosen_by"]
    readonly_fields = [f.name for f in CategorySuggestion._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(GovernanceTopic)
class GovernanceTopicAdmin(ReadOnlyAdmin):
    """Topics change through the triage pages (actions), not here."""

    list_display = ["title", "owner", "due_date", "status"]
    list_filter = ["status"]
    search_fields = ["title"]
    deletable = True
