"""Scanning text for the hot-term list with an Aho–Corasick automaton.

The automaton is built once per process and rebuilt when the list changed: every
scan first reads a fingerprint of the list (one aggregate query on a small table),
so an administrator's edit takes effect on the next scan, without a restart.
"""

import threading
from dataclasses import dataclass

import ahocorasick
from django.db.models import Count, Max, Q, Sum
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .choices import LEVEL_RANK, HotTermLevel
from .models import HotTerm
from .text import fold


@dataclass(frozen=True)
class Hit:
    start: int
    end: int  # exclusive
    term: str
    level: str
    term_id: int


class _Automaton:
    def __init__(self):
        self.lock = threading.Lock()
        self.fingerprint: tuple | None = None
        self.automaton: ahocorasick.Automaton | None = None

    def current(self) -> ahocorasick.Automaton | None:
        fingerprint = tuple(
            HotTerm.objects.aggregate(
                n=Count("pk", filter=Q(active=True)),
                ids=Sum("pk", filter=Q(active=True)),
                changed=Max("updated_at"),
            ).values()
        )
        with self.lock:
            if fingerprint != self.fingerprint:
                self.automaton = self._build()
                self.fingerprint = fingerprint
            return self.automaton

    @staticmethod
    def _build() -> ahocorasick.Automaton | None:
        automaton = ahocorasick.Automaton()
        for pk, term, level in HotTerm.objects.filter(active=True).values_list(
            "pk", "term", "level"
        ):
            key = fold(term.strip())
            if not key:
                continue
            existing = automaton.get(key, None)
            # Two spellings that fold to the same key: keep the more serious level.
            if existing is None or LEVEL_RANK.get(level, 0) > LEVEL_RANK.get(existing[2], 0):
                automaton.add_word(key, (pk, term, level, len(key)))
        if len(automaton) == 0:
            return None
        automaton.make_automaton()
        return automaton


_automaton = _Automaton()


def find_hits(text: str) -> list[Hit]:
    """Every occurrence of an active hot term in `text` (case- and width-insensitive)."""
    return _hits(_automaton.current(), text)


def find_hits_by_field(texts: dict[str, str]) -> dict[str, list[Hit]]:
    """`find_hits` of each text, reading the list's fingerprint once."""
    automaton = _automaton.current()
    return {name: _hits(automaton, text) for name, text in texts.items()}


def current_automaton() -> ahocorasick.Automaton | None:
    """The automaton of the current list (its fingerprint read once), for `hits_with`
    over many texts (the worker's batches)."""
    return _automaton.current()


def hits_with(automaton: ahocorasick.Automaton | None, text: str) -> list[Hit]:
    return _hits(automaton, text)


def _hits(automaton: ahocorasick.Automaton | None, text: str) -> list[Hit]:
    if automaton is None or not text:
        return []
    hits = []
    for end, (pk, term, level, length) in automaton.iter(fold(text)):
        hits.append(Hit(start=end - length + 1, end=end + 1, term=term, level=level, term_id=pk))
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start)))
    return hits


def summarize(hits_by_field: dict[str, list[Hit]]) -> list[dict]:
    """The evidence for a flag: each term once, with its level, count and fields."""
    terms: dict[int, dict] = {}
    for field_name, hits in hits_by_field.items():
        for hit in hits:
            entry = terms.setdefault(
                hit.term_id,
                {"term": hit.term, "level": hit.level, "count": 0, "fields": []},
            )
            entry["count"] += 1
            if field_name not in entry["fields"]:
                entry["fields"].append(field_name)
    return sorted(terms.values(), key=lambda e: (-LEVEL_RANK.get(e["level"], 0), e["term"]))


def highest_level(evidence: list[dict]) -> str:
    levels = [entry["level"] for entry in evidence] or [HotTermLevel.LOW]
    return max(levels, key=lambda level: LEVEL_RANK.get(level, 0))


def highlight(text: str, hits: list[Hit] | None = None) -> SafeString:
    """`text` as HTML with each hot term in <mark>; everything else escaped."""
    text = text or ""
    if hits is None:
        hits = find_hits(text)
    parts: list[str] = []
    cursor = 0
    for hit in hits:
        if hit.start < cursor:  # overlaps a longer term already marked
            continue
        parts.append(escape(text[cursor : hit.start]))
        parts.append(
            f'<mark class="hot-term hot-term-{escape(hit.level)}" title="{escape(hit.term)}">'
            f"{escape(text[hit.start : hit.end])}</mark>"
        )
        cursor = hit.end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
