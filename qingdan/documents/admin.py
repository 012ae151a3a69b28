"""Document templates are edited here (per jurisdiction: the issuing body's name, the
文号 pattern, the fixed paragraphs), with a preview; issued documents and their
service are shown read-only (they are records)."""

from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from qingdan.core.numerals import chinese_date

from . import render
from .defaults import PARAGRAPHS
from .letterhead import letterhead_for
from .models import (
    Document,
    DocumentSequence,
    DocumentTemplate,
    DocumentVersion,
    Service,
    TemplateParagraph,
)
from .templating import SAMPLE_VALUES

# The paragraphs the admin preview shows, in the order a written answer prints them.
PREVIEW_PARAGRAPHS = ("reply_intro", "answer_basis", "decision_explains", "review_right")


class TemplateParagraphInline(admin.StackedInline):
    model = TemplateParagraph
    extra = 0
    fields = ["key", "text", "default_text"]
    readonly_fields = ["default_text"]

    @admin.display(description=_("default text"))
    def default_text(self, paragraph):
        default = PARAGRAPHS.get(paragraph.key) if paragraph.key else None
        if default is None:
            return "—"
        return format_html(
            "{}<br><span class='help'>{}: {}</span>",
            default.text,
            _("values"),
            ", ".join(default.variables),
        )


def sample_answer(template: DocumentTemplate) -> dict:
    """A written answer with sample values, as this jurisdiction's template prints it."""
    head = letterhead_for(template.jurisdiction)
    today = timezone.localdate()
    values = {k: SAMPLE_VALUES[k] for k in ("petitioner", "title", "tracking_number", "received")}
    blocks = [
        {"type": "p", "text": head.paragraph("reply_intro", **values)},
        {"type": "h", "text": "一、查明事实"},
        {"type": "p", "text": "经现场查看，路灯线路老化，已更换完毕。（示例）"},
        {"type": "h", "text": "二、处理依据"},
        {"type": "p", "text": head.paragraph("answer_basis", **values)},
        {"type": "h", "text": "三、处理意见"},
        {"type": "p", "text": head.paragraph("decision_explains", **values)},
        {"type": "h", "text": "四、权利告知"},
        {
            "type": "p",
            "text": head.paragraph("review_right", **values, days=30, review_body=head.review_body),
        },
    ]
    return {
        "kind": "reply",
        "title": "答复意见书",
        "body_name": head.body_name,
        "reference": head.number("复", today.year, 1),
        "recipient": values["petitioner"],
        "blocks": blocks,
        "date": today.isoformat(),
        "date_text": chinese_date(today),
        "seal": True,
    }


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ["jurisdiction", "body_name", "number_pattern", "updated_at"]
    search_fields = ["jurisdiction__name", "body_name"]
    autocomplete_fields = ["jurisdiction"]
    inlines = [TemplateParagraphInline]
    readonly_fields = ["preview"]
    fieldsets = [
        (None, {"fields": ["jurisdiction", "body_name", "abbreviation", "review_body"]}),
        (_("Numbers"), {"fields": ["number_pattern"]}),
        (_("Preview"), {"fields": ["preview"]}),
    ]

    @admin.display(description=_("preview"))
    def preview(self, template):
        if template.pk is None:
            return _("Save to see the preview.")
        draft = sample_answer(template)
        url = reverse("admin:documents_documenttemplate_preview", args=[template.pk])
        paragraphs = format_html_join(
            "", "<p>{}</p>", ((block["text"],) for block in draft["blocks"] if block["type"] == "p")
        )
        return format_html(
            "<p><strong style='color:#d40000'>{}</strong><br>{}</p>{}"
            "<p><a href='{}' target='_blank'>{}</a></p>",
            draft["body_name"],
            draft["reference"],
            paragraphs,
            url,
            _("The sample written answer as a PDF"),
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_pdf)
        return [
            path("<int:pk>/preview.pdf", preview, name="documents_documenttemplate_preview"),
            *super().get_urls(),
        ]

    def preview_pdf(self, request, pk):
        template = get_object_or_404(DocumentTemplate, pk=pk)
        if not self.has_view_permission(request, template):
            return HttpResponse(status=403)
        response = HttpResponse(
            render.pdf_of(sample_answer(template), preview=True), content_type="application/pdf"
        )
        response["Content-Disposition"] = 'inline; filename="preview.pdf"'
        return response


class ReadOnly:
    """Issued documents and their service are records: nobody edits them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnly, admin.TabularInline):
    model = DocumentVersion
    fields = ("version", "issued_at", "issued_by", "sha256", "reason", "pdf", "docx")
    readonly_fields = ("version", "issued_at", "issued_by", "sha256", "reason", "pdf", "docx")
    extra = 0


class ServiceInline(ReadOnly, admin.TabularInline):
    model = Service
    fields = ("served_at", "method", "recipient", "postal_number", "proof", "recorded_by")
    readonly_fields = ("served_at", "method", "recipient", "postal_number", "proof", "recorded_by")
    extra = 0


@admin.register(Document)
class DocumentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["reference", "title", "kind", "body_name", "case", "created_at"]
    list_filter = ["kind", "year"]
    search_fields = ["reference", "title", "case__tracking_number"]
    readonly_fields = [f.name for f in Document._meta.fields]
    inlines = [VersionInline, ServiceInline]


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["issuer", "kind", "year", "last"]
    list_filter = ["kind", "year"]
