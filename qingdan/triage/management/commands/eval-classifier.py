import platform
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qingdan.triage import evaluation
from qingdan.triage.actions import training_cases
from qingdan.triage.models import CategorySuggestion, TriageSettings
from qingdan.triage.suggestions import active_model
from qingdan.triage.text import UnreadableFile, case_document, read_csv


def _read_csv(file: Path) -> tuple[list, list]:
    try:
        _columns, rows = read_csv(file, ("text", "label"))
    except UnreadableFile as error:
        raise CommandError(str(error)) from error
    rows = [r for r in rows if (r.get("text") or "").strip() and r.get("label")]
    # The title, when given, is weighted on its own; `text` is used as it is.
    documents = [((r.get("title") or "").strip(), r["text"].strip()) for r in rows]
    return documents, [r["label"].strip() for r in rows]


class Command(BaseCommand):
    help = (
        "Evaluate the category classifier by stratified k-fold cross-validation with a fixed "
        "seed, on the installation's own finished cases or on a CSV with `text` and `label` "
        "columns (and an optional `title`): macro-F1, accuracy, top-2 accuracy, calibration, "
        "and what the suggestion threshold set in the admin gives."
    )
    requires_migrated_database = False  # reads a CSV only (qingdan.core.database)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?", help="a CSV (default: the database)")
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--nested",
            action="store_true",
            help="choose C and the title weight by an inner 3-fold CV inside each training fold",
        )

    def handle(self, *args, file: Path | None, folds: int, seed: int, nested: bool, **options):
        if file is None:
            rows = list(training_cases().values_list("title", "content", "category__name"))
            documents = [case_document(title, content) for title, content, _c in rows]
            labels = [name for _t, _c, name in rows]
            source = _("the installation's finished or confirmed cases")
        else:
            documents, labels = _read_csv(file)
            source = str(file)
        smallest = min((labels.count(label) for label in set(labels)), default=0)
        if len(set(labels)) < 2 or smallest < folds:
            raise CommandError(
                _("Need at least two labels with %(folds)d rows each (smallest has %(n)d).")
                % {"folds": folds, "n": smallest}
            )

        def progress(number, params, score):
            self.stdout.write(
                _("fold %(n)d: macro-F1 %(f1).4f  params %(params)s")
                % {"n": number, "f1": score, "params": params}
            )

        result = evaluation.cross_validate(
            documents, labels, folds=folds, seed=seed, nested=nested, progress=progress
        )
        self.stdout.write(
            _(
                "%(n)d messages of %(source)s, %(k)d labels, stratified %(folds)d-fold CV, "
                "seed %(seed)d%(nested)s"
            )
            % {
                "n": result.labels.size,
                "source": source,
                "k": result.classes.size,
                "folds": folds,
                "seed": seed,
                "nested": _(", nested parameter choice") if nested else "",
            }
        )
        self.stdout.write(_("accuracy        %(v).4f") % {"v": result.accuracy})
        self.stdout.write(_("macro-F1        %(v).4f") % {"v": result.macro_f1})
        self.stdout.write(_("top-2 accuracy  %(v).4f") % {"v": result.top2_accuracy})
        self.stdout.write(
            _("calibration     %(v).4f (expected gap between confidence and accuracy)")
            % {"v": result.calibration_error}
        )
        for label, score in sorted(result.per_class_f1().items(), key=lambda item: -item[1]):
            self.stdout.write(f"  F1 {score:.4f}  {label}")
        self._thresholds(result)
        self.stdout.write(
            _("train time   %(v).2f s per fold (%(n)d messages)")
            % {"v": result.train_seconds, "n": result.labels.size * (folds - 1) // folds}
        )
        self.stdout.write(
            _("predictions  %(v).0f messages/s (one process, %(cpu)s)")
            % {
                "v": result.predictions_per_second,
                "cpu": platform.processor() or platform.machine(),
            }
        )
        if file is None:
            self._recorded()

    def _thresholds(self, result: evaluation.Evaluation) -> None:
        threshold = TriageSettings.load().suggestion_threshold
        self.stdout.write(
            _("suggestion threshold (admin): %(t).2f") % {"t": threshold}
            + "  "
            + _("a suggestion for %(coverage).1f%% of the messages, right for %(accuracy).1f%%")
            % self._coverage(result, threshold)
        )
        self.stdout.write(_("  threshold  shown  right"))
        for candidate in evaluation.THRESHOLDS:
            figures = self._coverage(result, candidate)
            self.stdout.write(
                f"  {candidate:9.2f}  {figures['coverage']:4.1f}%  {figures['accuracy']:4.1f}%"
            )

    @staticmethod
    def _coverage(scores: evaluation.Scores, threshold: float) -> dict:
        coverage, accuracy = scores.at_threshold(threshold)
        return {"coverage": coverage * 100, "accuracy": accuracy * 100}

    def _recorded(self) -> None:
        """What the active model suggested at registration against what clerks chose."""
        model = active_model()
        if model is None:
            return
        threshold = TriageSettings.load().suggestion_threshold
        recorded = CategorySuggestion.objects.filter(
            model=model, chosen_category__isnull=False
        ).exclude(suggested=[])
        total = shown = right = right2 = 0
        for suggested, chosen in recorded.values_list("suggested", "chosen_category_id"):
            total += 1
            ranked = [item["category"] for item in suggested]
            right2 += chosen in ranked[:2]
            if suggested[0]["probability"] >= threshold:
                shown += 1
                right += ranked[0] == chosen
        if not total:
            return
        self.stdout.write(
            _(
                "model v%(version)d at registration, %(n)d cases with a chosen category: "
                "top-2 right %(top2).1f%%; above the threshold %(shown).1f%% shown, "
                "%(right).1f%% of those right"
            )
            % {
                "version": model.version,
                "n": total,
                "top2": 100 * right2 / total,
                "shown": 100 * shown / total,
                "right": 100 * right / shown if shown else 0.0,
            }
        )
