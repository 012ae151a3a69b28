import datetime as dt

from django.test import SimpleTestCase, TestCase
from django.utils import translation

from qingdan.core.errors import ValidationFailed
from qingdan.orgs.testing import build_county
from qingdan.stats.periods import Period, parse_period


class PeriodTests(SimpleTestCase):
    def test_parse_and_neighbours(self):
        cases = {
            "2026": ("2026", "2025", "2025", dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
            "2026H1": ("2026H1", "2025H2", "2025H1", dt.date(2026, 1, 1), dt.date(2026, 7, 1)),
            "2026h2": ("2026H2", "2026H1", "2025H2", dt.date(2026, 7, 1), dt.date(2027, 1, 1)),
            "2026Q1": ("2026Q1", "2025Q4", "2025Q1", dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
            "2026Q3": ("2026Q3", "2026Q2", "2025Q3", dt.date(2026, 7, 1), dt.date(2026, 10, 1)),
            "2026-01": ("2026-01", "2025-12", "2025-01", dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
            " 2026-7 ": ("2026-07", "2026-06", "2025-07", dt.date(2026, 7, 1), dt.date(2026, 8, 1)),
        }
        for text, (code, previous, year_ago, first, end) in cases.items():
            with self.subTest(text=text):
                period = parse_period(text)
                self.assertEqual(period.code, code)
                self.assertEqual(period.previous().code, previous)
                self.assertEqual(period.year_ago().code, year_ago)
                self.assertEqual((period.first_month, period.end_month), (first, end))
        self.assertEqual(str(parse_period("2026H1").start), "2026-01-01 00:00:00+08:00")

    def test_refused(self):
        for text in ("", None, "2026H0", "2026Q5", "2026-00", "2026-13", "1800", "2026 H1", "x"):
            with self.subTest(text=text), self.assertRaises(ValidationFailed) as caught:
                parse_period(text)
            self.assertEqual(caught.exception.field, "period")

    def test_labels(self):
        with translation.override("zh-hans"):
            self.assertEqual(parse_period("2026H1").label, "2026年上半年")
            self.assertEqual(parse_period("2026Q3").label, "2026年第三季度")
            self.assertEqual(parse_period("2026-07").label, "2026年7月")
            self.assertEqual(parse_period("2026").label, "2026年")
            self.assertEqual(Period("half", 2026, 2).short_label, "下半年")
            self.assertEqual(Period("month", 2026, 7).short_label, "7月")


class AdminTests(TestCase):
    def test_formulas_are_editable_in_the_admin(self):
        org = build_county()
        self.client.force_login(org.administrator)
        page = self.client.get("/admin/stats/indicatorsettings/add/")
        self.assertEqual(page.status_code, 200)
        data = {
            "response_weight": "0.2",
            "resolution_weight": "0.5",
            "satisfaction_weight": "0.4",
            "basically_satisfied_weight": "0.9",
            "supported_reply_counts_as_solved": "on",
        }
        refused = self.client.post("/admin/stats/indicatorsettings/add/", data)
        self.assertEqual(refused.status_code, 200)  # 1.1 in all: the form shows the error
        self.assertContains(refused, "1.1")
        data["response_weight"] = "0.1"
        saved = self.client.post("/admin/stats/indicatorsettings/add/", data)
        self.assertEqual(saved.status_code, 302)
