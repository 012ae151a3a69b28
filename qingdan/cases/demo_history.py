"""Two years of demo cases behind the demo county's current stories, so that the
statistics, the half-year bulletin and its year-on-year changes have data.

Each case goes through the actions layer (registration with its date, acceptance,
escalation, reply, rating, closing) and is then placed in time: its timeline events
and timestamps are set to the moments of its story (demo data only), and its
deadline columns are computed from them as the actions would have at the time.
Most cases were answered within their limit, some late, a few refused or diverted;
recent ones are still open, some of them overdue.
"""

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from qingdan.deadlines.choices import Stage
from qingdan.deadlines.services import compute_clock, recompute_due_times
from qingdan.orgs.demo import CITY_BUREAUS, TOWN_SLUGS
from qingdan.orgs.models import Category, Department, User

from . import actions
from .choices import Action, Channel, LegalChannel, Rating, ReplyOpinion
from .models import Case, CaseEvent

HISTORY_DAYS = 730  # two years: the year before of every half-year and quarter
CASES = 170
# The stories and how often they happen (out of 100).
OUTCOMES = [
    ("village", 40),  # solved in the village and closed (即接即办)
    ("town", 25),  # escalated to the town, replied, closed
    ("city", 12),  # up to the city, a bureau replies, closed
    ("late", 8),  # replied after the handling limit
    ("not_accepted", 8),
    ("diverted", 7),
]
CHANNELS = [Channel.WALK_IN, Channel.PHONE, Channel.PHONE, Channel.GRID_VISIT, Channel.LETTER]
RATINGS = [Rating.SATISFIED] * 6 + [Rating.BASICALLY_SATISFIED] * 3 + [Rating.UNSATISFIED]
OPEN_DAYS = 90  # registered within this many days: some are still being handled
# Days each step takes (from, to): by the petition rules (60 days to answer), and on
# the hotline's clock (5 working days from the call) for phone cases.
STEP_DAYS = {
    "accept": ((0.1, 3), (0.02, 0.3)),
    "escalate": ((0.2, 3), (0.05, 0.5)),
    "assign": ((0.2, 2), (0.05, 0.5)),
    "on_the_spot": ((0.2, 6), (0.1, 2)),
    "reply": ((5, 50), (0.5, 3)),
    "late": ((62, 85), (9, 20)),
    "evaluate": ((0.5, 6), (0.5, 3)),
    "close": ((0.1, 3), (0.1, 2)),
    "refuse": ((0.5, 4), (0.1, 1)),
}


class _Clock:
    """The moments of one case's story, from its registration on: for each action,
    the moments of its events in order."""

    def __init__(
        self, registered: dt.datetime, now: dt.datetime, rng: random.Random, *, hotline: bool
    ):
        self.moments: dict[str, list[dt.datetime]] = {Action.REGISTER: [registered]}
        self.last = registered
        self.now = now
        self.rng = rng
        self.hotline = hotline

    def after(self, action: str, step: str) -> bool:
        """Take the step's time; False (and no step) if that would be after now: the
        story stops there, the case is still open."""
        low, high = STEP_DAYS[step][self.hotline]
        moment = self.last + dt.timedelta(days=self.rng.uniform(low, high))
        if moment >= self.now:
            return False
        self.moments.setdefault(action, []).append(moment)
        self.last = moment
        return True

    def first(self, *actions: str) -> dt.datetime | None:
        return next((self.moments[a][0] for a in actions if a in self.moments), None)


def _registration_moments(now: dt.datetime, rng: random.Random) -> list[dt.datetime]:
    """CASES moments spread over the last HISTORY_DAYS, in office hours, oldest first;
    none in the last week (the current stories are there)."""
    moments = []
    span = HISTORY_DAYS - 7
    for index in range(CASES):
        back = HISTORY_DAYS - span * (index + rng.random()) / CASES
        day = timezone.localtime(now - dt.timedelta(days=back))
        moments.append(day.replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59)))
    return sorted(moments)


def _place(case: Case, clock: _Clock, now: dt.datetime) -> None:
    """Move the case's events and timestamps to the moments of its story, then compute
    its deadline columns from them."""
    queues = {action: list(moments) for action, moments in clock.moments.items()}
    at = clock.moments[Action.REGISTER][0]
    for event in CaseEvent.objects.filter(case=case).order_by("pk"):
        # Events the story did not plan (warnings at registration) keep the last moment.
        if queues.get(event.action):
            at = queues[event.action].pop(0)
        if event.at != at:
            CaseEvent.objects.filter(pk=event.pk).update(at=at)
    case.registered_at = clock.moments[Action.REGISTER][0]
    if case.accepted_at is not None:
        case.accepted_at = case.handling_started_at = clock.first(
            Action.ACCEPT, Action.RESOLVE_ON_THE_SPOT
        )
    if case.replied_at is not None:
        case.replied_at = clock.first(Action.REPLY, Action.RESOLVE_ON_THE_SPOT)
    if case.evaluated_at is not None:
        case.evaluated_at = clock.first(Action.EVALUATE)
    if case.closed_at is not None:
        case.closed_at = clock.first(Action.CLOSE, Action.NOT_ACCEPT, Action.DIVERT)
    accept = compute_clock(Stage.ACCEPT, case, now)
    case.accept_due_at = accept.due_at if accept else None
    handle = compute_clock(Stage.HANDLE, case, now) if case.handling_started_at else None
    case.handle_due_at = handle.due_at if handle else None
    if case.replied_at is not None:
        limit = case.handle_due_at or case.assigned_deadline
        case.closed_on_time = limit is None or case.replied_at <= limit
    else:
        case.closed_on_time = None
    fields = recompute_due_times(case, now)  # due_at, warn_at … (accept/handle kept as set)
    columns = ["registered_at", "accepted_at", "handling_started_at", "replied_at"]
    columns += ["evaluated_at", "closed_at", "closed_on_time"]
    fields.update(accept_due_at=case.accept_due_at, handle_due_at=case.handle_due_at)
    Case.objects.filter(pk=case.pk).update(
        **{name: getattr(case, name) for name in columns}, **fields
    )


def _renumber(case: Case) -> None:
    """A case registered in an earlier year gets that year's tracking number."""
    _prefix, year, _number = case.tracking_number.rsplit("-", 2)
    registered = timezone.localtime(case.registered_at).year
    if int(year) != registered:
        case.tracking_number = actions.next_tracking_number(case.registered_at)
        Case.objects.filter(pk=case.pk).update(tracking_number=case.tracking_number)


def load_demo_history(
    problems: list[tuple[str, str, str]], person: Callable[[int], dict[str, Any]]
) -> int:
    """Register CASES cases over the last two years; return how many."""
    now = timezone.now()
    rng = random.Random(2026)
    categories = {c.code: c for c in Category.objects.all()}
    users = {user.username: user for user in User.objects.all()}
    bureaus = {d.code: d for d in Department.objects.filter(code__in=[c for c, *_ in CITY_BUREAUS])}
    kinds = [kind for kind, weight in OUTCOMES for _ in range(weight)]
    for index, registered in enumerate(_registration_moments(now, rng)):
        slug = TOWN_SLUGS[index % len(TOWN_SLUGS)]
        agent, clerk = users[f"{slug}_v1_agent"], users[f"{slug}_clerk"]
        title, content, category_code = problems[index % len(problems)]
        channel = rng.choice(CHANNELS)
        case = actions.register_case(
            agent,
            channel=channel,
            title=title,
            content=content,
            jurisdiction=agent.jurisdiction,
            petitioner=person(100 + index),
            category=categories.get(category_code),
            external_ref=f"DEMO-H{index:03d}",
            registered_at=registered,
        )
        clock = _Clock(registered, now, rng, hotline=channel == Channel.PHONE)
        kind = rng.choice(kinds)
        age = (now - registered).days
        # Recent cases may still be open: not yet accepted, or being handled (overdue
        # once past their limit, as some older open ones are).
        stop = rng.random() < (0.45 if age < OPEN_DAYS else 0.04)
        if kind == "not_accepted":
            if clock.after(Action.NOT_ACCEPT, "refuse"):
                actions.not_accept(
                    agent, case, reason="不属于信访事项受理范围，已告知向有关机关提出。"
                )
        elif kind == "diverted" and clock.after(Action.DIVERT, "refuse"):
            actions.divert(
                agent,
                case,
                legal_channel=LegalChannel.values[index % len(LegalChannel.values)],
                help_given="已告知诉讼、仲裁途径并协助准备材料。",
            )
        elif kind != "diverted" and not (stop and age < 15 and index % 2):
            if clock.after(Action.ACCEPT, "accept"):
                actions.accept(agent, case)
                _handle(case, kind, clock, users, bureaus, rng, agent, clerk, stop=stop)
        _place(case, clock, now)
        _renumber(case)
    return CASES


def _handle(case, kind, clock, users, bureaus, rng, agent, clerk, *, stop: bool) -> None:
    """Carry an accepted case to the tier that handles it, then (unless it is still
    being handled) to its answer, rating and closing; a step that would fall after
    now is not taken."""
    handler = closer = agent  # closing is the tier's, answering may be the lead unit's
    if kind in {"town", "city", "late"}:
        if not clock.after(Action.ESCALATE, "escalate"):
            return
        actions.escalate_to_town(agent, case, reason="村里无法协调，报镇处理。")
        handler = closer = clerk
    if kind == "city":
        if not clock.after(Action.ESCALATE, "escalate"):
            return
        actions.escalate_to_city(clerk, case, reason="需市直部门处理。")
        category = case.category.code if case.category else ""
        code = next((c for c, _name, cats in CITY_BUREAUS[1:] if category in cats), "zy-zhzf")
        if not clock.after(Action.ASSIGN, "assign"):
            return
        actions.assign(users["supervisor"], case, lead_unit=bureaus[code], note="请牵头办理。")
        handler, closer = users[code.replace("-", "_") + "_handler"], users["supervisor"]
    if stop:
        return
    if kind == "village":
        if not clock.after(Action.RESOLVE_ON_THE_SPOT, "on_the_spot"):
            return
        actions.resolve_on_the_spot(agent, case, reply_text="已现场协调解决，并回访确认。")
    else:
        if not clock.after(Action.REPLY, "late" if kind == "late" else "reply"):
            return
        actions.reply(
            handler,
            case,
            reply_opinion=rng.choice([ReplyOpinion.SUPPORTS, ReplyOpinion.EXPLAINS]),
            reply_text="经调查核实，已按政策处理并书面答复。",
        )
    if not clock.after(Action.EVALUATE, "evaluate"):
        return
    actions.record_evaluation(handler, case, rating=rng.choice(RATINGS))
    if clock.after(Action.CLOSE, "close"):
        actions.close(closer, case)
