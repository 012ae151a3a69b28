"""Who may do what in supervision. Derived from role and place like
`cases.transitions.rights_on`; the actions check these, the pages only show what
they allow."""

from qingdan.cases.rights import VIEW, rights_on
from qingdan.orgs.choices import Level
from qingdan.orgs.permissions import (
    OVERSEER_ROLES,
    PLACE_ROLES,
    has_role,
    is_administrator,
    is_authenticated,
)


def is_overseer(user) -> bool:
    return has_role(user, OVERSEER_ROLES)


def may_supervise_case(user, case) -> bool:
    """Issue a notice or name the owning leader: an overseer who sees the case."""
    return is_overseer(user) and VIEW in rights_on(user, case)


def may_reply(user, notice) -> bool:
    if not is_authenticated(user):
        return False
    if is_administrator(user):
        return True
    if notice.unit_id:
        return user.department_id == notice.unit_id
    return user.jurisdiction_id == notice.jurisdiction_id and user.role in PLACE_ROLES


def may_convene(user, jurisdiction) -> bool:
    """A joint meeting of a town or the city, by an overseer whose scope includes it."""
    if not is_overseer(user) or jurisdiction is None:
        return False
    if jurisdiction.level == Level.VILLAGE:
        return False
    if is_administrator(user):
        return True
    scope = user.scope_jurisdiction
    return scope is not None and scope.contains(jurisdiction)


def may_manage_meeting(user, meeting) -> bool:
    return bool(user is not None and user.pk == meeting.convener_id) or may_convene(
        user, meeting.jurisdiction
    )


def may_complete_decision(user, decision) -> bool:
    return decision.is_owned_by(user) or may_manage_meeting(user, decision.meeting)
