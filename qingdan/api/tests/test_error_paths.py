"""Issue 14.8: what never reached a view, or crashed in the parser, answered in the
API's JSON error format instead of a 500 or Django's HTML pages."""

import json

from django.core.cache import cache
from django.test import RequestFactory, TestCase, override_settings
from django.urls import get_resolver

from qingdan.orgs.testing import build_county

from .helpers import token_client


class ApiErrorPathTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        cache.clear()  # throttle counters
        self.client = token_client(self.org.village_agent)

    def assertError(self, response, status, code):
        self.assertEqual(response.status_code, status, response.content[:300])
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        body = response.json()
        self.assertEqual((body["code"], body["field"]), (code, None))
        self.assertTrue(body["message"])

    def test_deeply_nested_json_is_a_parse_error(self):
        response = self.client.post(
            "/api/v1/cases/", "[" * 100_000, content_type="application/json"
        )
        self.assertError(response, 400, "parse_error")

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_bodies_over_the_limit(self):
        big = "x" * 2000
        self.assertError(
            self.client.post(
                "/api/v1/cases/", f'{{"title": "{big}"}}', content_type="application/json"
            ),
            413,
            "request_too_large",
        )
        self.assertError(
            self.client.post(
                "/api/v1/cases/",
                f"title={big}",
                content_type="application/x-www-form-urlencoded",
            ),
            413,
            "request_too_large",
        )
        self.assertError(
            self.client.post("/api/v1/cases/", {"title": big}), 413, "request_too_large"
        )

    @override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
    def test_too_many_fields(self):
        fields = {f"f{n}": "x" for n in range(10)}
        self.assertError(self.client.post("/api/v1/cases/", fields), 400, "too_many_fields")

    def test_malformed_multipart(self):
        self.assertError(
            self.client.post("/api/v1/cases/", b"garbage", content_type="multipart/form-data"),
            400,
            "parse_error",
        )

    def test_unmatched_paths(self):
        for path in ("/api/v1/nothing/", "/api/v2/", "/api/v1/cases/a%20b/c/d/"):
            with self.subTest(path):
                self.assertError(self.client.get(path), 404, "not_found")
        # Outside the API the HTML page stays.
        page = self.client.get("/nothing-here/")
        self.assertEqual(page.status_code, 404)
        self.assertTrue(page["Content-Type"].startswith("text/html"))

    def test_server_errors(self):
        server_error = get_resolver().resolve_error_handler(500)
        response = server_error(RequestFactory().get("/api/v1/cases/"))
        self.assertEqual(response.status_code, 500)
        self.assertEqual(json.loads(response.content)["code"], "server_error")
        page = server_error(RequestFactory().get("/portal/"))
        self.assertEqual(page.status_code, 500)
        self.assertTrue(page["Content-Type"].startswith("text/html"))
