from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Which limit of a case a policy sets. Each runs from its start event until the
    step it asks for is done."""

    # While the case waits for acceptance (art. 23).
    ACCEPT = "accept", _("Acceptance notice")
    # While an accepted case at the town or city tier waits for its lead unit (art. 22).
    ASSIGN = "assign", _("Transfer or assignment")
    # Until the written reply (art. 34; review and re-review: arts. 35-36).
    HANDLE = "handle", _("Handling")
    # The petitioner's window to ask for review after the reply (arts. 35-36).
    REVIEW_REQUEST = "review_request", _("Review request window")
    # A co-handling unit's opinion to the lead unit (协办意见), from when it was added.
    CO_OPINION = "co_opinion", _("Co-handling opinion")


# Stages whose limits the worker chases (the review window binds the petitioner).
CHASED_STAGES = (Stage.ACCEPT, Stage.ASSIGN, Stage.HANDLE)


class ClockStart(models.TextChoices):
    RECEIVED = "received", _("Receipt (registration)")
    ACCEPTED = "accepted", _("Acceptance (start of handling)")
    REPLIED = "replied", _("Written reply")
    CO_HANDLING = "co_handling", _("Co-handling request (unit added)")
    # The written answer's recorded service (送达): when the petitioner received it.
    SERVED = "served", _("Service of the written answer")


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("Hours")
    CALENDAR_DAYS = "calendar_days", _("Calendar days")
    WORKING_DAYS = "working_days", _("Working days")


class Recipient(models.TextChoices):
    """Whom a deadline event is told to; resolved to staff accounts when it happens."""

    LEAD_UNIT = "lead_unit", _("Staff of the lead unit")
    TIER_STAFF = "tier_staff", _("Agents of the place at the case's tier")
    SUPERVISORS = "supervisors", _("Supervisors over the case's place")
    LEADER = "leader", _("The leader who owns the case")
    RECEIVER = "receiver", _("The agent who received the case")


class DayKind(models.TextChoices):
    REST = "rest", _("Rest day (holiday)")
    WORK = "work", _("Adjusted working day")


class AlertLevel(models.TextChoices):
    WARNING = "warning", _("Warning (yellow)")
    OVERDUE = "overdue", _("Overdue (red)")


class DeadlineStatus(models.TextChoices):
    NONE = "none", _("No deadline")
    OK = "ok", _("On time")
    WARNING = "warning", _("Approaching the limit")
    OVERDUE = "overdue", _("Overdue")
