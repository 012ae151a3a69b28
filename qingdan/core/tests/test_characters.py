"""Characters XML 1.0 cannot carry are refused at every intake path with a field error
(Chinese on pages, `invalid_characters` in the API, row and column in imports), and
every form and serializer that takes text applies the one rule. Open311, with the
issue's reproduction, is tested in qingdan/open311/tests/test_privacy.py."""

import importlib
import pkgutil
import re

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

import qingdan
from qingdan.api.tests.helpers import token_client
from qingdan.cases import actions
from qingdan.cases.catalogue import CASE_ACTIONS
from qingdan.cases.models import Case, CaseEvent
from qingdan.core.characters import first_illegal, strip_illegal, validate_xml_characters
from qingdan.core.forms import CheckedTextForm, CheckedTextModelForm
from qingdan.core.serializers import InputSerializer, action_serializer
from qingdan.intake.models import ImportProblem
from qingdan.orgs.testing import build_county
from qingdan.web.tests.helpers import challenge_answer

ZH_MESSAGE = "含有无法保存的控制字符"
# Forms that only read (filters, searches, log-in): nothing they take is stored.
READ_ONLY_FORMS = {
    "qingdan.orgs.forms.LoginForm",
    "qingdan.open311.forms.RequestQueryForm",
    "qingdan.stats.forms.StatsQueryForm",
    "qingdan.stats.forms.ResultsQueryForm",
    "qingdan.triage.forms.HotIssueQueryForm",
    "qingdan.triage.forms.TopicStatusForm",
    "qingdan.triage.forms.SuggestForm",
    "qingdan.intake.forms.PolicySearchForm",
    "qingdan.intake.forms.AssignmentFilterForm",
    "qingdan.deadlines.admin.PolicyForm",
}
# Serializers that only render answers (besides the ModelSerializers, all outputs).
OUTPUT_SERIALIZERS = {"RevealedPetitioner", "RevealedText", "RevealedNote"}


class RuleTests(SimpleTestCase):
    def test_the_characters(self):
        for bad in ("\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1f", "\ud800", "\ufffe", "\uffff"):
            self.assertEqual(first_illegal(f"a{bad}b"), bad)
            self.assertEqual(strip_illegal(f"a{bad}b"), "ab")
            with self.assertRaises(ValidationError) as caught:
                validate_xml_characters(f"a{bad}b")
            self.assertEqual(caught.exception.code, "invalid_characters")
        for good in ("\t", "\n", "\r", " ", "中文", "\u0085", "\ufffd", "😀"):
            self.assertIsNone(first_illegal(f"a{good}b"))
            validate_xml_characters(good)


def _all_forms() -> list[type]:
    for module in pkgutil.walk_packages(qingdan.__path__, "qingdan."):
        if module.name.rsplit(".", 1)[-1] in {"forms", "portal_forms", "admin"}:
            importlib.import_module(module.name)
    found, stack = [], [forms.BaseForm]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.startswith("qingdan.") and "tests" not in subclass.__module__:
                found.append(subclass)
    return found


class EveryFormAndSerializerTests(SimpleTestCase):
    def test_every_form_that_stores_text_checks_it(self):
        unchecked = [
            f"{form.__module__}.{form.__qualname__}"
            for form in _all_forms()
            if not issubclass(form, CheckedTextForm | CheckedTextModelForm)
            and f"{form.__module__}.{form.__qualname__}" not in READ_ONLY_FORMS
        ]
        self.assertEqual(unchecked, [])

    def test_every_api_input_checks_its_text(self):
        classes = [action_serializer(spec) for spec in CASE_ACTIONS]
        stack: list[type] = [serializers.Serializer]
        while stack:
            for subclass in stack.pop().__subclasses__():
                stack.append(subclass)
                if (
                    subclass.__module__.startswith("qingdan.")
                    and "tests" not in subclass.__module__
                    and subclass.__name__ not in OUTPUT_SERIALIZERS
                    and not issubclass(subclass, serializers.ModelSerializer)
                ):
                    classes.append(subclass)
        for serializer_class in classes:
            fields = serializer_class().fields
            writable = [
                name
                for name, field in fields.items()
                if isinstance(field, serializers.CharField) and not field.read_only
            ]
            if writable:
                self.assertTrue(issubclass(serializer_class, InputSerializer), serializer_class)
            for name in writable:
                self.assertIn(validate_xml_characters, fields[name].validators, name)


@override_settings(QINGDAN_IMPORT_IN_BACKGROUND=False)
class IntakePathTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.case = actions.register_case(
            cls.org.village_agent,
            channel="walk_in",
            title="路灯坏了",
            content="村口路灯坏了",
            jurisdiction=cls.org.village,
        )

    def setUp(self):
        cache.clear()

    def assert_refused_on_the_page(self, response, field: str):
        self.assertEqual(response.status_code, 400)
        errors = response.context["form"].errors
        self.assertIn(field, errors)
        self.assertIn(ZH_MESSAGE, errors[field][0])
        self.assertIn("U+0007", errors[field][0])

    def test_staff_intake_form(self):
        self.client.force_login(self.org.village_agent)
        data = {
            "channel": "walk_in",
            "petitioner_kind": "person",
            "petitioner_name": "李大山",
            "headcount": "1",
            "title": "排水沟堵塞",
            "content": "村东头排水沟\x07堵塞",
            "urgency": "normal",
            "jurisdiction": self.org.village.pk,
        }
        self.assert_refused_on_the_page(self.client.post("/intake/", data), "content")
        data["content"], data["petitioner_name"] = "村东头排水沟堵塞", "李\x07大山"
        self.assert_refused_on_the_page(self.client.post("/intake/", data), "petitioner_name")
        self.assertEqual(Case.objects.count(), 1)

    def test_citizen_portal(self):
        page = self.client.get("/portal/").content.decode()
        answer, token = challenge_answer(page)
        data = {
            "name": "王建国",
            "phone": "13812345678",
            "place": self.org.village.pk,
            "title": "排水沟堵塞",
            "content": "雨后积水\x07",
            "answer": answer,
            "token": token,
            "website": "",
        }
        self.assert_refused_on_the_page(self.client.post("/portal/", data), "content")
        self.assertEqual(Case.objects.count(), 1)

    def test_case_actions_on_the_page(self):
        self.client.force_login(self.org.village_agent)
        url = f"/cases/{self.case.pk}/act/not_accept/"
        response = self.client.post(url, {"reason": "不\x07属于", "expected_version": "1"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, ZH_MESSAGE, status_code=400)
        self.assertEqual(Case.objects.get(pk=self.case.pk).state, "registered")

    def test_api_registration_and_actions(self):
        client = token_client(self.org.village_agent)
        body = {
            "channel": "walk_in",
            "title": "路灯坏了",
            "content": "bell\x07",
            "jurisdiction": self.org.village.code,
            "petitioner": {"name": "张\x00三"},
        }
        response = client.post("/api/v1/cases/", body, format="json")
        self.assertEqual(response.status_code, 400)
        data = response.json()
        self.assertEqual(data["codes"]["content"], ["invalid_characters"])
        self.assertEqual(data["codes"]["petitioner.name"], ["invalid_characters"])
        self.assertIn("U+0007", data["errors"]["content"][0])
        url = f"/api/v1/cases/{self.case.tracking_number}/"
        for action, params in (
            ("note", '{"note": "a\\u001bb"}'),
            ("not-accept", '{"reason": "\\ud800"}'),
            ("reveal", '{"reason": "x\\b"}'),
        ):
            response = client.post(f"{url}{action}/", params, content_type="application/json")
            self.assertEqual(response.status_code, 400, action)
            codes = {code for found in response.json()["codes"].values() for code in found}
            self.assertEqual(codes, {"invalid_characters"}, action)
        self.assertEqual(CaseEvent.objects.filter(case=self.case).count(), 1)

    def test_the_api_schema_documents_the_rule(self):
        client = token_client(self.org.village_agent)
        schema = client.get("/api/v1/schema/", {"format": "json"}).json()
        content = schema["components"]["schemas"]["CaseCreateRequest"]["properties"]["content"]
        pattern = content["pattern"]
        self.assertTrue(re.search(pattern, "路灯\t坏了\n"))
        self.assertIsNone(re.search(pattern, "bell\x07"))
        self.assertIn("codes", schema["components"]["schemas"]["Error"]["properties"])

    def test_12345_import_reports_row_and_column(self):
        self.client.force_login(self.org.town_clerk)
        lines = [
            "工单编号,来电时间,诉求内容,诉求人,联系电话,所属街镇,诉求类型,紧急程度,办理时限",
            "W1,2024-03-05 14:00,楼道灯坏了,张先生,13900000001,玲珑镇,,一般,7天",
            "W2,2024-03-05 14:01,楼道灯\x07坏了 电话139 1234 5678,张先生,13900000002,"
            "玲珑镇,,一般,7天",
            "W3,2024-03-05 14:02\x00,楼道灯坏了,张\x1b先生,13900000003,玲珑镇,,一般,7天",
        ]
        upload = SimpleUploadedFile("工单.csv", "\n".join(lines).encode("utf-8-sig"), "text/csv")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("intake:imports"), {"file": upload})
        problems = list(ImportProblem.objects.order_by("row", "column"))
        self.assertEqual(
            [(p.row, p.column) for p in problems], [(3, "诉求内容"), (4, "来电时间"), (4, "诉求人")]
        )
        for problem in problems:
            self.assertIn(ZH_MESSAGE, problem.message)
            self.assertIsNone(first_illegal(problem.value))
        # The report quotes the cell, masked: the clerk's file stays the only whole copy.
        self.assertEqual(problems[0].value, "楼道灯坏了 电话139****5678")
        run = problems[0].run
        report = self.client.get(reverse("intake:import-report", args=[run.pk]))
        text = b"".join(report.streaming_content).decode("utf-8")
        self.assertIn("139****5678", text)
        self.assertNotIn("139 1234 5678", text)
        self.assertEqual(Case.objects.count(), 2)  # W1 only

    def test_enterprise_visit_quick_entry_and_superior_assignment(self):
        self.client.force_login(self.org.town_clerk)
        visit = {
            "visited_on": timezone.localdate().isoformat(),
            "enterprise_name": "招远金都食品有限公司",
            "jurisdiction": self.org.town.pk,
            "staff": [self.org.town_clerk.pk],
            "problems-TOTAL_FORMS": "2",
            "problems-INITIAL_FORMS": "0",
            "problems-0-content": "用电增容慢\x07",
            "problems-1-content": "招工难",
        }
        refused = self.client.post(reverse("intake:visit-new"), visit)
        self.assertEqual(refused.status_code, 400)
        row = refused.context["form"].rows.forms[0].errors["content"][0]
        self.assertIn(ZH_MESSAGE, row)
        self.assertIn("U+0007", row)
        quick = {
            "channel": "walk_in",
            "location": "村口",
            "content": "吵架\x07",
            "jurisdiction": self.org.village.pk,
        }
        self.assert_refused_on_the_page(self.client.post(reverse("intake:quick"), quick), "content")
        assignment = {
            "assigning_body": "烟台市信访局\x07",
            "assigning_reference": "烟信转〔2026〕12号",
            "assigned_deadline": "2026-12-30T17:00",
            "jurisdiction": self.org.town.pk,
            "title": "拖欠工资",
            "content": "拖欠工资",
            "urgency": "normal",
        }
        self.assert_refused_on_the_page(
            self.client.post(reverse("intake:assignment-new"), assignment), "assigning_body"
        )
        self.assertEqual(Case.objects.count(), 1)
