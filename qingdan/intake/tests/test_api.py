"""Intake through the API: the assignments one may see with their completion reports,
the report itself, and quick entry."""

from qingdan.api.tests.helpers import token_client
from qingdan.cases import actions as case_actions
from qingdan.cases.choices import Channel
from qingdan.cases.models import Case

from ..models import CompletionReport
from .test_assignments import AssignmentTestCase

BASE = "/api/v1/intake"


class IntakeApiTests(AssignmentTestCase):
    def post(self, user, path, body=None):
        return token_client(user).post(f"{BASE}/{path}", body or {}, format="json")

    def answered(self):
        case = self.assign()
        case_actions.accept(self.org.town_clerk, case)
        case_actions.assign(self.org.town_clerk, case, lead_unit=self.org.town_office)
        return case_actions.reply(
            self.org.town_handler, case, reply_opinion="supports", reply_text="工资已发放"
        )

    def test_the_completion_report(self):
        case = self.answered()
        path = f"assignments/{case.tracking_number}/completion-report/"
        # The analyst sees the case but neither holds it nor leads it.
        refused = self.post(self.org.analyst, path, {})
        self.assertEqual((refused.status_code, refused.json()["code"]), (403, "not_allowed"))
        missing = self.post(self.org.town_handler, path, {})
        self.assertEqual(missing.status_code, 400)
        self.assertIn("text", missing.json()["errors"])
        response = self.post(self.org.town_handler, path, {"text": "经协调，工资已全部发放。"})
        self.assertEqual(response.status_code, 201, response.json())
        self.assertEqual(
            (response.json()["case"], response.json()["reported_by"]),
            (case.tracking_number, "town_handler"),
        )
        self.assertTrue(CompletionReport.objects.filter(case=case).exists())
        again = self.post(self.org.town_clerk, path, {"text": "再报一次"})
        self.assertEqual((again.status_code, again.json()["code"]), (409, "already_reported"))
        listed = token_client(self.org.town_clerk).get(f"{BASE}/assignments/").json()["results"]
        self.assertEqual([item["tracking_number"] for item in listed], [case.tracking_number])
        self.assertEqual(listed[0]["completion_report"]["text"], "经协调，工资已全部发放。")

    def test_a_report_waits_for_the_answer(self):
        case = self.assign()
        path = f"assignments/{case.tracking_number}/completion-report/"
        response = self.post(self.org.town_clerk, path, {"text": "已办结"})
        self.assertEqual((response.status_code, response.json()["code"]), (409, "not_answered"))
        # A case one may not see is not found.
        hidden = self.post(self.org.far_village_agent, path, {"text": "已办结"})
        self.assertEqual(hidden.status_code, 404)

    def test_quick_entry(self):
        empty = self.post(self.org.village_agent, "quick/", {})
        self.assertEqual(empty.status_code, 400)
        self.assertEqual(set(empty.json()["errors"]), {"channel", "location", "content"})
        self.assertEqual(self.post(self.org.town_handler, "quick/", {}).status_code, 403)
        body = {"channel": "grid_visit", "location": "村东头水井", "content": "水井护栏倒塌"}
        self.assertEqual(
            self.post(self.org.village_agent, "quick/", dict(body, channel="walk_in")).status_code,
            400,
        )
        response = self.post(self.org.village_agent, "quick/", dict(body, phone="13912345678"))
        self.assertEqual(response.status_code, 201, response.json())
        case = Case.objects.get(tracking_number=response.json()["tracking_number"])
        self.assertEqual((case.channel, case.jurisdiction), (Channel.GRID_VISIT, self.org.village))
        self.assertEqual(case.petitioner.phone, "13912345678")
        elsewhere = self.post(
            self.org.village_agent, "quick/", dict(body, jurisdiction=self.org.far_village.code)
        )
        self.assertEqual((elsewhere.status_code, elsewhere.json()["field"]), (403, "jurisdiction"))
