"""Likely duplicates and related cases of a case (or of a text being typed at intake).

The near-duplicate index lives in each process's memory and is rebuilt from the
CaseFingerprint rows (the persisted signatures): at start it loads them all, and
before each query it adds the rows written since (one indexed range query).
Candidates are checked again against the database, so a stale index entry can only
cost a little time, never show a wrong case.
"""

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q
from django.utils import timezone

from qingdan.cases.choices import OPEN_STATES
from qingdan.cases.models import Case, CaseLink

from . import minhash
from .choices import RelatedReason
from .early_warning import same_person
from .models import CaseFingerprint

DUPLICATE_SIMILARITY = 0.6  # estimated Jaccard of character bigrams: a copy with edits
RELATED_SIMILARITY = 0.3
SAME_PLACE_DAYS = 90
FULL_CHECK_SECONDS = 300


class CaseIndex:
    """The process's near-duplicate index over CaseFingerprint rows."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.index = minhash.MinHashIndex()
        self.high_water = 0  # largest CaseFingerprint.pk loaded
        self.checked_at = 0.0

    def _load(self, rows) -> None:
        ids, sigs = [], []
        for pk, case_id, blob in rows:
            ids.append(case_id)
            sigs.append(minhash.from_bytes(blob))
            self.high_water = max(self.high_water, pk)
        if len(ids) > 100:
            self.index.add_many(ids, np.vstack(sigs))
        else:
            for case_id, sig in zip(ids, sigs, strict=True):
                self.index.add(case_id, sig)

    def refresh(self) -> minhash.MinHashIndex:
        with self.lock:
            if time.monotonic() - self.checked_at > FULL_CHECK_SECONDS:
                # Rows can disappear (a rolled-back or deleted case): start again when
                # the table no longer matches what was loaded.
                count = CaseFingerprint.objects.filter(pk__lte=self.high_water).count()
                if count != len(self.index):
                    self.reset()
                self.checked_at = time.monotonic()
            rows = (
                CaseFingerprint.objects.filter(pk__gt=self.high_water)
                .order_by("pk")
                .values_list("pk", "case_id", "signature")
            )
            self._load(rows.iterator(chunk_size=5000))
            return self.index


case_index = CaseIndex()


def fingerprint_case(case: Case) -> CaseFingerprint | None:
    """Store the signature of a case's text (once; a case's text does not change)."""
    sig = minhash.signature(f"{case.title}\n{case.content}")
    if sig is None:
        return None
    fingerprint = CaseFingerprint(case=case, signature=minhash.to_bytes(sig))
    # One INSERT … ON CONFLICT statement (a rebuild writes over the old signature),
    # instead of a locking read and an insert under savepoints at every intake.
    CaseFingerprint.objects.bulk_create(
        [fingerprint], update_conflicts=True, unique_fields=["case"], update_fields=["signature"]
    )
    return fingerprint


@dataclass
class RelatedCase:
    case: Case
    similarity: float
    reasons: list[str] = field(default_factory=list)
    link: str = ""  # kind of an existing link between the two cases

    @property
    def is_duplicate(self) -> bool:
        return self.similarity >= DUPLICATE_SIMILARITY

    def reason_labels(self) -> list[str]:
        return [str(RelatedReason(reason).label) for reason in self.reasons]

    def as_dict(self) -> dict:
        case = self.case
        return {
            "id": case.pk,
            "tracking_number": case.tracking_number,
            "title": case.title,
            "state": case.state,
            "registered_at": case.registered_at.isoformat(),
            "jurisdiction": case.jurisdiction.name,
            "similarity": round(self.similarity, 2),
            "reasons": self.reasons,
            "is_duplicate": self.is_duplicate,
            "link": self.link,
        }


def related_cases(case_or_text, user, *, limit: int = 10) -> list[RelatedCase]:
    """Cases `user` may see that are likely duplicates of, or related to, a case or a
    text: nearly the same text (any state), and open cases of the same petitioner or
    at the same place. Best first, each with its reasons and text similarity."""
    if isinstance(case_or_text, Case):
        case, text = case_or_text, f"{case_or_text.title}\n{case_or_text.content}"
    else:
        case, text = None, str(case_or_text or "")
    sig = minhash.signature(text)
    found: dict[int, set[str]] = {}
    if sig is not None:
        for case_id, score in case_index.refresh().query(
            sig, limit=limit * 3, min_similarity=RELATED_SIMILARITY
        ):
            reason = (
                RelatedReason.NEAR_DUPLICATE
                if score >= DUPLICATE_SIMILARITY
                else RelatedReason.SIMILAR_TEXT
            )
            found.setdefault(case_id, set()).add(reason)
    if case is not None:
        person = same_person(case)
        if person:
            for case_id in (
                Case.objects.filter(petitioner_id__in=person, state__in=OPEN_STATES)
                .order_by("-registered_at")
                .values_list("pk", flat=True)[: limit * 2]
            ):
                found.setdefault(case_id, set()).add(RelatedReason.SAME_PETITIONER)
        same_place = Q(jurisdiction_id=case.jurisdiction_id) & (
            Q(category_id=case.category_id) if case.category_id else Q(pk__in=[])
        )
        if case.address.strip():
            same_place |= Q(address=case.address.strip())
        since = timezone.now() - dt.timedelta(days=SAME_PLACE_DAYS)
        for case_id in (
            Case.objects.filter(same_place, state__in=OPEN_STATES, registered_at__gte=since)
            .order_by("-registered_at")
            .values_list("pk", flat=True)[: limit * 2]
        ):
            found.setdefault(case_id, set()).add(RelatedReason.SAME_PLACE)
        found.pop(case.pk, None)
    if not found:
        return []
    visible = {
        c.pk: c
        for c in Case.objects.visible_to(user)
        .filter(pk__in=list(found))
        .select_related("jurisdiction")
    }
    # The similarity shown is computed from the stored signatures, not the index.
    scores: dict[int, float] = {}
    if sig is not None and visible:
        for case_id, blob in CaseFingerprint.objects.filter(case_id__in=list(visible)).values_list(
            "case_id", "signature"
        ):
            scores[case_id] = float(minhash.jaccard(sig, minhash.from_bytes(blob))[0])
    links: dict[int, str] = {}
    if case is not None and visible:
        for from_id, to_id, kind in CaseLink.objects.filter(
            Q(from_case=case, to_case_id__in=list(visible))
            | Q(to_case=case, from_case_id__in=list(visible))
        ).values_list("from_case_id", "to_case_id", "kind"):
            links[to_id if from_id == case.pk else from_id] = kind
    result = []
    for case_id, other in visible.items():
        score = scores.get(case_id, 0.0)
        reasons = found[case_id]
        # The index may hold a stale entry: keep text reasons only when the stored
        # signature confirms them.
        reasons.discard(RelatedReason.NEAR_DUPLICATE)
        reasons.discard(RelatedReason.SIMILAR_TEXT)
        if score >= DUPLICATE_SIMILARITY:
            reasons.add(RelatedReason.NEAR_DUPLICATE)
        elif score >= RELATED_SIMILARITY:
            reasons.add(RelatedReason.SIMILAR_TEXT)
        if not reasons:
            continue
        order = [r for r in RelatedReason.values if r in reasons]
        result.append(RelatedCase(other, score, order, links.get(case_id, "")))
    result.sort(key=lambda r: (-r.similarity, -r.case.registered_at.timestamp()))
    return result[:limit]
