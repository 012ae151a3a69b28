"""Supervision actions: notices and their replies, leader ownership, the joint
meeting and its decisions, what is done at a deadline warning or breach, and the
worker's chasing of late replies and decisions.

Each checks rights (`rules`), writes its change, a timeline event on the case when
there is one, and its notifications (outbox) in one transaction.
"""

from ._common import AGENDA_MAX, MAX_REPLY_WITHIN
from .breaches import act_on_deadlines
from .co_opinions import chase_co_opinion, late_co_opinions
from .leaders import assign_leader, release_leader
from .meetings import (
    add_decision,
    build_agenda,
    chase_decision,
    complete_decision,
    convene_meeting,
    decision_warning,
    record_minutes,
)
from .notices import flag_overdue_notice, issue_notice, reply_notice

__all__ = [
    "AGENDA_MAX",
    "MAX_REPLY_WITHIN",
    "act_on_deadlines",
    "add_decision",
    "assign_leader",
    "build_agenda",
    "chase_co_opinion",
    "chase_decision",
    "complete_decision",
    "convene_meeting",
    "decision_warning",
    "flag_overdue_notice",
    "issue_notice",
    "late_co_opinions",
    "record_minutes",
    "release_leader",
    "reply_notice",
]
