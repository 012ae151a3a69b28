"""The worker's side of the intake analysis: claim queued cases in batches, analyse
each batch with shared reads (`batch`), write the findings in the claim's transaction.

A batch gives the same rows as analysing its cases one by one with
`actions.on_case_registered` (fingerprints, category suggestions, hot-term flags,
repeat / group / flood flags, each flag with its timeline note), written with one
INSERT per table. If a batch fails, it is rolled back and its cases are analysed one
at a time, so that one bad case is logged and retried later without holding the others.
"""

import datetime as dt
import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from qingdan.cases.models import Case, CaseEvent, CaseFlag
from qingdan.orgs.models import Category

from . import batch, minhash
from .actions import (
    hot_term_event,
    hot_term_message,
    on_case_registered,
    scan_hot_terms,
    strict_analysis,
    warning_rows,
)
from .choices import FlagKind
from .models import CaseFingerprint, CategorySuggestion, PendingAnalysis
from .suggestions import active_model, explained
from .text import case_document

logger = logging.getLogger(__name__)
RETRY_FAILED_ANALYSIS = dt.timedelta(minutes=10)
# Cases claimed together: large enough to share the reads (a town's recent cases, the
# petitioners'), small enough that a claim's transaction stays short (~0.1 s).
BATCH = 50


def _claim(now: dt.datetime, size: int) -> list[int]:
    """Take up to `size` queued cases, oldest first, inside the caller's transaction
    (their rows deleted: a rollback gives them back)."""
    pending = PendingAnalysis.objects.filter(queued_at__lte=now).order_by("queued_at", "case_id")
    if transaction.get_connection().features.has_select_for_update_skip_locked:
        # Two workers take different cases: rows another one holds are skipped.
        ids = list(pending.select_for_update(skip_locked=True).values_list("pk", flat=True)[:size])
        PendingAnalysis.objects.filter(pk__in=ids).delete()
        return ids
    # SQLite: no row locks; a row another worker deleted meanwhile is not ours.
    ids = list(pending.values_list("pk", flat=True)[:size])
    return [pk for pk in ids if PendingAnalysis.objects.filter(pk=pk).delete()[0]]


def _cases(ids) -> list[Case]:
    # The place up to its town (the group scan's area) and the petitioner come along.
    cases = Case.objects.select_related("jurisdiction__parent__parent", "petitioner")
    return list(cases.filter(pk__in=ids).order_by("registered_at", "pk"))


def analyse_pending(limit: int = 500, should_stop=lambda: False, size: int = BATCH) -> int:
    """Run the queued intake analyses, oldest first, a batch per transaction with the
    removal of its queue rows: claimed once (SKIP LOCKED on PostgreSQL), never lost (a
    crash rolls the claim back). A case whose analysis fails is logged and tried again
    later, after the others. Returns how many were analysed."""
    done = 0
    while done < limit and not should_stop():
        now = timezone.now()
        claimed: list[int] = []
        try:
            with transaction.atomic():
                claimed = _claim(now, min(size, limit - done))
                if not claimed:
                    return done
                analyse_cases(_cases(claimed))
        except Exception:
            if not claimed:
                raise
            if len(claimed) > 1:
                logger.exception("batched intake analysis failed; analysing one by one")
                done += analyse_pending(len(claimed), should_stop, size=1)
                continue
            logger.exception("intake analysis of case %s failed; retried later", claimed[0])
            PendingAnalysis.objects.filter(pk__in=claimed).update(
                queued_at=now + RETRY_FAILED_ANALYSIS
            )
            continue
        done += len(claimed)
    return done


def analyse_cases(cases: Sequence[Case]) -> None:
    """`actions.on_case_registered` of each case, with shared reads and one INSERT per
    table. One case alone takes the per-case path."""
    if len(cases) == 1:
        on_case_registered(cases[0])
        return
    try:
        with transaction.atomic():
            _analyse_together(cases)
    except Exception:
        if strict_analysis():
            raise
        logger.exception("batched intake analysis failed; analysing one by one")
        for case in cases:
            on_case_registered(case)


def _analyse_together(cases: Sequence[Case]) -> None:
    now = timezone.now()
    fingerprints = [
        CaseFingerprint(case=case, signature=minhash.to_bytes(sig))
        for case in cases
        if (sig := minhash.signature(f"{case.title}\n{case.content}")) is not None
    ]
    if fingerprints:
        CaseFingerprint.objects.bulk_create(
            fingerprints, update_conflicts=True, unique_fields=["case"], update_fields=["signature"]
        )
    _suggest(cases)
    flags: list[CaseFlag] = []
    events: list[CaseEvent] = []
    _hot_terms(cases, flags, events)
    findings = batch.detect_many(cases, now)
    for case in cases:
        for finding in findings[case.pk]:
            flag, event = warning_rows(case, finding)
            flags.append(flag)
            events.append(event)
    CaseFlag.objects.bulk_create(flags)
    # Each case's notes in the order on_case_registered writes them (hot terms first).
    events.sort(key=lambda event: event.case_id)
    CaseEvent.objects.bulk_create(events)


def _suggest(cases: Sequence[Case]) -> None:
    """`actions.record_suggestion` of each case: the classifier run on the batch."""
    model = active_model()
    if model is None:
        return
    documents = [case_document(case.title, case.content) for case in cases]
    probabilities = explained(model).predict_proba(documents)
    classes = explained(model).classes
    ranked_by_case = [
        [(int(classes[i]), float(row[i])) for i in (-row).argsort()[:3]] for row in probabilities
    ]
    labels = {label for ranked in ranked_by_case for label, _p in ranked}
    known = set(Category.objects.filter(pk__in=labels).values_list("pk", flat=True))
    rows = []
    for case, ranked in zip(cases, ranked_by_case, strict=True):
        ranked = [(label, p) for label, p in ranked if label in known]
        rows.append(
            CategorySuggestion(
                case=case,
                model=model,
                suggested=[{"category": label, "probability": round(p, 4)} for label, p in ranked],
                top_category_id=ranked[0][0] if ranked else None,
                chosen_category=case.category,
                chosen_by=case.created_by if case.category_id else None,
                chosen_at=case.registered_at if case.category_id else None,
            )
        )
    CategorySuggestion.objects.bulk_create(rows)


def _hot_terms(cases: Sequence[Case], flags: list, events: list) -> None:
    """`actions.scan_hot_terms` of each case, the list read once. A case already
    flagged (analysed again) takes the per-case path, which updates its flag."""
    evidence_by_case = batch.hot_term_evidence_many(cases)
    hit = [case for case in cases if evidence_by_case[case.pk]]
    flagged = set(
        CaseFlag.objects.filter(case__in=hit, kind=FlagKind.HOT_TERM).values_list(
            "case_id", flat=True
        )
    )
    for case in hit:
        if case.pk in flagged:
            scan_hot_terms(case)
            continue
        evidence = evidence_by_case[case.pk]
        message = hot_term_message(evidence)
        flags.append(
            CaseFlag(
                case=case, kind=FlagKind.HOT_TERM, message=message, evidence={"terms": evidence}
            )
        )
        events.append(hot_term_event(case, message, evidence))
