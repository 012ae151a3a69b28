"""Searching the policy answer library and filtering the assignment list."""

import re

from django.db.models import Q, QuerySet

from qingdan.cases.choices import Channel
from qingdan.cases.models import Case

from .models import PolicyAnswer

CANDIDATES = 500
# Chinese questions come without spaces: character bigrams find 营业执照 in
# “办理营业执照需要什么材料” without a word segmenter.
_SPLIT = re.compile(r"[\s,，、;；。？?！!]+")


def _terms(query: str) -> tuple[list[str], list[str]]:
    chunks = [c for c in _SPLIT.split(query.strip()) if c]
    bigrams = {c[i : i + 2] for c in chunks if len(c) > 2 for i in range(len(c) - 1)}
    return chunks, sorted(bigrams)[:40]


def search_policy_answers(query: str, *, limit: int = 50) -> list[PolicyAnswer]:
    """Active answers matching `query`, best first: whole words in the question and
    tags count most, then the answer and source, then shared character pairs."""
    answers = PolicyAnswer.objects.filter(is_active=True)
    chunks, bigrams = _terms(query or "")
    if not chunks:
        return list(answers[:limit])
    condition = Q()
    for term in [*chunks, *bigrams]:
        condition |= (
            Q(question__icontains=term)
            | Q(tags__icontains=term)
            | Q(answer__icontains=term)
            | Q(source__icontains=term)
        )
    candidates = list(answers.filter(condition)[:CANDIDATES])

    def score(item: PolicyAnswer) -> float:
        head = f"{item.question} {item.tags}".lower()
        body = f"{item.answer} {item.source}".lower()
        total = 0.0
        for chunk in chunks:
            chunk = chunk.lower()
            total += 4 * (chunk in item.question.lower()) + 3 * (chunk in item.tags.lower())
            total += 1 * (chunk in body)
        if bigrams:
            total += 2 * sum(b.lower() in head for b in bigrams) / len(bigrams)
        return total

    candidates.sort(key=lambda item: (-score(item), -item.updated_at.timestamp()))
    return candidates[:limit]


def assigned_cases(user) -> QuerySet[Case]:
    """Cases a superior body (or the hotline) handed down, that `user` may see."""
    return (
        Case.objects.visible_to(user)
        .filter(Q(channel=Channel.SUPERIOR_ASSIGNMENT) | ~Q(assigning_body=""))
        .select_related("jurisdiction", "completion_report")
        .order_by("assigned_deadline", "-registered_at")
    )
