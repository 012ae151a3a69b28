"""Official documents (文书): what was issued, its versions (each a stored PDF and
.docx with its SHA-256, never changed), how it was served (送达), the per-body
numbering, and the per-jurisdiction overrides of the issuing body, the 文号 pattern
and the fixed paragraphs.

Documents are written only by `qingdan.documents.actions`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qingdan.cases.models import Case
from qingdan.orgs.models import Jurisdiction
from qingdan.supervision.models import JointMeeting, SupervisionNotice

from .choices import DocumentKind, ServiceMethod
from .defaults import PARAGRAPHS
from .templating import TemplateProblem, check_number_pattern, check_paragraph


class DocumentTemplate(models.Model):
    """An administrator's overrides for one jurisdiction's documents. Empty fields keep
    the defaults (docs/documents.md)."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="document_template",
    )
    body_name = models.CharField(
        _("issuing body"),
        max_length=100,
        blank=True,
        help_text=_("Printed in red at the top, and above the date (e.g. 招远市信访局)."),
    )
    abbreviation = models.CharField(
        _("abbreviation in numbers"),
        max_length=10,
        blank=True,
        help_text=_("{abbr} in the number pattern (e.g. 招)."),
    )
    number_pattern = models.CharField(
        _("number pattern"),
        max_length=100,
        blank=True,
        help_text=_(
            "The 文号, with {abbr}, {kind_abbr}, {year} and {number}, e.g. "
            "{abbr}信{kind_abbr}〔{year}〕{number}号. Applies to the places below too."
        ),
    )
    review_body = models.CharField(
        _("body that reviews its answers"),
        max_length=100,
        blank=True,
        help_text=_("Named in the sentence on the right to ask for review (复查/复核)."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["jurisdiction__code"]

    def __str__(self) -> str:
        return str(self.jurisdiction)

    def clean(self) -> None:
        if self.number_pattern:
            try:
                check_number_pattern(self.number_pattern)
            except TemplateProblem as problem:
                raise ValidationError({"number_pattern": [str(problem)]}) from problem


class TemplateParagraph(models.Model):
    """One fixed paragraph replaced for a jurisdiction (and the places below it)."""

    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="paragraphs"
    )
    key = models.CharField(
        _("paragraph"),
        max_length=40,
        choices=[(key, f"{key} · {p.label}") for key, p in PARAGRAPHS.items()],
    )
    text = models.TextField(
        _("text"),
        help_text=_("Plain text; {{ name }} inserts a value the paragraph offers."),
    )

    class Meta:
        verbose_name = _("fixed paragraph")
        verbose_name_plural = _("fixed paragraphs")
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="template_paragraph_once")
        ]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        if self.key and self.text:
            try:
                check_paragraph(self.key, self.text)
            except TemplateProblem as problem:
                raise ValidationError({"text": [str(problem)]}) from problem


class DocumentSequence(models.Model):
    """The last number each issuing body gave each kind in a year. Taken with a row
    lock inside the issuing transaction: a number is used only if the document is
    stored (no gaps), and two servers never give the same one."""

    issuer = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document number sequence")
        verbose_name_plural = _("document number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "kind", "year"], name="document_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id} {self.kind} {self.year}: {self.last}"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DocumentQuerySet":
        """A document is visible when its case is; minutes of a meeting, when the
        meeting is."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        cases = Case.objects.visible_to(user).values("pk")
        meetings = JointMeeting.objects.visible_to(user).values("pk")
        return self.filter(Q(case__in=cases) | Q(case__isnull=True, meeting__in=meetings))


class Document(models.Model):
    """One issued document with its number. Its content is in its versions."""

    kind = models.CharField(_("kind"), max_length=24, choices=DocumentKind.choices)
    issuer = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("issuing place"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body_name = models.CharField(_("issuing body"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    reference = models.CharField(_("document number"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=100)
    recipient = models.CharField(_("addressed to"), max_length=200, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    notice = models.ForeignKey(
        SupervisionNotice,
        verbose_name=_("supervision notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    meeting = models.ForeignKey(
        JointMeeting,
        verbose_name=_("joint meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    # A service receipt (送达回证): the document it goes with.
    served_document = models.ForeignKey(
        "self",
        verbose_name=_("document served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    current_version = models.PositiveSmallIntegerField(_("current version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("document", "issued by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(pgettext_lazy("document", "issued at"), db_index=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "kind", "year", "number"],
                condition=Q(number__isnull=False),
                name="document_number_unique",
            )
        ]
        indexes = [models.Index(fields=["case", "kind"], name="document_case_kind")]

    def __str__(self) -> str:
        return f"{self.reference or self.get_kind_display()} {self.title}".strip()

    @property
    def latest(self) -> "DocumentVersion":
        return self.versions.get(version=self.current_version)


class DocumentVersion(models.Model):
    """One issued text of a document: the files as issued, never changed. A correction
    adds a version with its reason; the earlier ones stay readable."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(_("content"))
    pdf = models.FileField(_("PDF"), upload_to="documents/%Y/%m/")
    docx = models.FileField(_("Word document"), upload_to="documents/%Y/%m/")
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    docx_sha256 = models.CharField(_("SHA-256 of the Word document"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    reason = models.TextField(_("reason for the correction"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("document", "issued by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(pgettext_lazy("document", "issued at"))

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="document_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("An issued document version is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("An issued document version is never deleted.")


class Service(models.Model):
    """送达: to whom, how and when a document was served, with the proof."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="services")
    version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("version served"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    recipient = models.CharField(_("served to"), max_length=100)
    method = models.CharField(_("how"), max_length=16, choices=ServiceMethod.choices)
    postal_number = models.CharField(_("postal tracking number"), max_length=40, blank=True)
    served_at = models.DateTimeField(_("served at"))
    proof = models.FileField(
        _("receipt or proof"), upload_to="documents/services/%Y/%m/", blank=True
    )
    proof_name = models.CharField(_("file name"), max_length=200, blank=True)
    proof_type = models.CharField(_("type"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["served_at", "pk"]

    def __str__(self) -> str:
        return f"{self.document} → {self.recipient} ({self.get_method_display()})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("A recorded service is never changed.")
        super().save(*args, **kwargs)


class ServiceReminder(models.Model):
    """The reminder that an answer is still not served, once per answer: the unique
    row makes it happen once with several workers."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    replied_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service reminder")
        verbose_name_plural = _("service reminders")
        constraints = [
            models.UniqueConstraint(fields=["case", "replied_at"], name="service_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.replied_at:%Y-%m-%d}"
