"""Early warning at intake (早发现、早预警): the same person raising the same matter
again (重复访), many people on one matter in one area (集体访 risk), and one filer
flooding the system in a day. Each finding carries its evidence.

These functions only read; `actions.on_case_registered` turns findings into flags.
Thresholds are settings (see `threshold`).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import RAISED_TOGETHER, PetitionerKind
from qingdan.cases.models import Case, CaseFlag, CaseLink, Petitioner
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Jurisdiction

from .choices import FlagKind
from .text import VectorCache, similarities

DEFAULTS = {
    "QINGDAN_REPEAT_WINDOW_DAYS": 180,
    "QINGDAN_REPEAT_SIMILARITY": 0.5,
    "QINGDAN_GROUP_WINDOW_DAYS": 7,
    "QINGDAN_GROUP_MIN_PETITIONERS": 5,
    "QINGDAN_GROUP_SIMILARITY": 0.5,
    "QINGDAN_GROUP_MAX_SCAN": 500,
    "QINGDAN_FLOOD_PER_DAY": 3,
}
EVIDENCE_CASES = 20  # case numbers listed in a flag's evidence


def threshold(name: str):
    return getattr(settings, name, DEFAULTS[name])


@dataclass
class Finding:
    kind: str
    message: str
    evidence: dict = field(default_factory=dict)


# The matter is told in the title and the opening of the content; comparing only that
# keeps the group scan's cost flat however long the messages are.
GROUP_TEXT_CHARS = 400
GROUP_VECTORS = VectorCache()


def _text(case: Case) -> str:
    return f"{case.title}\n{case.content}"


@dataclass(frozen=True)
class _Recent:
    """The few columns of a recent case the group scan reads."""

    pk: int
    tracking_number: str
    petitioner_id: int | None
    headcount: int


def same_person(case: Case) -> list[int]:
    """Petitioner records that are this petitioner: the record itself and those with
    the same phone or ID number (a person may be registered twice)."""
    petitioner = case.petitioner
    if petitioner is None:
        return []
    condition = Q(pk=petitioner.pk)
    if petitioner.phone_digest:
        condition |= Q(phone_digest=petitioner.phone_digest)
    if petitioner.id_number_digest:
        condition |= Q(id_number_digest=petitioner.id_number_digest)
    return list(Petitioner.objects.filter(condition).values_list("pk", flat=True))


def _review_chain_ids(case: Case) -> set[int]:
    """A review (复查) is the same matter by design: never a repeat of its parent."""
    ids: set[int] = set()
    node: Case | None = case
    while node is not None and node.parent_id:
        ids.add(node.parent_id)
        node = node.parent
    return ids


def raised_together(case: Case) -> set[int]:
    """The cases raised on the same occasion as this one (the problems of one
    enterprise visit): distinct problems by the petitioner's own account."""
    pairs = CaseLink.objects.filter(kind=RAISED_TOGETHER).filter(
        Q(from_case_id=case.pk) | Q(to_case_id=case.pk)
    )
    return {pk for pair in pairs.values_list("from_case_id", "to_case_id") for pk in pair} - {
        case.pk
    }


def _by_subject_only(case: Case) -> bool:
    """An enterprise raises many matters of one category (its permits, its power, its
    roads): only the same subject told again is a repeat, not the category."""
    return case.petitioner is not None and case.petitioner.kind == PetitionerKind.ENTERPRISE


REPEAT_COMPARED = 200  # the petitioner's most recent earlier cases compared


def find_repeat(case: Case, person: list[int], now: dt.datetime) -> Finding | None:
    if not person:
        return None
    since = now - dt.timedelta(days=threshold("QINGDAN_REPEAT_WINDOW_DAYS"))
    earlier = list(
        Case.objects.filter(petitioner_id__in=person, registered_at__gte=since)
        .exclude(pk=case.pk)
        .exclude(pk__in=_review_chain_ids(case))
        .exclude(pk__in=raised_together(case))
        .exclude(parent=case)
        .order_by("-registered_at", "-pk")[:REPEAT_COMPARED]
    )
    return repeat_finding(case, earlier)


def repeat_finding(case: Case, earlier: list[Case]) -> Finding | None:
    """The repeat warning of `case` given the earlier cases compared with it."""
    if not earlier:
        return None
    scores = similarities(_text(case), [_text(c) for c in earlier])
    minimum = threshold("QINGDAN_REPEAT_SIMILARITY")
    same_category = case.category_id and not _by_subject_only(case)
    matches = [
        (other, float(score))
        for other, score in zip(earlier, scores, strict=True)
        if score >= minimum or (same_category and other.category_id == case.category_id)
    ]
    if not matches:
        return None
    numbers = [other.tracking_number for other, _score in matches]
    return Finding(
        kind=FlagKind.REPEAT,
        message=str(
            _(
                "Raised again by the same petitioner: %(n)d earlier case(s) "
                "within %(days)d days (%(cases)s)."
            )
            % {
                "n": len(matches),
                "days": threshold("QINGDAN_REPEAT_WINDOW_DAYS"),
                "cases": ", ".join(numbers[:3]),
            }
        ),
        evidence={
            "cases": numbers[:EVIDENCE_CASES],
            "count": len(matches),
            "window_days": threshold("QINGDAN_REPEAT_WINDOW_DAYS"),
            "similarity": {
                other.tracking_number: round(score, 2) for other, score in matches[:EVIDENCE_CASES]
            },
            "same_category": [
                other.tracking_number
                for other, _score in matches[:EVIDENCE_CASES]
                if same_category and other.category_id == case.category_id
            ],
        },
    )


def recent_texts(keys: list[tuple]) -> dict[tuple, str]:
    by_pk = {key[0]: key for key in keys}
    rows = (
        Case.objects.filter(pk__in=by_pk)
        .annotate(opening=Substr("content", 1, GROUP_TEXT_CHARS))
        .values_list("pk", "title", "opening")
    )
    return {by_pk[pk]: f"{title}\n{opening}" for pk, title, opening in rows}


def group_scan_rows(
    scope_prefix: str, since: dt.datetime, exclude_pk: int | None = None, limit: int | None = None
):
    """The recent cases of one place that a group scan compares a new case with
    (`limit`: instead of QINGDAN_GROUP_MAX_SCAN)."""
    rows = Case.objects.filter(
        jurisdiction__code__startswith=scope_prefix, registered_at__gte=since
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows.order_by("-registered_at").values_list(
        "pk", "tracking_number", "petitioner_id", "headcount", "registered_at"
    )[: threshold("QINGDAN_GROUP_MAX_SCAN") if limit is None else limit]


def group_keys(rows) -> list[tuple]:
    # A case's words do not change after registration: their vectors are cached, by
    # id, number and time (an id a rolled-back registration gave out may come again).
    return [(pk, number, registered) for pk, number, _p, _h, registered in rows]


def group_town(case: Case) -> Jurisdiction:
    return case.jurisdiction.ancestor(Level.TOWN) or case.jurisdiction


def group_text(case: Case) -> str:
    return f"{case.title}\n{case.content[:GROUP_TEXT_CHARS]}"


def find_group(case: Case, person: list[int], now: dt.datetime) -> Finding | None:
    """Many distinct petitioners with similar text in the same town within a few days."""
    town = group_town(case)
    since = now - dt.timedelta(days=threshold("QINGDAN_GROUP_WINDOW_DAYS"))
    rows = group_scan_rows(town.scope_prefix, since, exclude_pk=case.pk)
    if not rows:
        return None
    scores = GROUP_VECTORS.similarities(group_text(case), group_keys(rows), recent_texts)
    return group_finding(case, person, town, rows, scores)


def group_finding(case: Case, person: list[int], town, rows, scores) -> Finding | None:
    """The group warning of `case` given the town's recent cases (`group_scan_rows`)
    and their similarity to it."""
    recent = [_Recent(*row[:4]) for row in rows]
    if not recent:
        return None
    minimum = threshold("QINGDAN_GROUP_SIMILARITY")
    similar = [(c, float(s)) for c, s in zip(recent, scores, strict=True) if s >= minimum]
    # Distinct people: petitioner records (this person's records count once), and the
    # headcount of joint petitions and of cases registered without a petitioner.
    canonical = set(person)
    people: set[int] = set()
    anonymous = 0
    others: list[Case | _Recent] = [case, *(c for c, _s in similar)]
    for other in others:
        if other.petitioner_id is None:
            anonymous += max(other.headcount, 1)
            continue
        people.add(-1 if other.petitioner_id in canonical else other.petitioner_id)
        anonymous += max(other.headcount - 1, 0)
    total = len(people) + anonymous
    if total < threshold("QINGDAN_GROUP_MIN_PETITIONERS") or not similar:
        return None
    numbers = [other.tracking_number for other, _score in similar]
    return Finding(
        kind=FlagKind.GROUP_RISK,
        message=str(
            _(
                "Group petition risk: %(people)d people raised a similar matter "
                "in %(place)s within %(days)d days."
            )
            % {
                "people": total,
                "place": town.name,
                "days": threshold("QINGDAN_GROUP_WINDOW_DAYS"),
            }
        ),
        evidence={
            "cases": numbers[:EVIDENCE_CASES],
            "count": len(similar) + 1,
            "people": total,
            "area": town.name,
            "area_code": town.code,
            "window_days": threshold("QINGDAN_GROUP_WINDOW_DAYS"),
        },
    )


def flood_day(case: Case) -> dt.datetime:
    return timezone.localtime(case.registered_at).replace(hour=0, minute=0, second=0, microsecond=0)


def find_flood(case: Case, person: list[int], now: dt.datetime) -> Finding | None:
    if not person:
        return None
    day_start = flood_day(case)
    same_day = list(
        Case.objects.filter(
            petitioner_id__in=person,
            registered_at__gte=day_start,
            registered_at__lt=day_start + dt.timedelta(days=1),
        )
        .exclude(pk=case.pk)
        # The problems of one visit are one filing, not a flood.
        .exclude(pk__in=raised_together(case))
        # Ties (cases registered in the same instant) by key, as the batched analysis.
        .order_by("registered_at", "pk")
        .values_list("tracking_number", flat=True)
    )
    return flood_finding(day_start, same_day)


def flood_finding(day_start: dt.datetime, same_day: list[str]) -> Finding | None:
    """The flood warning given the filer's other cases of that day (their numbers)."""
    count = len(same_day) + 1
    if count < threshold("QINGDAN_FLOOD_PER_DAY"):
        return None
    return Finding(
        kind=FlagKind.FLOOD,
        message=str(
            _("%(n)d cases from the same filer on %(day)s.")
            % {"n": count, "day": day_start.date().isoformat()}
        ),
        evidence={"cases": same_day[:EVIDENCE_CASES], "count": count, "day": str(day_start.date())},
    )


def detect(case: Case, now: dt.datetime | None = None) -> list[Finding]:
    """Every early warning that applies to a newly registered case."""
    now = now or timezone.now()
    person = same_person(case)
    findings = [
        find_repeat(case, person, now),
        find_group(case, person, now),
        find_flood(case, person, now),
    ]
    return [finding for finding in findings if finding is not None]


def flags_visible_to(user):
    """CaseFlags on the cases `user` may see (CaseFlag has no visibility of its own)."""
    return CaseFlag.objects.filter(case__in=Case.objects.visible_to(user).values("pk"))
