"""A transition row decided by a rule.

A case action's row names rights on the case (`qingdan.cases.transitions`). The
actions of other subjects (a supervision notice, a joint meeting and its decisions,
a leader's key case) and the actions that create (registration, convening a meeting)
say instead which states of their subject they apply to and which function says who
may: a `Rule`. The action checks its row (`check_rights`, `check_state`, in the order
that gives the better message), the pages offer exactly what `allows` says, and the
catalogue tests derive the action × persona matrix from the rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import NotAllowed, TransitionRefused


@dataclass(frozen=True)
class Refusal:
    """Why a subject's state refuses the action (HTTP 409)."""

    message: Any
    code: str
    field: str | None = None

    def error(self) -> TransitionRefused:
        return TransitionRefused(self.message, code=self.code, field=self.field)


@dataclass(frozen=True)
class Rule:
    # The states of its subject (`subject.state`) it applies to; None: a creation,
    # whose rule reads the place or object it creates in.
    sources: frozenset[str] | None
    # The state its subject (or what it creates) is in afterwards; None: unchanged,
    # or the action decides.
    target: str | None
    # Who may: may(user, subject).
    may: Callable[[Any, Any], bool]
    # The refusal of someone the rule leaves out (HTTP 403), and the field it names.
    refused: Any
    refused_field: str | None = None
    # The refusal of a subject in another state.
    state_refused: Refusal | None = None
    # For an action that applies to some subjects only: whether it applies to this one
    # (a completion report: an assigned case), and the refusal of the others.
    when: Callable[[Any], bool] | None = None
    not_applicable: Refusal | None = None
    # Who is offered its form where the subject is not known until the form is filled
    # in (picked among its inputs, or created): a page shows the form, an endpoint
    # reads the body, only for them.
    offered: Callable[[Any], bool] | None = None
    # The worker (no account) may take it too.
    system: bool = False

    def applies(self, subject) -> bool:
        if self.when is not None and not self.when(subject):
            return False
        return self.sources is None or subject.state in self.sources

    def permits(self, user, subject) -> bool:
        return bool(self.may(user, subject))

    def allows(self, user, subject) -> bool:
        return self.applies(subject) and self.permits(user, subject)

    def offers(self, user) -> bool:
        return self.offered(user) if self.offered is not None else True

    def check_rights(self, user, subject, *, system: bool = False) -> None:
        if system and self.system:
            return
        if not self.permits(user, subject):
            raise NotAllowed(self.refused, field=self.refused_field)

    def check_state(self, subject) -> None:
        if self.when is not None and not self.when(subject):
            assert self.not_applicable is not None
            raise self.not_applicable.error()
        if self.sources is not None and subject.state not in self.sources:
            raise self.state_error()

    def state_error(self) -> TransitionRefused:
        """The refusal of the subject's state (also for a change made meanwhile, found
        by a conditional UPDATE)."""
        assert self.state_refused is not None
        return self.state_refused.error()
