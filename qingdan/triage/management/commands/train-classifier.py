from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qingdan.core.errors import ActionError
from qingdan.triage.actions import train_classifier


class Command(BaseCommand):
    help = "Train the category classifier on the organisation's own categorised cases."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-eval", action="store_true", help="skip the 5-fold cross-validation figures"
        )
        parser.add_argument("--limit", type=int, help="use at most this many recent cases")

    def handle(self, *args, no_eval: bool, limit: int | None, **options):
        try:
            model = train_classifier(None, evaluate=not no_eval, limit=limit)
        except ActionError as error:
            raise CommandError(str(error.message)) from error
        metrics = model.metrics
        self.stdout.write(
            _("Classifier v%(version)d trained on %(n)d cases, %(classes)d categories.")
            % {"version": model.version, "n": model.n_samples, "classes": len(model.classes)}
        )
        if "macro_f1" in metrics:
            self.stdout.write(
                _("5-fold cross-validation: macro-F1 %(f1).4f, accuracy %(acc).4f")
                % {"f1": metrics["macro_f1"], "acc": metrics["accuracy"]}
            )
