"""Statistics: the monthly rollup of case counts, its refresh watermark, and the
indicator formulas an administrator may tune.

The rollup is derived data: `qingdan rollup --full` rebuilds it from the cases
table and `qingdan rollup --verify` checks it against a plain recount.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan.orgs.models import Category, Department, Jurisdiction

from .choices import RollupKind


class MonthlyRollup(models.Model):
    """Counts of the cases registered in one month, in one jurisdiction (the place of
    the case), per tier, lead unit, category or channel (`kind` says which).

    Every case is counted once in each kind; the counts are the ALL_COUNTS of
    `qingdan.stats.metrics`.
    """

    kind = models.CharField(max_length=10, choices=RollupKind.choices)
    month = models.DateField(help_text=_("First day of the month (local time)."))
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    # Only `place` rows are broken down by tier (the others count closed cases per
    # tier in closed_village/town/city).
    tier = models.CharField(max_length=10, blank=True, default="", db_default="")
    lead_unit = models.ForeignKey(
        Department, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    category = models.ForeignKey(
        Category, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    channel = models.CharField(max_length=24, blank=True, default="", db_default="")
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    not_accepted = models.PositiveIntegerField(default=0)
    diverted = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_village = models.PositiveIntegerField(default=0)
    closed_town = models.PositiveIntegerField(default=0)
    closed_city = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    replied_late = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically_satisfied = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    unsatisfied_supported = models.PositiveIntegerField(default=0)
    repeat = models.PositiveIntegerField(default=0)
    leader_received = models.PositiveIntegerField(default=0)
    # Counts that change with time alone, exact as of RollupState.as_of.
    overdue_open = models.PositiveIntegerField(default=0)
    unresponded_late = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("monthly rollup row")
        verbose_name_plural = _("monthly rollup")
        indexes = [
            models.Index(fields=["kind", "month"], name="stats_rollup_kind_month"),
            models.Index(fields=["month", "jurisdiction"], name="stats_rollup_month_place"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m} {self.jurisdiction_id} {self.tier}"


class RollupState(models.Model):
    """How far the rollup has read the timeline (one row).

    `pending` keeps the event ids that were missing below `last_event_id` when it
    was read — transactions still in flight — so that they are picked up when they
    commit; each is dropped after a while (a rolled-back transaction never commits).
    """

    last_event_id = models.BigIntegerField(default=0)
    pending = models.JSONField(default=list, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateTimeField(
        null=True, blank=True, help_text=_("The time the overdue counts are exact for.")
    )
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup state")

    def __str__(self) -> str:
        return f"rollup up to event {self.last_event_id}"


def _fraction(verbose_name, default: str):
    return models.DecimalField(
        verbose_name,
        max_digits=4,
        decimal_places=3,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )


class IndicatorSettings(models.Model):
    """The formulas of the three rates and the composite score (one row).

    No national formula is published; the defaults are the common ones (see
    DOMAIN.md): satisfaction = (satisfied + 0.9 × basically satisfied) ÷ return
    visits; composite = 0.1 × response + 0.5 × resolution + 0.4 × satisfaction.
    """

    response_weight = _fraction(_("weight of the response rate"), "0.100")
    resolution_weight = _fraction(_("weight of the resolution rate"), "0.500")
    satisfaction_weight = _fraction(_("weight of the satisfaction rate"), "0.400")
    basically_satisfied_weight = _fraction(_("weight of “basically satisfied”"), "0.900")
    supported_reply_counts_as_solved = models.BooleanField(
        _("a supporting reply counts as solved"),
        default=True,
        help_text=_(
            "Count a case as solved when the reply supported the request, even if the "
            "petitioner was unsatisfied."
        ),
    )

    class Meta:
        verbose_name = _("indicator formulas")
        verbose_name_plural = _("indicator formulas")

    def __str__(self) -> str:
        return str(_("Indicator formulas"))

    def save(self, *args, **kwargs):
        self.pk = 1  # one row
        super().save(*args, **kwargs)

    def clean(self) -> None:
        total = self.response_weight + self.resolution_weight + self.satisfaction_weight
        if total != Decimal(1):
            raise ValidationError(
                {
                    "satisfaction_weight": _("The three weights must add up to 1 (now %(total)s).")
                    % {"total": total}
                }
            )

    @classmethod
    def current(cls) -> "IndicatorSettings":
        """The saved formulas, or the defaults when nobody has changed them."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
