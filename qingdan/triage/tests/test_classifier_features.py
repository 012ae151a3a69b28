"""The classifier's features without the database: text cleaning, the opening-characters
block, explanations that quote the message as written, models stored before the cleaning."""

import numpy as np
from django.test import SimpleTestCase
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from qingdan.triage import classifier

from .helpers import labelled_rows

LABELS = ("教育文体", "环境保护", "交通运输")


def _small_set(count: int = 150):
    rows = [r for r in labelled_rows() if r["label"] in LABELS]
    documents = [(r["title"], r["text"]) for r in rows]
    return documents[:count], [r["label"] for r in rows[:count]], documents[count : count + 40]


class CleaningTests(SimpleTestCase):
    def test_digit_runs_become_one_zero_and_excel_returns_go(self):
        self.assertEqual(classifier.clean("2019年12月欠薪3000元"), "0年0月欠薪0元")
        self.assertEqual(classifier.clean("第一行_x000D_第二行"), "第一行 第二行")
        self.assertEqual(classifier.clean("没有数字"), "没有数字")
        self.assertEqual(classifier.clean(""), "")

    def test_head_block_sees_only_the_opening_characters(self):
        heads = classifier._Heads(4)([("", "学校收费过高，家长不满"), ("t", "12路公交")])
        self.assertEqual(heads, ["学校收费", "0路公"])

    def test_pipeline_has_title_text_and_head_blocks(self):
        documents, labels, _probe = _small_set()
        pipeline = classifier.fit(documents, labels)
        union = pipeline.named_steps["features"]
        self.assertEqual([name for name, _ in union.transformer_list], ["title", "text", "head"])
        self.assertEqual(
            union.transformer_weights["head"], classifier.DEFAULT_PARAMS["head_weight"]
        )
        without = classifier.fit(documents, labels, head_weight=0)
        names = [name for name, _ in without.named_steps["features"].transformer_list]
        self.assertEqual(names, ["title", "text"])
        # Documents that differ only in their numbers get the same features.
        explained = classifier.Explained(pipeline)
        a = explained.features([("2019年投诉", "2019年12月学校收费3000元")])
        b = explained.features([("2020年投诉", "2020年1月学校收费45元")])
        self.assertEqual((a != b).nnz, 0)


class ExplanationTests(SimpleTestCase):
    def test_reasons_are_written_in_the_message(self):
        documents, labels, probe = _small_set()
        explained = classifier.Explained(classifier.fit(documents, labels))
        probe = [*probe, ("2019年12月公交车票价", "12路公交车2019年起票价由1元涨到2元")]
        for document in probe:
            written = f"{document[0]}\n{document[1]}".lower()
            for suggestion in explained.top(document, k=3):
                for word in suggestion["words"]:
                    self.assertIn(word["text"], written)
                    self.assertNotIn("\n", word["text"])

    def test_predictions_match_the_pipeline(self):
        documents, labels, probe = _small_set()
        pipeline = classifier.fit(documents, labels)
        explained = classifier.Explained(pipeline)
        proba = explained.predict_proba(probe)
        np.testing.assert_allclose(proba, pipeline.predict_proba(probe), atol=1e-9)
        self.assertEqual(
            list(explained.classes[proba.argmax(axis=1)]), list(pipeline.predict(probe))
        )


class StoredModelTests(SimpleTestCase):
    def test_a_model_built_before_the_cleaning_still_explains(self):
        """Models in the database pickled the raw `_titles`/`_texts` extractors and
        had no head block: Explained must apply each block's own extractor."""
        documents, labels, probe = _small_set()
        features = FeatureUnion(
            [
                (
                    "title",
                    make_pipeline(
                        FunctionTransformer(classifier._titles), classifier._char_tfidf(2)
                    ),
                ),
                (
                    "text",
                    make_pipeline(
                        FunctionTransformer(classifier._texts), classifier._char_tfidf(2)
                    ),
                ),
            ],
            transformer_weights={"title": 0.8, "text": 1.0},
        )
        old = Pipeline([("features", features), ("classifier", LinearSVC(class_weight="balanced"))])
        old.fit(documents, np.asarray(labels))
        explained = classifier.Explained(classifier.loads(classifier.dumps(old)))
        np.testing.assert_array_equal(
            explained.classes[explained.predict_proba(probe).argmax(axis=1)], old.predict(probe)
        )
        # Each block's own (raw) extractor is applied: the features are the pipeline's.
        difference = explained.features(probe) - old.named_steps["features"].transform(probe)
        self.assertLess(abs(difference).max(), 1e-6)
        self.assertTrue(any(ch.isdigit() for name in explained.names for ch in str(name)))
