from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    EVALUATED = "evaluated", _("Evaluated")
    CLOSED = "closed", _("Closed")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    DIVERTED = "diverted", _("Diverted to the legal channel")


# Named groups: every query about "open" or "finished" cases uses these.
OPEN_STATES = frozenset(
    {State.REGISTERED, State.ACCEPTED, State.IN_PROGRESS, State.REPLIED, State.EVALUATED}
)
TERMINAL_STATES = frozenset({State.CLOSED, State.NOT_ACCEPTED, State.DIVERTED})
# States in which a unit is still working on the problem (the handling clock runs).
HANDLING_STATES = frozenset({State.ACCEPTED, State.IN_PROGRESS})


class Tier(models.TextChoices):
    VILLAGE = "village", _("Village")
    TOWN = "town", _("Town")
    CITY = "city", _("City")


TIER_ORDER = [Tier.VILLAGE, Tier.TOWN, Tier.CITY]


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in reception")
    PHONE = "phone", _("Phone / 12345 hotline")
    LETTER = "letter", _("Letter")
    WEB = "web", _("Web / mobile form")
    GRID_VISIT = "grid_visit", _("Grid worker or cadre visit")
    POLICE_REPORT = "police_report", _("Police report")
    LEGAL_CONSULTATION = "legal_consultation", _("Legal consultation")
    ENTERPRISE_VISIT = "enterprise_visit", _("Enterprise visit")
    SUPERIOR_ASSIGNMENT = "superior_assignment", _("Superior assignment")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")


class PetitionerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ENTERPRISE = "enterprise", _("Enterprise")


class ReplyOpinion(models.TextChoices):
    SUPPORTS = "supports", _("Supports the request")
    EXPLAINS = "explains", _("Explains")
    DOES_NOT_SUPPORT = "does_not_support", _("Does not support the request")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class LegalChannel(models.TextChoices):
    LITIGATION = "litigation", _("Court litigation")
    ARBITRATION = "arbitration", _("Arbitration")
    ADMINISTRATIVE_RECONSIDERATION = "reconsideration", _("Administrative reconsideration")
    OTHER = "other", _("Other legal procedure")


class ReviewLevel(models.IntegerChoices):
    ORIGINAL = 0, _("Original petition")
    REVIEW = 1, _("Review (复查)")
    RE_REVIEW = 2, _("Re-review (复核)")


class DeadlineStatus(models.TextChoices):
    NONE = "none", _("No deadline")
    OK = "ok", _("On time")
    WARNING = "warning", _("Approaching the limit")
    OVERDUE = "overdue", _("Overdue")


class Action(models.TextChoices):
    """Every kind of timeline event."""

    REGISTER = "register", _("Registered")
    ACCEPT = "accept", _("Accepted")
    NOT_ACCEPT = "not_accept", _("Not accepted")
    DIVERT = "divert", _("Diverted to the legal channel")
    RESOLVE_ON_THE_SPOT = "resolve_on_the_spot", _("Resolved on the spot")
    ESCALATE = "escalate", _("Escalated")
    HAND_BACK = "hand_back", _("Handed back to a lower tier")
    TRANSFER = "transfer", _("Transferred to another jurisdiction")
    ASSIGN = "assign", _("Assigned to a lead unit")
    CO_HANDLE = "co_handle", _("Co-handling unit added")
    EXTEND = "extend", _("Deadline extended")
    REPLY = "reply", _("Replied")
    EVALUATE = "evaluate", _("Evaluation recorded")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")
    REQUEST_REVIEW = "request_review", _("Review requested")
    CLOSURE_AGREEMENT = "closure_agreement", _("Closure agreement signed")
    NOTE = "note", _("Note")
    LINK = "link", _("Linked to another case")
    ATTACH = "attach", _("Attachment added")
    REPEAT_FLAG = "repeat_flag", _("Flagged as a repeat")
    REVEAL = "reveal", _("Personal data revealed")
    DEADLINE = "deadline", _("Deadline event")
    SUPERVISE = "supervise", _("Supervision")
