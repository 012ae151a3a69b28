"""Every endpoint restricts to what the person may see, exactly as the web UI does."""

from django.core.cache import cache
from django.test import TestCase
from django.urls import resolve
from rest_framework.test import APIClient

from qingdan.cases import actions
from qingdan.orgs.testing import PERSON, build_county

from .helpers import register, token_client


class VisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        org = cls.org = build_county()
        cls.mine = register(org.village_agent, org.village, title="本村")
        cls.neighbour = register(org.other_village_agent, org.other_village, title="邻村")
        cls.far = register(org.far_village_agent, org.far_village, title="外镇")
        cls.routed = register(org.village_agent, org.village, title="转镇")
        actions.escalate(org.village_agent, cls.routed, reason="需镇协调")
        actions.accept(org.town_clerk, cls.routed)
        actions.assign(org.town_clerk, cls.routed, lead_unit=org.town_office)
        cls.expected = {
            "village_agent": {cls.mine, cls.routed},
            "other_village_agent": {cls.neighbour},
            "far_village_agent": {cls.far},
            "town_clerk": {cls.mine, cls.neighbour, cls.routed},
            "other_town_clerk": {cls.far},
            "town_handler": {cls.routed},
            "city_handler": set(),
            "unrelated_handler": set(),
            "city_supervisor": {cls.mine, cls.neighbour, cls.far, cls.routed},
            "administrator": {cls.mine, cls.neighbour, cls.far, cls.routed},
        }

    def setUp(self):
        cache.clear()

    def test_case_list_detail_and_timeline_per_persona(self):
        everything = self.expected["city_supervisor"]
        for persona, visible in self.expected.items():
            client = token_client(getattr(self.org, persona))
            with self.subTest(persona=persona):
                listed = client.get("/api/v1/cases/").json()
                self.assertEqual(
                    {c["tracking_number"] for c in listed["results"]},
                    {c.tracking_number for c in visible},
                )
                self.assertEqual(listed["count"], len(visible))
                for case in everything:
                    base = f"/api/v1/cases/{case.tracking_number}/"
                    expected = 200 if case in visible else 404
                    self.assertEqual(client.get(base).status_code, expected)
                    self.assertEqual(client.get(f"{base}timeline/").status_code, expected)
                    note = client.post(f"{base}note/", {"note": "看过"}, format="json")
                    self.assertEqual(note.status_code, 200 if case in visible else 404)

    def test_filters_are_the_web_filters_by_code(self):
        client = token_client(self.org.town_clerk)

        def numbers(query):
            response = client.get(f"/api/v1/cases/?{query}")
            self.assertEqual(response.status_code, 200, response.content)
            return {c["tracking_number"] for c in response.json()["results"]}

        self.assertEqual(
            numbers(f"jurisdiction={self.org.other_village.code}"), {self.neighbour.tracking_number}
        )
        self.assertEqual(numbers("lead_unit=ll-zzb"), {self.routed.tracking_number})
        self.assertEqual(numbers("state=in_progress&tier=town"), {self.routed.tracking_number})
        # A search goes in a POST body; in a URL it is refused (URLs are logged).
        searched = client.post("/api/v1/cases/search/", {"q": "邻村"}, format="json")
        self.assertEqual(
            {c["tracking_number"] for c in searched.json()["results"]},
            {self.neighbour.tracking_number},
        )
        refused = client.get("/api/v1/cases/?q=邻村")
        self.assertEqual((refused.status_code, refused.json()["code"]), (400, "search_in_body"))
        both = {"q": "", "state": ["in_progress"], "tier": ["town"]}
        searched = client.post(
            "/api/v1/cases/search/?ordering=tracking_number", both, format="json"
        )
        self.assertEqual(
            [c["tracking_number"] for c in searched.json()["results"]],
            [self.routed.tracking_number],
        )
        outside = client.post(
            "/api/v1/cases/search/", {"jurisdiction": self.org.far_village.code}, format="json"
        )
        self.assertEqual((outside.status_code, outside.json()["field"]), (400, "jurisdiction"))
        self.assertEqual(len(numbers("open=true")), 3)
        # A place outside one's sight is not a valid choice, as in the web UI.
        response = client.get(f"/api/v1/cases/?jurisdiction={self.org.far_village.code}")
        self.assertEqual((response.status_code, response.json()["field"]), (400, "jurisdiction"))
        ordered = client.get("/api/v1/cases/?ordering=tracking_number").json()["results"]
        numbers_in_order = [c["tracking_number"] for c in ordered]
        self.assertEqual(numbers_in_order, sorted(numbers_in_order))
        page = client.get("/api/v1/cases/?page_size=1&page=2").json()
        self.assertEqual((page["count"], len(page["results"])), (3, 1))
        self.assertIsNotNone(page["next"])

    def test_personal_data_is_masked_everywhere(self):
        client = token_client(self.org.city_supervisor)
        bodies = [
            client.get("/api/v1/cases/").content.decode(),
            client.get(f"/api/v1/cases/{self.mine.tracking_number}/").content.decode(),
            client.get(f"/api/v1/cases/{self.mine.tracking_number}/timeline/").content.decode(),
            client.get("/api/v1/petitioners/").content.decode(),
            client.get(f"/api/v1/petitioners/{self.mine.petitioner_id}/").content.decode(),
        ]
        for body in bodies:
            for secret in (PERSON["name"], PERSON["id_number"], PERSON["phone"], PERSON["address"]):
                self.assertNotIn(secret, body)
        petitioner = client.get(f"/api/v1/petitioners/{self.mine.petitioner_id}/").json()
        self.assertEqual(
            (petitioner["name"], petitioner["phone"], petitioner["id_number"]),
            ("张*明", "138****5678", "1101**********002X"),
        )

    def test_petitioners_and_organisation_per_persona(self):
        far_agent = token_client(self.org.far_village_agent)
        self.assertEqual(far_agent.get("/api/v1/petitioners/").json()["count"], 1)
        self.assertEqual(
            far_agent.get(f"/api/v1/petitioners/{self.far.petitioner_id}/").status_code, 200
        )
        unrelated = token_client(self.org.unrelated_handler)
        self.assertEqual(unrelated.get("/api/v1/petitioners/").json()["count"], 0)
        self.assertEqual(
            unrelated.get(f"/api/v1/petitioners/{self.mine.petitioner_id}/").status_code, 404
        )
        clerk = token_client(self.org.town_clerk)
        codes = {j["code"] for j in clerk.get("/api/v1/jurisdictions/").json()["results"]}
        self.assertEqual(
            codes, {self.org.town.code, self.org.village.code, self.org.other_village.code}
        )
        self.assertEqual(
            clerk.get(f"/api/v1/jurisdictions/{self.org.far_village.code}/").status_code, 404
        )
        units = {d["code"] for d in clerk.get("/api/v1/departments/").json()["results"]}
        self.assertIn("ll-zzb", units)
        self.assertNotIn("jl-zzb", units)
        categories = clerk.get("/api/v1/categories/").json()["results"]
        self.assertIn("urban_rural_construction", {c["code"] for c in categories})

    def test_allowed_actions_follow_the_transition_table(self):
        url = f"/api/v1/cases/{self.routed.tracking_number}/"
        clerk = token_client(self.org.town_clerk).get(url).json()["allowed_actions"]
        handler = token_client(self.org.town_handler).get(url).json()["allowed_actions"]
        agent = token_client(self.org.village_agent).get(url).json()["allowed_actions"]
        self.assertIn("assign", clerk)
        self.assertNotIn("assign", handler)
        self.assertIn("reply", handler)
        # The receiving agent follows the case up: notes, links, attachments.
        self.assertEqual(agent, ["note", "link", "attachments"])
        for name in clerk + handler + agent:  # each names its endpoint
            self.assertEqual(resolve(f"{url}{name}/").url_name, f"case-{name}")

    def test_anonymous_and_session_authentication(self):
        anonymous = APIClient()
        for url in (
            "/api/v1/",
            "/api/v1/cases/",
            f"/api/v1/cases/{self.mine.tracking_number}/",
            "/api/v1/petitioners/",
            "/api/v1/jurisdictions/",
            "/api/v1/departments/",
            "/api/v1/categories/",
        ):
            with self.subTest(url=url):
                self.assertEqual(anonymous.get(url).status_code, 401)
        self.assertEqual(
            anonymous.post(f"/api/v1/cases/{self.mine.tracking_number}/accept/").status_code, 401
        )
        browser = APIClient(enforce_csrf_checks=True)
        browser.login(username="village_agent", password=self.org.password)
        self.assertEqual(browser.get("/api/v1/cases/").json()["count"], 2)
        # The session is the web UI's: a write without the CSRF token is refused.
        refused = browser.post(
            f"/api/v1/cases/{self.mine.tracking_number}/note/", {"note": "x"}, format="json"
        )
        self.assertEqual((refused.status_code, refused.json()["code"]), (403, "not_allowed"))
        self.assertFalse(self.mine.events.filter(action="note").exists())
