"""Shared test helpers: frozen-time case registration and cache hygiene."""

import datetime as dt
from zoneinfo import ZoneInfo

from qingdan.cases import actions
from qingdan.orgs.testing import PERSON

from .. import calendar, policies, seed

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> dt.datetime:
    return at(year, month, day, 23, 59, 59)


def clear_caches() -> None:
    calendar.clear_cache()
    policies.clear_cache()


def reseed() -> None:
    """TransactionTestCase empties every table after each test, seeds included."""
    seed.seed_policies()
    seed.seed_calendar()
    clear_caches()


def register(org, actor=None, **extra):
    fields = dict(
        channel="walk_in",
        title="路灯坏了",
        content="村口路灯不亮",
        jurisdiction=org.village,
        petitioner=dict(PERSON),
    )
    fields.update(extra)
    return actions.register_case(actor or org.village_agent, **fields)
