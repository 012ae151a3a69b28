"""A small hand-counted history, built through the actions layer with the clock set.

2026, first half (the indicators in EXPECTED_2026H1 are counted by hand below):

  A 01-10 欧家夼村 walk_in  construction  received by the leader on duty (坐班接访),
                                          resolved on the spot, satisfied, closed   (village)
  B 02-05 欧家夼村 phone    labour        town: 司法所, replied (supports) 02-06,
                                          basically satisfied, closed             (town)
  C 03-01 台上村   web      construction  city: 住建局 (+人社局 co-handling), replied
                                          (explains) 05-15 after its 04-30 limit,
                                          unsatisfied, not closed                 (city)
  D 04-10 大户村   letter   environment   not accepted the same day               (village)
  E 05-20 欧家夼村 walk_in  construction  accepted, escalated to the town, open,
                                          past its limit by 08-01                 (town)
  F 06-25 欧家夼村 phone    labour        registered only, past the acceptance
                                          limit by 08-01                          (village)
  G 03-15 大户村   walk_in  construction  resolved on the spot (supports),
                                          unsatisfied, closed                     (village)
  H 03-20 大户村   walk_in  construction  review (复查) of G, accepted 03-21, open,
                                          past its limit by 08-01                 (town)
  I 04-01 欧家夼村 walk_in  construction  same petitioner and category as A: triage
                                          flags a repeat; resolved, satisfied, closed (village)

2025: Y1 02-10 欧家夼村 and Y2 05-10 大户村 (first half), Y3 09-01 欧家夼村 (second half),
each resolved on the spot, rated (satisfied, basically satisfied, satisfied), closed.

The indicators are read at NOW = 2026-08-01. The timings are chosen so that the
figures hold under any deadline policy the deadlines app may apply (answers within
a day are on time, C's reply 75 days after acceptance is late, cases open for
weeks are overdue).
"""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine

from qingdan.cases import actions
from qingdan.cases.actions import Actor
from qingdan.orgs.testing import build_county

SHANGHAI = ZoneInfo("Asia/Shanghai")
PETITIONER = Actor.petitioner()


def at(month_day: str, year: int = 2026, hour: int = 10) -> dt.datetime:
    month, day = (int(part) for part in month_day.split("-"))
    return dt.datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


NOW = at("08-01")


def person(n: int) -> dict:
    return {"name": f"王{'一二三四五六七八九十'[n]}明", "phone": f"139{n:08d}"}


def _register(actor, when, place, category, channel, who, title, **extra):
    with time_machine.travel(when, tick=False):
        return actions.register_case(
            actor,
            channel=channel,
            title=title,
            content=f"{title}，请尽快处理。",
            jurisdiction=place,
            category=category,
            petitioner=who,
            **extra,
        )


def _do(when, action, *args, **kwargs):
    with time_machine.travel(when, tick=False):
        return action(*args, **kwargs)


def _resolved(agent, case, when, rating, opinion="supports", close=True):
    _do(
        when, actions.resolve_on_the_spot, agent, case, reply_text="当场解决", reply_opinion=opinion
    )
    _do(when + dt.timedelta(hours=1), actions.record_evaluation, PETITIONER, case, rating=rating)
    if close:
        _do(when + dt.timedelta(hours=2), actions.close, agent, case)
    return case


def build_history() -> SimpleNamespace:
    org = build_county()
    o = org
    c = SimpleNamespace(org=org)

    c.A = _register(
        o.village_agent,
        at("01-10"),
        o.village,
        o.construction,
        "walk_in",
        person(1),
        "村口路灯不亮",
        receiving_leader=o.city_leader,  # 领导坐班接访
    )
    _resolved(o.village_agent, c.A, at("01-10", hour=11), "satisfied")

    c.B = _register(
        o.village_agent, at("02-05"), o.village, o.labour, "phone", person(2), "工资被拖欠"
    )
    # Answered the next day: on time under any deadline policy of any channel.
    _do(at("02-05", hour=11), actions.accept, o.village_agent, c.B)
    _do(at("02-05", hour=12), actions.escalate_to_town, o.village_agent, c.B, reason="需镇里协调")
    _do(at("02-05", hour=14), actions.assign, o.town_clerk, c.B, lead_unit=o.town_justice)
    _do(
        at("02-06"),
        actions.reply,
        o.town_clerk,
        c.B,
        reply_opinion="supports",
        reply_text="已协调发放工资",
    )
    _do(at("02-07"), actions.record_evaluation, PETITIONER, c.B, rating="basically_satisfied")
    _do(at("02-08"), actions.close, o.town_clerk, c.B)

    c.C = _register(
        o.other_village_agent,
        at("03-01"),
        o.other_village,
        o.construction,
        "web",
        person(3),
        "危房改造",
    )
    _do(at("03-01", hour=11), actions.accept, o.other_village_agent, c.C)
    _do(at("03-02"), actions.escalate_to_town, o.other_village_agent, c.C, reason="村里解决不了")
    _do(at("03-03"), actions.escalate_to_city, o.town_clerk, c.C, reason="需市住建局")
    _do(
        at("03-04"),
        actions.assign,
        o.city_supervisor,
        c.C,
        lead_unit=o.housing_bureau,
        co_units=[o.labour_bureau],
    )
    _do(
        at("05-15"),
        actions.reply,
        o.city_handler,
        c.C,
        reply_opinion="explains",
        reply_text="已解释政策",
    )
    _do(at("05-20"), actions.record_evaluation, PETITIONER, c.C, rating="unsatisfied")

    c.D = _register(
        o.far_village_agent,
        at("04-10"),
        o.far_village,
        o.environment,
        "letter",
        person(4),
        "邻居养狗扰民",
    )
    _do(at("04-10", hour=15), actions.not_accept, o.far_village_agent, c.D, reason="属民事纠纷")

    c.E = _register(
        o.village_agent, at("05-20"), o.village, o.construction, "walk_in", person(5), "道路坑洼"
    )
    _do(at("05-20", hour=11), actions.accept, o.village_agent, c.E)
    _do(at("05-21"), actions.escalate_to_town, o.village_agent, c.E, reason="需镇里修路")

    c.F = _register(
        o.village_agent, at("06-25"), o.village, o.labour, "phone", person(6), "社保转移"
    )

    c.G = _register(
        o.far_village_agent,
        at("03-15"),
        o.far_village,
        o.construction,
        "walk_in",
        person(7),
        "院墙被占",
    )
    _resolved(o.far_village_agent, c.G, at("03-15", hour=11), "unsatisfied")
    c.H = _do(at("03-20"), actions.request_review, o.far_village_agent, c.G, reason="不服处理")
    _do(at("03-21"), actions.accept, o.other_town_clerk, c.H)

    c.I = _register(
        o.village_agent,
        at("04-01"),
        o.village,
        o.construction,
        "walk_in",
        person(1),
        "村口路灯又不亮了",
    )
    _resolved(o.village_agent, c.I, at("04-01", hour=11), "satisfied")

    c.Y1 = _register(
        o.village_agent,
        at("02-10", 2025),
        o.village,
        o.construction,
        "walk_in",
        person(8),
        "水渠堵塞",
    )
    _resolved(o.village_agent, c.Y1, at("02-10", 2025, hour=11), "satisfied")
    c.Y2 = _register(
        o.far_village_agent,
        at("05-10", 2025),
        o.far_village,
        o.labour,
        "phone",
        person(9),
        "退休金",
    )
    _resolved(o.far_village_agent, c.Y2, at("05-10", 2025, hour=11), "basically_satisfied")
    c.Y3 = _register(
        o.village_agent,
        at("09-01", 2025),
        o.village,
        o.construction,
        "walk_in",
        person(0),
        "垃圾清运",
    )
    _resolved(o.village_agent, c.Y3, at("09-01", 2025, hour=11), "satisfied")
    for case in vars(c).values():
        if hasattr(case, "refresh_from_db"):
            case.refresh_from_db()
    return c


# Counted by hand from the table in the module docstring (city view, NOW).
EXPECTED_2026H1 = {
    "received": 9,  # A–I
    "accepted": 7,  # all but D (not accepted) and F (only registered)
    "not_accepted": 1,  # D
    "diverted": 0,
    "replied": 5,  # A B C G I
    "closed": 4,  # A B G I
    "closed_on_time": 4,
    "overdue": 4,  # C replied late; E, F, H past their limit and unanswered
    "repeat": 2,  # H (review), I (flagged repeat)
    "leader_received": 1,  # A, received by the leader on duty
    "rated": 5,  # A B C G I
    "satisfied": 2,  # A I
    "basically_satisfied": 1,  # B
    "unsatisfied": 2,  # C G
    "solved": 4,  # A I B + G (the reply supported the request)
    "response_rate": 8 / 9,  # 8 responded in time; F unanswered past its limit
    "resolution_rate": 4 / 5,
    "satisfaction_rate": (2 + 0.9 * 1) / 5,
    "composite_score": 100 * (0.1 * 8 / 9 + 0.5 * 4 / 5 + 0.4 * 2.9 / 5),
    "closure_rate": 4 / 9,
    "on_time_rate": 1.0,
    "repeat_rate": 2 / 9,
    "village_rate": 3 / 4,  # A G I closed at the village, B at the town
    "within_town_rate": 1.0,
    "closed_by_tier": {"village": 3, "town": 1, "city": 0},
}
