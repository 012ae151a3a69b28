from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qingdan.core.admin import ReadOnlyAdmin

from . import actions
from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "backend",
        "recipient",
        "subject",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "backend", "kind"]
    search_fields = ["subject", "recipient__username", "case__tracking_number"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]
    deletable = True

    @admin.action(description=_("Send the failed messages again"))
    def retry_now(self, request, queryset):
        count = actions.retry(queryset)
        self.message_user(
            request,
            ngettext("%d message queued again.", "%d messages queued again.", count) % count,
            messages.SUCCESS,
        )
