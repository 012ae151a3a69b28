"""Admin classes for looking things up: the data they show changes only through the
actions layer (with its rights, timeline events and outbox), never in the admin."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages, no adding, changing or deleting. `deletable = True`
    keeps the delete (a message or a topic an administrator may clear away)."""

    deletable = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
