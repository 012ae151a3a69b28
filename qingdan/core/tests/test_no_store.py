"""Issue 14.9: pages and API answers that carry personal data say `Cache-Control:
no-store`, so no browser history, shared computer or proxy keeps a copy; public pages
stay cacheable."""

from django.core.cache import cache
from django.test import TestCase

from qingdan.api.tests.helpers import register, token_client
from qingdan.orgs.testing import PERSON, build_county


class NoStoreTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.case = register(cls.org.town_clerk, cls.org.village)

    def setUp(self):
        cache.clear()

    def assertNoStore(self, response, what):
        self.assertLess(response.status_code, 400, what)
        self.assertIn("no-store", response.get("Cache-Control", ""), what)

    def test_staff_pages_and_exports(self):
        self.client.force_login(self.org.town_clerk)
        for path in (
            "/",
            f"/cases/{self.case.pk}/",
            "/stats/",
            "/stats/results.xlsx",
        ):
            with self.subTest(path):
                self.assertNoStore(self.client.get(path), path)
        check = self.client.post("/intake/check/", {"petitioner_phone": PERSON["phone"]})
        self.assertNoStore(check, "intake check")

    def test_api_answers(self):
        api = token_client(self.org.town_clerk)
        number = self.case.tracking_number
        for path in (
            "/api/v1/cases/",
            f"/api/v1/cases/{number}/",
            f"/api/v1/cases/{number}/timeline/",
            "/api/v1/petitioners/",
        ):
            with self.subTest(path):
                self.assertNoStore(api.get(path), path)

    def test_portal_look_up(self):
        number = self.case.tracking_number
        found = self.client.post(
            "/portal/track/", {"tracking_number": number, "phone": PERSON["phone"]}
        )
        self.assertNoStore(found, "look-up")
        self.assertNoStore(self.client.get(f"/portal/track/{number}/"), "case")

    def test_public_pages_stay_cacheable(self):
        # (The portal's form is per visitor anyway: its arithmetic question has a nonce.)
        for path in ("/open311/v2/services.json", "/open311/v2/requests.xml"):
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("no-store", response.get("Cache-Control", ""))
