"""Hot issues (未诉先办 / 每月一题): clusters of similar complaints in a time window,
ranked by size and growth. The same engine serves the CSV command and the page.

Texts are character 2–3-gram TF-IDF vectors (the title counted separately, so the
place and the matter it names weigh more); clusters are average-linkage
agglomerations of the cosine distances: every member is, on average, close to the
others, which keeps generic complaints from chaining into one giant cluster.
"""

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from django.utils import timezone
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from qingdan.cases.models import Case
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Jurisdiction

from .text import compact

DISTANCE = 0.78  # average cosine distance allowed inside a cluster
MIN_SIZE = 3
MAX_DOCS = 5000  # the distance matrix is dense: 5,000 texts ≈ 200 MB
# Members of a hot issue name the same place or matter in their titles; long texts
# that merely share common wording (mostly in small windows, where idf cannot tell
# common n-grams) do not.
MIN_TITLE_COHESION = 0.15
GROWTH_DAYS = 30


@dataclass
class Doc:
    key: object
    title: str
    text: str
    at: dt.datetime | None = None
    area: str = ""
    weight: int = 0  # e.g. likes on a public message board


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


def _vectorize(docs: list[Doc]):
    # Among many texts, n-grams in over 30 % of them are boilerplate (请, 问题, 小区);
    # among a few, that share is what a real cluster looks like.
    max_df = 0.3 if len(docs) >= 100 else 1.0

    def vectorizer():
        return TfidfVectorizer(
            analyzer="char",
            ngram_range=(2, 3),
            sublinear_tf=True,
            min_df=2,
            max_df=max_df,
            preprocessor=compact,
            dtype=np.float32,
        )

    title_vectorizer = vectorizer()
    titles = title_vectorizer.fit_transform([doc.title for doc in docs])
    texts = vectorizer().fit_transform([f"{doc.title}\n{doc.text}" for doc in docs])
    return normalize(sp.hstack([titles, texts]).tocsr()), titles, title_vectorizer


def _keywords(titles, members: np.ndarray, names: np.ndarray, limit: int = 5) -> list[str]:
    """The cluster's key phrases: its heaviest title n-grams, overlapping ones joined
    (捆绑销 + 绑销售 → 捆绑销售)."""
    centroid = np.asarray(titles[members].mean(axis=0)).ravel()
    weights = {
        str(names[i]): float(centroid[i]) for i in np.argsort(-centroid)[:20] if centroid[i] > 0
    }
    phrases = dict(weights)
    merged = True
    while merged:
        merged = False
        for a, b in itertools.permutations(list(phrases), 2):
            if a in phrases and b in phrases and len(a) > 1 and a[1:] == b[: len(a) - 1]:
                phrases[a + b[len(a) - 1 :]] = phrases.pop(a) + phrases.pop(b)
                merged = True
    ranked = sorted(phrases, key=lambda p: -phrases[p])
    chosen: list[str] = []
    for phrase in ranked:
        if not any(phrase in kept for kept in chosen):
            chosen.append(phrase)
        if len(chosen) == limit:
            break
    return chosen


def _cohesion(similarity: np.ndarray, members: np.ndarray) -> float:
    """Mean similarity between distinct members."""
    block = similarity[np.ix_(members, members)]
    n = members.size
    return float((block.sum() - np.trace(block)) / (n * (n - 1))) if n > 1 else 1.0


def find_hot_issues(
    docs: list[Doc],
    *,
    min_size: int = MIN_SIZE,
    distance: float = DISTANCE,
    limit: int = 20,
    now: dt.datetime | None = None,
    growth_days: int = GROWTH_DAYS,
) -> list[HotIssue]:
    """Clusters of at least `min_size` similar documents, hottest first. Growth compares
    the last `growth_days` before `now` (default: the newest document) with the
    `growth_days` before those."""
    docs = docs[:MAX_DOCS]
    if len(docs) < max(min_size, 2):
        return []
    try:
        vectors, titles, title_vectorizer = _vectorize(docs)
    except ValueError:  # too few documents for min_df: no shared n-grams at all
        return []
    similarity = (vectors @ vectors.T).toarray()
    np.clip(similarity, 0.0, 1.0, out=similarity)
    title_similarity = (titles @ titles.T).toarray()
    labels = (
        AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance
        )
        .fit(1.0 - similarity)
        .labels_
    )
    times = [doc.at for doc in docs if doc.at is not None]
    end = now or (max(times) if times else None)
    period = dt.timedelta(days=growth_days)
    names = title_vectorizer.get_feature_names_out()
    issues = []
    for label, count in Counter(labels.tolist()).items():
        if count < min_size:
            continue
        members = np.flatnonzero(labels == label)
        if _cohesion(title_similarity, members) < MIN_TITLE_COHESION:
            continue
        centrality = similarity[np.ix_(members, members)].mean(axis=1)
        ordered = members[np.argsort(-centrality)]
        member_docs = [docs[i] for i in ordered]
        stamps = [doc.at for doc in member_docs if doc.at is not None]
        recent = earlier = 0
        if end is not None:
            recent = sum(1 for t in stamps if end - period < t <= end)
            earlier = sum(1 for t in stamps if end - 2 * period < t <= end - period)
        issues.append(
            HotIssue(
                docs=member_docs,
                keywords=_keywords(titles, members, names),
                samples=member_docs[:3],
                recent=recent,
                earlier=earlier,
                first=min(stamps) if stamps else None,
                last=max(stamps) if stamps else None,
                areas=Counter(doc.area for doc in member_docs if doc.area).most_common(3),
            )
        )
    issues.sort(key=lambda issue: (-issue.score, -issue.growth, -issue.weight))
    return issues[:limit]


def _area(jurisdiction: Jurisdiction) -> str:
    town = jurisdiction.ancestor(Level.TOWN)
    return (town or jurisdiction).name


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
    (optionally in one area); each Doc's key is the case id."""
    now = now or timezone.now()
    cases = Case.objects.visible_to(user).filter(registered_at__gte=now - dt.timedelta(days=days))
    if jurisdiction is not None:
        cases = cases.filter(jurisdiction__code__startswith=jurisdiction.scope_prefix)
    docs = [
        Doc(
            key=case.pk,
            title=case.title,
            text=case.content,
            at=case.registered_at,
            area=_area(case.jurisdiction),
        )
        for case in cases.select_related("jurisdiction__parent").order_by("-registered_at")[
            :MAX_DOCS
        ]
    ]
    return find_hot_issues(
        docs, min_size=min_size, limit=limit, now=now, growth_days=max(days // 2, 1)
    )
