"""Registering a case (登记): petitioner, tracking number, initial tier and the
repeat rules of 信访工作条例 arts. 19 and 36."""

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ActionError, NotAllowed, TransitionRefused
from qingdan.core.validators import (
    IdType,
    normalize_phone,
    validate_credit_code,
    validate_identity_document,
)
from qingdan.deadlines.services import recompute_due_times
from qingdan.orgs.choices import Level, Role
from qingdan.orgs.models import Category, Jurisdiction
from qingdan.orgs.questions import clean_answers

from ..choices import (
    HANDLING_STATES,
    RAISED_TOGETHER,
    TIER_ORDER,
    Action,
    Channel,
    PetitionerKind,
    ReviewLevel,
    State,
    Tier,
    Urgency,
)
from ..listeners import tell_registered
from ..models import Case, CaseFlag, CaseLink, Petitioner, TrackingSequence
from ..rights import may_register, registers_cases
from .base import Actor, as_actor, record_event, require

# A superior's deadline outside these years is a typing error (and no clock can count it).
EARLIEST_DEADLINE, LATEST_DEADLINE = 2000, 2100
MAX_REPRESENTATIVES = 5  # 信访工作条例 art. 20
TITLE_MAX = 200
CONTENT_MAX = 20000


def next_tracking_number(now: dt.datetime) -> str:
    return next_tracking_numbers(now, 1)[0]


def next_tracking_numbers(now: dt.datetime, count: int) -> list[str]:
    """`count` tracking numbers of the year of `now`, in order: one query for the
    lot (the bulk import takes a batch's numbers at once)."""
    if count < 1:
        return []
    prefix = settings.QINGDAN_TRACKING_PREFIX
    year = timezone.localtime(now).year
    if connection.vendor == "postgresql":
        numbers = _next_from_sequence(prefix, year, count)
    else:
        numbers = _next_from_table(prefix, year, count)
    return [f"{prefix}-{year}-{number:06d}" for number in numbers]


def _next_from_table(prefix: str, year: int, count: int) -> list[int]:
    # SQLite serialises writers anyway; the counter row is as good as a sequence.
    with transaction.atomic():
        counter = TrackingSequence.objects.filter(prefix=prefix, year=year)
        if not counter.update(last=F("last") + count):
            # First number of the year: the row is created, then counted as above.
            try:
                with transaction.atomic():
                    TrackingSequence.objects.get_or_create(prefix=prefix, year=year)
            except IntegrityError:
                pass  # another registration created the row first
            counter.update(last=F("last") + count)
        last = counter.get().last
        return list(range(last - count + 1, last + 1))


def _next_from_sequence(prefix: str, year: int, count: int) -> list[int]:
    """PostgreSQL: a sequence per prefix and year. nextval() holds no lock until the
    registration commits (a counter row would make all intakes queue behind each
    other); a number taken by a registration that rolls back is skipped."""
    name = f"qingdan_tracking_{re.sub(r'[^a-z0-9]', '_', prefix.lower())}_{year}"
    take = "SELECT nextval(%s) FROM generate_series(1, %s)"
    with connection.cursor() as cursor:
        try:
            if connection.in_atomic_block:
                with transaction.atomic():  # a savepoint: a missing sequence must not
                    cursor.execute(take, [name, count])  # break the caller's transaction
                    return [row[0] for row in cursor.fetchall()]
            # Outside a transaction (an intake takes its number before it opens one)
            # one statement: a failure breaks nothing, no savepoint is needed.
            cursor.execute(take, [name, count])
            return [row[0] for row in cursor.fetchall()]
        except ProgrammingError:
            pass  # first registration of the year (or after a restore): create it
        highest = Case.objects.filter(tracking_number__startswith=f"{prefix}-{year}-").aggregate(
            top=Max("tracking_number")
        )["top"]
        start = int(highest.rsplit("-", 1)[1]) + 1 if highest else 1
        try:
            with transaction.atomic():
                cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START WITH {start}')
        except (IntegrityError, ProgrammingError):
            pass  # a concurrent first registration created it a moment ago
        cursor.execute(take, [name, count])
        return [row[0] for row in cursor.fetchall()]


def _clean_petitioner(data: dict[str, Any], prefix: str) -> tuple[dict[str, Any], dict]:
    errors: dict[str, list] = {}
    kind = data.get("kind") or PetitionerKind.PERSON
    cleaned: dict[str, Any] = {"kind": kind}
    name = (data.get("name") or "").strip()
    if not name:
        errors[f"{prefix}name"] = [_("The name is required.")]
    elif len(name) > 100:
        errors[f"{prefix}name"] = [_("The name is at most 100 characters.")]
    cleaned["name"] = name
    id_type = data.get("id_type") or IdType.RESIDENT_ID
    if id_type not in IdType.values:
        errors[f"{prefix}id_type"] = [_("Unknown type of identity document.")]
        id_type = IdType.RESIDENT_ID
    cleaned["id_type"] = id_type
    for field, check in (
        ("id_number", lambda number: validate_identity_document(id_type, number)),
        ("phone", normalize_phone),
        ("credit_code", validate_credit_code),
    ):
        value = (data.get(field) or "").strip()
        if value:
            try:
                value = check(value)
            except ValidationError as exc:
                errors[f"{prefix}{field}"] = list(exc.messages)
        cleaned[field] = value
    if kind == PetitionerKind.ENTERPRISE and not cleaned["credit_code"]:
        errors.setdefault(f"{prefix}credit_code", []).append(
            _("An enterprise is identified by its unified social credit code.")
        )
    if kind not in PetitionerKind.values:
        errors[f"{prefix}kind"] = [_("Unknown kind of petitioner.")]
    cleaned["address"] = (data.get("address") or "").strip()[:200]
    cleaned["contact_name"] = (data.get("contact_name") or "").strip()[:50]
    email = (data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors[f"{prefix}email"] = [_("Enter a valid e-mail address.")]
    cleaned["email"] = email[:254]
    return cleaned, errors


def find_or_create_petitioner(cleaned: dict[str, Any]) -> Petitioner:
    """Reuse a known petitioner (same ID number, credit code, or name and phone)."""
    return _find_or_create_petitioner(cleaned)[0]


def _find_or_create_petitioner(cleaned: dict[str, Any]) -> tuple[Petitioner, bool]:
    match = None
    if cleaned.get("id_number"):
        match = Petitioner.objects.with_id_number(cleaned["id_number"], cleaned["id_type"]).first()
    elif cleaned.get("credit_code"):
        match = Petitioner.objects.filter(credit_code=cleaned["credit_code"]).first()
    elif cleaned.get("phone"):
        # Names are encrypted: narrow by the phone digest, then compare in Python.
        match = next(
            (
                p
                for p in Petitioner.objects.with_phone(cleaned["phone"])
                if p.name == cleaned["name"]
            ),
            None,
        )
    if match is None:
        return Petitioner.objects.create(**cleaned), True
    # Fill in what the earlier record lacked; never overwrite what was confirmed.
    dirty = [k for k, v in cleaned.items() if v and not getattr(match, k)]
    for key in dirty:
        setattr(match, key, cleaned[key])
    if dirty:
        match.save(update_fields=dirty)
    return match, False


def _check_receiving_leader(leader, channel: str, place: Jurisdiction | None) -> dict:
    """坐班接访: a leader on duty who leads the place of the problem."""
    field = "receiving_leader"
    if channel != Channel.WALK_IN:
        return {field: [_("A receiving leader is recorded for walk-in reception only.")]}
    if leader.role != Role.LEADER or not leader.is_active:
        return {field: [_("Choose a leader.")]}
    if place is not None and (
        leader.jurisdiction is None or not leader.jurisdiction.contains(place)
    ):
        return {field: [_("%(leader)s does not lead the place of this case.") % {"leader": leader}]}
    return {}


def initial_tier(actor: Actor, jurisdiction: Jurisdiction) -> str:
    """The desk that receives a case handles it first: a village agent's intake stays
    in the village (即接即办); without a desk, the level of the place decides."""
    user = actor.user
    scope = getattr(user, "scope_jurisdiction", None) if user else None
    if scope is not None and scope.contains(jurisdiction):
        return scope.level
    return {Level.VILLAGE: Tier.VILLAGE, Level.TOWN: Tier.TOWN, Level.CITY: Tier.CITY}[
        Level(jurisdiction.level)
    ]


def review_chain(case: Case) -> list[Case]:
    """The original case and all its review follow-ups."""
    root = case
    while root.parent is not None:
        root = root.parent
    chain, frontier = [root], [root]
    while frontier:
        frontier = list(Case.objects.filter(parent__in=frontier))
        chain.extend(frontier)
    return chain


def refuse_if_final(matter: Case) -> None:
    """After re-review the matter is final (信访终结, art. 36): the same facts are not
    accepted again."""
    for case in review_chain(matter):
        if case.review_level == ReviewLevel.RE_REVIEW and case.state in {
            State.REPLIED,
            State.EVALUATED,
            State.CLOSED,
        }:
            raise TransitionRefused(
                _(
                    "This matter was settled by re-review %(number)s (信访终结); the same facts "
                    "are not accepted again."
                )
                % {"number": case.tracking_number},
                code="matter_final",
                field="same_matter_as",
            )


def flag_raised_higher(case: Case, same_matter_as: Case | None, now: dt.datetime) -> None:
    """Art. 19: a matter already accepted and within its limit, raised again at a
    higher level, is not accepted there — flag it with the earlier case as evidence."""
    candidates = []
    if same_matter_as is not None:
        candidates.append(same_matter_as)
    if case.petitioner_id:
        candidates.extend(
            _earlier_matters([case.petitioner_id])
            .filter(category=case.category)
            .exclude(pk=case.pk)
        )
    _flag_if_raised_higher(case, candidates, now)


def flag_raised_higher_many(cases: list[Case], now: dt.datetime) -> None:
    """`flag_raised_higher` for cases registered together, without a `same_matter_as`:
    the earlier matters of all their petitioners in one query."""
    people = {case.petitioner_id for case in cases if case.petitioner_id}
    if not people:
        return
    earlier: dict[tuple[int | None, int | None], list[Case]] = {}
    # The new cases are only registered, not in handling: none of them is found.
    for matter in _earlier_matters(people):
        earlier.setdefault((matter.petitioner_id, matter.category_id), []).append(matter)
    for case in cases:
        found = earlier.get((case.petitioner_id, case.category_id))
        if found:
            _flag_if_raised_higher(case, found, now)


def _earlier_matters(petitioner_ids) -> QuerySet[Case]:
    """The petitioners' cases in handling: accepted, not yet answered (the same matter
    is also the same category)."""
    return Case.objects.filter(
        petitioner_id__in=petitioner_ids, state__in=HANDLING_STATES
    ).select_related("jurisdiction")


def _flag_if_raised_higher(case: Case, candidates: list[Case], now: dt.datetime) -> None:
    seen = set()
    for earlier in candidates:
        if earlier.pk in seen or earlier.state not in HANDLING_STATES:
            continue
        seen.add(earlier.pk)
        within_limit = earlier.handle_due_at is None or earlier.handle_due_at >= now
        if within_limit and TIER_ORDER.index(Tier(case.tier)) > TIER_ORDER.index(
            Tier(earlier.tier)
        ):
            CaseFlag.objects.create(
                case=case,
                kind="raised_higher_within_limit",
                message=str(
                    _(
                        "Already accepted as %(number)s at the %(tier)s tier and within its "
                        "limit: not to be accepted again at a higher level (art. 19)."
                    )
                    % {"number": earlier.tracking_number, "tier": Tier(earlier.tier).label}
                ),
                evidence={
                    "case": earlier.tracking_number,
                    "tier": earlier.tier,
                    "handle_due_at": earlier.handle_due_at.isoformat()
                    if earlier.handle_due_at
                    else None,
                },
            )
            CaseLink.objects.get_or_create(from_case=case, to_case=earlier, kind="same_matter")


def register_case(
    actor,
    *,
    channel: str,
    title: str,
    content: str,
    jurisdiction: Jurisdiction | None,
    petitioner: dict[str, Any] | Petitioner | None = None,
    representatives: list[dict[str, Any]] | None = None,
    headcount: int = 1,
    category: Category | None = None,
    urgency: str = Urgency.NORMAL,
    address: str = "",
    latitude=None,
    longitude=None,
    tier: str | None = None,
    assigning_body: str = "",
    assigning_reference: str = "",
    assigned_deadline: dt.datetime | None = None,
    external_ref: str = "",
    same_matter_as: Case | None = None,
    raised_with: list[Case] | None = None,
    receiving_leader=None,
    registered_at: dt.datetime | None = None,
    note: str = "",
    attributes: dict[str, Any] | None = None,
) -> Case:
    """`raised_with`: the cases raised together with this one (the problems of one
    enterprise visit), linked before the intake analysis reads them."""
    actor = as_actor(actor)
    now = timezone.now()
    errors: dict[str, list] = {}
    title = (title or "").strip()
    content = (content or "").strip()
    if not title:
        errors["title"] = [_("The title is required.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("The title is at most %(n)d characters.") % {"n": TITLE_MAX}]
    if not content:
        errors["content"] = [_("Describe the problem.")]
    elif len(content) > CONTENT_MAX:
        errors["content"] = [_("The content is at most %(n)d characters.") % {"n": CONTENT_MAX}]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Unknown urgency.")]
    if jurisdiction is None:
        errors["jurisdiction"] = [_("Choose where the problem happens.")]
    if tier is not None and tier not in Tier.values:
        errors["tier"] = [_("Unknown tier.")]
    if channel == Channel.SUPERIOR_ASSIGNMENT and not assigning_body.strip():
        errors["assigning_body"] = [_("A superior assignment names the assigning body.")]
    if receiving_leader is not None:
        errors.update(_check_receiving_leader(receiving_leader, channel, jurisdiction))
    if headcount < 1:
        errors["headcount"] = [_("At least one person raises a case.")]
    representatives = representatives or []
    if len(representatives) > MAX_REPRESENTATIVES:
        errors["representatives"] = [
            _("A group sends at most %(n)d representatives (art. 20).") % {"n": MAX_REPRESENTATIVES}
        ]
    if headcount > 1 and len(representatives) > headcount:
        errors["representatives"] = [_("More representatives than people.")]
    for name, value, low, high in (
        ("latitude", latitude, -90, 90),
        ("longitude", longitude, -180, 180),
    ):
        if value is not None and not (low <= float(value) <= high):
            errors[name] = [_("Out of range.")]
    cleaned_petitioner = None
    if isinstance(petitioner, dict):
        cleaned_petitioner, petitioner_errors = _clean_petitioner(petitioner, "petitioner.")
        errors.update(petitioner_errors)
    cleaned_reps = []
    for index, rep in enumerate(representatives):
        cleaned, rep_errors = _clean_petitioner(rep, f"representatives.{index}.")
        errors.update(rep_errors)
        cleaned_reps.append(cleaned)
    if assigned_deadline is not None and not (
        EARLIEST_DEADLINE <= assigned_deadline.year <= LATEST_DEADLINE
    ):
        errors["assigned_deadline"] = [
            _("A deadline between %(first)d and %(last)d.")
            % {"first": EARLIEST_DEADLINE, "last": LATEST_DEADLINE}
        ]
    answers, answer_errors = clean_answers(category, attributes)
    errors.update(answer_errors)
    if external_ref and Case.objects.filter(external_ref=external_ref).exists():
        errors["external_ref"] = [_("A case with this external reference already exists.")]
    require(errors)
    assert jurisdiction is not None  # required above
    if actor.user is not None and not may_register(actor.user, jurisdiction):
        if not registers_cases(actor.user):
            raise NotAllowed(
                _("Your role does not register cases: an agent or supervisor of the place does."),
                code="registration_not_allowed",
            )
        raise NotAllowed(
            _("You can only register cases in your own jurisdiction."),
            field="jurisdiction",
        )
    if same_matter_as is not None:
        refuse_if_final(same_matter_as)

    # The number before the transaction: on PostgreSQL nextval() is never given back
    # anyway (a registration that rolls back leaves a gap), and taken outside it costs
    # one statement instead of three (a savepoint around it). SQLite's counter row is
    # rolled back with the registration, so it stays inside (no gaps there).
    early_number = next_tracking_number(now) if connection.vendor == "postgresql" else None
    with transaction.atomic():
        new_petitioner = False
        if cleaned_petitioner is not None:
            petitioner, new_petitioner = _find_or_create_petitioner(cleaned_petitioner)
        assert petitioner is None or isinstance(petitioner, Petitioner)
        case = Case(
            tracking_number=early_number or next_tracking_number(now),
            channel=channel,
            title=title,
            content=content,
            category=category,
            urgency=urgency,
            state=State.REGISTERED,
            tier=tier or initial_tier(actor, jurisdiction),
            jurisdiction=jurisdiction,
            address=(address or "").strip()[:200],
            latitude=latitude,
            longitude=longitude,
            petitioner=petitioner,
            headcount=max(headcount, len(cleaned_reps), 1),
            assigning_body=assigning_body.strip(),
            assigning_reference=assigning_reference.strip(),
            assigned_deadline=assigned_deadline,
            external_ref=external_ref.strip(),
            attributes=answers,
            receiving_leader=receiving_leader,
            registered_at=registered_at or now,
            created_by=actor.user,
        )
        recompute_due_times(case, now)
        if not case.external_ref:
            # Only the external reference can collide (the tracking number comes from
            # a sequence): without one, no savepoint to catch a collision.
            case.save()
        else:
            try:
                with transaction.atomic():
                    case.save()
            except IntegrityError as exc:
                raise ActionError(
                    _("A case with this external reference already exists."),
                    code="duplicate_external_ref",
                    field="external_ref",
                ) from exc
        if cleaned_reps:
            case.representatives.set([find_or_create_petitioner(rep) for rep in cleaned_reps])
        CaseLink.objects.bulk_create(
            CaseLink(from_case=case, to_case=other, kind=RAISED_TOGETHER)
            for other in raised_with or []
        )
        record_event(
            case,
            actor,
            Action.REGISTER,
            at=now,
            note=note,
            from_state="",
            to_jurisdiction=jurisdiction,
            to_tier=case.tier,
            data={"channel": channel},
        )
        if same_matter_as is not None or not new_petitioner:
            # A petitioner first seen now has no earlier case to have raised it in.
            flag_raised_higher(case, same_matter_as, now)
        tell_registered(case)
    return case
