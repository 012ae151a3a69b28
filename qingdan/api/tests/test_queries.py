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
