"""Admin for looking things up; supervision changes go through the actions (pages)."""

from django.contrib import admin

from qingdan.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import AgendaItem, JointMeeting, KeyCase, MeetingDecision, SupervisionNotice


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


class AgendaInline(ReadOnlyInline):
    model = AgendaItem
    fields = ["position", "case", "reasons"]
    readonly_fields = ["position", "case", "reasons"]


class DecisionInline(ReadOnlyInline):
    model = MeetingDecision
    fields = ["text", "owner_label", "due_at", "state", "deadline_status", "done_at"]
    readonly_fields = ["text", "owner_label", "due_at", "state", "deadline_status", "done_at"]


@admin.register(JointMeeting)
class JointMeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "jurisdiction", "held_at", "convener", "state"]
    list_select_related = ["jurisdiction", "convener"]
    inlines = [AgendaInline, DecisionInline]
