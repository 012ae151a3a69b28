from django.contrib import admin

from .models import CompletionReport, EnterpriseVisit, ImportRun, PolicyAnswer


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["source_name", "status", "processed_rows", "created_count", "created_at"]
    list_filter = ["status", "dry_run"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]


@admin.register(PolicyAnswer)
class PolicyAnswerAdmin(admin.ModelAdmin):
    list_display = ["question", "source", "tags", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["question", "answer", "tags", "source"]


@admin.register(EnterpriseVisit)
class EnterpriseVisitAdmin(admin.ModelAdmin):
    list_display = ["visited_on", "enterprise", "jurisdiction"]
    raw_id_fields = ["enterprise"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(CompletionReport)
class CompletionReportAdmin(admin.ModelAdmin):
    list_display = ["case", "reported_on", "reported_by"]
    raw_id_fields = ["case"]
    readonly_fields = ["reported_by", "created_at"]
