from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qingdan.core.errors import ActionError, ValidationFailed
from qingdan.triage.actions import train_classifier
from qingdan.triage.text import UnreadableFile, read_csv


def read_labelled(file: Path) -> list[tuple[str, str, str]]:
    """(title, text, label) of every row of a CSV with `text` and `label` columns and
    an optional `title` (row n of the list is the file's n-th row after the header)."""
    try:
        _columns, rows = read_csv(file, ("text", "label"))
    except UnreadableFile as error:
        raise CommandError(str(error)) from error
    return [
        ((r.get("title") or "").strip(), (r["text"] or "").strip(), (r["label"] or "").strip())
        for r in rows
    ]


class Command(BaseCommand):
    help = (
        "Train the category classifier on the installation's own finished cases, or on a "
        "CSV (--from) with text and label columns (label: a category's code or name). The "
        "new model replaces the active one only if it is not worse on the held-out slice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="source",
            type=Path,
            help="a CSV with text, label (and title) columns instead of the closed cases",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="make the new model the active one even if it is worse on the held-out slice",
        )
        parser.add_argument(
            "--no-eval", action="store_true", help="skip the 5-fold cross-validation figures"
        )
        parser.add_argument("--limit", type=int, help="use at most this many recent cases")

    def handle(self, *args, source: Path | None, force: bool, no_eval: bool, limit, **options):
        rows = read_labelled(source) if source else None
        try:
            model = train_classifier(
                None, evaluate=not no_eval, limit=limit, rows=rows, force=force
            )
        except ValidationFailed as error:
            raise CommandError(
                " ".join(str(m) for messages in error.errors.values() for m in messages)
            ) from error
        except ActionError as error:
            hint = (
                _(" Use --force to replace it all the same.") if error.code == "worse_model" else ""
            )
            raise CommandError(str(error.message) + hint) from error
        metrics = model.metrics
        self.stdout.write(
            _("Classifier v%(version)d trained on %(n)d cases, %(classes)d categories.")
            % {"version": model.version, "n": model.n_samples, "classes": len(model.classes)}
        )
        if "macro_f1" in metrics:
            self.stdout.write(
                _(
                    "5-fold cross-validation: macro-F1 %(f1).4f, accuracy %(acc).4f, "
                    "top-2 accuracy %(top2).4f"
                )
                % {
                    "f1": metrics["macro_f1"],
                    "acc": metrics["accuracy"],
                    "top2": metrics["top2_accuracy"],
                }
            )
        if "after_macro_f1" not in metrics:
            self.stdout.write(_("Too few cases for a held-out slice: no comparison."))
            return
        self.stdout.write(
            _("Held-out slice (%(n)d cases, never trained on): macro-F1 after %(after).4f")
            % {"n": metrics["held_out"], "after": metrics["after_macro_f1"]}
        )
        if "before_macro_f1" in metrics:
            self.stdout.write(
                _("  before (v%(version)d) %(before).4f")
                % {"version": metrics["replaced_version"], "before": metrics["before_macro_f1"]}
            )
        if metrics.get("forced"):
            self.stdout.write(
                _("The new model is worse, but replaces v%(version)d as --force asked.")
                % {"version": metrics["replaced_version"]}
            )
