"""Deadlines as data: the business calendar, the limit policies, paused clocks, and the
alerts the worker raised (one row per breach: the key that makes the worker's work
happen exactly once)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingdan.core.vocabulary import Channel, ReviewLevel, Urgency
from qingdan.orgs.models import Category

from .choices import AlertLevel, ClockStart, DayKind, LimitUnit, Recipient, Stage


class CalendarYear(models.Model):
    """A year whose official schedule (holidays and adjusted workdays) is known.

    Working-day limits in a year without this row are refused; the State Council
    publishes the next year's schedule each autumn and an administrator enters it.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("The notice the schedule comes from, e.g. 国办发明电〔2025〕7号."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("business calendar")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class SpecialDay(models.Model):
    """A day that breaks the Monday-to-Friday rule: a holiday, or a weekend day worked."""

    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("year"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday or adjusted workday")
        verbose_name_plural = _("holidays and adjusted workdays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.date and self.calendar_year_id and self.date.year != self.calendar_year.year:
            errors["date"] = [_("The date is not in %(year)d.") % {"year": self.calendar_year.year}]
        if self.date and self.kind == DayKind.WORK and self.date.weekday() < 5:
            errors["kind"] = [_("An adjusted working day is a Saturday or a Sunday.")]
        if errors:
            raise ValidationError(errors)


class DeadlinePolicy(models.Model):
    """One limit: which stage, for which cases, from which event, how long, and what
    happens when it approaches and when it passes. The most specific active policy
    that matches a case wins."""

    name = models.CharField(_("name"), max_length=100)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    # What it matches; empty means any.
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Matches this category and its subcategories."),
    )
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, blank=True)
    review_level = models.PositiveSmallIntegerField(
        _("review level"), choices=ReviewLevel.choices, null=True, blank=True
    )
    priority = models.SmallIntegerField(
        _("priority"),
        default=0,
        help_text=_("Between equally specific policies, the higher priority wins."),
    )
    # The limit.
    starts_at = models.CharField(
        _("clock starts at"), max_length=12, choices=ClockStart.choices, default=ClockStart.RECEIVED
    )
    limit = models.PositiveIntegerField(_("limit"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=16, choices=LimitUnit.choices)
    warn_before = models.DurationField(
        _("warn before"),
        default=dt.timedelta(days=3),
        help_text=_("How long before the limit the case turns yellow (e.g. 3 00:00:00)."),
    )
    extendable = models.BooleanField(
        _("extension moves it"),
        default=False,
        help_text=_("An approved extension (art. 34) adds its days to this limit."),
    )
    pausable = models.BooleanField(
        _("paused time does not count"),
        default=False,
        help_text=_("Time the clock is paused (e.g. a re-review hearing) is added to the limit."),
    )
    # When it passes.
    supervise = models.BooleanField(_("issue a supervision notice"), default=True)
    escalate = models.BooleanField(_("escalate one tier"), default=False)
    notice_reply_within = models.DurationField(
        _("notice to be answered within"), default=dt.timedelta(days=5)
    )
    notify_on_warning = models.JSONField(_("notify on warning"), default=list, blank=True)
    notify_on_breach = models.JSONField(_("notify when overdue"), default=list, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["stage", "channel", "urgency", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return sum(
            1
            for value in (self.channel, self.category_id, self.urgency, self.review_level)
            if value not in ("", None)
        )

    @property
    def limit_label(self) -> str:
        return f"{self.limit} {LimitUnit(self.unit).label}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        for field in ("notify_on_warning", "notify_on_breach"):
            value = getattr(self, field)
            if not isinstance(value, list) or not set(value) <= set(Recipient.values):
                errors[field] = [
                    _("A list of: %(choices)s.") % {"choices": ", ".join(Recipient.values)}
                ]
        if self.stage == Stage.REVIEW_REQUEST and self.starts_at != ClockStart.SERVED:
            # Arts. 35-36 count from receipt of the answer: its recorded service.
            errors["starts_at"] = [
                _("The review window runs from the service of the written answer.")
            ]
        if self.stage in (Stage.ACCEPT, Stage.ASSIGN) and self.starts_at != ClockStart.RECEIVED:
            errors["starts_at"] = [_("This limit runs from receipt.")]
        if (self.stage == Stage.CO_OPINION) != (self.starts_at == ClockStart.CO_HANDLING):
            errors["starts_at"] = [
                _("A co-handling opinion runs from the co-handling request, and only it does.")
            ]
        if self.warn_before is not None and self.warn_before < dt.timedelta(0):
            errors["warn_before"] = [_("The warning comes before the limit, not after.")]
        if self.is_active and self.stage:
            # A null category matches only other catch-all policies (IS NULL).
            same_category = {"category_id": self.category_id}
            same = DeadlinePolicy.objects.filter(
                is_active=True,
                stage=self.stage,
                channel=self.channel,
                **same_category,
                urgency=self.urgency,
                review_level=self.review_level,
                priority=self.priority,
            ).exclude(pk=self.pk)
            if same.exists():
                errors.setdefault("priority", []).append(
                    _("An active policy for the same stage and cases exists: %(name)s.")
                    % {"name": same.first()}
                )
        if errors:
            raise ValidationError(errors)


class ClockPause(models.Model):
    """Time that does not count towards a limit (re-review hearings, art. 36)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="clock_pauses", verbose_name=_("case")
    )
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="one_open_pause_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.started_at:%Y-%m-%d}"


class DeadlineAlert(models.Model):
    """A warning or a breach the worker acted on. Unique per case, stage, level and
    limit: written in the same transaction as what the policy does about it, it is
    what makes that happen once, whatever the number of workers and restarts."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="deadline_alerts",
        verbose_name=_("case"),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    level = models.CharField(_("level"), max_length=8, choices=AlertLevel.choices)
    due_at = models.DateTimeField(_("limit"))
    raised_at = models.DateTimeField(_("raised at"))
    policy = models.ForeignKey(
        DeadlinePolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated = models.BooleanField(_("escalated"), default=False)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "stage", "level", "due_at"], name="deadline_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_stage_display()} {self.get_level_display()}"
