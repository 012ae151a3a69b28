from django.db import models
from django.utils.translation import gettext_lazy as _


class FlagKind(models.TextChoices):
    """The CaseFlag kinds this app raises (CaseFlag.kind is free text in the cases app)."""

    HOT_TERM = "hot_term", _("Hot term")
    REPEAT = "repeat", _("Repeat petition")
    GROUP_RISK = "group_risk", _("Group petition risk")
    FLOOD = "flood", _("Many cases from one filer in a day")


class HotTermLevel(models.TextChoices):
    LOW = "low", _("Watch")
    MEDIUM = "medium", _("Warning")
    HIGH = "high", _("Serious")


LEVEL_RANK: dict[str, int] = {HotTermLevel.LOW: 1, HotTermLevel.MEDIUM: 2, HotTermLevel.HIGH: 3}


class TopicStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TOPIC_STATES = frozenset({TopicStatus.OPEN, TopicStatus.IN_PROGRESS})


class RelatedReason(models.TextChoices):
    NEAR_DUPLICATE = "near_duplicate", _("Nearly the same text")
    SIMILAR_TEXT = "similar_text", _("Similar text")
    SAME_PETITIONER = "same_petitioner", _("Same petitioner")
    SAME_PLACE = "same_place", _("Same place")
