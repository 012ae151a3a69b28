"""Issue 14.10: what Open311 clients send is kept, not dropped; api_key may come in the
query string as the official spec shows it."""

from django.core.cache import cache
from django.test import TestCase

from qingdan.cases.models import Case
from qingdan.open311.models import ApiKey
from qingdan.orgs.testing import build_county

ROOT = "/open311/v2"
REPORT = {
    "service_code": "urban_rural_construction",
    "description": "村口路灯坏了",
    "lat": "37.35",
    "long": "120.4",
}


class CompletenessTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.key = ApiKey.objects.create(name="城市服务App", jurisdiction=cls.org.town)

    def setUp(self):
        cache.clear()

    def test_api_key_in_the_query_string(self):
        response = self.client.post(f"{ROOT}/requests.json?api_key={self.key.key}", REPORT)
        self.assertEqual(response.status_code, 201, response.content)
        wrong = self.client.post(f"{ROOT}/requests.json?api_key=nope", REPORT)
        self.assertEqual(wrong.status_code, 403)

    def test_what_the_client_sends_is_kept(self):
        response = self.client.post(
            f"{ROOT}/requests.json",
            {
                **REPORT,
                "api_key": self.key.key,
                "device_id": "android-7f3a",
                "account_id": "user-42",
                "media_url": "https://example.org/lamp.jpg",
                "last_name": "张",
                "first_name": "小明",
                "phone": "13812345678",
                "email": "zhangxm@example.org",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        answer = response.json()[0]
        self.assertEqual(answer["account_id"], "user-42")
        case = Case.objects.get(tracking_number=answer["service_request_id"])
        token = case.open311_token
        self.assertEqual(
            (token.device_id, token.account_id, token.media_url),
            ("android-7f3a", "user-42", "https://example.org/lamp.jpg"),
        )
        petitioner = case.petitioner
        self.assertEqual(
            (petitioner.name, petitioner.phone, petitioner.email),
            ("张小明", "13812345678", "zhangxm@example.org"),
        )
        self.assertNotEqual(petitioner.masked()["email"], "zhangxm@example.org")
        self.client.force_login(self.org.town_clerk)
        page = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(page, 'href="https://example.org/lamp.jpg"')

    def test_what_is_not_known_is_left_out(self):
        known = self.client.post(
            f"{ROOT}/requests.json",
            {**REPORT, "api_key": self.key.key, "media_url": "https://example.org/a.jpg"},
        ).json()[0]["service_request_id"]
        plain = {k: v for k, v in REPORT.items() if k not in ("lat", "long")}
        unknown = self.client.post(
            f"{ROOT}/requests.json", {**plain, "api_key": self.key.key, "address_string": "村口"}
        ).json()[0]["service_request_id"]
        listed = {
            r["service_request_id"]: r for r in self.client.get(f"{ROOT}/requests.json").json()
        }
        self.assertEqual(listed[known]["lat"], 37.35)
        self.assertEqual(listed[known]["media_url"], "https://example.org/a.jpg")
        for key in ("lat", "long", "media_url"):
            self.assertNotIn(key, listed[unknown])
        xml = self.client.get(f"{ROOT}/requests/{unknown}.xml").content.decode()
        self.assertNotIn("<lat", xml)
        self.assertNotIn("<media_url", xml)
