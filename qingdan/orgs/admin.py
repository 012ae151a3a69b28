from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Category, CategoryQuestion, Department, Jurisdiction, User

admin.site.site_header = _("Qingdan administration")
admin.site.site_title = _("Qingdan")
admin.site.index_title = _("Administration")


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


class QuestionInline(admin.TabularInline):
    model = CategoryQuestion
    extra = 0
    fields = ["order", "code", "question", "datatype", "required", "values", "is_active"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    inlines = [QuestionInline]
    list_display = ["code", "name", "parent", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "jurisdiction", "is_active"]
    list_filter = ["kind", "is_active", "jurisdiction__level"]
    search_fields = ["name", "code", "jurisdiction__name"]
    autocomplete_fields = ["jurisdiction"]
    filter_horizontal = ["categories"]
    list_select_related = ["jurisdiction"]


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "display_name", "role", "jurisdiction", "department", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "jurisdiction__level"]
    search_fields = ["username", "display_name", "jurisdiction__name", "department__name"]
    autocomplete_fields = ["jurisdiction", "department"]
    fieldsets = [
        *(UserAdmin.fieldsets or ()),
        (_("Post"), {"fields": ["display_name", "role", "jurisdiction", "department", "phone"]}),
    ]
    add_fieldsets = [
        *(UserAdmin.add_fieldsets or ()),
        (_("Post"), {"fields": ["display_name", "role", "jurisdiction", "department"]}),
    ]
