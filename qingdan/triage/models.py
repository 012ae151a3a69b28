"""Triage data: trained classifiers and the clerk's choices, the hot-term list, the
near-duplicate fingerprints of cases, and proactive governance topics.

Changes go through `qingdan.triage.actions`; flags live on `qingdan.cases.models.CaseFlag`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingdan.cases.models import Case
from qingdan.orgs.models import Category, Jurisdiction

from .choices import HotTermLevel, TopicStatus


class Updated(models.Model):
    """When and by whom an administrator last changed the row."""

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class ClassifierModel(models.Model):
    """One trained category classifier; the newest active one answers suggestions."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"))
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    n_samples = models.PositiveIntegerField(_("training cases"))
    classes = models.JSONField(_("category ids"), default=list)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # joblib dump of the scikit-learn pipeline; loaded once per process and version.
    blob = models.BinaryField(_("model"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category classifier")
        verbose_name_plural = _("category classifiers")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.n_samples})"


class TriageSettings(Updated):
    """Triage settings an administrator edits in the admin: one row (pk 1), made by the
    migration; `load()` gives the defaults if it is missing."""

    suggestion_threshold = models.FloatField(
        _("suggestion threshold"),
        default=0.6,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "The intake form suggests a category only when the classifier is at least this "
            "sure (0–1). `qingdan eval-classifier` shows how many cases get a suggestion "
            "at a threshold and how often it is right."
        ),
    )

    class Meta:
        verbose_name = _("triage settings")
        verbose_name_plural = _("triage settings")

    def __str__(self) -> str:
        return str(_("Triage settings"))

    @classmethod
    def load(cls) -> "TriageSettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class CategorySuggestion(models.Model):
    """What the classifier suggested for a case and what the clerk chose."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="category_suggestions")
    model = models.ForeignKey(
        ClassifierModel,
        verbose_name=_("classifier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    suggested = models.JSONField(_("suggestions"), default=list, blank=True)
    top_category = models.ForeignKey(
        Category,
        verbose_name=_("suggested category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chosen_category = models.ForeignKey(
        Category,
        verbose_name=_("chosen category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chosen_at = models.DateTimeField(_("chosen at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.top_category_id} → {self.chosen_category_id}"

    @property
    def followed(self) -> bool | None:
        if self.chosen_category_id is None or self.top_category_id is None:
            return None
        return self.chosen_category_id == self.top_category_id


class HotTerm(Updated):
    """An entry of the hot-term list (热点敏感词库), maintained by administrators."""

    term = models.CharField(_("term"), max_length=50, unique=True)
    level = models.CharField(
        _("level"), max_length=10, choices=HotTermLevel.choices, default=HotTermLevel.MEDIUM
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hot term")
        verbose_name_plural = _("hot terms")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


class CaseFingerprint(models.Model):
    """The MinHash signature of a case's text: the source the near-duplicate index
    is rebuilt from (cases' text never changes after registration)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="fingerprint")
    signature = models.BinaryField(_("signature"))

    class Meta:
        verbose_name = _("case fingerprint")
        verbose_name_plural = _("case fingerprints")

    def __str__(self) -> str:
        return str(self.case_id)


class PendingAnalysis(models.Model):
    """A registered case whose intake analysis the worker has still to run
    (QINGDAN_TRIAGE_AT_INTAKE=worker, and every case of a work-order import). Deleted
    in the transaction that runs it, so a worker killed half-way leaves it queued and
    no case is analysed twice."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="pending_analysis"
    )
    queued_at = models.DateTimeField(_("queued at"), db_index=True)

    class Meta:
        verbose_name = _("pending intake analysis")
        verbose_name_plural = _("pending intake analyses")

    def __str__(self) -> str:
        return str(self.case_id)


class GovernanceTopicQuerySet(models.QuerySet):
    def visible_to(self, user) -> "GovernanceTopicQuerySet":
        if not user or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        condition = Q(owner=user) | Q(created_by=user)
        scope = user.scope_jurisdiction
        if scope is not None:
            condition |= Q(jurisdiction__code__startswith=scope.scope_prefix)
        return self.filter(condition)


class GovernanceTopic(models.Model):
    """A proactive governance topic (未诉先办 / 每月一题) made from a cluster of cases."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="governance_topics",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=TopicStatus.choices, default=TopicStatus.OPEN
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cases = models.ManyToManyField(Case, verbose_name=_("cases"), related_name="governance_topics")
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = GovernanceTopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("governance topic")
        verbose_name_plural = _("governance topics")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title
