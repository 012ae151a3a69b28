"""Registration rights match sight: nobody registers a case they would then get 404 on
(a city bureau's handler sees only its unit's cases; the analyst reads)."""

from django.test import TestCase

from qingdan.cases.models import Case
from qingdan.orgs.testing import build_county

from .helpers import token_client


class RegistrationRightsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def post(self, persona, place):
        body = {"channel": "phone", "title": "路灯坏了", "content": "村口路灯不亮"}
        client = token_client(getattr(self.org, persona))
        return client.post("/api/v1/cases/", {**body, "jurisdiction": place.code}, format="json")

    def test_who_may_register_where(self):
        refused = {
            ("city_handler", "village"): "registration_not_allowed",
            ("town_handler", "village"): "registration_not_allowed",
            ("analyst", "village"): "registration_not_allowed",
            ("far_village_agent", "village"): "not_allowed",
            ("village_agent", "other_village"): "not_allowed",
        }
        for (persona, place), code in refused.items():
            with self.subTest(persona=persona, place=place):
                response = self.post(persona, getattr(self.org, place))
                self.assertEqual((response.status_code, response.json()["code"]), (403, code))
        self.assertFalse(Case.objects.exists())
        for persona in ("village_agent", "town_clerk", "city_supervisor", "city_leader"):
            with self.subTest(persona=persona):
                response = self.post(persona, self.org.village)
                self.assertEqual(response.status_code, 201)
                number = response.json()["tracking_number"]
                seen = token_client(getattr(self.org, persona)).get(f"/api/v1/cases/{number}/")
                self.assertEqual(seen.status_code, 200)
