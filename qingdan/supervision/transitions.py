"""The one table of the supervision actions: for each, the states of its subject it
applies to, the state after, and the rule that says who may (`rules.py`).

Subjects: a case (notice, leader), a notice (reply), a key case (release), a joint
meeting (agenda, minutes, decisions), a decision (done); convening creates a meeting
in a town or the city (its rule reads that place). The actions check their row, the
pages show exactly what `allows` says, and the catalogue (`catalogue.py`) joins each
row to its function, inputs and label.
"""

from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import OPEN_STATES
from qingdan.core.rules import Refusal, Rule

from . import rules
from .choices import DecisionState, KeyCaseState, MeetingState, NoticeState

FINISHED_CASE = Refusal(_("A finished case is not supervised."), "case_finished", "case")
NAMES_LEADER = _("Only supervisors and leaders who see the case name its leader.")
MANAGES_MEETING = _("Only the convener and the supervisors over the place manage this meeting.")
# A joint meeting is never closed: its agenda, minutes and decisions may be kept up to
# date whether it is still planned or held.
EVERY_MEETING_STATE = frozenset(MeetingState.values)


def _may_release(user, key) -> bool:
    return rules.may_supervise_case(user, key.case)


TRANSITIONS: dict[str, Rule] = {
    # The worker issues notices too, at a deadline breach.
    "issue_notice": Rule(
        OPEN_STATES,
        NoticeState.OPEN,
        rules.may_supervise_case,
        _("Only supervisors and leaders who see the case issue notices."),
        state_refused=FINISHED_CASE,
        offered=rules.is_overseer,
        system=True,
    ),
    "reply_notice": Rule(
        frozenset({NoticeState.OPEN}),
        NoticeState.ANSWERED,
        rules.may_reply,
        _("Only the supervised unit answers this notice."),
        state_refused=Refusal(_("This notice was already answered."), "notice_answered"),
    ),
    "assign_leader": Rule(
        OPEN_STATES,
        KeyCaseState.ACTIVE,
        rules.may_supervise_case,
        NAMES_LEADER,
        state_refused=FINISHED_CASE,
        offered=rules.is_overseer,
    ),
    "release_leader": Rule(
        frozenset({KeyCaseState.ACTIVE}),
        KeyCaseState.RELEASED,
        _may_release,
        NAMES_LEADER,
        state_refused=Refusal(_("This ownership already ended."), "already_released"),
    ),
    "convene_meeting": Rule(
        None,
        MeetingState.PLANNED,
        rules.may_convene,
        _("Supervisors and leaders convene the joint meeting of a town or city they oversee."),
        refused_field="jurisdiction",
        offered=rules.is_overseer,
    ),
    "build_agenda": Rule(EVERY_MEETING_STATE, None, rules.may_manage_meeting, MANAGES_MEETING),
    # Held once its time has come; minutes written before it (the preparation) leave
    # it planned.
    "record_minutes": Rule(EVERY_MEETING_STATE, None, rules.may_manage_meeting, MANAGES_MEETING),
    "add_decision": Rule(
        EVERY_MEETING_STATE, DecisionState.OPEN, rules.may_manage_meeting, MANAGES_MEETING
    ),
    "complete_decision": Rule(
        frozenset({DecisionState.OPEN}),
        DecisionState.DONE,
        rules.may_complete_decision,
        _("Only the owner and the meeting's managers report this task done."),
        state_refused=Refusal(_("This task is already done."), "decision_done"),
    ),
}
