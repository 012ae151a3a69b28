"""Import runs and their problems, enterprise visits, the policy answer library and
completion reports to superior bodies. Cases themselves are written only by the
actions layer (`qingdan.cases.actions` and this app's `actions`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan.cases.models import Case, Petitioner
from qingdan.orgs.models import Jurisdiction

from .choices import ACTIVE_RUN_STATES, ProblemKind, RunStatus


class ImportRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ImportRunQuerySet":
        """One's own runs; supervisors and administrators with the whole city in
        view see everyone's."""
        if not user or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(created_by=user)


class ImportRun(models.Model):
    """One import of a work-order file: the progress the upload page polls, the
    counts, and (in ImportProblem) the report."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    source_name = models.CharField(_("file name"), max_length=200)
    mapping = models.TextField(_("column mapping (TOML)"), blank=True)
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("cases created"), default=0)
    skipped_count = models.PositiveIntegerField(_("rows skipped"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Written with every batch: a running run whose heartbeat stopped was interrupted.
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    failure = models.TextField(_("failure"), blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("work-order import")
        verbose_name_plural = _("work-order imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATES

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)


class ImportProblem(models.Model):
    """One line of an import report: a row with an error, or a row skipped."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ProblemKind.choices)
    message = models.CharField(_("problem"), max_length=300)
    # Masked for personal data (phones, names, addresses).
    value = models.CharField(_("value"), max_length=200, blank=True)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["row", "pk"]
        indexes = [models.Index(fields=["run", "row"], name="importproblem_run_row")]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.message}"


class EnterpriseVisitQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EnterpriseVisitQuerySet":
        if not user or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(jurisdiction__in=Jurisdiction.objects.visible_to(user))


class EnterpriseVisit(models.Model):
    """调研走访 / 关企面对面: one visit to an enterprise, yielding a list of problems,
    each tracked as a case with the enterprise as petitioner."""

    visited_on = models.DateField(_("visited on"))
    enterprise = models.ForeignKey(
        Petitioner,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the enterprise is."),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff on the visit"), related_name="+"
    )
    topics = models.TextField(_("topics discussed"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EnterpriseVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise visit")
        verbose_name_plural = _("enterprise visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.enterprise.masked_name}"


class VisitProblem(models.Model):
    """A problem raised on a visit: the case that tracks it."""

    visit = models.ForeignKey(EnterpriseVisit, on_delete=models.CASCADE, related_name="problems")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="visit_problem")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("problem raised on a visit")
        verbose_name_plural = _("problems raised on visits")
        ordering = ["visit", "position"]

    def __str__(self) -> str:
        return str(self.case)


class PolicyAnswer(models.Model):
    """政策问答: a question enterprises and citizens ask, the answer, and where the
    answer comes from; handlers cite it in their replies."""

    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("The policy document and article the answer rests on."),
    )
    tags = models.CharField(
        _("tags"), max_length=200, blank=True, help_text=_("Separated by commas or spaces.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("policy answer")
        verbose_name_plural = _("policy answers")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.question

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.replace("，", ",").replace(",", " ").split() if tag]


class CompletionReport(models.Model):
    """The report back to the superior body that assigned a case (办结报告)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="completion_report")
    text = models.TextField(_("report"))
    reported_on = models.DateField(_("reported on"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("completion report")
        verbose_name_plural = _("completion reports")
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.case.tracking_number} {self.reported_on}"
