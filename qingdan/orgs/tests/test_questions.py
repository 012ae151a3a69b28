"""Extra questions of a category (Open311 service attributes): asked on the staff intake
form, answered through the API, served and taken by Open311, kept on the case."""

import xml.etree.ElementTree as ET

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import TestCase

from qingdan.cases import actions
from qingdan.cases.models import Case
from qingdan.core.errors import ValidationFailed
from qingdan.open311.models import ApiKey
from qingdan.orgs.models import CategoryQuestion
from qingdan.orgs.questions import Datatype, clean_answers, questions_for
from qingdan.orgs.testing import build_county

FAULTS = [{"key": "dark", "name": "灯不亮"}, {"key": "flicker", "name": "灯闪烁"}]


class QuestionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.lamps = type(org.construction).objects.create(
            code="street_lamps", name="路灯", parent=org.construction
        )
        cls.pole = CategoryQuestion.objects.create(
            category=org.construction,
            code="pole",
            question="灯杆编号",
            datatype=Datatype.STRING,
            required=True,
            order=1,
        )
        cls.fault = CategoryQuestion.objects.create(
            category=cls.lamps,
            code="fault",
            question="故障类型",
            datatype=Datatype.MULTI,
            values=FAULTS,
            order=2,
        )
        cls.key = ApiKey.objects.create(name="城市服务App", jurisdiction=org.town)

    def setUp(self):
        cache.clear()

    def test_a_question_is_checked_when_saved(self):
        bad = CategoryQuestion(
            category=self.lamps, code="kind", question="类型", datatype=Datatype.SINGLE
        )
        with self.assertRaises(ValidationError) as raised:
            bad.full_clean()
        self.assertIn("values", raised.exception.message_dict)
        bad.values = [{"key": "a", "name": "甲"}, {"key": "a", "name": "乙"}]
        with self.assertRaises(ValidationError):
            bad.full_clean()

    def test_answers_are_typed_checked_and_inherited_from_the_parent(self):
        self.assertEqual([q.code for q in questions_for(self.lamps)], ["pole", "fault"])
        cleaned, errors = clean_answers(self.lamps, {"pole": " 12号杆 ", "fault": ["dark"]})
        self.assertEqual((cleaned, errors), ({"pole": "12号杆", "fault": ["dark"]}, {}))
        cleaned, errors = clean_answers(self.lamps, {"fault": ["smoke"], "colour": "红"})
        self.assertEqual(set(errors), {"attributes.pole", "attributes.fault", "attributes.colour"})
        number = CategoryQuestion(code="n", question="几盏", datatype=Datatype.NUMBER)
        self.assertEqual((number.parse("3"), number.parse("2.5")), (3, 2.5))
        with self.assertRaises(ValidationError):
            number.parse("三")

    def test_the_api_registers_the_answers(self):
        data = {
            "channel": "phone",
            "title": "路灯不亮",
            "content": "村口路灯不亮",
            "jurisdiction": self.org.village.code,
            "category": "street_lamps",
        }
        self.client.force_login(self.org.village_agent)
        missing = self.client.post("/api/v1/cases/", data, content_type="application/json")
        self.assertEqual((missing.status_code, missing.json()["field"]), (400, "attributes.pole"))
        answered = {**data, "attributes": {"pole": "12号杆", "fault": ["dark", "flicker"]}}
        response = self.client.post("/api/v1/cases/", answered, content_type="application/json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["attributes"], answered["attributes"])
        category = self.client.get("/api/v1/categories/street_lamps/").json()
        self.assertEqual([q["code"] for q in category["questions"]], ["pole", "fault"])

    def test_the_staff_intake_form_asks_them(self):
        self.client.force_login(self.org.village_agent)
        fragment = self.client.get("/intake/questions/", {"category": self.lamps.pk})
        self.assertContains(fragment, "灯杆编号")
        self.assertContains(fragment, "灯闪烁")
        form = {
            "channel": "walk_in",
            "petitioner_kind": "person",
            "petitioner_name": "王五",
            "headcount": "1",
            "jurisdiction": self.org.village.pk,
            "category": self.lamps.pk,
            "title": "路灯不亮",
            "content": "村口路灯不亮",
            "urgency": "normal",
        }
        refused = self.client.post("/intake/", form)
        self.assertEqual(refused.status_code, 400)
        self.assertIn("q_pole", refused.context["form"].errors)
        done = self.client.post("/intake/", {**form, "q_pole": "7号杆", "q_fault": ["dark"]})
        self.assertEqual(done.status_code, 302)
        case = Case.objects.get(title="路灯不亮")
        self.assertEqual(case.attributes, {"pole": "7号杆", "fault": ["dark"]})

    def test_open311_serves_and_takes_them(self):
        services = self.client.get("/open311/v2/services.json").json()
        metadata = {s["service_code"]: s["metadata"] for s in services}
        self.assertTrue(metadata["street_lamps"])
        self.assertFalse(metadata["labour_social_security"])
        definition = self.client.get("/open311/v2/services/street_lamps.xml")
        root = ET.fromstring(definition.content)
        codes = [a.findtext("code") for a in root.iter("attribute")]
        self.assertEqual(codes, ["pole", "fault"])
        self.assertEqual([v.findtext("name") for v in root.iter("value")], ["灯不亮", "灯闪烁"])
        response = self.client.post(
            "/open311/v2/requests.json",
            {
                "api_key": self.key.key,
                "service_code": "street_lamps",
                "description": "路灯不亮",
                "address_string": "村口",
                "attribute[pole]": "3号杆",
                "attribute[fault]": ["dark", "flicker"],
                "attribute[colour]": "黄",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        case = Case.objects.get(tracking_number=response.json()[0]["service_request_id"])
        self.assertEqual(case.attributes, {"pole": "3号杆", "fault": ["dark", "flicker"]})
        self.assertIn("colour: 黄", case.content)  # kept, not dropped
        refused = self.client.post(
            "/open311/v2/requests.json",
            {
                "api_key": self.key.key,
                "service_code": "street_lamps",
                "description": "路灯不亮",
                "address_string": "村口",
            },
        )
        self.assertEqual(refused.status_code, 400)
        self.assertIn("pole", refused.json()[0]["description"])

    def test_an_action_refuses_bad_answers(self):
        with self.assertRaises(ValidationFailed) as raised:
            actions.register_case(
                self.org.village_agent,
                channel="phone",
                title="路灯",
                content="不亮",
                jurisdiction=self.org.village,
                category=self.lamps,
                attributes={"pole": "1", "fault": "smoke"},
            )
        self.assertEqual(set(raised.exception.errors), {"attributes.fault"})

    def test_the_portal_asks_them(self):
        fragment = self.client.get("/portal/questions/", {"category": self.lamps.pk})
        self.assertContains(fragment, "灯杆编号")
        page = self.client.get("/portal/")
        self.assertContains(page, 'id="category-questions"')
