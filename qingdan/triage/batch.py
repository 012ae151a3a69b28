"""The intake analysis of many queued cases at once (the worker claims them in
batches): the same findings as analysing each case alone, from shared reads.

Analysed one at a time, a case cost the worker ~13 ms of CPU and ~23 statements,
mostly queries repeated per case: the petitioner's records, their earlier cases, the
same-day cases, the town's recent cases (stacked into a matrix again for each case),
the hot-term list's fingerprint, the classifier's categories. Here each is read once
for the batch: the petitioners' records and cases in one query each, each town's
recent cases once (one matrix, each case of the batch scored against it), the texts
vectorised and classified together.

The cases of a batch are all registered before it is analysed (the per-case analysis
in the worker sees them too), and no step reads what another case's analysis writes,
so reading once gives the same findings: `actions.analyse_cases` writes them, and
the tests compare both paths flag by flag. Only reads here.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone

from qingdan.cases.choices import RAISED_TOGETHER
from qingdan.cases.models import Case, CaseLink, Petitioner

from . import early_warning, hotterms, text
from .early_warning import Finding, threshold


def raised_together_many(cases: Sequence[Case]) -> dict[int, set[int]]:
    """`early_warning.raised_together` of each case, in one query."""
    ids = [case.pk for case in cases]
    found: dict[int, set[int]] = defaultdict(set)
    pairs = CaseLink.objects.filter(kind=RAISED_TOGETHER).filter(
        Q(from_case_id__in=ids) | Q(to_case_id__in=ids)
    )
    for first, second in pairs.values_list("from_case_id", "to_case_id"):
        found[first].add(second)
        found[second].add(first)
    return {pk: found[pk] - {pk} for pk in ids}


def same_person_many(cases: Sequence[Case]) -> dict[int, list[int]]:
    """`early_warning.same_person` of each case, in one query."""
    people = [case.petitioner for case in cases if case.petitioner is not None]
    if not people:
        return {case.pk: [] for case in cases}
    condition = Q(pk__in={p.pk for p in people})
    phones = {p.phone_digest for p in people if p.phone_digest}
    documents = {p.id_number_digest for p in people if p.id_number_digest}
    if phones:
        condition |= Q(phone_digest__in=phones)
    if documents:
        condition |= Q(id_number_digest__in=documents)
    rows = list(
        Petitioner.objects.filter(condition).values_list("pk", "phone_digest", "id_number_digest")
    )
    found: dict[int, list[int]] = {}
    for case in cases:
        p = case.petitioner
        if p is None:
            found[case.pk] = []
            continue
        found[case.pk] = [
            pk
            for pk, phone, document in rows
            if pk == p.pk
            or (p.phone_digest and phone == p.phone_digest)
            or (p.id_number_digest and document == p.id_number_digest)
        ]
    return found


def _review_chain_ids(case: Case) -> set[int]:
    return early_warning._review_chain_ids(case) if case.parent_id else set()


def detect_many(cases: Sequence[Case], now: dt.datetime | None = None) -> dict[int, list[Finding]]:
    """`early_warning.detect(case, now)` of each case (by pk), from shared reads."""
    now = now or timezone.now()
    persons = same_person_many(cases)
    raised = raised_together_many(cases)
    since = now - dt.timedelta(days=threshold("QINGDAN_REPEAT_WINDOW_DAYS"))
    days = {case.pk: early_warning.flood_day(case) for case in cases}
    everyone = {pk for person in persons.values() for pk in person}
    # The petitioners' cases since the earliest moment either check looks at: a few
    # columns of each, the full rows only for those a repeat check compares.
    light = []
    if everyone:
        light = list(
            Case.objects.filter(
                petitioner_id__in=everyone, registered_at__gte=min(since, *days.values())
            ).values_list("pk", "petitioner_id", "registered_at", "parent_id", "tracking_number")
        )
    compared: dict[int, list[int]] = {}
    same_day: dict[int, list[str]] = {}
    for case in cases:
        records = set(persons[case.pk])
        if not records:
            continue
        own = [row for row in light if row[1] in records and row[0] != case.pk]
        skip = raised[case.pk]
        chain = _review_chain_ids(case)
        repeat = [
            row
            for row in own
            if row[2] >= since and row[0] not in chain and row[0] not in skip and row[3] != case.pk
        ]
        repeat.sort(key=lambda row: (row[2], row[0]), reverse=True)
        compared[case.pk] = [row[0] for row in repeat[: early_warning.REPEAT_COMPARED]]
        start, end = days[case.pk], days[case.pk] + dt.timedelta(days=1)
        day = sorted(
            (row for row in own if start <= row[2] < end and row[0] not in skip),
            key=lambda row: (row[2], row[0]),
        )
        same_day[case.pk] = [row[4] for row in day]
    wanted = {pk for pks in compared.values() for pk in pks}
    full = Case.objects.in_bulk(wanted) if wanted else {}
    groups = _groups_many(cases, persons, now)
    findings: dict[int, list[Finding]] = {}
    for case in cases:
        person = persons[case.pk]
        found: list[Finding | None] = []
        if person:
            found.append(early_warning.repeat_finding(case, [full[pk] for pk in compared[case.pk]]))
        found.append(groups[case.pk])
        if person:
            found.append(early_warning.flood_finding(days[case.pk], same_day[case.pk]))
        findings[case.pk] = [finding for finding in found if finding is not None]
    return findings


def _groups_many(cases, persons, now) -> dict[int, Finding | None]:
    """`early_warning.find_group` of each case: each town's recent cases read and
    stacked once, every case of the batch in that town scored against them."""
    since = now - dt.timedelta(days=threshold("QINGDAN_GROUP_WINDOW_DAYS"))
    limit = threshold("QINGDAN_GROUP_MAX_SCAN")
    by_town: dict[str, list[Case]] = defaultdict(list)
    towns = {}
    for case in cases:
        town = early_warning.group_town(case)
        towns[town.scope_prefix] = town
        by_town[town.scope_prefix].append(case)
    own_vectors = text.vectors([early_warning.group_text(case) for case in cases])
    row_of = {case.pk: index for index, case in enumerate(cases)}
    found: dict[int, Finding | None] = {}
    for prefix, members in by_town.items():
        # One row more than a case's scan: each case leaves itself out of the list.
        rows = list(early_warning.group_scan_rows(prefix, since, limit=limit + 1))
        matrix = (
            early_warning.GROUP_VECTORS.matrix(
                early_warning.group_keys(rows), early_warning.recent_texts
            )
            if rows
            else None
        )
        for case in members:
            keep = [i for i, row in enumerate(rows) if row[0] != case.pk][:limit]
            if not keep or matrix is None:
                found[case.pk] = None
                continue
            scores = text.scores(matrix, own_vectors[row_of[case.pk]])[keep]
            found[case.pk] = early_warning.group_finding(
                case, persons[case.pk], towns[prefix], [rows[i] for i in keep], scores
            )
    return found


def hot_term_evidence_many(cases: Sequence[Case]) -> dict[int, list[dict]]:
    """The hot-term evidence of each case (`hotterms.summarize`), reading the list's
    fingerprint once."""
    automaton = hotterms.current_automaton()
    return {
        case.pk: hotterms.summarize(
            {
                "title": hotterms.hits_with(automaton, case.title),
                "content": hotterms.hits_with(automaton, case.content),
            }
        )
        for case in cases
    }
