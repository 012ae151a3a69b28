"""Hot issues (未诉先办 / 每月一题): clusters of complaints about one problem in one
place, ranked by size and growth. The same engine serves the CSV command and the page.

A message is its jieba words without stop words (`words.py`): the title and the detail
together, so a generic title ("求助", "天然气问题") weighs no more than one sentence of
the detail it heads. Messages are grouped by the city they name (or the case's
jurisdiction) and never clustered across cities; inside a city, two messages naming
different districts are as far apart as can be. Clusters are average-linkage
agglomerations of word TF-IDF cosine distances, so every member is, on average, close
to the others and generic complaints do not chain into one giant cluster. Each cluster
is named by its place and its heaviest words ("大连 华润燃气 停气").
"""

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from qingdan.cases.models import Case
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Jurisdiction

from . import words
from .text import UnreadableFile, read_csv
from .words import Place

DISTANCE = 0.8  # average cosine distance allowed inside a cluster
MIN_SIZE = 3
MAX_DOCS = 5000  # the distance matrix is dense: 5,000 texts ≈ 100 MB
# Members of a hot issue share their key words; a cluster whose members are on average
# less similar than this merely shares common wording.
MIN_COHESION = 0.2
GROWTH_DAYS = 30


@dataclass
class Doc:
    key: object
    title: str
    text: str
    at: dt.datetime | None = None
    area: str = ""
    weight: int = 0  # e.g. likes on a public message board
    # The case's jurisdiction; empty: the place the message names.
    city: str = ""
    district: str = ""


@dataclass
class HotIssue:
    docs: list[Doc]
    keywords: list[str]
    samples: list[Doc]
    recent: int  # in the latest growth period
    earlier: int  # in the period before it
    first: dt.datetime | None
    last: dt.datetime | None
    areas: list[tuple[str, int]] = field(default_factory=list)
    place: Place = field(default_factory=Place)
    cohesion: float = 0.0  # mean cosine similarity between two members

    @property
    def name(self) -> str:
        """Place and problem: "大连 华润燃气 停气"."""
        return " ".join(part for part in (self.place.name, *self.keywords[:2]) if part)

    @property
    def size(self) -> int:
        return len(self.docs)

    @property
    def growth(self) -> float:
        """Change from the period before to the latest period (1.0 = doubled)."""
        return (self.recent - self.earlier) / max(self.earlier, 1)

    @property
    def growth_percent(self) -> int:
        return round(self.growth * 100)

    @property
    def score(self) -> int:
        # What came in during the latest period counts twice: a growing issue rises.
        return self.size + self.recent

    @property
    def weight(self) -> int:
        return sum(doc.weight for doc in self.docs)

    @property
    def keys(self) -> list:
        return [doc.key for doc in self.docs]


# ---------------------------------------------------------------- reading times

_TIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[T\s]*(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?(?:\s*[:：]?\s*(\d{1,2})\s*秒?)?)?\s*$"
)


def parse_time(value: str) -> dt.datetime | None:
    """A message time as people write it: 2023-01-16 19:26, 2019/2/28 11:25:05,
    2023年1月16日 19时26分, or a date alone; None if it is none of these."""
    match = _TIME.match(value or "")
    if not match:
        return None
    year, month, day, hour, minute, second = (int(p) if p else 0 for p in match.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:  # 2023-02-30, 25:00
        return None


# ---------------------------------------------------------------- reading a CSV


# Column names accepted, English or as published with the message-board data.
COLUMNS = {
    "key": ("message_id", "id", "留言编号"),
    "title": ("title", "留言主题"),
    "text": ("detail", "text", "content", "留言详情"),
    "at": ("time", "registered_at", "留言时间"),
    "area": ("area", "jurisdiction", "地区"),
    "weight": ("likes", "点赞数"),
}
SHOWN_ERRORS = 5


def _pick(row: dict, field: str) -> str:
    for name in COLUMNS[field]:
        if row.get(name):
            return row[name].strip()
    return ""


def read_messages(file: Path) -> list[Doc]:
    """The messages of a CSV file. A file with a time column whose times cannot all be
    read is refused, naming the rows: growth figures from half the times are wrong."""
    columns, rows = read_csv(file)
    has_time = bool(columns & set(COLUMNS["at"]))
    docs, unreadable = [], []
    for number, row in enumerate(rows, 1):
        title, text = _pick(row, "title"), _pick(row, "text")
        if not (title or text):
            continue
        written = _pick(row, "at")
        at = parse_time(written) if has_time else None
        if has_time and at is None:
            unreadable.append(
                _("row %(row)d: time %(value)s") % {"row": number, "value": repr(written)}
            )
            continue
        weight = _pick(row, "weight")
        docs.append(
            Doc(
                key=_pick(row, "key") or number,
                title=title or text[:40],
                text=text,
                at=at,
                area=_pick(row, "area"),
                weight=int(weight) if weight.isdigit() else 0,
            )
        )
    if unreadable:
        raise UnreadableFile(
            _(
                "%(file)s: %(n)d time(s) cannot be read (write them like 2023-01-16 19:26, "
                "2019/2/28 11:25:05 or 2023年1月16日 19:26): %(rows)s"
            )
            % {
                "file": file,
                "n": len(unreadable),
                "rows": "; ".join(unreadable[:SHOWN_ERRORS])
                + ("; …" if len(unreadable) > SHOWN_ERRORS else ""),
            }
        )
    if not docs:
        raise UnreadableFile(_("No messages with a title or a text in %(file)s.") % {"file": file})
    return docs


# ---------------------------------------------------------------- the engine


@dataclass
class _Message:
    words: list[str]  # in order, title then text
    content: list[str]  # what tells problems apart: no stop words, no city or district
    place: Place


def _read(docs: list[Doc]) -> list[_Message]:
    segmented = [(words.tokens(doc.title), words.tokens(doc.text)) for doc in docs]
    gazetteer = words.Gazetteer(title + text for title, text in segmented)
    messages = []
    for doc, (title, text) in zip(docs, segmented, strict=True):
        if doc.city or doc.district:
            place = Place(city=doc.city, district=doc.district)
        else:
            place = gazetteer.place(title, text)
        named = words.place_words(title + text, gazetteer) - {place.town}
        content = [w for w in title + text if words.is_content(w) and w not in named]
        messages.append(_Message(words=title + text, content=content, place=place))
    _infer_cities(messages)
    return messages


# A message that names no city takes the city of the messages that share words of it
# (at least LOCAL_WORDS of them, each in at least LOCAL_WORD_MESSAGES messages, all but
# LOCAL_WORD_SHARE in that city): 丽发 and 搅拌站 are in A市; one word is chance.
LOCAL_WORDS = 2
LOCAL_WORD_MESSAGES = 3
LOCAL_WORD_SHARE = 0.9


def _infer_cities(messages: list[_Message]) -> None:
    cities_of: dict[str, Counter] = {}
    for message in messages:
        if message.place.city:
            for word in set(message.content):
                cities_of.setdefault(word, Counter())[message.place.city] += 1
    local = {}
    for word, cities in cities_of.items():
        city, count = cities.most_common(1)[0]
        if count >= LOCAL_WORD_MESSAGES and count >= LOCAL_WORD_SHARE * cities.total():
            local[word] = city
    for message in messages:
        if not message.place.city:
            votes = Counter(local[w] for w in set(message.content) if w in local)
            ranked = votes.most_common(2) + [("", 0)]
            if ranked[0][1] >= LOCAL_WORDS and ranked[0][1] > ranked[1][1]:
                message.place = replace(message.place, city=ranked[0][0])


def _vectorize(messages: list[_Message]):
    # Among many texts, words in over 30 % of them are boilerplate (小区, 业主);
    # among a few, that share is what a real cluster looks like.
    max_df = 0.3 if len(messages) >= 100 else 1.0
    vectorizer = TfidfVectorizer(
        analyzer=lambda content: content,
        sublinear_tf=True,
        min_df=2,
        max_df=max_df,
        dtype=np.float32,
    )
    return vectorizer.fit_transform([m.content for m in messages]), vectorizer


MAX_PHRASE = 8  # characters


def _keywords(vectors, members: np.ndarray, names: np.ndarray, messages, limit=5) -> list[str]:
    """The cluster's heaviest words, each grown into the phrase it stands in within
    most of the cluster's messages: words that follow each other in at least half of
    them are one name (华润 + 燃气 → 华润燃气, 伊 + 景园 + 滨河 + 苑 → 伊景园滨河苑)."""
    centroid = np.asarray(vectors[members].mean(axis=0)).ravel()
    ranked = [str(names[i]) for i in np.argsort(-centroid)[: limit * 3] if centroid[i] > 0]
    pairs: Counter = Counter()
    for index in members:
        sequence = messages[index].words
        pairs.update(set(zip(sequence, sequence[1:], strict=False)))
    needed = len(members) / 2
    # A phrase joins the cluster's own heavy words, and single characters jieba cut
    # off a name (伊 + 景园): not any word that happens to stand next to one.
    heavy = {str(names[i]) for i in np.argsort(-centroid)[:20] if centroid[i] > 0}
    after: dict[str, list[tuple[int, str]]] = {}
    before: dict[str, list[tuple[int, str]]] = {}
    for (first, second), count in pairs.items():
        if count >= needed and _joinable(first, heavy) and _joinable(second, heavy):
            after.setdefault(first, []).append((count, second))
            before.setdefault(second, []).append((count, first))

    def grow(word: str) -> list[str]:
        phrase = [word]
        while True:
            options = [(c, 0, w) for c, w in before.get(phrase[0], [])]
            options += [(c, 1, w) for c, w in after.get(phrase[-1], [])]
            options = [o for o in options if len("".join(phrase)) + len(o[2]) <= MAX_PHRASE]
            if not options:
                return phrase
            _count, side, word = max(options)
            phrase = [word, *phrase] if side == 0 else [*phrase, word]

    chosen: list[str] = []
    covered: set[str] = set()
    for word in ranked:
        if word in covered:
            continue
        phrase = grow(word)
        while phrase[-1].isdigit() and len(phrase) > 1:  # 二期5 (the 5 of 5栋) → 二期
            phrase.pop()
        if covered & set(phrase):  # 茶场村 of 西湖街道茶场村, when 茶场村五组 is a key word
            continue
        covered.update(phrase)
        text = "".join(phrase)
        if not any(text in kept for kept in chosen):
            chosen = [kept for kept in chosen if kept not in text] + [text]
        if len(chosen) == limit:
            break
    return chosen


_PLAIN = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]+$")


def _joinable(word: str, heavy: set[str]) -> bool:
    """A word that may be part of a phrase: a heavy word of the cluster or a lone
    character, not a stop word, a sign or a place."""
    return (
        (word in heavy or len(word) == 1)
        and bool(_PLAIN.match(word))
        and word not in words.STOP_WORDS
        and not words.place_level(word)
    )


def _clusters(similarity: np.ndarray, places: list[Place], distance: float) -> np.ndarray:
    """Average-linkage clusters. Messages of two cities (no city counting as one) are
    as far apart as can be, so no cluster ever holds two: the average distance between
    two groups with none of their pairs in one city is the largest. Two districts named
    count the same, but a district's messages can still join those naming none."""
    cities = np.array([p.city for p in places], dtype=object)
    districts = np.array([p.district for p in places], dtype=object)
    named = districts != ""
    apart = cities[:, None] != cities[None, :]
    apart |= named[:, None] & named[None, :] & (districts[:, None] != districts[None, :])
    distances = 1.0 - similarity
    distances[apart] = 1.0
    np.fill_diagonal(distances, 0.0)
    return (
        AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance
        )
        .fit(distances)
        .labels_
    )


def _mean_similarity(similarity: np.ndarray) -> float:
    n = similarity.shape[0]
    return float((similarity.sum() - np.trace(similarity)) / (n * (n - 1))) if n > 1 else 1.0


def find_hot_issues(
    docs: list[Doc],
    *,
    min_size: int = MIN_SIZE,
    distance: float = DISTANCE,
    limit: int = 20,
    now: dt.datetime | None = None,
    growth_days: int = GROWTH_DAYS,
) -> list[HotIssue]:
    """Clusters of at least `min_size` documents about one problem in one place, hottest
    first. Growth compares the last `growth_days` before `now` (default: the newest
    document) with the `growth_days` before those."""
    docs = docs[:MAX_DOCS]
    if len(docs) < max(min_size, 2):
        return []
    messages = _read(docs)
    try:
        vectors, vectorizer = _vectorize(messages)
    except ValueError:  # too few documents for min_df: no shared words at all
        return []
    names = vectorizer.get_feature_names_out()
    times = [doc.at for doc in docs if doc.at is not None]
    end = now or (max(times) if times else None)
    period = dt.timedelta(days=growth_days)
    similarity = (vectors @ vectors.T).toarray()
    np.clip(similarity, 0.0, 1.0, out=similarity)
    labels = _clusters(similarity, [m.place for m in messages], distance)
    issues = []
    for label, count in Counter(labels.tolist()).items():
        if count < min_size:
            continue
        members = np.flatnonzero(labels == label)
        block = similarity[np.ix_(members, members)]
        cohesion = _mean_similarity(block)
        if cohesion < MIN_COHESION:
            continue
        ordered = members[np.argsort(-block.mean(axis=1))]
        member_docs = [docs[i] for i in ordered]
        stamps = [doc.at for doc in member_docs if doc.at is not None]
        recent = earlier = 0
        if end is not None:
            recent = sum(1 for t in stamps if end - period < t <= end)
            earlier = sum(1 for t in stamps if end - 2 * period < t <= end - period)
        issues.append(
            HotIssue(
                docs=member_docs,
                keywords=_keywords(vectors, ordered, names, messages),
                samples=member_docs[:3],
                recent=recent,
                earlier=earlier,
                first=min(stamps) if stamps else None,
                last=max(stamps) if stamps else None,
                areas=Counter(doc.area for doc in member_docs if doc.area).most_common(3),
                place=_common_place(Counter(messages[i].place for i in ordered)),
                cohesion=cohesion,
            )
        )
    issues.sort(key=lambda issue: (-issue.score, -issue.growth, -issue.weight))
    return issues[:limit]


def _common_place(places: Counter) -> Place:
    """The cluster's city (one at most), and its district when most members name it."""
    cities: Counter = Counter()
    districts: Counter = Counter()
    for place, count in places.items():
        cities[place.city] += count if place.city else 0
        districts[place.district] += count
    city = cities.most_common(1)[0][0] if cities else ""
    district, count = districts.most_common(1)[0]
    return Place(city=city, district=district if 2 * count > places.total() else "")


def _area(jurisdiction: Jurisdiction) -> str:
    town = jurisdiction.ancestor(Level.TOWN)
    return (town or jurisdiction).name


def _city(jurisdiction: Jurisdiction) -> str:
    city = jurisdiction.ancestor(Level.CITY)
    return city.name if city else ""


def case_hot_issues(
    user,
    *,
    days: int = 30,
    jurisdiction: Jurisdiction | None = None,
    min_size: int = MIN_SIZE,
    limit: int = 20,
    now: dt.datetime | None = None,
) -> list[HotIssue]:
    """Hot issues among the cases `user` may see, registered in the last `days` days
    (optionally in one area); each Doc's key is the case id, its place the case's
    city and town (not what the text says)."""
    now = now or timezone.now()
    cases = Case.objects.visible_to(user).filter(registered_at__gte=now - dt.timedelta(days=days))
    if jurisdiction is not None:
        cases = cases.filter(jurisdiction__code__startswith=jurisdiction.scope_prefix)
    docs = []
    for case in cases.select_related("jurisdiction__parent__parent").order_by("-registered_at")[
        :MAX_DOCS
    ]:
        area = _area(case.jurisdiction)
        docs.append(
            Doc(
                key=case.pk,
                title=case.title,
                text=case.content,
                at=case.registered_at,
                area=area,
                city=_city(case.jurisdiction) or area,
                district=area,
            )
        )
    return find_hot_issues(
        docs, min_size=min_size, limit=limit, now=now, growth_days=max(days // 2, 1)
    )
