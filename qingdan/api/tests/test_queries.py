"""List endpoints read a fixed number of queries, however many rows they render."""

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from qingdan.cases import actions
from qingdan.orgs.testing import build_county

from .helpers import token_client

URLS = (
    "/api/v1/cases/",
    "/api/v1/cases/?open=true&ordering=due_at",
    "/api/v1/petitioners/",
    "/api/v1/jurisdictions/",
    "/api/v1/departments/",
    "/api/v1/categories/",
)


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.first = cls.routed_case(0)

    @classmethod
    def routed_case(cls, index: int):
        org = cls.org
        case = actions.register_case(
            org.town_clerk,
            channel="phone",
            title=f"件{index}",
            content="内容",
            jurisdiction=org.village,
            petitioner={"name": f"李{index}", "phone": f"1370000{index:04d}"},
        )
        actions.accept(org.town_clerk, case)
        actions.assign(org.town_clerk, case, lead_unit=org.town_office, co_units=[org.town_justice])
        actions.add_note(org.town_clerk, case, note="跟进")
        return case

    def setUp(self):
        cache.clear()
        self.client = token_client(self.org.city_supervisor)
        # The token's account is read once, then kept in the cache for a few seconds
        # (qingdan.api.authentication, test_token_cache): counted from the second request.
        self.client.get("/api/v1/jurisdictions/")

    def count(self, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_lists_do_not_grow_with_rows(self):
        before = {url: self.count(url) for url in URLS}
        for index in range(1, 6):
            self.routed_case(index)
        for url, expected in before.items():
            with self.subTest(url=url), self.assertNumQueries(expected):
                self.client.get(url)

    def test_the_case_list_reads_three_queries(self):
        # The count, the page with its related rows joined, and the co-handling units:
        # the token, its account and the account's jurisdiction (visibility) are cached.
        with self.assertNumQueries(3):
            response = self.client.get("/api/v1/cases/")
        self.assertEqual(response.json()["count"], 1)

    def test_detail_and_timeline_do_not_grow_with_history(self):
        url = f"/api/v1/cases/{self.first.tracking_number}/"
        detail, timeline = self.count(url), self.count(f"{url}timeline/")
        for _ in range(5):
            actions.add_note(self.org.town_clerk, self.first, note="再跟进")
        with self.assertNumQueries(detail):
            self.client.get(url)
        with self.assertNumQueries(timeline):
            self.client.get(f"{url}timeline/")


class IntakeStatementTests(TestCase):
    """One intake through the API (POST /api/v1/cases/), the analysis queued for the
    worker: the statements bench/intake_cost.py counts (9 outside a test on PostgreSQL:
    the place, the tracking number, BEGIN, the petitioner looked up and written, the
    case, its timeline event, its queue row, COMMIT)."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def intake(self, number: int) -> tuple[int, list[str]]:
        body = {
            "channel": "phone",
            "title": "村口路灯不亮",
            "content": "路灯坏了一周",
            "jurisdiction": self.org.village.code,
            "petitioner": {"name": "王建国", "phone": f"1391234{number:04d}"},
        }
        with CaptureQueriesContext(connection) as queries:
            response = self.client.post("/api/v1/cases/", body, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        return len(queries), [q["sql"] for q in queries]

    def test_an_intake_reads_and_writes_a_fixed_few_statements(self):
        cache.clear()
        self.client = token_client(self.org.village_agent)
        with self.settings(QINGDAN_TRIAGE_AT_INTAKE="worker"):
            self.intake(0)  # the token's account read and cached
            count, statements = self.intake(1)
        # In a test the transaction is a savepoint in the test's own, and so is the
        # tracking number's (PostgreSQL) or counter's (SQLite) statement.
        limit = 11 if connection.vendor == "postgresql" else 12
        self.assertLessEqual(count, limit, "\n".join(statements))
        self.assertFalse([sql for sql in statements if "authtoken_token" in sql])
        self.assertFalse([sql for sql in statements if "cases_cohandling" in sql])
