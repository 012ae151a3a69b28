"""Admin for looking things up; supervision changes go through the actions (pages)."""

from django.contrib import admin

from .models import AgendaItem, JointMeeting, KeyCase, MeetingDecision, SupervisionNotice


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "case", "unit", "jurisdiction", "issued_at", "due_at", "state"]
    list_filter = ["state"]
    search_fields = ["case__tracking_number", "reason"]
    list_select_related = ["case", "unit__jurisdiction", "jurisdiction"]


@admin.register(KeyCase)
class KeyCaseAdmin(ReadOnlyAdmin):
    list_display = ["case", "leader", "assigned_at", "released_at"]
    list_select_related = ["case", "leader"]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    can_delete = False
    fields = ["position", "case", "reasons"]
    readonly_fields = ["position", "case", "reasons"]

    def has_add_permission(self, request, obj=None):
        return False


class DecisionInline(admin.TabularInline):
    model = MeetingDecision
    extra = 0
    can_delete = False
    fields = ["text", "owner_label", "due_at", "state", "deadline_status", "done_at"]
    readonly_fields = ["text", "owner_label", "due_at", "state", "deadline_status", "done_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JointMeeting)
class JointMeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "jurisdiction", "held_at", "convener", "state"]
    list_select_related = ["jurisdiction", "convener"]
    inlines = [AgendaInline, DecisionInline]
