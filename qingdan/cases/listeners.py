"""Who is told when a case is registered: an explicit, ordered list that the apps built
on cases register into from their AppConfig.ready() (triage queues or runs its intake
analysis), so that cases never imports them.

Not a Django signal: the listeners are called in the order they registered, inside
the registration's transaction (a listener that raises rolls the registration back),
and a registration path that creates many cases at once (the work-order import)
calls each listener's batch function once for the batch.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .models import Case


@dataclass(frozen=True)
class RegistrationListener:
    one: Callable[[Case], None]
    # For many cases at once; without it, `one` is called for each.
    many: Callable[[Sequence[Case]], None] | None = None


on_registered: list[RegistrationListener] = []


def listen_registered(
    one: Callable[[Case], None], *, many: Callable[[Sequence[Case]], None] | None = None
) -> None:
    """Register a listener (once: registering the same function again does nothing)."""
    if all(listener.one is not one for listener in on_registered):
        on_registered.append(RegistrationListener(one, many))


def tell_registered(case: Case) -> None:
    """Inside the registration's transaction, after the case and its event are saved."""
    for listener in on_registered:
        listener.one(case)


def tell_registered_many(cases: Sequence[Case]) -> None:
    """The same for a batch of cases registered together (saved, with their keys)."""
    if not cases:
        return
    for listener in on_registered:
        if listener.many is not None:
            listener.many(cases)
        else:
            for case in cases:
                listener.one(case)
