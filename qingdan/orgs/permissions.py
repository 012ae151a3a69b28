"""Roles and the administrator, tested in one place.

An administrator (the `administrator` role, or a Django superuser) holds what every
role holds; everybody else holds what their role says. Every check of "may this
account do X by its role" goes through `has_role`, every check of "is this the
administrator" through `is_administrator`.
"""

from .choices import Role

# Supervisors and leaders oversee: notices, leader ownership, joint meetings, topics.
OVERSEER_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
# Roles that act for a place (its tier) rather than for a unit.
PLACE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.LEADER})


def is_authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_administrator(user) -> bool:
    return bool(is_authenticated(user) and (user.is_superuser or user.role == Role.ADMINISTRATOR))


def has_role(user, roles) -> bool:
    """The account has one of `roles`, or is the administrator."""
    return is_administrator(user) or (is_authenticated(user) and user.role in roles)


def is_staff_member(user) -> bool:
    """An active account with a role (or a superuser): the accounts the workflow knows."""
    return bool(is_authenticated(user) and user.is_active and (user.is_superuser or user.role))
