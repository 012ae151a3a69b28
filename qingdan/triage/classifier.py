"""The category classifier: character n-gram TF-IDF of the title, of the whole text and of
its opening characters, a linear SVM with sigmoid-calibrated probabilities, and
explanations from its weights.

Documents are `(title, text)` pairs (see `text.case_document`). Everything here is
plain scikit-learn and independent of the database, so the evaluation command can
run it on any CSV.
"""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import joblib
import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from .vectorize import CharTfidf

Document = tuple[str, str]

# The fixed configuration. The choices (digits folded, the opening block, C=3) were made on
# stratified 5-fold splits with seeds 1-4; `eval-classifier` reports seed 0.
DEFAULT_PARAMS = {
    "C": 3.0,
    "title_weight": 0.8,
    "ngram_max": 2,
    "head_weight": 0.5,
    "head_chars": 50,
}
MIN_PER_CLASS = 5


def _titles(documents: Sequence[Document]) -> list[str]:
    return [document[0] for document in documents]


def _texts(documents: Sequence[Document]) -> list[str]:
    return [document[1] for document in documents]


# `_titles` and `_texts` stay for models stored before the text was cleaned.
_DIGITS = re.compile(r"[0-9]+")
_EXCEL_RETURN = "_x000D_"  # a carriage return as spreadsheets export it


def clean(text: str) -> str:
    """Every run of digits as one "0" (dates, amounts, phone numbers and house numbers
    say little about the category, and split one n-gram into many)."""
    return _DIGITS.sub("0", text.replace(_EXCEL_RETURN, " ") if _EXCEL_RETURN in text else text)


def _clean_titles(documents: Sequence[Document]) -> list[str]:
    return [clean(document[0]) for document in documents]


def _clean_texts(documents: Sequence[Document]) -> list[str]:
    return [clean(document[1]) for document in documents]


class _Heads:
    """The opening characters of the text: the title, or the first sentence when the
    title is not given apart. A class, not a closure, so that the model pickles."""

    def __init__(self, chars: int):
        self.chars = chars

    def __call__(self, documents: Sequence[Document]) -> list[str]:
        return [clean(document[1][: self.chars]) for document in documents]


def _char_tfidf(ngram_max: int) -> CharTfidf:
    return CharTfidf(ngram_max=ngram_max, min_df=2)


def build_pipeline(
    C: float = 3.0,
    title_weight: float = 0.8,
    ngram_max: int = 2,
    calibrate: bool = True,
    head_weight: float = 0.5,
    head_chars: int = 50,
) -> Pipeline:
    blocks = [
        ("title", make_pipeline(FunctionTransformer(_clean_titles), _char_tfidf(ngram_max))),
        ("text", make_pipeline(FunctionTransformer(_clean_texts), _char_tfidf(ngram_max))),
    ]
    weights = {"title": title_weight, "text": 1.0}
    if head_weight:
        head = make_pipeline(FunctionTransformer(_Heads(head_chars)), _char_tfidf(ngram_max))
        blocks.append(("head", head))
        weights["head"] = head_weight
    features = FeatureUnion(blocks, transformer_weights=weights)
    # Balanced class weights: the small categories matter as much as the big ones
    # (the score is macro-F1, and a clerk needs them suggested too).
    svm = LinearSVC(C=C, class_weight="balanced")
    classifier = (
        CalibratedClassifierCV(svm, method="sigmoid", cv=3, ensemble=False) if calibrate else svm
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def fit(documents: Sequence[Document], labels: Sequence, sample_weight=None, **params) -> Pipeline:
    pipeline = build_pipeline(**{**DEFAULT_PARAMS, **params})
    extra = {} if sample_weight is None else {"classifier__sample_weight": sample_weight}
    pipeline.fit(list(documents), np.asarray(labels), **extra)
    return pipeline


def dumps(pipeline: Pipeline) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def loads(blob: bytes | memoryview) -> Pipeline:
    return joblib.load(io.BytesIO(bytes(blob)))


@dataclass
class Explained:
    """A trained pipeline, unpacked for fast single-message use and for explanations.

    scikit-learn's per-call overhead (validation, tags, FeatureUnion dispatch) costs
    ~3 ms per message; suggestions at intake take one message at a time, so the
    fitted parts are applied directly here: the vectorizers, the SVM's weights and
    the sigmoid calibrators (Platt). `predict_proba` equals the pipeline's (tested).
    """

    pipeline: Pipeline
    classes: np.ndarray = field(init=False)
    coef: np.ndarray = field(init=False)
    names: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        union = self.pipeline.named_steps["features"]
        weights = union.transformer_weights or {}
        # (field extractor, fitted vectorizer, weight) for each block of the union.
        self._blocks = [
            (steps[0].func, steps[-1], weights.get(name, 1.0))
            for name, steps in union.transformer_list
        ]
        classifier = self.pipeline.named_steps["classifier"]
        if isinstance(classifier, CalibratedClassifierCV):
            calibrated = classifier.calibrated_classifiers_[0]
            svm = calibrated.estimator
            self._platt: list[tuple] | None = [(c.a_, c.b_) for c in calibrated.calibrators]
        else:
            svm, self._platt = classifier, None
        self.classes = classifier.classes_
        self._weights, self._intercept = svm.coef_, svm.intercept_
        coef = svm.coef_
        if coef.shape[0] == 1:  # two classes: one weight vector, for the second class
            coef = np.vstack([-coef[0], coef[0]])
        self.coef = coef
        self.names = np.concatenate(
            [vectorizer.get_feature_names_out() for _f, vectorizer, _w in self._blocks]
        )

    def features(self, documents: Sequence[Document]):
        documents = list(documents)
        return sp.hstack(
            [
                weight * vectorizer.transform(extract(documents))
                for extract, vectorizer, weight in self._blocks
            ]
        ).tocsr()

    def predict_proba(self, documents: Sequence[Document], features=None) -> np.ndarray:
        features = self.features(documents) if features is None else features
        decision = np.asarray(features @ self._weights.T) + self._intercept
        n_classes = len(self.classes)
        if self._platt is None:
            if decision.shape[1] == 1:
                decision = np.hstack([-decision, decision])
            scores = np.exp(decision - decision.max(axis=1, keepdims=True))
            return scores / scores.sum(axis=1, keepdims=True)
        proba = np.zeros((decision.shape[0], n_classes))
        if n_classes == 2:
            a, b = self._platt[0]
            proba[:, 1] = expit(-(a * decision[:, 0] + b))
            proba[:, 0] = 1.0 - proba[:, 1]
            return proba
        for index, (a, b) in enumerate(self._platt):
            proba[:, index] = expit(-(a * decision[:, index] + b))
        total = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1 / n_classes)
        return np.divide(proba, total, out=uniform, where=total != 0)

    def top(self, document: Document, k: int = 3, words: int = 6) -> list[dict]:
        """The k most likely classes, each with the n-grams that pushed towards it."""
        features = self.features([document])
        probabilities = self.predict_proba([document], features)[0]
        return [
            {
                "label": self.classes[index],
                "probability": float(probabilities[index]),
                "words": self._reasons(features, index, words, document) if words else [],
            }
            for index in np.argsort(-probabilities)[:k]
        ]

    def _reasons(self, features, class_index: int, limit: int, document: Document) -> list[dict]:
        # Digits are folded to "0" for the model; a reason is shown only if the clerk
        # can find it in the message as written.
        written = f"{document[0]}\n{document[1]}".lower()
        columns = features.indices
        contributions = features.data * self.coef[class_index, columns]
        # The same n-gram may count in the title and in the text: add the two up.
        strongest = np.argsort(-contributions)[: limit * 8]
        merged: dict[str, float] = {}
        for position in strongest:
            weight = float(contributions[position])
            if weight <= 0:
                break
            name = str(self.names[columns[position]])
            if name not in written:
                continue
            merged[name] = merged.get(name, 0.0) + weight
        # Single characters explain little to a clerk; show them only if nothing else.
        ranked = sorted(merged.items(), key=lambda item: -item[1])
        readable = [item for item in ranked if len(item[0].strip()) > 1] or ranked
        return [{"text": name, "weight": round(weight, 4)} for name, weight in readable[:limit]]
