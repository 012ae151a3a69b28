"""How good the category classifier is: stratified k-fold cross-validation (macro-F1,
accuracy, top-2 accuracy, calibration of the confidence, and what a confidence threshold
gives: the share of messages that get a suggestion and how often it is right), and the
comparison of two models on a held-out slice that no model trained here ever sees.

Plain scikit-learn on (title, text) documents, independent of the database.
"""

import hashlib
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from .classifier import DEFAULT_PARAMS, Document, build_pipeline, fit
from .text import compact

# The small grid searched inside each training fold by `eval-classifier --nested`.
NESTED_GRID = {"C": [0.5, 1.5, 4.0], "title_weight": [0.4, 0.8]}
# The thresholds `eval-classifier` tabulates for an administrator choosing one.
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CALIBRATION_BINS = 10


@dataclass
class Scores:
    """Figures of a set of predictions: `proba` is one row per message, one column per
    class of `classes`, and `labels` the true classes."""

    labels: np.ndarray
    classes: np.ndarray
    proba: np.ndarray
    predictions: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.predictions = self.classes[self.proba.argmax(axis=1)]

    @property
    def confidence(self) -> np.ndarray:
        return self.proba.max(axis=1)

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.predictions == self.labels))

    @property
    def macro_f1(self) -> float:
        return float(f1_score(self.labels, self.predictions, average="macro", zero_division=0))

    @property
    def top2_accuracy(self) -> float:
        """The right category among the first two suggested."""
        if self.proba.shape[1] < 2:
            return self.accuracy
        top2 = self.classes[np.argsort(-self.proba, axis=1)[:, :2]]
        return float(np.mean((top2 == self.labels[:, None]).any(axis=1)))

    def at_threshold(self, threshold: float) -> tuple[float, float]:
        """(coverage, accuracy): the share of messages whose first suggestion is at least
        `threshold` sure, and how often that suggestion is right among them."""
        shown = self.confidence >= threshold
        if not shown.any():
            return 0.0, 0.0
        return float(shown.mean()), float(np.mean(self.predictions[shown] == self.labels[shown]))

    @property
    def calibration_error(self) -> float:
        """Expected calibration error of the first suggestion's confidence: the gap
        between how sure it says it is and how often it is right, averaged over ten
        confidence bins weighted by their messages (0 = perfectly calibrated)."""
        confidence, right = self.confidence, self.predictions == self.labels
        bins = np.minimum((confidence * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
        error = 0.0
        for number in range(CALIBRATION_BINS):
            inside = bins == number
            if inside.any():
                error += inside.mean() * abs(confidence[inside].mean() - right[inside].mean())
        return float(error)

    def per_class_f1(self) -> dict[str, float]:
        classes = sorted(set(self.labels.tolist()))
        scores = f1_score(
            self.labels, self.predictions, average=None, labels=classes, zero_division=0
        )
        return {str(c): float(f) for c, f in zip(classes, scores, strict=True)}

    def as_dict(self) -> dict:
        return {
            "n_samples": int(self.labels.size),
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "top2_accuracy": round(self.top2_accuracy, 4),
            "calibration_error": round(self.calibration_error, 4),
        }


def scores(pipeline, documents: Sequence[Document], labels) -> Scores:
    """A fitted pipeline's figures on documents it did not learn from."""
    return Scores(np.asarray(labels), pipeline.classes_, pipeline.predict_proba(list(documents)))


@dataclass
class Evaluation(Scores):
    folds: int = 5
    seed: int = 0
    train_seconds: float = 0.0  # mean per fold
    predictions_per_second: float = 0.0
    fold_macro_f1: list[float] = field(default_factory=list)
    chosen_params: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            **super().as_dict(),
            "folds": self.folds,
            "seed": self.seed,
            "per_class_f1": {k: round(v, 4) for k, v in self.per_class_f1().items()},
            "train_seconds": round(self.train_seconds, 2),
            "predictions_per_second": round(self.predictions_per_second),
        }


def _grid(grid: dict[str, list]) -> list[dict]:
    keys = list(grid)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*grid.values())]


def select_params(documents, labels, grid: dict[str, list], seed: int, folds: int = 3) -> dict:
    """The grid point with the best macro-F1 in an inner cross-validation on the
    training documents only (so the outer test fold never influences the choice)."""
    labels = np.asarray(labels)
    splits = list(
        StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(labels)), labels)
    )
    best, best_score = None, -1.0
    for params in _grid(grid):
        predictions = np.empty(len(labels), dtype=labels.dtype)
        for train, test in splits:
            pipeline = build_pipeline(**{**DEFAULT_PARAMS, **params}, calibrate=False)
            pipeline.fit([documents[i] for i in train], labels[train])
            predictions[test] = pipeline.predict([documents[i] for i in test])
        score = f1_score(labels, predictions, average="macro")
        if score > best_score:
            best, best_score = params, score
    assert best is not None
    return best


def cross_validate(
    documents: Sequence[Document],
    labels: Sequence,
    *,
    folds: int = 5,
    seed: int = 0,
    nested: bool = False,
    progress=None,
) -> Evaluation:
    """Stratified k-fold: every fold's vectorizers and model are fitted on its training
    part only; each message is scored once, by the model that never saw it."""
    documents = list(documents)
    y = np.asarray(labels)
    classes = np.unique(y)
    proba = np.zeros((len(y), classes.size))
    train_time = predict_time = 0.0
    fold_scores, chosen = [], []
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for number, (train, test) in enumerate(splitter.split(np.zeros(len(y)), y), 1):
        train_docs = [documents[i] for i in train]
        params = dict(DEFAULT_PARAMS)
        if nested:
            params.update(select_params(train_docs, y[train], NESTED_GRID, seed))
        chosen.append(params)
        started = time.perf_counter()
        pipeline = fit(train_docs, y[train], **params)
        train_time += time.perf_counter() - started
        test_docs = [documents[i] for i in test]
        # Best of three passes: the machine is shared, and the figure is the model's speed.
        passes = []
        for _ in range(3):
            started = time.perf_counter()
            fold_proba = pipeline.predict_proba(test_docs)
            passes.append(time.perf_counter() - started)
        predict_time += min(passes)
        columns = np.searchsorted(classes, pipeline.classes_)
        proba[np.ix_(test, columns)] = fold_proba
        fold_scores.append(Scores(y[test], classes, proba[test]).macro_f1)
        if progress:
            progress(number, params, fold_scores[-1])
    return Evaluation(
        labels=y,
        classes=classes,
        proba=proba,
        folds=folds,
        seed=seed,
        train_seconds=train_time / folds,
        predictions_per_second=len(y) / predict_time if predict_time else 0.0,
        fold_macro_f1=fold_scores,
        chosen_params=chosen,
    )


# ---------------------------------------------------------------- held-out slice

HELD_OUT_SHARE = 5  # one message in five
MIN_HELD_OUT = 10  # fewer than this compare nothing
SHOWN_ERRORS = 5  # rows named in an error message


def held_out(document: Document) -> bool:
    """Whether a message belongs to the held-out slice: decided by its words alone, so
    the same message (in a CSV or as a case) is always in it or never, and a model
    trained here never learns from the messages its successors are compared on."""
    digest = hashlib.blake2b(compact(document[1]).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % HELD_OUT_SHARE == 0


def compare(candidate, current, documents: Sequence[Document], labels: Sequence) -> dict:
    """Macro-F1 (and accuracy) of the current and the candidate model on the held-out
    slice. A model that does not know a category gets its messages wrong."""
    truth = np.asarray(labels)
    result: dict[str, float] = {"held_out": int(truth.size)}
    for name, model in (("before", current), ("after", candidate)):
        if model is None:
            continue
        figures = scores(model, documents, truth.astype(model.classes_.dtype))
        result[f"{name}_macro_f1"] = round(figures.macro_f1, 4)
        result[f"{name}_accuracy"] = round(figures.accuracy, 4)
        result[f"{name}_top2_accuracy"] = round(figures.top2_accuracy, 4)
    return result
