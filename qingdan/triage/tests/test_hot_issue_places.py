"""Hot issues on messages nobody here wrote the engine for (issue 19): gas complaints
from several cities with times written `2023-01-16 19:26` and generic titles (求助,
天然气问题). The fixture's message ids say where each message is: d 大连, h 鹤岗,
b 哈尔滨 (the same complaint as 鹤岗's, nearly word for word), g unrelated messages
under generic titles."""

import csv
import datetime as dt
import tempfile
from io import StringIO
from pathlib import Path

import jieba
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase
from django.utils import translation

from qingdan.triage.hotissues import find_hot_issues, parse_time, read_messages

FIXTURE = Path(__file__).parent / "fixtures" / "gas_messages.csv"
CITIES = {"d": "大连", "h": "鹤岗", "b": "哈尔滨"}


def where(key: str) -> str:
    return CITIES.get(key[0], key)


def jieba_runs(text: str) -> set[str]:
    """Every run of up to four consecutive jieba words of `text`, joined."""
    tokens = jieba.lcut(text)
    return {
        "".join(tokens[start:end])
        for start in range(len(tokens))
        for end in range(start + 1, min(start + 5, len(tokens) + 1))
    }


class TimeSpellingTests(SimpleTestCase):
    def test_common_spellings(self):
        expected = dt.datetime(2023, 1, 16, 19, 26)
        for written in (
            "2023-01-16 19:26",
            "2023/1/16 19:26",
            "2023-1-16 19:26:00",
            "2023年1月16日 19:26",
            "2023年01月16日19时26分",
        ):
            with self.subTest(written):
                self.assertEqual(parse_time(written), expected)
        self.assertEqual(parse_time("2019/2/28 11:25:05"), dt.datetime(2019, 2, 28, 11, 25, 5))
        self.assertEqual(parse_time("2023年1月16日"), dt.datetime(2023, 1, 16))
        for unreadable in ("16/01/2023 19:26", "2023-02-30 10:00", "昨天", "", "2023-01-16 25:00"):
            with self.subTest(unreadable):
                self.assertIsNone(parse_time(unreadable))

    def test_times_of_the_fixture_are_read(self):
        out = StringIO()
        with translation.override("en"):
            call_command("hot-issues", FIXTURE, stdout=out)
        report = out.getvalue()
        # 大连's five messages all came in the last 30 days before the newest one.
        self.assertIn("size 5, last 30 days 5 (before 0", report)
        self.assertTrue(all(doc.at is not None for doc in read_messages(FIXTURE)))

    def test_a_file_with_unreadable_times_is_refused_naming_the_row(self):
        rows = list(csv.reader(FIXTURE.open(encoding="utf-8")))
        rows[3][3] = "16/01/2023 7pm"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "messages.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows(rows)
            with translation.override("en"), self.assertRaises(CommandError) as raised:
                call_command("hot-issues", path, stdout=StringIO())
        self.assertIn("row 3", str(raised.exception))
        self.assertIn("16/01/2023 7pm", str(raised.exception))


class PlaceTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.docs = read_messages(FIXTURE)
        cls.issues = find_hot_issues(cls.docs, min_size=3)

    def test_no_cluster_spans_two_cities(self):
        for issue in self.issues:
            self.assertEqual(len({where(key) for key in issue.keys}), 1, issue.keys)
        found = {where(issue.keys[0]): set(issue.keys) for issue in self.issues}
        self.assertEqual(found["大连"], {"d1", "d2", "d3", "d4", "d5"})
        self.assertEqual(found["鹤岗"], {"h1", "h2", "h3", "h4"})
        self.assertEqual(found["哈尔滨"], {"b1", "b2", "b3", "b4"})

    def test_generic_titles_make_no_cluster(self):
        for issue in self.issues:
            self.assertFalse([key for key in issue.keys if key.startswith("g")], issue.keys)

    def test_key_words_are_words_and_the_name_is_place_and_problem(self):
        texts = {doc.key: f"{doc.title}\n{doc.text}" for doc in self.docs}
        for issue in self.issues:
            runs = set().union(*(jieba_runs(texts[key]) for key in issue.keys))
            for keyword in issue.keywords:
                self.assertIn(keyword, runs, f"{keyword} is not made of jieba words")
        dalian = next(issue for issue in self.issues if issue.keys[0].startswith("d"))
        self.assertTrue(dalian.name.startswith("大连 甘井子区 "), dalian.name)
        self.assertIn("华润燃气", dalian.name)
        self.assertIn("停气", dalian.keywords)
