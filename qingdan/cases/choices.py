from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan.core.vocabulary import (
    ANSWERED_STATES,
    HANDLING_STATES,
    OPEN_STATES,
    TERMINAL_STATES,
    TIER_ORDER,
    UNANSWERED_STATES,
    Channel,
    ReviewLevel,
    State,
    Tier,
    Urgency,
)
from qingdan.deadlines.choices import DeadlineStatus


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


# CaseLink.kind of the problems raised together on one occasion (one enterprise visit):
# distinct problems, linked so each shows the others and never counted as repeats of
# each other.
RAISED_TOGETHER = "raised_together"


class Action(models.TextChoices):
    """Every kind of timeline event."""

    REGISTER = "register", _("Registered")
    ACCEPT = "accept", _("Accepted")
    NOT_ACCEPT = "not_accept", _("Not accepted")
    DIVERT = "divert", _("Diverted to the legal channel")
    RESOLVE_ON_THE_SPOT = "resolve_on_the_spot", _("Resolved on the spot")
    ESCALATE = "escalate", _("Escalated")
    HAND_BACK = "hand_back", _("Passed down to the lower tier")
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
    TAKE_OVER = "take_over", _("Taken over by a higher tier")
    ADD_PETITIONER = "add_petitioner", _("Petitioner added")
    CO_OPINION = "co_opinion", _("Co-handling opinion")
    DOCUMENT = "document", _("Document issued")
    SERVICE = "service", _("Document served")


__all__ = [
    "ANSWERED_STATES",
    "HANDLING_STATES",
    "OPEN_STATES",
    "TERMINAL_STATES",
    "TIER_ORDER",
    "UNANSWERED_STATES",
    "Action",
    "Channel",
    "DeadlineStatus",
    "LegalChannel",
    "PetitionerKind",
    "RAISED_TOGETHER",
    "Rating",
    "ReplyOpinion",
    "ReviewLevel",
    "State",
    "Tier",
    "Urgency",
]
