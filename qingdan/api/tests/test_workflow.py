"""Every workflow action through the API, as the person whose job it is, with token
authentication: the serializers' fields must match the actions' parameters."""

import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.utils import timezone

from qingdan.cases import actions
from qingdan.cases.catalogue import CASE_ACTIONS
from qingdan.cases.models import Attachment, Case, CaseLink, ClosureAgreement
from qingdan.orgs.testing import build_county

from .helpers import register, token_client


class WorkflowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.case = register(cls.org.village_agent, cls.org.village)
        cls.other = register(cls.org.village_agent, cls.org.village, title="水管漏水")

    def setUp(self):
        self.media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.media, True)
        self.done: set[str] = set()

    def act(self, persona, name, data=None, case=None, expect=200):
        case = case or self.case
        url = f"/api/v1/cases/{case.tracking_number}/{name}/"
        response = token_client(getattr(self.org, persona)).post(url, data or {}, format="json")
        self.assertEqual(response.status_code, expect, response.content.decode())
        self.done.add(name)
        return response.json()

    def test_the_whole_life_of_a_case(self):
        body = self.act("village_agent", "accept", {"note": "当场受理", "version": 1})
        self.assertEqual((body["state"], body["version"]), ("accepted", 2))
        with override_settings(MEDIA_ROOT=self.media):
            upload = SimpleUploadedFile("现场.txt", "路灯照片说明".encode(), "text/plain")
            response = token_client(self.org.village_agent).post(
                f"/api/v1/cases/{self.case.tracking_number}/attachments/",
                {"file": upload},
                format="multipart",
            )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Attachment.objects.get(case=self.case).original_name, "现场.txt")
        self.assertEqual(
            self.act("village_agent", "escalate", {"reason": "需镇协调"})["tier"], "town"
        )
        body = self.act(
            "town_clerk", "assign", {"lead_unit": "ll-zzb", "co_units": ["ll-sfs"], "note": "请办"}
        )
        self.assertEqual((body["state"], body["lead_unit"]), ("in_progress", "ll-zzb"))
        body = self.act("town_handler", "co-handle", {"units": ["ll-pcs"]})
        self.assertEqual(sorted(body["co_units"]), ["ll-pcs", "ll-sfs"])
        extension = {
            "days": 10,
            "approved_by": "镇长",
            "reason_told_to_petitioner": True,
            "reason": "需勘察",
        }
        self.assertEqual(self.act("town_clerk", "extend", extension)["extension_days"], 10)
        reply = {"reply_opinion": "supports", "reply_text": "已更换灯泡"}
        self.assertEqual(self.act("town_handler", "reply", reply)["state"], "replied")
        body = self.act("village_agent", "evaluate", {"rating": "unsatisfied", "note": "仍暗"})
        self.assertEqual((body["state"], body["rating"]), ("evaluated", "unsatisfied"))
        self.assertEqual(
            self.act("town_clerk", "reopen", {"reason": "群众不满意"})["state"], "in_progress"
        )
        self.act("town_handler", "reply", {"reply_opinion": "supports", "reply_text": "已更换线路"})
        self.act("village_agent", "evaluate", {"rating": "satisfied"})
        body = self.act("town_clerk", "close", {"note": "办结"})
        self.assertEqual(body["state"], "closed")
        self.assertEqual(
            body["allowed_actions"], ["request-review", "closure-agreement", "note", "link"]
        )
        agreement = {
            "signed_at": timezone.localdate().isoformat(),
            "signed_by": "张小明",
            "summary": "同意息诉罢访",
        }
        self.act("town_clerk", "closure-agreement", agreement)
        self.assertTrue(ClosureAgreement.objects.filter(case=self.case).exists())
        self.act("town_handler", "note", {"note": "回访已完成"})
        self.act("town_clerk", "link", {"other": self.other.tracking_number, "kind": "related"})
        self.assertTrue(CaseLink.objects.filter(from_case=self.case, to_case=self.other).exists())
        review = self.act("village_agent", "request-review", {"reason": "要求复查"}, expect=201)
        self.assertEqual((review["parent"], review["review_level"]), (self.case.tracking_number, 1))

        timeline = token_client(self.org.town_clerk).get(
            f"/api/v1/cases/{self.case.tracking_number}/timeline/"
        )
        self.assertEqual(
            [event["action"] for event in timeline.json()],
            [
                "register",
                "accept",
                "attach",
                "escalate",
                "assign",
                "co_handle",
                "note",  # adding a co-handling unit bumps the version through a note
                "co_handle",
                "extend",
                "reply",
                "evaluate",
                "reopen",
                "reply",
                "evaluate",
                "close",
                "closure_agreement",
                "note",
                "link",
                "request_review",
            ],
        )
        for name, persona, data, state in (
            ("not-accept", "village_agent", {"reason": "不属于信访事项"}, "not_accepted"),
            (
                "divert",
                "village_agent",
                {"legal_channel": "litigation", "help_given": "指导起诉"},
                "diverted",
            ),
            ("resolve-on-the-spot", "village_agent", {"reply_text": "当场解答"}, "replied"),
        ):
            with self.subTest(action=name):
                case = register(self.org.village_agent, self.org.village, title=name)
                self.assertEqual(self.act(persona, name, data, case=case)["state"], state)

        moved = register(self.org.village_agent, self.org.village, title="移交")
        self.act("village_agent", "escalate", {"reason": "需镇协调"}, case=moved)
        body = self.act("town_clerk", "hand-back", {"reason": "属村级事项"}, case=moved)
        self.assertEqual(body["tier"], "village")
        body = self.act(
            "village_agent",
            "transfer",
            {"to_jurisdiction": self.org.other_village.code, "reason": "发生地在台上村"},
            case=moved,
        )
        # Answered with the result, though the case has now left the agent's village.
        self.assertEqual(body["jurisdiction"], self.org.other_village.code)
        response = token_client(self.org.village_agent).get(
            f"/api/v1/cases/{moved.tracking_number}/"
        )
        self.assertEqual(response.status_code, 404)

        # Taken over by the city (提级办理), named its petitioner later, and a co-handling
        # unit's opinion to the lead unit.
        raised = actions.register_case(
            self.org.village_agent,
            channel="police_report",
            title="提级",
            content="村口有人聚集",
            jurisdiction=self.org.village,
        )
        body = self.act("city_supervisor", "take-over", {"reason": "涉及多个部门"}, case=raised)
        self.assertEqual(body["tier"], "city")
        body = self.act(
            "city_supervisor", "add-petitioner", {"name": "王建国", "phone": "13911223344"}, raised
        )
        self.assertEqual(body["petitioner"]["name"], "王*国")
        self.act("city_supervisor", "accept", case=raised)
        self.act(
            "city_supervisor", "assign", {"lead_unit": "zy-zjj", "co_units": ["zy-rsj"]}, raised
        )
        self.act("labour_handler", "co-opinion", {"opinion": "欠薪已核实"}, case=raised)
        self.assertEqual(Case.objects.get(pk=raised.pk).co_handlings.get().opinion, "欠薪已核实")

        # The hearing clock's actions need a re-review case: deadlines/tests/test_hearing_routes.py.
        clock = {"pause-clock", "resume-clock"}
        json_actions = {spec.path for spec in CASE_ACTIONS if not spec.multipart}
        self.assertEqual(self.done, json_actions - clock)

    def test_a_case_one_cannot_see_cannot_be_linked(self):
        far = register(self.org.far_village_agent, self.org.far_village)
        body = self.act("village_agent", "link", {"other": far.tracking_number}, expect=400)
        self.assertEqual((body["code"], body["field"]), ("validation_failed", "other"))
        self.assertFalse(CaseLink.objects.exists())

    def test_an_upload_needs_a_file_of_an_accepted_kind(self):
        client = token_client(self.org.village_agent)
        url = f"/api/v1/cases/{self.case.tracking_number}/attachments/"
        missing = client.post(url, {}, format="multipart")
        self.assertEqual((missing.status_code, missing.json()["field"]), (400, "file"))
        with override_settings(MEDIA_ROOT=self.media):
            program = SimpleUploadedFile("a.exe", b"MZ\x90\x00", "application/octet-stream")
            refused = client.post(url, {"file": program}, format="multipart")
        self.assertEqual((refused.status_code, refused.json()["field"]), (400, "file"))
        self.assertFalse(Attachment.objects.exists())
        self.assertEqual(Case.objects.get(pk=self.case.pk).version, 1)
