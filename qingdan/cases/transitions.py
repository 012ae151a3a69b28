"""The one table of what each action may do to a case, and who may do it.

An action is allowed when the case is in one of its source states and the actor
holds one of its rights on that case (see `rights_on`).
"""

from dataclasses import dataclass

from qingdan.orgs.choices import Level, Role

from .choices import ANSWERED_STATES, HANDLING_STATES, UNANSWERED_STATES, Action, State

S = State


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    # None: the state does not change (or the action decides, e.g. escalation).
    target: str | None
    rights: frozenset[str]


# Rights a person can hold on a case:
TIER = "tier"  # works at the jurisdiction that owns the case at its current tier
LEAD = "lead"  # handler in the lead unit
CO = "co"  # handler in a co-handling unit
VIEW = "view"  # may see the case
RECEIVER = "receiver"  # the agent who received it: tracks it to the end and reports back
PETITIONER = "petitioner"  # the petitioner, through the portal or a return visit
SYSTEM = "system"  # the worker


def _t(sources, target, *rights) -> Transition:
    return Transition(frozenset(sources), target, frozenset(rights))


TRANSITIONS: dict[str, Transition] = {
    Action.ACCEPT: _t({S.REGISTERED}, S.ACCEPTED, TIER),
    Action.NOT_ACCEPT: _t({S.REGISTERED}, S.NOT_ACCEPTED, TIER),
    Action.DIVERT: _t({S.REGISTERED, S.ACCEPTED}, S.DIVERTED, TIER),
    Action.RESOLVE_ON_THE_SPOT: _t({S.REGISTERED, S.ACCEPTED}, S.REPLIED, TIER),
    Action.ESCALATE: _t(UNANSWERED_STATES, None, TIER, SYSTEM),
    Action.HAND_BACK: _t(UNANSWERED_STATES, None, TIER),
    Action.TRANSFER: _t(UNANSWERED_STATES, None, TIER),
    Action.ASSIGN: _t(HANDLING_STATES, S.IN_PROGRESS, TIER),
    Action.CO_HANDLE: _t({S.IN_PROGRESS}, None, TIER, LEAD),
    Action.EXTEND: _t(HANDLING_STATES, None, TIER),
    Action.REPLY: _t(HANDLING_STATES, S.REPLIED, TIER, LEAD),
    Action.EVALUATE: _t({S.REPLIED}, S.EVALUATED, TIER, LEAD, RECEIVER, PETITIONER),
    Action.CLOSE: _t({S.EVALUATED}, S.CLOSED, TIER),
    Action.REOPEN: _t({S.EVALUATED}, S.IN_PROGRESS, TIER),
    Action.REQUEST_REVIEW: _t(ANSWERED_STATES, None, TIER, RECEIVER, PETITIONER),
    Action.CLOSURE_AGREEMENT: _t(ANSWERED_STATES, None, TIER),
    Action.NOTE: _t(set(State.values), None, TIER, LEAD, CO, RECEIVER, VIEW, SYSTEM),
    Action.LINK: _t(set(State.values), None, TIER, LEAD, VIEW),
    Action.ATTACH: _t(set(State.values) - {S.CLOSED}, None, TIER, LEAD, CO, RECEIVER, PETITIONER),
}

TIER_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR})


def rights_on(user, case) -> frozenset[str]:
    """The rights `user` holds on `case`, derived from role, place and unit."""
    if user is None or not user.is_authenticated:
        return frozenset()
    rights: set[str] = set()
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return frozenset({TIER, LEAD, CO, VIEW})
    scope = user.jurisdiction
    if scope is not None and scope.contains(case.jurisdiction):
        rights.add(VIEW)
        if user.role in TIER_ROLES:
            # City supervisors and leaders oversee every tier; others act at their own.
            if scope.level == case.tier or (
                scope.level == Level.CITY and user.role in {Role.SUPERVISOR, Role.LEADER}
            ):
                rights.add(TIER)
    if case.created_by_id == user.pk and VIEW in rights:
        rights.add(RECEIVER)
    if user.department_id:
        if case.lead_unit_id == user.department_id:
            rights.update({LEAD, VIEW})
        elif any(c.department_id == user.department_id for c in case.co_handlings.all()):
            rights.update({CO, VIEW})
    return frozenset(rights)


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
    return [action for action in TRANSITIONS if refusal_reason(action, case, rights) is None]
