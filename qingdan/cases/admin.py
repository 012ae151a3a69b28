"""Admin for looking things up. Cases change only through the actions layer, so
the case admin is read-only; timeline events can never be edited or deleted."""

from django.contrib import admin

from qingdan.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Case, CaseEvent, CaseFlag, ClosureAgreement, PersonalDataAccess, Petitioner


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "actor", "actor_label", "action", "from_state", "to_state", "note")
    readonly_fields = fields


class FlagInline(ReadOnlyInline):
    model = CaseFlag
    fields = ("kind", "message", "created_at")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "tracking_number",
        "title",
        "state",
        "tier",
        "jurisdiction",
        "lead_unit",
        "due_at",
        "deadline_status",
    ]
    list_filter = ["state", "tier", "channel", "urgency", "deadline_status", "category"]
    search_fields = ["tracking_number", "external_ref", "title"]
    list_select_related = ["jurisdiction", "lead_unit__jurisdiction"]
    inlines = [FlagInline, EventInline]
    exclude = ["petitioner", "representatives"]
    date_hierarchy = "registered_at"


@admin.register(Petitioner)
class PetitionerAdmin(ReadOnlyAdmin):
    """Shows masked values only; full data is revealed case by case, with a log entry."""

    list_display = [
        "masked_name",
        "kind",
        "masked_phone",
        "id_type",
        "masked_id_number",
        "created_at",
    ]
    list_filter = ["kind", "id_type"]
    fields = (
        "kind",
        "masked_name",
        "masked_phone",
        "id_type",
        "masked_id_number",
        "masked_address",
    )
    readonly_fields = fields


@admin.register(ClosureAgreement)
class ClosureAgreementAdmin(admin.ModelAdmin):
    list_display = ["case", "signed_at", "signed_by"]
    readonly_fields = ["case", "signed_at", "signed_by", "summary", "recorded_by"]

    def has_add_permission(self, request):
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    """Searchable by administrators: who revealed whose data, when, and why."""

    list_display = ["at", "actor", "case", "note"]
    list_filter = ["actor__role", "actor__jurisdiction"]
    search_fields = ["actor__username", "actor__display_name", "case__tracking_number", "note"]
    date_hierarchy = "at"
    list_select_related = ["actor", "case"]
    fields = ("at", "actor", "case", "note")
    readonly_fields = fields
