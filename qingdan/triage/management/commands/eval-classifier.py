import csv
import platform
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qingdan.triage import classifier


class Command(BaseCommand):
    help = (
        "Evaluate the category classifier on a CSV with `text` and `label` columns "
        "(and an optional `title`): stratified k-fold cross-validation with a fixed seed."
    )
    requires_migrated_database = False  # reads a CSV only (qingdan.core.database)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--nested",
            action="store_true",
            help="choose C and the title weight by an inner 3-fold CV inside each training fold",
        )

    def handle(self, *args, file: Path, folds: int, seed: int, nested: bool, **options):
        try:
            with file.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                columns = set(reader.fieldnames or [])
                if not {"text", "label"} <= columns:
                    raise CommandError(
                        _("%(file)s needs the columns text and label (found: %(found)s).")
                        % {"file": file, "found": ", ".join(sorted(columns)) or "-"}
                    )
                rows = [r for r in reader if (r.get("text") or "").strip() and r.get("label")]
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
            ) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": file}) from exc
        labels = [r["label"].strip() for r in rows]
        smallest = min((labels.count(label) for label in set(labels)), default=0)
        if len(set(labels)) < 2 or smallest < folds:
            raise CommandError(
                _("Need at least two labels with %(folds)d rows each (smallest has %(n)d).")
                % {"folds": folds, "n": smallest}
            )
        # The title, when given, is weighted on its own; `text` is used as it is.
        documents = [((r.get("title") or "").strip(), r["text"].strip()) for r in rows]

        def progress(number, params, score):
            self.stdout.write(
                _("fold %(n)d: macro-F1 %(f1).4f  params %(params)s")
                % {"n": number, "f1": score, "params": params}
            )

        result = classifier.cross_validate(
            documents, labels, folds=folds, seed=seed, nested=nested, progress=progress
        )
        self.stdout.write(
            _("%(n)d messages, %(k)d labels, stratified %(folds)d-fold CV, seed %(seed)d%(nested)s")
            % {
                "n": result.n_samples,
                "k": len(result.per_class_f1),
                "folds": folds,
                "seed": seed,
                "nested": _(", nested parameter choice") if nested else "",
            }
        )
        self.stdout.write(_("accuracy     %(v).4f") % {"v": result.accuracy})
        self.stdout.write(_("macro-F1     %(v).4f") % {"v": result.macro_f1})
        for label, score in sorted(result.per_class_f1.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  F1 {score:.4f}  {label}")
        self.stdout.write(
            _("train time   %(v).2f s per fold (%(n)d messages)")
            % {"v": result.train_seconds, "n": result.n_samples * (folds - 1) // folds}
        )
        self.stdout.write(
            _("predictions  %(v).0f messages/s (one process, %(cpu)s)")
            % {
                "v": result.predictions_per_second,
                "cpu": platform.processor() or platform.machine(),
            }
        )
