"""Classifier experiments with the unlabelled texts (issue 19): self-training on
pseudo-labels, weak labels from the department that replied, character / word vectors
trained with gensim, and their combinations, each against the shipped classifier.

Every experiment is scored as `qingdan eval-classifier` scores the shipped one:
stratified 5-fold on the labelled file, pooled out-of-fold macro-F1, one seed at a time.
Choose on seeds 0-2, confirm the chosen ones on seeds 3-5 without retuning.

The unlabelled pool is hot_issue_messages.csv, replied_messages.csv and
unlabelled_messages.csv (~9,800 texts after removing those that also appear in the
labelled file, so that no test message reaches training through a pseudo or weak label).
Vectors are trained, in each fold, on the pool and that fold's training texts only.

    nice -n 10 .venv/bin/python bench/classifier_experiments.py EXPERIMENT [...] --seeds 0 1 2
    .venv/bin/python bench/classifier_experiments.py --list

gensim is not a dependency of the project (nothing shipped uses it): install it beside
the virtual environment for these runs, e.g. `pip install --target /tmp/site gensim` and
`PYTHONPATH=/tmp/site`.
"""

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.base import BaseEstimator, TransformerMixin  # noqa: E402
from sklearn.decomposition import TruncatedSVD  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer, normalize  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qingdan.triage import classifier  # noqa: E402
from qingdan.triage.vectorize import CharTfidf, _unpack  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "complaints"

# The department that answered → the first-level category it stands for. Only
# departments whose work falls in one of the 7 labels; 公安, 民政, 财政 ... give none.
DEPARTMENTS = {
    "教育文体": ("教育局", "教育体育局", "教体局", "文化", "体育局", "文旅广", "学校"),
    "劳动和社会保障": (
        "人社局",
        "人力资源和社会保障",
        "社保",
        "医保",
        "医疗保障",
        "劳动监察",
        "劳动保障",
        "就业",
    ),
    "城乡建设": (
        "住建局",
        "住房和城乡建设",
        "城乡建设局",
        "建设局",
        "城管",
        "城市管理",
        "规划",
        "房产",
        "住房保障",
        "不动产",
        "国土",
        "自然资源",
        "市政",
        "园林",
        "征收",
        "拆迁",
        "住房公积金",
    ),
    "环境保护": ("环保局", "环境保护", "生态环境"),
    "交通运输": ("交通运输局", "交通局", "公路局", "运管", "交警", "公交", "地铁"),
    "卫生计生": ("卫生", "卫计", "卫健", "疾控", "疾病预防", "计生", "医院"),
    "商贸旅游": (
        "商务局",
        "工商",
        "市场监督",
        "市场监管",
        "市场和质量监督",
        "质监",
        "物价",
        "旅游",
    ),
}


def weak_label(reply: str) -> str | None:
    """The category whose departments the reply names most often; none on a tie."""
    counts = Counter(
        {label: sum(reply.count(name) for name in names) for label, names in DEPARTMENTS.items()}
    )
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]


def _key(text: str) -> str:
    return re.sub(r"\W", "", text)[:60]


def load():
    with (DATA / "labelled_messages.csv").open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["text"] and r["label"]]
    documents = [(r["title"].strip(), r["text"].strip()) for r in rows]
    labels = np.array([r["label"] for r in rows])
    seen = {_key(r["title"] + r["detail"]) for r in rows}
    pool, weak = [], []
    for name in ("hot_issue_messages.csv", "replied_messages.csv", "unlabelled_messages.csv"):
        with (DATA / name).open(encoding="utf-8-sig") as handle:
            for r in csv.DictReader(handle):
                key = _key(r["留言主题"] + r["留言详情"])
                if key in seen:
                    continue
                seen.add(key)
                title = r["留言主题"].strip()
                pool.append((title, f"{title}\n{r['留言详情'].strip()}"))
                weak.append(weak_label(r.get("答复意见") or ""))
    return documents, labels, pool, weak


# ---------------------------------------------------------------- vector blocks


class PoolSvd(TransformerMixin, BaseEstimator):
    """LSA: character-bigram TF-IDF of the training texts and the pool, reduced by SVD."""

    def __init__(self, pool_texts=(), dim=200):
        self.pool_texts = pool_texts
        self.dim = dim

    def fit(self, texts, y=None):
        everything = list(texts) + list(self.pool_texts)
        self.tfidf_ = CharTfidf(ngram_max=2, min_df=2).fit(everything)
        self.svd_ = TruncatedSVD(self.dim, random_state=0).fit(self.tfidf_.transform(everything))
        return self

    def transform(self, texts):
        return normalize(self.svd_.transform(self.tfidf_.transform(list(texts))))


def _gensim(corpus, dim: int, epochs: int, algorithm: str):
    """CBOW vectors (skip-gram took 58 s on the characters of all texts: over budget)."""
    from gensim.models import FastText, Word2Vec  # only these runs need gensim

    model_class = FastText if algorithm == "fasttext" else Word2Vec
    return model_class(
        corpus, vector_size=dim, window=5, min_count=2, sg=0, workers=1, epochs=epochs, seed=0
    )


class CharVectors(TransformerMixin, BaseEstimator):
    """gensim CBOW character vectors trained on the training texts and the pool; a
    text is the TF-IDF-weighted mean of its characters' vectors (one sparse product, so
    prediction stays fast)."""

    def __init__(self, pool_texts=(), dim=100, epochs=5, algorithm="word2vec"):
        self.pool_texts = pool_texts
        self.dim = dim
        self.epochs = epochs
        self.algorithm = algorithm

    def fit(self, texts, y=None):
        everything = [classifier.clean(t).lower() for t in list(texts) + list(self.pool_texts)]
        model = _gensim([list(t) for t in everything], self.dim, self.epochs, self.algorithm)
        self.tfidf_ = CharTfidf(ngram_max=1, min_df=2).fit(everything)
        table = np.zeros((self.tfidf_.keys_.size, self.dim), dtype=np.float32)
        for row, key in enumerate(self.tfidf_.keys_):
            char = _unpack(int(key))
            if char in model.wv.key_to_index:
                table[row] = model.wv[char]
        self.table_ = table
        return self

    def transform(self, texts):
        return normalize(self.tfidf_.transform([classifier.clean(t) for t in texts]) @ self.table_)


class WordVectors(TransformerMixin, BaseEstimator):
    """gensim word vectors on jieba words (segmented once for all texts: `tokens`
    maps a text to its words); a text is the TF-IDF-weighted mean of its words."""

    def __init__(self, pool_texts=(), tokens=None, dim=100, epochs=5, algorithm="word2vec"):
        self.pool_texts = pool_texts
        self.tokens = tokens
        self.dim = dim
        self.epochs = epochs
        self.algorithm = algorithm

    def fit(self, texts, y=None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        everything = list(texts) + list(self.pool_texts)
        model = _gensim([self.tokens[t] for t in everything], self.dim, self.epochs, self.algorithm)
        self.tfidf_ = TfidfVectorizer(
            analyzer=lambda t: self.tokens[t], min_df=2, sublinear_tf=True
        ).fit(everything)
        names = self.tfidf_.get_feature_names_out()
        self.table_ = np.stack(
            [
                model.wv[w]
                if w in model.wv.key_to_index or self.algorithm == "fasttext"
                else np.zeros(self.dim, np.float32)
                for w in names
            ]
        )
        return self

    def transform(self, texts):
        return normalize(self.tfidf_.transform(list(texts)) @ self.table_)


def _texts(documents):
    return [d[1] for d in documents]


def with_block(pipeline, name, transformer, weight):
    union = pipeline.named_steps["features"]
    union.transformer_list.append((name, make_pipeline(FunctionTransformer(_texts), transformer)))
    union.transformer_weights = {**union.transformer_weights, name: weight}
    return pipeline


# ---------------------------------------------------------------- experiments


class Context:
    def __init__(self, pool, weak):
        self.pool = pool
        self.pool_texts = [d[1] for d in pool]
        self.weak = weak
        self.tokens = None

    def segmented(self, documents):
        import jieba

        if self.tokens is None:
            started = time.perf_counter()
            self.tokens = {}
            for text in self.pool_texts + [d[1] for d in documents]:
                if text not in self.tokens:
                    self.tokens[text] = jieba.lcut(classifier.clean(text).lower())
            print(f"  (jieba: {len(self.tokens)} texts in {time.perf_counter() - started:.1f} s)")
        return self.tokens


def baseline(ctx, docs, y, **_):
    return classifier.fit(docs, y)


def _fit_augmented(docs, y, extra_docs, extra_y, weight, build=None):
    all_docs = list(docs) + list(extra_docs)
    all_y = np.concatenate([y, np.asarray(extra_y, dtype=y.dtype)])
    weights = np.concatenate([np.ones(len(docs)), np.full(len(extra_docs), weight)])
    if build is None:
        return classifier.fit(all_docs, all_y, sample_weight=weights)
    pipeline = build()
    pipeline.fit(all_docs, all_y, classifier__sample_weight=weights)
    return pipeline


def _pseudo(ctx, docs, y, threshold):
    first = classifier.fit(docs, y)
    proba = first.predict_proba(ctx.pool)
    best = proba.argmax(axis=1)
    keep = np.flatnonzero(proba.max(axis=1) >= threshold)
    return keep, first.classes_[best]


def self_train(ctx, docs, y, threshold=0.9, weight=1.0, **_):
    keep, predicted = _pseudo(ctx, docs, y, threshold)
    return _fit_augmented(docs, y, [ctx.pool[i] for i in keep], predicted[keep], weight)


def weak_labels(ctx, docs, y, weight=1.0, agree=False, threshold=0.0, **_):
    keep = [i for i, label in enumerate(ctx.weak) if label is not None]
    labels = [ctx.weak[i] for i in keep]
    if agree:  # only where the first model agrees with the department's category
        _confident, predicted = _pseudo(ctx, docs, y, 0.0)
        pairs = [(i, lab) for i, lab in zip(keep, labels, strict=True) if predicted[i] == lab]
        keep, labels = [i for i, _ in pairs], [lab for _, lab in pairs]
    return _fit_augmented(docs, y, [ctx.pool[i] for i in keep], labels, weight)


def weak_and_self(ctx, docs, y, threshold=0.9, weight=1.0, **_):
    confident, predicted = _pseudo(ctx, docs, y, threshold)
    chosen = {i: predicted[i] for i in confident}
    for i, label in enumerate(ctx.weak):
        if label is not None:
            chosen[i] = label  # the department's category wins over a pseudo-label
    indices = sorted(chosen)
    return _fit_augmented(
        docs, y, [ctx.pool[i] for i in indices], [chosen[i] for i in indices], weight
    )


def vectors(ctx, docs, y, kind="char", weight=0.5, dim=100, algorithm="word2vec", **_):
    def build():
        pipeline = classifier.build_pipeline(**classifier.DEFAULT_PARAMS)
        if kind == "lsa":
            block = PoolSvd(ctx.pool_texts, dim=dim)
        elif kind == "char":
            block = CharVectors(ctx.pool_texts, dim=dim, algorithm=algorithm)
        else:
            block = WordVectors(ctx.pool_texts, ctx.segmented(docs), dim=dim, algorithm=algorithm)
        return with_block(pipeline, "vectors", block, weight)

    pipeline = build()
    pipeline.fit(list(docs), y)
    return pipeline


def transductive_idf(ctx, docs, y, **_):
    """The n-gram vocabulary and idf from the training texts and the pool."""
    pipeline = classifier.build_pipeline(**classifier.DEFAULT_PARAMS)
    union = pipeline.named_steps["features"]
    for _name, steps in union.transformer_list:
        steps.steps[-1] = (steps.steps[-1][0], PoolFitted(steps.steps[-1][1], steps[0], ctx.pool))
    pipeline.fit(list(docs), y)
    return pipeline


class PoolFitted(TransformerMixin, BaseEstimator):
    """A vectorizer fitted on the training texts plus the pool's (same extraction)."""

    def __init__(self, vectorizer=None, extract=None, pool=()):
        self.vectorizer = vectorizer
        self.extract = extract
        self.pool = pool

    def fit(self, texts, y=None):
        self.vectorizer.fit(list(texts) + list(self.extract.transform(list(self.pool))))
        self.fitted_ = True
        return self

    def transform(self, texts):
        return self.vectorizer.transform(texts)


EXPERIMENTS = {
    "baseline": (baseline, {}),
    "self-0.9": (self_train, {"threshold": 0.9}),
    "self-0.8": (self_train, {"threshold": 0.8}),
    "self-0.95": (self_train, {"threshold": 0.95}),
    "self-0.9-w0.3": (self_train, {"threshold": 0.9, "weight": 0.3}),
    "weak-w1": (weak_labels, {"weight": 1.0}),
    "weak-w0.5": (weak_labels, {"weight": 0.5}),
    "weak-agree": (weak_labels, {"agree": True}),
    "weak+self-0.9": (weak_and_self, {"threshold": 0.9}),
    "weak+self-0.9-w0.5": (weak_and_self, {"threshold": 0.9, "weight": 0.5}),
    "idf-pool": (transductive_idf, {}),
    "lsa-200-w0.5": (vectors, {"kind": "lsa", "dim": 200, "weight": 0.5}),
    "lsa-200-w1": (vectors, {"kind": "lsa", "dim": 200, "weight": 1.0}),
    "char-w2v-w0.5": (vectors, {"kind": "char", "weight": 0.5}),
    "char-w2v-w1": (vectors, {"kind": "char", "weight": 1.0}),
    "char-fasttext-w0.5": (vectors, {"kind": "char", "weight": 0.5, "algorithm": "fasttext"}),
    "word-w2v-w0.5": (vectors, {"kind": "word", "weight": 0.5}),
    "word-fasttext-w0.5": (vectors, {"kind": "word", "weight": 0.5, "algorithm": "fasttext"}),
}


def run(name, documents, labels, ctx, seed, folds=5):
    function, params = EXPERIMENTS[name]
    predictions = np.empty(len(labels), dtype=labels.dtype)
    train_time = predict_time = 0.0
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        started = time.perf_counter()
        model = function(ctx, [documents[i] for i in train], labels[train], **params)
        train_time += time.perf_counter() - started
        test_docs = [documents[i] for i in test]
        started = time.perf_counter()
        predictions[test] = model.predict(test_docs)
        predict_time += time.perf_counter() - started
    return (
        f1_score(labels, predictions, average="macro"),
        float(np.mean(predictions == labels)),
        train_time / folds,
        len(labels) / predict_time,
    )


def floor(documents, labels, curve: bool = True) -> None:
    """How far this kind of model can go on this data: the learning curve (training on
    a share of each training fold, pooled out-of-fold macro-F1), a power law fitted to
    it and extrapolated, and the near-copies in the labelled file that carry two labels."""
    from scipy.optimize import curve_fit

    from qingdan.triage.text import _similarity_vectorizer

    shares = (0.2, 0.4, 0.6, 0.8, 1.0) if curve else ()
    sizes, means = [], []
    for share in shares:
        f1s = []
        for seed in (0, 1):
            predictions = np.empty(len(labels), dtype=labels.dtype)
            splitter = StratifiedKFold(5, shuffle=True, random_state=seed)
            for train, test in splitter.split(np.zeros(len(labels)), labels):
                if share < 1.0:
                    train = _subsample(train, labels, share, seed)
                model = classifier.fit([documents[i] for i in train], labels[train])
                predictions[test] = model.predict([documents[i] for i in test])
            f1s.append(f1_score(labels, predictions, average="macro"))
        sizes.append(round(len(labels) * 0.8 * share))
        means.append(float(np.mean(f1s)))
        print(f"floor: {sizes[-1]:5d} training messages  macro-F1 {means[-1]:.4f}", flush=True)
    if curve:
        (a, b, c), _cov = curve_fit(
            lambda n, a, b, c: a - b * np.power(n, -c),
            np.array(sizes, float),
            means,
            p0=(0.95, 1.0, 0.5),
            maxfev=20000,
        )
        for n in (7400, 20000):
            print(
                f"floor: power law a - b n^-c (a {a:.4f}, b {b:.3f}, c {c:.3f}) at {n}: "
                f"{a - b * n**-c:.4f}"
            )
    # Near-copies: cosine of character-bigram counts (the duplicate index's measure).
    vectors = _similarity_vectorizer.transform([d[1] for d in documents])
    close = sp.triu(vectors @ vectors.T, k=1).tocoo()
    near = close.data >= 0.8
    rows, columns = close.row[near], close.col[near]
    disagreeing = int(np.sum(labels[rows] != labels[columns]))
    print(
        f"floor: {near.sum()} pairs of near-copies (bigram cosine >= 0.8), {disagreeing} of "
        f"them with two different labels; {np.unique(np.concatenate([rows, columns])).size} "
        "messages in such pairs"
    )


def _subsample(train: np.ndarray, labels: np.ndarray, share: float, seed: int) -> np.ndarray:
    """A stratified `share` of the training indices."""
    rng = np.random.default_rng(seed)
    kept = []
    for label in np.unique(labels[train]):
        members = train[labels[train] == label]
        kept.extend(rng.choice(members, max(5, round(share * members.size)), replace=False))
    return np.array(sorted(kept))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("experiments", nargs="*")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if args.list or not args.experiments:
        print("\n".join(EXPERIMENTS))
        return
    documents, labels, pool, weak = load()
    found = Counter(label for label in weak if label)
    print(
        f"{len(documents)} labelled, pool {len(pool)} texts, weak labels {sum(found.values())}: "
        + ", ".join(f"{k} {v}" for k, v in found.most_common())
    )
    ctx = Context(pool, weak)
    if args.experiments[0] == "floor":
        floor(documents, labels, curve=args.experiments != ["floor", "copies"])
        return
    for name in args.experiments:
        scores = []
        for seed in args.seeds:
            f1, accuracy, train_seconds, per_second = run(name, documents, labels, ctx, seed)
            scores.append(f1)
            print(
                f"{name:24s} seed {seed}  macro-F1 {f1:.4f}  accuracy {accuracy:.4f}  "
                f"train {train_seconds:5.1f} s/fold  {per_second:7,.0f} predictions/s",
                flush=True,
            )
        print(f"{name:24s} mean over seeds {args.seeds}: {np.mean(scores):.4f}", flush=True)


if __name__ == "__main__":
    main()
