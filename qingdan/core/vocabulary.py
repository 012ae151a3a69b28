"""The words of the domain that every layer uses: the states of a case and their named
groups, the three tiers, the intake channels, urgencies and review levels.

They live at the bottom (below the deadline rules, which match policies on them and
decide from the state which clocks run); `qingdan.cases.choices` is where the rest of
the code reads them.
"""

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
# Not yet answered: the case waits for acceptance, routing or the written reply.
UNANSWERED_STATES = frozenset({State.REGISTERED, State.ACCEPTED, State.IN_PROGRESS})
# Answered: the written reply exists (a review may be asked for, an agreement signed).
ANSWERED_STATES = frozenset({State.REPLIED, State.EVALUATED, State.CLOSED})


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


class ReviewLevel(models.IntegerChoices):
    ORIGINAL = 0, _("Original petition")
    REVIEW = 1, _("Review (复查)")
    RE_REVIEW = 2, _("Re-review (复核)")
