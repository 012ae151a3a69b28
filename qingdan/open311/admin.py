from django.contrib import admin

from .models import ApiKey, RequestToken


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "channel", "is_active", "created_at"]
    list_filter = ["is_active", "channel"]
    readonly_fields = ["key", "created_at"]


@admin.register(RequestToken)
class RequestTokenAdmin(admin.ModelAdmin):
    list_display = ["token", "case", "api_key"]
    list_select_related = ["case", "api_key"]
    search_fields = ["token", "case__tracking_number"]
    readonly_fields = ["token", "case", "api_key"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are issued by POST requests only
