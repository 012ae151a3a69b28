"""Handling a case through the three tiers: accept, route, extend, reply, evaluate,
close. Each function is one action: it checks, changes, and appends its event in
one transaction."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ActionError, TransitionRefused
from qingdan.deadlines.services import co_opinion_due
from qingdan.orgs.models import Department, Jurisdiction

from ..choices import TIER_ORDER, Action, LegalChannel, Rating, ReplyOpinion, State, Tier
from ..models import Case, CoHandling
from .base import as_actor, commit, guard, require

MAX_EXTENSION_DAYS = 30  # 信访工作条例 art. 34


def _reason_required(reason: str, field: str = "reason") -> dict[str, list]:
    return {} if (reason or "").strip() else {field: [_("Give the reason.")]}


def accept(actor, case: Case, *, note: str = "", expected_version: int | None = None) -> Case:
    actor = as_actor(actor)
    guard(actor, case, Action.ACCEPT)
    now = timezone.now()
    commit(
        case,
        actor,
        Action.ACCEPT,
        changes={"state": State.ACCEPTED, "accepted_at": now, "handling_started_at": now},
        expected_version=expected_version,
        note=note,
        now=now,
    )
    return case


def not_accept(actor, case: Case, *, reason: str, expected_version: int | None = None) -> Case:
    actor = as_actor(actor)
    guard(actor, case, Action.NOT_ACCEPT)
    require(_reason_required(reason))
    now = timezone.now()
    commit(
        case,
        actor,
        Action.NOT_ACCEPT,
        changes={
            "state": State.NOT_ACCEPTED,
            "not_accepted_reason": reason.strip(),
            "closed_at": now,
        },
        expected_version=expected_version,
        note=reason.strip(),
        now=now,
    )
    return case


def divert(
    actor,
    case: Case,
    *,
    legal_channel: str,
    help_given: str,
    expected_version: int | None = None,
) -> Case:
    """诉访分离: a matter for a court, arbitration or reconsideration leaves the petition
    channel; the agent records which channel and how the person was helped to file."""
    actor = as_actor(actor)
    guard(actor, case, Action.DIVERT)
    errors = _reason_required(help_given, "help_given")
    if legal_channel not in LegalChannel.values:
        errors["legal_channel"] = [_("Choose the legal channel.")]
    require(errors)
    now = timezone.now()
    commit(
        case,
        actor,
        Action.DIVERT,
        changes={
            "state": State.DIVERTED,
            "legal_channel": legal_channel,
            "diversion_help": help_given.strip(),
            "closed_at": now,
        },
        expected_version=expected_version,
        note=help_given.strip(),
        now=now,
        data={"legal_channel": legal_channel},
    )
    return case


def _reply_changes(opinion: str, text: str, now: dt.datetime) -> dict:
    errors = _reason_required(text, "reply_text")
    if opinion not in ReplyOpinion.values:
        errors["reply_opinion"] = [_("Choose the opinion of the reply.")]
    require(errors)
    return {
        "state": State.REPLIED,
        "reply_opinion": opinion,
        "reply_text": text.strip(),
        "replied_at": now,
    }


def resolve_on_the_spot(
    actor,
    case: Case,
    *,
    reply_text: str,
    reply_opinion: str = ReplyOpinion.SUPPORTS,
    expected_version: int | None = None,
) -> Case:
    """即接即办: what the desk can solve it solves at once and says how."""
    actor = as_actor(actor)
    guard(actor, case, Action.RESOLVE_ON_THE_SPOT)
    now = timezone.now()
    changes = _reply_changes(reply_opinion, reply_text, now)
    if case.accepted_at is None:
        changes.update(accepted_at=now, handling_started_at=now)
    commit(
        case,
        actor,
        Action.RESOLVE_ON_THE_SPOT,
        changes=changes,
        expected_version=expected_version,
        note=reply_text.strip(),
        now=now,
        from_tier=case.tier,
        to_tier=case.tier,
    )
    return case


def _move_tier(actor, case: Case, to_tier: str, action: str, reason: str, expected_version):
    actor = as_actor(actor)
    guard(actor, case, action)
    require(_reason_required(reason))
    from_tier, from_unit = case.tier, case.lead_unit
    changes: dict = {"tier": to_tier, "lead_unit": None}
    if case.state == State.IN_PROGRESS:
        changes["state"] = State.ACCEPTED  # waits for assignment at the new tier
    commit(
        case,
        actor,
        action,
        changes=changes,
        expected_version=expected_version,
        note=reason.strip(),
        from_tier=from_tier,
        to_tier=to_tier,
        from_unit=from_unit,
    )
    return case


def escalate_to_town(actor, case: Case, *, reason: str, expected_version=None) -> Case:
    """急事急办: what the village cannot solve goes to the town agency point."""
    if case.tier != Tier.VILLAGE:
        raise TransitionRefused(
            _("Only a case at the village tier goes up to the town."), code="tier_refuses"
        )
    return _move_tier(actor, case, Tier.TOWN, Action.ESCALATE, reason, expected_version)


def escalate_to_city(actor, case: Case, *, reason: str, expected_version=None) -> Case:
    """市级协调: what needs city departments goes up to city-level coordination."""
    if case.tier != Tier.TOWN:
        raise TransitionRefused(
            _("Only a case at the town tier goes up to the city."), code="tier_refuses"
        )
    return _move_tier(actor, case, Tier.CITY, Action.ESCALATE, reason, expected_version)


def escalate(actor, case: Case, *, reason: str, expected_version=None) -> Case:
    """One tier up, whichever tier the case is at."""
    if case.tier == Tier.VILLAGE:
        return escalate_to_town(actor, case, reason=reason, expected_version=expected_version)
    return escalate_to_city(actor, case, reason=reason, expected_version=expected_version)


def hand_back(actor, case: Case, *, reason: str, expected_version=None) -> Case:
    """交由下级办理: pass a case one tier down (the matter belongs to the lower tier)."""
    index = TIER_ORDER.index(Tier(case.tier))
    if index == 0:
        raise TransitionRefused(
            _("A case at the village tier has no lower tier."), code="tier_refuses"
        )
    if case.jurisdiction.level == case.tier:
        raise TransitionRefused(
            _("The place of this case has no lower tier to hand it to."), code="tier_refuses"
        )
    return _move_tier(
        actor, case, TIER_ORDER[index - 1], Action.HAND_BACK, reason, expected_version
    )


def take_over(actor, case: Case, *, reason: str, expected_version=None) -> Case:
    """提级办理: a higher tier takes the case up to its own tier (a town over its
    villages' cases, the city over everything), to handle it or pass it down later."""
    actor = as_actor(actor)
    guard(actor, case, Action.TAKE_OVER)
    level = getattr(actor.user, "tier", None) or Tier.CITY  # an administrator without a place
    if TIER_ORDER.index(Tier(level)) <= TIER_ORDER.index(Tier(case.tier)):
        raise TransitionRefused(
            _("The case is already at your tier or above it."), code="tier_refuses"
        )
    return _move_tier(actor, case, Tier(level), Action.TAKE_OVER, reason, expected_version)


def transfer(
    actor, case: Case, *, to_jurisdiction: Jurisdiction, reason: str, expected_version=None
) -> Case:
    """属地管理: the place where the problem happens owns it."""
    actor = as_actor(actor)
    guard(actor, case, Action.TRANSFER)
    errors = _reason_required(reason)
    if to_jurisdiction is None:
        errors["to_jurisdiction"] = [_("Choose the jurisdiction.")]
    elif to_jurisdiction.pk == case.jurisdiction_id:
        errors["to_jurisdiction"] = [_("The case is already there.")]
    require(errors)
    from_jurisdiction = case.jurisdiction
    tier = case.tier
    # The tier cannot be below the level of the new place (a town-level place has no village).
    if TIER_ORDER.index(Tier(tier)) < TIER_ORDER.index(Tier(to_jurisdiction.level)):
        tier = to_jurisdiction.level
    changes: dict = {"jurisdiction": to_jurisdiction, "tier": tier, "lead_unit": None}
    if case.state == State.IN_PROGRESS:
        changes["state"] = State.ACCEPTED
    commit(
        case,
        actor,
        Action.TRANSFER,
        changes=changes,
        expected_version=expected_version,
        note=reason.strip(),
        from_jurisdiction=from_jurisdiction,
        to_jurisdiction=to_jurisdiction,
        from_tier=case.tier,
        to_tier=tier,
    )
    return case


def _check_unit_for_tier(case: Case, unit: Department, field: str) -> dict[str, list]:
    owner = case.tier_jurisdiction
    if owner is None or not owner.contains(unit.jurisdiction) or not unit.is_active:
        return {field: [_("%(unit)s is not a unit this tier can assign to.") % {"unit": str(unit)}]}
    return {}


def assign(
    actor,
    case: Case,
    *,
    lead_unit: Department,
    co_units: list[Department] | None = None,
    note: str = "",
    expected_version=None,
) -> Case:
    """Give the case a lead unit (主办) and optionally co-handling units (协办)."""
    actor = as_actor(actor)
    guard(actor, case, Action.ASSIGN)
    co_units = [u for u in (co_units or []) if u.pk != getattr(lead_unit, "pk", None)]
    errors: dict[str, list] = {}
    if case.tier == Tier.VILLAGE:
        errors["lead_unit"] = [_("A village has no units: escalate to the town instead.")]
    elif lead_unit is None:
        errors["lead_unit"] = [_("Choose the lead unit.")]
    else:
        errors.update(_check_unit_for_tier(case, lead_unit, "lead_unit"))
        for unit in co_units:
            errors.update(_check_unit_for_tier(case, unit, "co_units"))
    require(errors)
    from_unit = case.lead_unit
    with transaction.atomic():
        commit(
            case,
            actor,
            Action.ASSIGN,
            changes={"state": State.IN_PROGRESS, "lead_unit": lead_unit},
            expected_version=expected_version,
            note=note,
            from_unit=from_unit,
            to_unit=lead_unit,
            data={"co_units": [u.pk for u in co_units]},
        )
        for unit in co_units:
            _add_co_unit(actor, case, unit, note)
    return case


def _add_co_unit(actor, case: Case, unit: Department, note: str) -> None:
    from .base import record_event

    now = timezone.now()
    _, created = CoHandling.objects.get_or_create(
        case=case, department=unit, defaults={"opinion_due_at": co_opinion_due(case, now)}
    )
    if created:
        record_event(case, actor, Action.CO_HANDLE, note=note, to_unit=unit)


def add_co_handling(
    actor, case: Case, *, units: list[Department], note: str = "", expected_version=None
) -> Case:
    actor = as_actor(actor)
    guard(actor, case, Action.CO_HANDLE)
    errors: dict[str, list] = {}
    if not units:
        errors["units"] = [_("Choose at least one unit.")]
    for unit in units:
        errors.update(_check_unit_for_tier(case, unit, "units"))
    require(errors)
    with transaction.atomic():
        # Bumps the version so that concurrent routing decisions conflict.
        commit(case, actor, Action.NOTE, changes={}, expected_version=expected_version, note=note)
        for unit in units:
            _add_co_unit(actor, case, unit, note)
    return case


def extend(
    actor,
    case: Case,
    *,
    days: int,
    reason: str,
    approved_by: str,
    reason_told_to_petitioner: bool,
    expected_version=None,
) -> Case:
    """Art. 34: handling may be extended once, by at most 30 days, with the head's
    approval and the reason told to the petitioner."""
    actor = as_actor(actor)
    guard(actor, case, Action.EXTEND)
    errors = _reason_required(reason)
    if case.extension_days:
        raise TransitionRefused(
            _("The handling limit of this case was already extended once."),
            code="already_extended",
            field="days",
        )
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        errors["days"] = [_("An extension is 1 to %(n)d days.") % {"n": MAX_EXTENSION_DAYS}]
    if not (approved_by or "").strip():
        errors["approved_by"] = [_("Name the head who approved the extension.")]
    if not reason_told_to_petitioner:
        errors["reason_told_to_petitioner"] = [
            _("The petitioner must be told the reason for the extension.")
        ]
    require(errors)
    commit(
        case,
        actor,
        Action.EXTEND,
        changes={"extension_days": days, "extension_reason": reason.strip()},
        expected_version=expected_version,
        note=reason.strip(),
        data={"days": days, "approved_by": approved_by.strip()},
    )
    return case


def reply(actor, case: Case, *, reply_opinion: str, reply_text: str, expected_version=None) -> Case:
    """The written handling opinion (答复): supports, explains, or does not support."""
    actor = as_actor(actor)
    guard(actor, case, Action.REPLY)
    now = timezone.now()
    changes = _reply_changes(reply_opinion, reply_text, now)
    commit(
        case,
        actor,
        Action.REPLY,
        changes=changes,
        expected_version=expected_version,
        note=reply_text.strip(),
        now=now,
        data={"opinion": reply_opinion},
        from_unit=case.lead_unit,
    )
    return case


def record_evaluation(
    actor, case: Case, *, rating: str, note: str = "", expected_version=None
) -> Case:
    """The petitioner's rating of the answer (满意 / 基本满意 / 不满意)."""
    actor = as_actor(actor)
    guard(actor, case, Action.EVALUATE)
    if rating not in Rating.values:
        require({"rating": [_("Choose satisfied, basically satisfied or unsatisfied.")]})
    now = timezone.now()
    commit(
        case,
        actor,
        Action.EVALUATE,
        changes={"state": State.EVALUATED, "rating": rating, "evaluated_at": now},
        expected_version=expected_version,
        note=note,
        now=now,
        data={"rating": rating},
    )
    return case


def close(actor, case: Case, *, note: str = "", expected_version=None) -> Case:
    """办结."""
    actor = as_actor(actor)
    guard(actor, case, Action.CLOSE)
    now = timezone.now()
    commit(
        case,
        actor,
        Action.CLOSE,
        changes={"state": State.CLOSED, "closed_at": now},
        expected_version=expected_version,
        note=note,
        now=now,
    )
    return case


def reopen(actor, case: Case, *, reason: str, expected_version=None) -> Case:
    """An unsatisfied petitioner's case goes back to handling, with a new limit."""
    actor = as_actor(actor)
    guard(actor, case, Action.REOPEN)
    if case.rating != Rating.UNSATISFIED:
        raise TransitionRefused(
            _("Only a case the petitioner was unsatisfied with can be reopened."),
            code="reopen_needs_unsatisfied",
        )
    require(_reason_required(reason))
    now = timezone.now()
    previous = {"rating": case.rating, "reply_text": case.reply_text}
    commit(
        case,
        actor,
        Action.REOPEN,
        changes={
            "state": State.IN_PROGRESS,
            "rating": "",
            "reply_opinion": "",
            "reply_text": "",
            "replied_at": None,
            # The next answer is served anew: its review window starts at that service.
            "answer_served_at": None,
            "evaluated_at": None,
            "closed_on_time": None,
            "handling_started_at": now,
            "handle_due_at": None,
        },
        expected_version=expected_version,
        note=reason.strip(),
        now=now,
        data={"previous": previous},
    )
    return case


__all__ = [
    "ActionError",
    "accept",
    "add_co_handling",
    "assign",
    "close",
    "divert",
    "escalate",
    "escalate_to_city",
    "escalate_to_town",
    "extend",
    "hand_back",
    "not_accept",
    "record_evaluation",
    "reopen",
    "reply",
    "resolve_on_the_spot",
    "take_over",
    "transfer",
]
