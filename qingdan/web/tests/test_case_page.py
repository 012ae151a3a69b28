"""The case page: what each persona sees and may do, every action through its form,
conflicts, refusals, reveal of personal data and attachments."""

import datetime as dt
import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings

from qingdan.cases import actions
from qingdan.cases.choices import Action, State
from qingdan.cases.models import Case, CaseEvent, ClosureAgreement, CoHandling
from qingdan.orgs.testing import PERSON, build_county

from .helpers import refresh, register

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class CasePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.case = register(cls.org.village_agent, cls.org.village)

    def act(self, user, action, case=None, **data):
        case = case or self.case
        self.client.force_login(user)
        data.setdefault("expected_version", refresh(case).version)
        return self.client.post(f"/cases/{case.pk}/act/{action}/", data)

    def action_buttons(self, response):
        return [form.action for form in response.context["action_forms"]]

    # --- seeing ---------------------------------------------------------------

    def test_who_may_open_the_case(self):
        allowed = ["village_agent", "town_clerk", "city_supervisor", "analyst", "administrator"]
        refused = ["other_village_agent", "far_village_agent", "other_town_clerk"]
        refused += ["town_handler", "unrelated_handler"]
        for name in allowed + refused:
            with self.subTest(persona=name):
                self.client.force_login(getattr(self.org, name))
                status = self.client.get(f"/cases/{self.case.pk}/").status_code
                self.assertEqual(status, 200 if name in allowed else 404)
        self.client.logout()
        self.assertEqual(self.client.get(f"/cases/{self.case.pk}/").status_code, 302)

    def test_page_shows_exactly_the_allowed_actions(self):
        self.client.force_login(self.org.village_agent)
        response = self.client.get(f"/cases/{self.case.pk}/")
        buttons = self.action_buttons(response)
        self.assertEqual(
            set(buttons),
            {
                "accept",
                "resolve_on_the_spot",
                "escalate",
                "transfer",
                "not_accept",
                "divert",
                "note",
                "link",
                "attach",
            },
        )
        self.assertNotIn("assign", buttons)  # a village has no units
        # The town sees the case but it is not at the town's tier: no routing buttons,
        # only taking it over (提级办理).
        self.client.force_login(self.org.town_clerk)
        buttons = self.action_buttons(self.client.get(f"/cases/{self.case.pk}/"))
        self.assertEqual(set(buttons), {"note", "link", "take_over"})
        self.client.force_login(self.org.analyst)
        response = self.client.get(f"/cases/{self.case.pk}/")
        self.assertEqual(set(self.action_buttons(response)), {"note", "link"})

    def test_petitioner_is_masked_by_default(self):
        self.client.force_login(self.org.city_supervisor)
        response = self.client.get(f"/cases/{self.case.pk}/")
        self.assertContains(response, "张*明")
        self.assertContains(response, "138****5678")
        self.assertNotContains(response, PERSON["phone"])
        self.assertNotContains(response, PERSON["id_number"])
        self.assertContains(response, f'action="/cases/{self.case.pk}/reveal/"')

    def test_timeline_lists_who_when_what(self):
        actions.escalate(self.org.village_agent, self.case, reason="需镇里协调")
        self.client.force_login(self.org.town_clerk)
        response = self.client.get(f"/cases/{self.case.pk}/")
        events = list(response.context["events"])
        self.assertEqual([e.action for e in events], [Action.REGISTER, Action.ESCALATE])
        self.assertContains(response, "欧代办")
        self.assertContains(response, "需镇里协调")

    def test_query_count_does_not_grow_with_the_timeline(self):
        org = self.org
        actions.escalate(org.village_agent, self.case, reason="上报")
        actions.accept(org.town_clerk, self.case)
        actions.assign(
            org.town_clerk, self.case, lead_unit=org.town_office, co_units=[org.police_station]
        )
        url = f"/cases/{self.case.pk}/"
        # Two of them list the case's documents and its supervision notices (documents),
        # one reads its representatives (their names are masked in its free text).
        for user, queries in ((org.town_clerk, 19), (org.town_handler, 16)):
            self.client.force_login(user)
            with self.assertNumQueries(queries):
                self.client.get(url)
            for index in range(5):
                actions.add_note(user, self.case, note=f"跟进{index}")
            with self.assertNumQueries(queries):
                response = self.client.get(url)
            self.assertContains(response, "跟进4")

    # --- acting ---------------------------------------------------------------

    def test_escalate_then_assign_reply_evaluate_close(self):
        org = self.org
        response = self.act(org.village_agent, "escalate", reason="村里解决不了")
        self.assertRedirects(response, f"/cases/{self.case.pk}/")
        self.assertEqual(refresh(self.case).tier, "town")
        self.act(org.town_clerk, "accept", note="受理")
        self.assertEqual(refresh(self.case).state, State.ACCEPTED)
        response = self.act(
            org.town_clerk,
            "assign",
            lead_unit=org.town_office.pk,
            co_units=[org.police_station.pk],
            note="请综治办牵头",
        )
        self.assertEqual(response.status_code, 302)
        case = refresh(self.case)
        self.assertEqual((case.state, case.lead_unit), (State.IN_PROGRESS, org.town_office))
        self.assertTrue(CoHandling.objects.filter(case=case, department=org.police_station))
        self.act(org.town_handler, "co_handle", units=[org.town_justice.pk], note="请司法所协助")
        self.assertTrue(CoHandling.objects.filter(case=case, department=org.town_justice))
        self.act(
            org.town_clerk,
            "extend",
            days="10",
            reason="需现场勘验",
            approved_by="王镇长",
            reason_told_to_petitioner="on",
        )
        self.assertEqual(refresh(self.case).extension_days, 10)
        self.act(org.town_handler, "reply", reply_opinion="supports", reply_text="已修复路灯")
        self.assertEqual(refresh(self.case).state, State.REPLIED)
        self.act(org.village_agent, "evaluate", rating="unsatisfied", note="电话回访")
        self.assertEqual(refresh(self.case).state, State.EVALUATED)
        self.act(org.town_clerk, "reopen", reason="群众不满意，重新办理")
        self.assertEqual(refresh(self.case).state, State.IN_PROGRESS)
        self.act(org.town_handler, "reply", reply_opinion="explains", reply_text="已更换灯杆")
        self.act(org.village_agent, "evaluate", rating="satisfied")
        response = self.act(org.town_clerk, "close", note="办结")
        self.assertEqual(refresh(self.case).state, State.CLOSED)
        kinds = list(self.case.events.values_list("action", flat=True))
        for action in ("escalate", "accept", "assign", "co_handle", "extend", "reply", "close"):
            self.assertIn(action, kinds)

    def test_hand_back_transfer_and_on_the_spot(self):
        org = self.org
        self.act(org.village_agent, "escalate", reason="先报镇里")
        self.act(org.town_clerk, "hand_back", reason="属村里能办的小事")
        self.assertEqual(refresh(self.case).tier, "village")
        self.act(
            org.village_agent,
            "transfer",
            to_jurisdiction=org.other_village.pk,
            reason="问题发生在台上村",
        )
        self.assertEqual(refresh(self.case).jurisdiction, org.other_village)
        response = self.act(
            org.other_village_agent,
            "resolve_on_the_spot",
            reply_opinion="supports",
            reply_text="当场协调解决",
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(refresh(self.case).state, State.REPLIED)

    def test_not_accept_and_divert(self):
        self.act(self.org.village_agent, "not_accept", reason="不属于信访事项")
        self.assertEqual(refresh(self.case).state, State.NOT_ACCEPTED)
        other = register(self.org.village_agent, self.org.village, title="劳动合同纠纷")
        self.act(
            self.org.village_agent,
            "divert",
            case=other,
            legal_channel="arbitration",
            help_given="指导其向劳动仲裁委申请仲裁",
        )
        self.assertEqual(refresh(other).state, State.DIVERTED)

    def test_review_and_closure_agreement(self):
        org = self.org
        actions.resolve_on_the_spot(org.village_agent, self.case, reply_text="已解决")
        response = self.act(
            org.village_agent,
            "closure_agreement",
            signed_at=dt.date.today().isoformat(),
            signed_by="张小明",
            summary="双方同意息诉罢访",
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(ClosureAgreement.objects.filter(case=self.case).exists())
        response = self.act(org.village_agent, "request_review", reason="对答复不服")
        self.assertEqual(response.status_code, 302)
        follow_up = Case.objects.get(parent=self.case)
        self.assertEqual(follow_up.review_level, 1)
        page = self.client.get(response["Location"])
        self.assertContains(page, follow_up.tracking_number)

    def test_note_link_and_attachment(self):
        other = register(self.org.village_agent, self.org.village, title="另一件")
        self.act(self.org.village_agent, "note", note="已电话联系")
        self.act(self.org.village_agent, "link", other=other.tracking_number, note="同一路段")
        self.assertTrue(self.case.links_out.filter(to_case=other).exists())
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        with override_settings(MEDIA_ROOT=media):
            self.client.force_login(self.org.village_agent)
            upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
            response = self.client.post(
                f"/cases/{self.case.pk}/act/attach/",
                {"expected_version": self.case.version, "file": upload},
            )
            self.assertEqual(response.status_code, 302)
            item = self.case.attachments.get()
            url = f"/cases/{self.case.pk}/attachments/{item.pk}/"
            self.assertContains(self.client.get(f"/cases/{self.case.pk}/"), url)
            download = self.client.get(url)
            self.assertEqual(b"".join(download.streaming_content), PNG)
            self.client.force_login(self.org.far_village_agent)
            self.assertEqual(self.client.get(url).status_code, 404)
            self.client.force_login(self.org.village_agent)
            bad = SimpleUploadedFile("virus.exe", b"MZ" + b"\x00" * 10)
            response = self.client.post(
                f"/cases/{self.case.pk}/act/attach/",
                {"expected_version": self.case.version, "file": bad},
            )
            self.assertEqual(response.status_code, 400)
            self.assertIn("file", response.context["action_forms"][-1].errors)
        notes = self.case.events.filter(action=Action.NOTE).values_list("note", flat=True)
        self.assertEqual(list(notes), ["已电话联系"])

    # --- refusing ---------------------------------------------------------------

    def test_missing_reason_is_shown_next_to_the_field(self):
        response = self.act(self.org.village_agent, "escalate", reason="")
        self.assertEqual(response.status_code, 400)
        form = next(f for f in response.context["action_forms"] if f.action == "escalate")
        self.assertEqual(form.errors["reason"], ["请填写理由。"])
        self.assertContains(response, 'id="id_escalate_reason_errors"', status_code=400)
        self.assertEqual(refresh(self.case).tier, "village")

    def test_stale_page_gets_a_conflict_not_an_overwrite(self):
        version = self.case.version
        actions.accept(self.org.village_agent, self.case)
        response = self.act(
            self.org.village_agent, "escalate", reason="村里解决不了", expected_version=version
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "刷新", status_code=409)
        self.assertEqual(refresh(self.case).tier, "village")

    def test_stale_page_for_actions_without_a_version_parameter(self):
        actions.resolve_on_the_spot(self.org.village_agent, self.case, reply_text="已解决")
        version = refresh(self.case).version
        actions.record_evaluation(self.org.village_agent, self.case, rating="unsatisfied")
        response = self.act(
            self.org.village_agent, "request_review", reason="不服", expected_version=version
        )
        self.assertEqual(response.status_code, 409)
        self.assertFalse(Case.objects.filter(parent=self.case).exists())

    def test_action_refused_by_the_state_says_why(self):
        actions.accept(self.org.village_agent, self.case)
        response = self.act(self.org.village_agent, "accept")
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "errorlist nonfield", status_code=409)

    def test_forged_forms_are_refused_with_403(self):
        org = self.org
        actions.escalate(org.village_agent, self.case, reason="上报")
        forged = [
            (org.village_agent, "accept", {}),  # no longer the case's tier
            (org.village_agent, "assign", {"lead_unit": org.town_office.pk}),
            (org.analyst, "accept", {}),
            (org.analyst, "not_accept", {"reason": "x"}),
        ]
        for user, action, data in forged:
            with self.subTest(user=user.username, action=action):
                response = self.act(user, action, **data)
                self.assertEqual(response.status_code, 403)
                self.assertContains(response, 'id="refused"', status_code=403)
        self.assertEqual(refresh(self.case).state, State.REGISTERED)
        actions.accept(org.town_clerk, self.case)
        actions.assign(org.town_clerk, self.case, lead_unit=org.town_office)
        # The lead unit closes the case it holds, but only once it is evaluated.
        response = self.act(org.town_handler, "close")
        self.assertEqual(response.status_code, 409)
        response = self.act(org.town_handler, "extend", days="5", reason="x")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.act(org.unrelated_handler, "reply").status_code, 404)
        self.assertEqual(self.act(org.village_agent, "no-such-action").status_code, 404)

    def test_get_on_an_action_is_not_allowed(self):
        self.client.force_login(self.org.village_agent)
        response = self.client.get(f"/cases/{self.case.pk}/act/accept/")
        self.assertEqual(response.status_code, 405)

    # --- personal data ------------------------------------------------------------

    def test_reveal_is_logged_with_the_reason(self):
        self.client.force_login(self.org.town_clerk)
        response = self.client.post(f"/cases/{self.case.pk}/reveal/", {"reason": "需电话回访"})
        self.assertContains(response, PERSON["phone"])
        self.assertContains(response, PERSON["id_number"])
        self.assertIn("no-store", response["Cache-Control"])
        event = CaseEvent.objects.get(case=self.case, action=Action.REVEAL)
        self.assertEqual((event.actor, event.note), (self.org.town_clerk, "需电话回访"))
        # The next view is masked again.
        self.assertNotContains(self.client.get(f"/cases/{self.case.pk}/"), PERSON["phone"])

    def test_reveal_without_a_reason_is_refused_on_the_page(self):
        # The answer is the whole page (a reveal shows the case's free text whole too).
        self.client.force_login(self.org.town_clerk)
        empty = self.client.post(f"/cases/{self.case.pk}/reveal/", {"reason": ""})
        self.assertContains(empty, "errorlist", status_code=400)
        self.assertNotContains(empty, PERSON["phone"], status_code=400)
        self.assertFalse(CaseEvent.objects.filter(action=Action.REVEAL).exists())

    def test_reveal_refused_without_the_permission(self):
        self.client.force_login(self.org.village_agent)
        page = self.client.get(f"/cases/{self.case.pk}/")
        self.assertNotContains(page, "/reveal/")
        response = self.client.post(f"/cases/{self.case.pk}/reveal/", {"reason": "好奇"})
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, PERSON["phone"], status_code=403)
        self.assertFalse(CaseEvent.objects.filter(action=Action.REVEAL).exists())
        self.client.force_login(self.org.far_village_agent)
        response = self.client.post(f"/cases/{self.case.pk}/reveal/", {"reason": "x"})
        self.assertEqual(response.status_code, 404)
