"""Category and unit suggestions at intake, from the active trained classifier."""

import threading
from dataclasses import dataclass, field

from django.db.models import Q

from qingdan.orgs.choices import Level
from qingdan.orgs.models import Category, Department, Jurisdiction

from . import classifier
from .models import ClassifierModel, TriageSettings
from .text import case_document

_lock = threading.Lock()
_loaded: dict[tuple, classifier.Explained] = {}


def active_model() -> ClassifierModel | None:
    return ClassifierModel.objects.filter(is_active=True).defer("blob").order_by("-version").first()


def explained(model: ClassifierModel) -> classifier.Explained:
    """The unpickled pipeline of `model`, loaded once per process."""
    key = (model.pk, model.version, model.trained_at)
    with _lock:
        cached = _loaded.get(key)
        if cached is None:
            blob = ClassifierModel.objects.values_list("blob", flat=True).get(pk=model.pk)
            cached = classifier.Explained(classifier.loads(blob))
            _loaded.clear()  # keep one model in memory: the active one
            _loaded[key] = cached
        return cached


@dataclass
class Suggestion:
    category: Category
    probability: float
    words: list[dict]
    units: list[Department] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "category": {
                "id": self.category.pk,
                "code": self.category.code,
                "name": self.category.name,
            },
            "probability": round(self.probability, 4),
            "words": self.words,
            "units": [{"id": u.pk, "code": u.code, "name": str(u)} for u in self.units],
        }


@dataclass
class SuggestionResult:
    model: ClassifierModel | None
    suggestions: list[Suggestion]
    threshold: float = 0.0
    # The classifier was less sure than the threshold: nothing is suggested.
    withheld: bool = False

    def as_dict(self) -> dict:
        """JSON for the API: {"model_version": 3, "suggestions": [...], ...}."""
        return {
            "model_version": self.model.version if self.model else None,
            "suggestions": [s.as_dict() for s in self.suggestions],
            "threshold": self.threshold,
            "withheld": self.withheld,
        }


def units_in_charge(
    categories: list[Category], jurisdiction: Jurisdiction | None
) -> dict[int, list[Department]]:
    """Active units in charge of each category (Department.categories) that can work on
    a problem in `jurisdiction`: its own town's offices first, then the city's bureaus."""
    units = Department.objects.filter(categories__in=categories, is_active=True).select_related(
        "jurisdiction"
    )
    if jurisdiction is not None:
        town = jurisdiction.ancestor(Level.TOWN)
        city = jurisdiction.ancestor(Level.CITY)
        units = units.filter(Q(jurisdiction=town) | Q(jurisdiction=city))
    by_category: dict[int, list[Department]] = {c.pk: [] for c in categories}
    for unit in units.distinct().prefetch_related("categories"):
        for category in unit.categories.all():
            if category.pk in by_category:
                by_category[category.pk].append(unit)
    order: dict[str, int] = {Level.VILLAGE: 0, Level.TOWN: 1, Level.CITY: 2}
    for listed in by_category.values():
        listed.sort(key=lambda u: (order.get(u.jurisdiction.level, 3), u.name))
    return by_category


def suggest_category(
    title: str,
    content: str,
    *,
    jurisdiction: Jurisdiction | None = None,
    top: int = 2,
    model: ClassifierModel | None = None,
) -> SuggestionResult:
    """The `top` most likely categories for a new problem, each with its calibrated
    probability, the words behind it and the units in charge. Empty without a trained
    model, and withheld when the first is less likely than the threshold an
    administrator set (TriageSettings): a wrong suggestion misroutes a case."""
    model = model or active_model()
    if model is None or not ((title or "").strip() or (content or "").strip()):
        return SuggestionResult(model, [])
    threshold = TriageSettings.load().suggestion_threshold
    ranked = explained(model).top(case_document(title, content), k=top)
    if not ranked or ranked[0]["probability"] < threshold:
        return SuggestionResult(model, [], threshold=threshold, withheld=True)
    categories = Category.objects.in_bulk([int(item["label"]) for item in ranked])
    found = [categories[int(item["label"])] for item in ranked if int(item["label"]) in categories]
    units = units_in_charge(found, jurisdiction)
    suggestions = [
        Suggestion(
            category=categories[int(item["label"])],
            probability=item["probability"],
            words=item["words"],
            units=units.get(int(item["label"]), []),
        )
        for item in ranked
        if int(item["label"]) in categories
    ]
    return SuggestionResult(model, suggestions, threshold=threshold)
