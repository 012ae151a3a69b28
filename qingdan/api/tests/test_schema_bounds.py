"""What the OpenAPI schema promises, the API holds (issue 14.7): a page or page size that
is not a whole number in range is refused rather than silently replaced, a superior's
deadline centuries away is refused rather than rendered with a local-mean-time offset
that is not a valid date-time, and the statistics period's documented pattern is the one
the server reads."""

import re

from django.test import TestCase
from drf_spectacular.generators import SchemaGenerator

from qingdan.orgs.testing import build_county
from qingdan.stats.periods import PERIOD_PATTERN

from .helpers import token_client


class SchemaBoundsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_page_and_page_size_are_whole_numbers_in_range(self):
        client = token_client(self.org.town_clerk)
        for query in ("page_size=abc", "page_size=0", "page_size=201", "page=", "page=-1"):
            with self.subTest(query):
                response = client.get(f"/api/v1/categories/?{query}")
                self.assertEqual(response.status_code, 400, response.content)
                self.assertEqual(response.json()["code"], "validation_failed")
        self.assertEqual(client.get("/api/v1/categories/?page_size=2&page=1").status_code, 200)

    def test_a_deadline_centuries_away_is_refused(self):
        body = {
            "channel": "superior_assignment",
            "title": "转办件",
            "content": "上级转办",
            "jurisdiction": self.org.village.code,
            "assigning_body": "烟台市信访局",
            "assigned_deadline": "0028-01-01T00:00:00Z",
        }
        response = token_client(self.org.village_agent).post("/api/v1/cases/", body, format="json")
        self.assertEqual(
            (response.status_code, response.json()["field"]), (400, "assigned_deadline")
        )

    def test_the_period_pattern_is_what_the_server_reads(self):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        parameters = schema["paths"]["/api/v1/statistics/"]["get"]["parameters"]
        period = next(p for p in parameters if p["name"] == "period")
        self.assertEqual(period["schema"]["pattern"], PERIOD_PATTERN)
        client = token_client(self.org.city_supervisor)
        for value, status in (("2026H1", 200), ("2026q3", 200), ("2026-07", 200), ("1989", 400)):
            with self.subTest(value):
                self.assertEqual(bool(re.match(PERIOD_PATTERN, value)), status == 200)
                response = client.get("/api/v1/statistics/", {"period": value})
                self.assertEqual(response.status_code, status)
