"""Superior assignment (上级交办) and the completion report back to the assigning body."""

import datetime as dt

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation

from qingdan.cases import actions as case_actions
from qingdan.cases.choices import Action, Channel
from qingdan.cases.models import Case, CaseEvent
from qingdan.core.errors import NotAllowed, TransitionRefused, ValidationFailed
from qingdan.orgs.testing import build_county

from ..actions import register_superior_assignment, report_completion
from ..models import CompletionReport


class AssignmentTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def assign(self, body="烟台市信访局", reference="烟信交〔2026〕12号", **changes):
        arguments = {
            "assigning_body": body,
            "assigning_reference": reference,
            "assigned_deadline": timezone.now() + dt.timedelta(days=20),
            "title": "企业拖欠工资",
            "content": "某建筑公司拖欠农民工工资三个月。",
            "jurisdiction": self.org.town,
        }
        arguments.update(changes)
        return register_superior_assignment(self.org.town_clerk, **arguments)


class AssignmentTests(AssignmentTestCase):
    def test_arrives_with_body_reference_and_deadline(self):
        case = self.assign()
        self.assertEqual(case.channel, Channel.SUPERIOR_ASSIGNMENT)
        self.assertEqual(case.assigning_body, "烟台市信访局")
        self.assertEqual(case.assigning_reference, "烟信交〔2026〕12号")
        self.assertIsNotNone(case.assigned_deadline)

    def test_reference_and_deadline_are_required(self):
        with self.assertRaises(ValidationFailed) as caught:
            self.assign(reference="", assigned_deadline=None)
        self.assertEqual(set(caught.exception.errors), {"assigning_reference", "assigned_deadline"})
        with self.assertRaises(ValidationFailed) as caught:
            self.assign(body="")
        self.assertIn("assigning_body", caught.exception.errors)

    def test_completion_report_refused_before_reply_and_allowed_after(self):
        case = self.assign()
        with self.assertRaises(TransitionRefused) as caught:
            report_completion(self.org.town_clerk, case, text="已办结")
        self.assertEqual(caught.exception.code, "not_answered")
        case = case_actions.accept(self.org.town_clerk, case)
        with self.assertRaises(TransitionRefused):
            report_completion(self.org.town_clerk, case, text="已办结")
        case = case_actions.reply(
            self.org.town_clerk, case, reply_opinion="supports", reply_text="工资已全部发放。"
        )
        with self.assertRaises(NotAllowed):
            report_completion(self.org.far_village_agent, case, text="已办结")
        with self.assertRaises(ValidationFailed):
            report_completion(self.org.town_clerk, case, text=" ")
        report = report_completion(self.org.town_clerk, case, text="经协调，工资已全部发放。")
        self.assertEqual(report.reported_on, timezone.localdate())
        event = CaseEvent.objects.filter(case=case, action=Action.NOTE).latest("pk")
        self.assertEqual(event.data["completion_report"], report.pk)
        self.assertEqual(event.data["assigning_body"], "烟台市信访局")
        with self.assertRaises(TransitionRefused) as caught:
            report_completion(self.org.town_clerk, case, text="再报一次")
        self.assertEqual(caught.exception.code, "already_reported")
        self.assertEqual(CompletionReport.objects.count(), 1)

    def test_only_assigned_cases_report_back(self):
        case = case_actions.register_case(
            self.org.town_clerk,
            channel="walk_in",
            title="路灯",
            content="路灯不亮",
            jurisdiction=self.org.town,
        )
        with self.assertRaises(TransitionRefused) as caught:
            report_completion(self.org.town_clerk, case, text="x")
        self.assertEqual(caught.exception.code, "not_assigned")

    def test_list_per_assigning_body(self):
        for n in range(3):
            self.assign(reference=f"甲{n}")
        answered = self.assign(body="招远市委督查室", reference="乙1")
        answered = case_actions.accept(self.org.town_clerk, answered)
        answered = case_actions.reply(
            self.org.town_clerk, answered, reply_opinion="explains", reply_text="已答复。"
        )
        report_completion(self.org.town_clerk, answered, text="已报送。")
        self.client.force_login(self.org.town_clerk)
        url = reverse("intake:assignments")
        # session + user, bodies, count, page.
        with self.assertNumQueries(5):
            response = self.client.get(url, {"body": "烟台市信访局"})
        self.assertEqual(len(response.context["page"].object_list), 3)
        response = self.client.get(url, {"body": "招远市委督查室", "reported": "yes"})
        self.assertEqual([c.pk for c in response.context["page"].object_list], [answered.pk])
        response = self.client.get(url, {"reported": "no"})
        self.assertEqual(len(response.context["page"].object_list), 3)
        self.client.force_login(self.org.far_village_agent)
        response = self.client.get(url)
        self.assertEqual(len(response.context["page"].object_list), 0)

    def test_report_page(self):
        case = self.assign()
        self.client.force_login(self.org.town_clerk)
        url = reverse("intake:assignment-report", args=[case.pk])
        response = self.client.post(url, {"text": "已办结"})
        # The state refuses it: 409, as on the case page and in the API.
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "答复或办结", status_code=409)
        case = case_actions.accept(self.org.town_clerk, case)
        case_actions.reply(self.org.town_clerk, case, reply_opinion="supports", reply_text="好")
        response = self.client.post(url, {"text": "已办结"})
        self.assertRedirects(response, reverse("intake:assignments"))
        self.assertTrue(CompletionReport.objects.filter(case=case).exists())


class AssignmentPetitionerTests(AssignmentTestCase):
    """The petitioner of a superior's assignment: given with it when the file names
    one, added later otherwise; and the completion report drafted from the case."""

    def test_the_assignment_may_name_its_petitioner(self):
        case = self.assign(petitioner={"name": "王建国", "phone": "13911223344"})
        self.assertEqual(case.petitioner.masked_name, "王*国")
        self.assertEqual(case.petitioner.phone, "13911223344")
        blank = {"name": "", "phone": "", "id_number": "", "address": ""}
        self.assertIsNone(self.assign(petitioner=blank).petitioner)
        with self.assertRaises(ValidationFailed) as caught:
            self.assign(petitioner={"name": "王建国", "phone": "12345"})
        self.assertIn("petitioner.phone", caught.exception.errors)

    def test_the_form_takes_the_petitioner_and_names_a_bad_field(self):
        self.client.force_login(self.org.town_clerk)
        deadline = timezone.localtime() + dt.timedelta(days=20)
        data = {
            "assigning_body": "烟台市信访局",
            "assigning_reference": "烟信交〔2026〕8号",
            "assigned_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
            "jurisdiction": self.org.town.pk,
            "title": "企业拖欠工资",
            "content": "拖欠工资三个月。",
            "urgency": "normal",
            "petitioner_name": "王建国",
            "petitioner_phone": "12345",
        }
        response = self.client.post(reverse("intake:assignment-new"), data)
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].errors["petitioner_phone"])
        data["petitioner_phone"] = "13911223344"
        response = self.client.post(reverse("intake:assignment-new"), data)
        case = Case.objects.get(assigning_reference="烟信交〔2026〕8号")
        self.assertRedirects(response, reverse("web:case", args=[case.pk]))
        self.assertEqual(case.petitioner.name, "王建国")
        page = self.client.get(reverse("web:case", args=[case.pk]))
        self.assertNotContains(page, 'id="action-add_petitioner"')

    def test_the_tier_adds_the_petitioner_later(self):
        case = self.assign()
        self.assertIsNone(case.petitioner)
        self.client.force_login(self.org.town_clerk)
        page = self.client.get(reverse("web:case", args=[case.pk]))
        self.assertContains(page, 'id="action-add_petitioner"')
        with self.assertRaises(NotAllowed):
            case_actions.add_petitioner(self.org.town_handler, case, name="王建国")
        with self.assertRaises(ValidationFailed) as caught:
            case_actions.add_petitioner(self.org.town_clerk, case, name="", phone="1")
        self.assertEqual(set(caught.exception.errors), {"name", "phone"})
        response = self.client.post(
            reverse("web:case-action", args=[case.pk, "add_petitioner"]),
            {
                "kind": "person",
                "name": "王建国",
                "phone": "13911223344",
                "expected_version": case.version,
            },
        )
        self.assertRedirects(response, reverse("web:case", args=[case.pk]))
        case.refresh_from_db()
        self.assertEqual(case.petitioner.name, "王建国")
        event = case.events.get(action=Action.ADD_PETITIONER)
        self.assertEqual(event.note, "王*国")  # masked on the timeline
        with self.assertRaises(TransitionRefused) as caught:
            case_actions.add_petitioner(self.org.town_clerk, case, name="李四")
        self.assertEqual(caught.exception.code, "has_petitioner")
        # Now the petitioner can rate the answer.
        case_actions.accept(self.org.town_clerk, case)
        case_actions.reply(self.org.town_clerk, case, reply_opinion="supports", reply_text="已发放")
        case_actions.record_evaluation(case_actions.Actor.petitioner(), case, rating="satisfied")

    def test_the_completion_report_is_drafted_from_the_case_and_its_timeline(self):
        case = self.assign()
        case_actions.accept(self.org.town_clerk, case)
        case_actions.add_note(self.org.town_clerk, case, note="经核实，拖欠工资共计12万元。")
        case_actions.assign(self.org.town_clerk, case, lead_unit=self.org.town_justice)
        case_actions.reply(
            self.org.town_clerk, case, reply_opinion="supports", reply_text="工资已全部发放。"
        )
        self.client.force_login(self.org.town_clerk)
        with translation.override("zh-hans"):
            page = self.client.get(
                reverse("intake:assignment-report", args=[case.pk]),
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            )
        draft = page.context["form"]["text"].value()
        today = timezone.localdate().isoformat()
        for expected in (
            "烟台市信访局：",
            "烟信交〔2026〕12号",
            case.tracking_number,
            "某建筑公司拖欠农民工工资三个月。",
            "经核实，拖欠工资共计12万元。",
            f"{today} 交办：{self.org.town_justice}",
            "工资已全部发放。",
            "支持诉求",
            "特此报告。",
        ):
            self.assertIn(expected, draft)
        self.assertEqual(page.context["form"]["reported_on"].value(), timezone.localdate())
        # What the handler sends is what is recorded.
        response = self.client.post(
            reverse("intake:assignment-report", args=[case.pk]), {"text": draft + "\n补充。"}
        )
        self.assertRedirects(response, reverse("intake:assignments"))
        self.assertTrue(CompletionReport.objects.get(case=case).text.endswith("补充。"))
