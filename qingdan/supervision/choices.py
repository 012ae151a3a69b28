from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeState(models.TextChoices):
    OPEN = "open", _("Waiting for the reply")
    ANSWERED = "answered", pgettext_lazy("supervision notice", "Answered")


class KeyCaseState(models.TextChoices):
    """Not stored: a key case is active until its release time is set."""

    ACTIVE = "active", _("Owned by the leader")
    RELEASED = "released", _("Ownership ended")


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")


class AgendaReason(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    KEY = "key", _("Key case owned by a leader")
    CROSS_DEPARTMENT = "cross_department", _("Several departments")


class DecisionState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
