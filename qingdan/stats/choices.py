from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    """What indicators can be broken down by (`by=` in the API)."""

    JURISDICTION = "jurisdiction", _("Jurisdiction")
    UNIT = "unit", _("Lead unit")
    CATEGORY = "category", _("Category")
    CHANNEL = "channel", _("Channel")
    TIER = "tier", _("Handling tier")


class RollupKind(models.TextChoices):
    """The grouping set a rollup row belongs to: every case is counted once per kind,
    under (month, jurisdiction) and the kind's own column (the tier for `place`)."""

    PLACE = "place", _("By place and tier")
    UNIT = "unit", _("By lead unit")
    CATEGORY = "category", _("By category")
    CHANNEL = "channel", _("By channel")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    HALF = "half", _("Half year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


# CaseFlag kinds that mark a repeat petition (重复访); review follow-ups count too.
# "repeat" is raised by triage, "raised_higher_within_limit" by registration (art. 19).
DEFAULT_REPEAT_FLAG_KINDS = ("repeat", "raised_higher_within_limit")
