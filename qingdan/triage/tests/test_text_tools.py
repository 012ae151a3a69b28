"""Pure functions: the fast TF-IDF equals scikit-learn's, MinHash and its index, the
evaluation command on a small CSV."""

import csv
import tempfile
from io import StringIO
from pathlib import Path

import numpy as np
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase
from django.utils import translation
from sklearn.feature_extraction.text import TfidfVectorizer

from qingdan.triage import classifier, minhash
from qingdan.triage.vectorize import CharTfidf

from .helpers import labelled_rows, sample


class CharTfidfTests(SimpleTestCase):
    def test_equals_scikit_learn(self):
        texts = [row["text"] for row in labelled_rows()[:300]]
        texts += ["ＡＢＣ  全角\t空白", "", "a"]
        for ngram_max in (1, 2, 3):
            ours = CharTfidf(ngram_max=ngram_max, min_df=2).fit(texts[:250])
            theirs = TfidfVectorizer(
                analyzer="char", ngram_range=(1, ngram_max), sublinear_tf=True, min_df=2
            ).fit(texts[:250])
            names = ours.get_feature_names_out()
            self.assertEqual(sorted(names), sorted(theirs.get_feature_names_out()))
            order = np.argsort(names.astype(str))
            difference = ours.transform(texts[250:])[:, order] - theirs.transform(texts[250:])
            self.assertLess(abs(difference).max(), 1e-6)


class ExplainedTests(SimpleTestCase):
    def test_unpacked_model_equals_the_pipeline(self):
        rows = [r for r in labelled_rows() if r["label"] in ("教育文体", "环境保护", "交通运输")]
        documents = [(r["title"], r["text"]) for r in rows[:150]]
        labels = [r["label"] for r in rows[:150]]
        pipeline = classifier.fit(documents, labels)
        probe = [(r["title"], r["text"]) for r in rows[150:190]] + [("", "")]
        np.testing.assert_allclose(
            classifier.Explained(pipeline).predict_proba(probe),
            pipeline.predict_proba(probe),
            atol=1e-9,
        )
        two = [i for i, label in enumerate(labels) if label != "交通运输"]
        pipeline = classifier.fit([documents[i] for i in two], [labels[i] for i in two])
        np.testing.assert_allclose(
            classifier.Explained(pipeline).predict_proba(probe),
            pipeline.predict_proba(probe),
            atol=1e-9,
        )


class MinHashTests(SimpleTestCase):
    original = (
        "A市西湖建筑集团占道施工有安全隐患。每天尤其上下班期间这条路上人流车流极多，"
        "安全隐患非常大。强烈请求文明城市A市，尽快整改这个极不文明的路段。"
    )

    def test_near_copy_is_similar_and_unrelated_is_not(self):
        copy = self.original.replace("极多", "很多").replace("尽快", "马上") + "谢谢！"
        other = "关于小区物业乱收费的问题，物业公司每月多收停车费，业主多次反映无果。"
        sig = minhash.signature(self.original)
        scores = minhash.jaccard(
            sig, np.vstack([minhash.signature(copy), minhash.signature(other)])
        )
        self.assertGreater(scores[0], 0.7)
        self.assertLess(scores[1], 0.1)
        # Punctuation and spacing do not make texts different.
        self.assertEqual(
            minhash.jaccard(sig, minhash.signature(self.original.replace("，", " ")))[0], 1.0
        )
        self.assertIsNone(minhash.signature("，。！"))

    def test_batch_signatures_equal_single_ones(self):
        texts = [row["text"] for row in labelled_rows()[:40]] + ["", "短"]
        sigs, valid = minhash.signatures(texts, chunk=16)
        self.assertEqual(valid.tolist(), [True] * 40 + [False, True])
        for text, row in zip(texts[:40], sigs[:40], strict=True):
            np.testing.assert_array_equal(row, minhash.signature(text))
        self.assertEqual(minhash.from_bytes(minhash.to_bytes(sigs[0])).tolist(), sigs[0].tolist())

    def test_index_finds_copies_in_bulk_and_added_parts_and_survives_saving(self):
        rows = labelled_rows()[:300]
        sigs, _valid = minhash.signatures([r["text"] for r in rows])
        index = minhash.MinHashIndex(merge_every=50)
        index.add_many(range(200), sigs[:200])
        for number in range(200, 300):
            index.add(number, sigs[number])
        self.assertEqual(len(index), 300)
        for probe in (5, 150, 250, 299):
            text = rows[probe]["text"]
            edited = text[: len(text) // 2] + "，请尽快处理" + text[len(text) // 2 :]
            found = index.query(minhash.signature(edited), limit=3)
            self.assertEqual(found[0][0], probe)
            self.assertGreater(found[0][1], 0.7)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "index.npz"
            index.save(path)
            loaded = minhash.MinHashIndex.load(path)
        self.assertEqual(len(loaded), 300)
        self.assertEqual(loaded.query(sigs[250], limit=1)[0][0], 250)


class EvalCommandTests(TestCase):  # the command reads the threshold set in the admin
    def write(self, folder, rows, fields) -> Path:
        path = Path(folder) / "sample.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        return path

    def test_small_csv(self):
        rows = [
            {"text": r["text"], "label": label}
            for label in ("教育文体", "劳动和社会保障", "环境保护")
            for r in sample(label, 15)
        ]
        out = StringIO()
        with tempfile.TemporaryDirectory() as folder, translation.override("en"):
            path = self.write(folder, rows, ["text", "label"])
            call_command("eval-classifier", path, "--folds", "3", stdout=out)
        report = out.getvalue()
        self.assertIn("45 messages of ", report)
        self.assertIn("3 labels, stratified 3-fold CV, seed 0", report)
        self.assertIn("top-2 accuracy", report)
        macro = float(report.split("macro-F1")[1].split()[0])
        self.assertGreater(macro, 0.6)
        for label in ("教育文体", "劳动和社会保障", "环境保护"):
            self.assertIn(label, report)
        self.assertIn("messages/s", report)

    def test_bad_csv(self):
        with tempfile.TemporaryDirectory() as folder:
            path = self.write(folder, [{"body": "x", "kind": "y"}], ["body", "kind"])
            with self.assertRaisesMessage(CommandError, "text"):
                call_command("eval-classifier", path)
            too_few = self.write(
                folder,
                [{"text": "a", "label": "x"}, {"text": "b", "label": "y"}],
                ["text", "label"],
            )
            with self.assertRaises(CommandError):
                call_command("eval-classifier", too_few)
            with self.assertRaises(CommandError):
                call_command("eval-classifier", Path(folder) / "missing.csv")
