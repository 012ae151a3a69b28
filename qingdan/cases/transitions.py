"""The one table of what each case action may do to a case, and who may do it.

An action is allowed when the case is in one of its source states and the actor
holds one of its rights on that case (`qingdan.cases.rights`). The action catalogue
(`qingdan.cases.catalogue`) joins each row to its function, its inputs and its label.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from qingdan.core.rules import Rule
from qingdan.deadlines.choices import Stage
from qingdan.deadlines.policies import policy_for

from .choices import ANSWERED_STATES, HANDLING_STATES, UNANSWERED_STATES, Action, State
from .rights import (
    ABOVE,
    CO,
    LEAD,
    PETITIONER,
    RECEIVER,
    SYSTEM,
    TIER,
    VIEW,
    may_register,
    registers_cases,
    rights_on,
)

S = State
EVERY_STATE = frozenset(State.values)

# Actions that are not timeline kinds of their own (their events are deadline events).
PAUSE_CLOCK = "pause_clock"
RESUME_CLOCK = "resume_clock"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    # None: the state does not change (or the action decides, e.g. escalation).
    target: str | None
    rights: frozenset[str]
    # For an action that applies to some cases only: whether it applies to this one.
    when: Callable | None = None


def _t(sources, target, *rights, when=None) -> Transition:
    return Transition(frozenset(sources), target, frozenset(rights), when)


def _clock_stops_for_hearings(case) -> bool:
    policy = policy_for(Stage.HANDLE, case)
    return bool(policy and policy.pausable)


def clock_can_pause(case) -> bool:
    return _clock_stops_for_hearings(case) and not case.clock_pauses.filter(ended_at=None).exists()


def clock_can_resume(case) -> bool:
    return _clock_stops_for_hearings(case) and case.clock_pauses.filter(ended_at=None).exists()


TRANSITIONS: dict[str, Transition] = {
    Action.ACCEPT: _t({S.REGISTERED}, S.ACCEPTED, TIER),
    Action.NOT_ACCEPT: _t({S.REGISTERED}, S.NOT_ACCEPTED, TIER),
    Action.DIVERT: _t({S.REGISTERED, S.ACCEPTED}, S.DIVERTED, TIER),
    Action.RESOLVE_ON_THE_SPOT: _t({S.REGISTERED, S.ACCEPTED}, S.REPLIED, TIER),
    Action.ESCALATE: _t(UNANSWERED_STATES, None, TIER, SYSTEM),
    Action.HAND_BACK: _t(UNANSWERED_STATES, None, TIER),
    # 提级办理: a higher tier takes the case up to itself (then handles or passes it down).
    Action.TAKE_OVER: _t(UNANSWERED_STATES, None, ABOVE),
    Action.TRANSFER: _t(UNANSWERED_STATES, None, TIER),
    Action.ASSIGN: _t(HANDLING_STATES, S.IN_PROGRESS, TIER),
    Action.CO_HANDLE: _t({S.IN_PROGRESS}, None, TIER, LEAD),
    # 协办意见: a co-handling unit tells the lead unit, before it replies.
    Action.CO_OPINION: _t(HANDLING_STATES, None, CO),
    Action.EXTEND: _t(HANDLING_STATES, None, TIER),
    PAUSE_CLOCK: _t(HANDLING_STATES, None, TIER, LEAD, when=clock_can_pause),
    RESUME_CLOCK: _t(HANDLING_STATES, None, TIER, LEAD, when=clock_can_resume),
    Action.REPLY: _t(HANDLING_STATES, S.REPLIED, TIER, LEAD),
    Action.EVALUATE: _t({S.REPLIED}, S.EVALUATED, TIER, LEAD, RECEIVER, PETITIONER),
    # The unit that holds the case and the tiers above it may close it.
    Action.CLOSE: _t({S.EVALUATED}, S.CLOSED, TIER, LEAD, ABOVE),
    Action.REOPEN: _t({S.EVALUATED}, S.IN_PROGRESS, TIER),
    Action.REQUEST_REVIEW: _t(ANSWERED_STATES, None, TIER, RECEIVER, PETITIONER),
    Action.CLOSURE_AGREEMENT: _t(ANSWERED_STATES, None, TIER),
    Action.NOTE: _t(EVERY_STATE, None, TIER, LEAD, CO, RECEIVER, VIEW, SYSTEM),
    Action.LINK: _t(EVERY_STATE, None, TIER, LEAD, VIEW),
    Action.ATTACH: _t(EVERY_STATE - {S.CLOSED}, None, TIER, LEAD, CO, RECEIVER, PETITIONER),
    # A case registered without its petitioner (上级交办, a police report) gets one later.
    Action.ADD_PETITIONER: _t(EVERY_STATE, None, TIER, when=lambda case: not case.petitioner_id),
}


# Actions that create a case (`creations.py`): no source state, so a rule on the place
# rather than rights on a case. Registering is a place desk's work (`registers_cases`:
# the form is offered to them), in a place the registrar sees (`may_register`); the
# action refuses the rest with its own words.
REGISTER = "register"
CREATIONS: dict[str, Rule] = {
    REGISTER: Rule(
        None,
        S.REGISTERED,
        may_register,
        _("You can only register cases in your own jurisdiction."),
        refused_field="jurisdiction",
        offered=registers_cases,
    ),
}


def refusal_reason(action: str, case, rights: frozenset[str]) -> str | None:
    """None when allowed; else 'state' or 'rights' telling why it is refused."""
    transition = TRANSITIONS[action]
    if case.state not in transition.sources:
        return "state"
    if not rights & transition.rights:
        return "rights"
    return None


def allowed_actions(user, case) -> list[str]:
    rights = rights_on(user, case)
    return [
        action
        for action, transition in TRANSITIONS.items()
        if refusal_reason(action, case, rights) is None
        and (transition.when is None or transition.when(case))
    ]
