"""`qingdan train-classifier`: from a CSV (an installation without categorised cases),
the held-out slice no model trained here learns from, and the rule that a worse model
never replaces a better one unless --force says so (issue 19)."""

import csv
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import translation

from qingdan.core.errors import ActionError
from qingdan.triage import actions, evaluation
from qingdan.triage.models import ClassifierModel
from qingdan.triage.text import case_document

FIXTURE = Path(__file__).parent / "fixtures" / "labelled_small.csv"
# A systematic mislabelling: a model learnt from it gets every held-out message wrong.
ROTATED = {"城乡建设": "劳动和社会保障", "劳动和社会保障": "教育文体", "教育文体": "城乡建设"}


def clean_rows() -> list[tuple[str, str, str]]:
    with FIXTURE.open(encoding="utf-8") as handle:
        return [(r["title"], r["text"], r["label"]) for r in csv.DictReader(handle)]


def in_slice(row) -> bool:
    return evaluation.held_out(case_document(row[0], row[1]))


def mislabelled_rows() -> list[tuple[str, str, str]]:
    """The training part mislabelled, the held-out slice as it is."""
    return [row if in_slice(row) else (*row[:2], ROTATED[row[2]]) for row in clean_rows()]


def run(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("train-classifier", *args, stdout=out)
    return out.getvalue()


class TrainingTests(TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)

    def write(self, rows) -> Path:
        path = Path(self.folder.name) / f"rows{len(list(Path(self.folder.name).iterdir()))}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["title", "text", "label"])
            writer.writerows(rows)
        return path

    def test_trains_from_a_csv_leaving_out_the_held_out_slice(self):
        report = run("--from", str(FIXTURE), "--no-eval")
        model = ClassifierModel.objects.get(is_active=True)
        held = sum(in_slice(row) for row in clean_rows())
        self.assertGreaterEqual(held, evaluation.MIN_HELD_OUT)
        self.assertEqual(model.n_samples, 90 - held)
        self.assertEqual(model.metrics["source"], "file")
        self.assertEqual(model.metrics["held_out"], held)
        self.assertGreater(model.metrics["after_macro_f1"], 0.8)
        self.assertNotIn("before_macro_f1", model.metrics)
        self.assertIn(f"Held-out slice ({held} cases, never trained on)", report)

    def test_a_label_that_is_no_category_is_refused_naming_the_row(self):
        rows = clean_rows()
        rows[2] = (rows[2][0], rows[2][1], "不存在的分类")
        with translation.override("en"), self.assertRaises(CommandError) as raised:
            run("--from", str(self.write(rows)))
        self.assertIn("rows 3 (不存在的分类)", str(raised.exception))
        self.assertFalse(ClassifierModel.objects.exists())

    def test_a_worse_model_does_not_replace_a_better_one_without_force(self):
        good = actions.train_classifier(None, rows=clean_rows(), evaluate=False)
        with self.assertRaises(ActionError) as raised:
            actions.train_classifier(None, rows=mislabelled_rows(), evaluate=False)
        self.assertEqual(raised.exception.code, "worse_model")
        self.assertEqual(list(ClassifierModel.objects.all()), [good])
        self.assertTrue(ClassifierModel.objects.get().is_active)

        mislabelled = self.write(mislabelled_rows())
        with translation.override("en"), self.assertRaises(CommandError) as refused:
            run("--from", str(mislabelled), "--no-eval")
        self.assertIn("Use --force", str(refused.exception))
        self.assertEqual(ClassifierModel.objects.count(), 1)

        report = run("--from", str(mislabelled), "--no-eval", "--force")
        forced = ClassifierModel.objects.get(is_active=True)
        self.assertEqual(forced.version, 2)
        self.assertTrue(forced.metrics["forced"])
        self.assertLess(forced.metrics["after_macro_f1"], forced.metrics["before_macro_f1"])
        self.assertIn("replaces v1 as --force asked", report)

    def test_a_better_model_replaces_the_active_one_reporting_before_and_after(self):
        actions.train_classifier(None, rows=mislabelled_rows(), evaluate=False)
        report = run("--from", str(FIXTURE))
        model = ClassifierModel.objects.get(is_active=True)
        self.assertEqual(model.version, 2)
        self.assertGreater(model.metrics["after_macro_f1"], model.metrics["before_macro_f1"])
        self.assertFalse(model.metrics["forced"])
        self.assertEqual(model.metrics["replaced_version"], 1)
        self.assertIn("before (v1)", report)
        self.assertIn("top-2 accuracy", report)
