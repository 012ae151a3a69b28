"""Shared set-up of the web tests: the test county and a few cases in it."""

import re

from qingdan.cases import actions
from qingdan.orgs.testing import PERSON


def register(user, jurisdiction, title="路灯坏了", content="村口路灯不亮", **extra):
    extra.setdefault("petitioner", dict(PERSON))
    extra.setdefault("channel", "walk_in")
    return actions.register_case(
        user, title=title, content=content, jurisdiction=jurisdiction, **extra
    )


def refresh(case):
    case.refresh_from_db()
    return case


def challenge_answer(html: str) -> tuple[int, str]:
    """Solve the portal's arithmetic question as a person would, from the page."""
    label = re.search(r'<label for="id_answer">([^<]*)</label>', html).group(1)
    a, b = (int(n) for n in re.findall(r"\d+", label)[:2])
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    return a + b, token
