import io

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import TestCase
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from qingdan.cases.models import Case
from qingdan.orgs.models import User
from qingdan.orgs.testing import PERSON, build_county

from .helpers import register, token_client

NEW_CASE = {
    "channel": "phone",
    "title": "村口路灯不亮",
    "content": "路灯坏了一周",
    "jurisdiction": "370685100201",
    "category": "urban_rural_construction",
    "petitioner": {"name": "王建国", "phone": "13912345678"},
    "latitude": "37.350000",
    "longitude": "120.400000",
}


class ApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.case = register(cls.org.village_agent, cls.org.village)

    def setUp(self):
        cache.clear()

    def test_register_and_read_back_masked(self):
        response = token_client(self.org.village_agent).post(
            "/api/v1/cases/", NEW_CASE, format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["state"], body["tier"]), ("registered", "village"))
        self.assertEqual(
            (body["category"], body["jurisdiction"]),
            (NEW_CASE["category"], NEW_CASE["jurisdiction"]),
        )
        self.assertEqual(body["petitioner"]["phone"], "139****5678")
        self.assertNotIn("13912345678", response.content.decode())
        self.assertIn("accept", body["allowed_actions"])
        self.assertEqual(response["ETag"], '"1"')
        case = Case.objects.get(tracking_number=body["tracking_number"])
        self.assertEqual(
            (case.created_by, case.petitioner.phone), (self.org.village_agent, "13912345678")
        )
        self.assertEqual(case.events.get().action, "register")

    def test_registration_answers_what_reading_it_back_gives(self):
        # The answer is built from the registration's own objects, not read back; the
        # intake analysis (here a hot-term flag and a repeat) must not change the case.
        from qingdan.triage.models import HotTerm

        HotTerm.objects.create(term="路灯", level="high")
        client = token_client(self.org.village_agent)
        for label, extra in (
            ("new petitioner", {}),
            ("known petitioner, new details", {"address": "东村3号", "urgency": "urgent"}),
            (
                "no petitioner, no category",
                {"petitioner": None, "category": None, "latitude": None, "longitude": None},
            ),
        ):
            with self.subTest(label):
                posted = client.post("/api/v1/cases/", {**NEW_CASE, **extra}, format="json")
                self.assertEqual(posted.status_code, 201, posted.content)
                case = Case.objects.get(tracking_number=posted.json()["tracking_number"])
                self.assertTrue(case.flags.filter(kind="hot_term").exists())
                read = client.get(f"/api/v1/cases/{posted.json()['tracking_number']}/")
                self.assertEqual(posted.json(), read.json())
                self.assertEqual(posted["ETag"], read["ETag"])

    def test_issue_token_command(self):
        out = io.StringIO()
        call_command("issue-token", "town_clerk", stdout=out)
        key = out.getvalue().strip()
        self.assertEqual(Token.objects.get(user=self.org.town_clerk).key, key)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        self.assertEqual(client.get("/api/v1/cases/").json()["count"], 1)
        again = io.StringIO()
        call_command("issue-token", "town_clerk", stdout=again)
        self.assertEqual(again.getvalue().strip(), key)
        call_command("issue-token", "town_clerk", "--rotate", stdout=again)
        self.assertNotEqual(Token.objects.get(user=self.org.town_clerk).key, key)
        self.assertEqual(client.get("/api/v1/cases/").status_code, 401)
        call_command("issue-token", "town_clerk", "--revoke", stderr=io.StringIO())
        self.assertFalse(Token.objects.filter(user=self.org.town_clerk).exists())
        User.objects.create_user("bare")
        for name in ("bare", "nobody"):
            with self.subTest(name=name), self.assertRaises(CommandError):
                call_command("issue-token", name, stdout=io.StringIO())
        self.org.village_agent.is_active = False
        self.org.village_agent.save()
        with self.assertRaises(CommandError):
            call_command("issue-token", "village_agent", stdout=io.StringIO())

    def test_a_deactivated_account_loses_its_token(self):
        client = token_client(self.org.village_agent)
        self.assertEqual(client.get("/api/v1/cases/").status_code, 200)
        # As the admin does it (saved): refused at once, although the token's account
        # was cached by the request above (bypassing save: test_token_cache).
        self.org.village_agent.is_active = False
        self.org.village_agent.save()
        self.assertEqual(client.get("/api/v1/cases/").status_code, 401)

    def test_reveal_is_logged_and_needs_permission(self):
        url = f"/api/v1/cases/{self.case.tracking_number}/reveal/"
        refused = token_client(self.org.village_agent).post(url, {"reason": "x"}, format="json")
        self.assertEqual(refused.status_code, 403)
        revealed = token_client(self.org.town_clerk).post(url, {"reason": "回访"}, format="json")
        self.assertEqual(revealed.json()["phone"], PERSON["phone"])
        event = self.case.events.get(action="reveal")
        self.assertEqual(event.actor, self.org.town_clerk)
        missing_reason = token_client(self.org.town_clerk).post(url, {}, format="json")
        self.assertEqual(missing_reason.json()["field"], "reason")

    def test_schema_documents_every_action_and_the_error_format(self):
        response = APIClient().get(
            "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
        )
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        paths = schema["paths"]
        for name in (
            "accept",
            "not-accept",
            "divert",
            "resolve-on-the-spot",
            "escalate",
            "hand-back",
            "transfer",
            "assign",
            "co-handle",
            "extend",
            "reply",
            "evaluate",
            "close",
            "reopen",
            "request-review",
            "closure-agreement",
            "note",
            "link",
            "attachments",
            "reveal",
            "timeline",
        ):
            self.assertIn(f"/api/v1/cases/{{tracking_number}}/{name}/", paths)
        for path in (
            "/api/v1/petitioners/",
            "/api/v1/jurisdictions/",
            "/api/v1/departments/",
            "/api/v1/categories/",
            "/api/v1/statistics/",
        ):
            self.assertIn(path, paths)
        accept = paths["/api/v1/cases/{tracking_number}/accept/"]["post"]["responses"]
        self.assertEqual(
            accept["409"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error",
        )
        self.assertEqual(
            schema["components"]["schemas"]["Error"]["required"], ["code", "message", "field"]
        )
        self.assertIn("tokenAuth", schema["components"]["securitySchemes"])

    def test_documentation_page_works_offline(self):
        page = APIClient().get("/api/v1/docs/")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", html)
        self.assertNotIn("cdn", html.lower())
        self.assertIsNotNone(
            finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
        )
