"""One error format for every failure: code, message (Chinese by default, English with
Accept-Language: en), field, and errors per field for validation."""

from django.core.cache import cache
from django.test import TestCase, override_settings
from rest_framework.test import APIClient

from qingdan.cases.models import Case
from qingdan.orgs.models import User
from qingdan.orgs.testing import build_county

from .helpers import register, token_client

NEW_CASE = {
    "channel": "phone",
    "title": "村口路灯不亮",
    "content": "路灯坏了一周",
    "jurisdiction": "370685100201",
}


class ErrorFormatTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.case = register(cls.org.village_agent, cls.org.village)
        cls.url = f"/api/v1/cases/{cls.case.tracking_number}/"

    def setUp(self):
        cache.clear()  # throttle counters
        self.agent = token_client(self.org.village_agent)

    def assertError(self, response, status, code, field=None):
        self.assertEqual(response.status_code, status, response.content.decode())
        body = response.json()
        self.assertEqual((body["code"], body["field"]), (code, field))
        self.assertTrue(body["message"])
        return body

    def test_messages_in_chinese_by_default_and_english_on_request(self):
        anonymous = APIClient()
        zh = self.assertError(anonymous.get("/api/v1/cases/"), 401, "not_authenticated")
        self.assertEqual(zh["message"], "身份认证信息未提供。")
        en = anonymous.get("/api/v1/cases/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(en.json()["message"], "Authentication credentials were not provided.")
        self.assertEqual(en["WWW-Authenticate"], "Token")

        stranger = token_client(self.org.far_village_agent)
        zh = self.assertError(stranger.get(self.url), 404, "not_found")
        en = self.assertError(stranger.get(self.url, HTTP_ACCEPT_LANGUAGE="en"), 404, "not_found")
        self.assertEqual((zh["message"], en["message"]), ("未找到。", "Not found."))

        outside = {**NEW_CASE, "jurisdiction": self.org.far_village.code}
        zh = self.assertError(
            self.agent.post("/api/v1/cases/", outside, format="json"),
            403,
            "not_allowed",
            "jurisdiction",
        )
        self.assertEqual(zh["message"], "只能登记本辖区的件。")
        en = self.agent.post("/api/v1/cases/", outside, format="json", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(
            en.json()["message"], "You can only register cases in your own jurisdiction."
        )

    def test_validation_errors_name_every_field(self):
        bad = {**NEW_CASE, "title": "", "channel": "fax", "petitioner": {"phone": "1"}}
        body = self.assertError(
            self.agent.post("/api/v1/cases/", bad, format="json"),
            400,
            "validation_failed",
            "channel",
        )
        self.assertEqual(body["message"], "部分字段填写有误。")
        self.assertEqual(set(body["errors"]), {"channel", "title", "petitioner.name"})
        self.assertEqual(body["errors"]["title"], ["该字段不能为空。"])
        en = self.agent.post("/api/v1/cases/", bad, format="json", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(en.json()["message"], "Some fields are not valid.")
        self.assertEqual(en.json()["errors"]["title"], ["This field may not be blank."])
        # Shape right, content wrong: the actions layer's own checks, same format.
        body = self.assertError(
            self.agent.post(
                "/api/v1/cases/",
                {**NEW_CASE, "petitioner": {"name": "王", "phone": "123"}},
                format="json",
            ),
            400,
            "validation_failed",
            "petitioner.phone",
        )
        self.assertEqual(list(body["errors"]), ["petitioner.phone"])
        self.assertEqual(Case.objects.count(), 1)

    def test_refusals_of_the_actions_layer(self):
        self.assertError(
            self.agent.post(f"{self.url}close/", {}, format="json"), 409, "state_refuses"
        )
        handler = token_client(self.org.town_handler)
        self.assertError(handler.post(f"{self.url}accept/", {}, format="json"), 404, "not_found")
        self.assertError(
            token_client(self.org.town_clerk).post(f"{self.url}accept/", {}, format="json"),
            403,
            "not_allowed",
        )
        self.assertError(
            self.agent.post(f"{self.url}reveal/", {"reason": "回访"}, format="json"),
            403,
            "reveal_denied",
        )

    def test_version_conflicts(self):
        accepted = self.agent.post(f"{self.url}accept/", {}, format="json", HTTP_IF_MATCH='"1"')
        self.assertEqual((accepted.status_code, accepted["ETag"]), (200, '"2"'))
        for headers, data in (
            ({"HTTP_IF_MATCH": '"1"'}, {"reason": "需镇协调"}),
            ({"HTTP_IF_MATCH": 'W/"1"'}, {"reason": "需镇协调"}),
            ({}, {"reason": "需镇协调", "version": 1}),
        ):
            with self.subTest(headers=headers, data=data):
                stale = self.agent.post(f"{self.url}escalate/", data, format="json", **headers)
                body = self.assertError(stale, 409, "version_conflict")
                self.assertIn("刷新", body["message"])
        # Actions that only add to the timeline check the version too.
        self.assertError(
            self.agent.post(f"{self.url}note/", {"note": "x", "version": 1}, format="json"),
            409,
            "version_conflict",
        )
        self.assertError(
            self.agent.post(f"{self.url}escalate/", {"reason": "x"}, HTTP_IF_MATCH="yesterday"),
            400,
            "validation_failed",
            "If-Match",
        )
        self.assertEqual(Case.objects.get(pk=self.case.pk).tier, "village")
        fresh = self.agent.post(
            f"{self.url}escalate/", {"reason": "需镇协调"}, format="json", HTTP_IF_MATCH='"2"'
        )
        self.assertEqual((fresh.status_code, fresh.json()["tier"]), (200, "town"))

    def test_etag_and_if_none_match(self):
        first = self.agent.get(self.url)
        self.assertEqual(first["ETag"], '"1"')
        again = self.agent.get(self.url, HTTP_IF_NONE_MATCH='"1"')
        self.assertEqual((again.status_code, again.content), (304, b""))
        self.agent.post(f"{self.url}accept/", {}, format="json")
        self.assertEqual(self.agent.get(self.url, HTTP_IF_NONE_MATCH='"1"').status_code, 200)

    def test_protocol_errors(self):
        self.assertError(self.agent.get(f"{self.url}accept/"), 405, "method_not_allowed")
        self.assertError(
            self.agent.post("/api/v1/cases/", "{not json", content_type="application/json"),
            400,
            "parse_error",
        )
        self.assertError(
            self.agent.post("/api/v1/cases/", "title", content_type="text/plain"),
            415,
            "unsupported_media_type",
        )
        self.assertError(
            self.agent.get("/api/v1/cases/?jurisdiction=nowhere"),
            400,
            "validation_failed",
            "jurisdiction",
        )
        self.assertError(self.agent.get("/api/v1/cases/?page=9"), 404, "not_found")
        wrong = APIClient()
        wrong.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        self.assertError(wrong.get("/api/v1/cases/"), 401, "authentication_failed")

    def test_an_account_without_a_role_is_refused(self):
        bare = User.objects.create_user("bare", password="x")
        body = self.assertError(token_client(bare).get("/api/v1/cases/"), 403, "not_allowed")
        self.assertIn("角色", body["message"])

    @override_settings(QINGDAN_API_RATE_USER="3/min")
    def test_throttled(self):
        statuses = [self.agent.get("/api/v1/categories/").status_code for _ in range(4)]
        self.assertEqual(statuses, [200, 200, 200, 429])
        response = self.agent.get("/api/v1/categories/")
        self.assertError(response, 429, "throttled")
        self.assertGreater(int(response["Retry-After"]), 0)
        # Counted per account: another one is not slowed down.
        self.assertEqual(
            token_client(self.org.town_clerk).get("/api/v1/categories/").status_code, 200
        )
