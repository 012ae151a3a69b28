"""The policy answer library: kept by supervisors, searched by everyone, cited in
replies with a trace on the case's timeline."""

from django.test import TestCase
from django.urls import reverse

from qingdan.cases import actions as case_actions
from qingdan.cases.choices import Action
from qingdan.cases.models import CaseEvent
from qingdan.core.errors import NotAllowed, TransitionRefused, ValidationFailed
from qingdan.orgs.testing import build_county

from ..actions import cite_policy_answer, save_policy_answer
from ..filters import search_policy_answers


class PolicyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        save = cls.save = staticmethod(save_policy_answer)
        cls.licence = save(
            cls.org.city_supervisor,
            question="办理营业执照需要什么材料？",
            answer="申请书、身份证明、住所证明，全程网办。",
            source="《市场主体登记管理条例》第十六条",
            tags="营业执照 登记",
        )
        cls.tax = save(
            cls.org.city_supervisor,
            question="小微企业能享受哪些税收优惠？",
            answer="月销售额10万元以下免征增值税。",
            source="财政部 税务总局公告2023年第19号",
            tags="税收, 小微企业",
        )
        cls.wage = save(
            cls.org.city_supervisor,
            question="企业欠薪怎么办？",
            answer="向人社部门劳动保障监察机构投诉，涉及营业执照吊销的另行处理。",
            source="《保障农民工工资支付条例》",
            tags="欠薪",
        )

    def test_only_keepers_edit_and_fields_are_checked(self):
        with self.assertRaises(NotAllowed):
            save_policy_answer(self.org.town_handler, question="q", answer="a", source="s")
        with self.assertRaises(ValidationFailed) as caught:
            save_policy_answer(self.org.city_supervisor, question="", answer="", source="")
        self.assertEqual(set(caught.exception.errors), {"question", "answer", "source"})

    def test_search_ranks_question_words_first(self):
        found = search_policy_answers("营业执照")
        self.assertEqual(found[:2], [self.licence, self.wage])
        self.assertEqual(search_policy_answers("小微企业 税收")[0], self.tax)
        # No spaces in a Chinese question: character pairs still find it.
        self.assertEqual(search_policy_answers("小微企业有什么税收政策")[0], self.tax)
        self.assertEqual(search_policy_answers("与此无关的话"), [])
        self.assertEqual(len(search_policy_answers("")), 3)

    def test_withdrawn_answers_are_not_found_or_cited(self):
        save_policy_answer(
            self.org.city_supervisor,
            self.tax,
            question=self.tax.question,
            answer=self.tax.answer,
            source=self.tax.source,
            is_active=False,
        )
        self.assertNotIn(self.tax, search_policy_answers("税收"))
        case = case_actions.register_case(
            self.org.town_clerk,
            channel="phone",
            title="税",
            content="税收",
            jurisdiction=self.org.town,
        )
        with self.assertRaises(TransitionRefused):
            cite_policy_answer(self.org.town_clerk, case, self.tax)

    def test_citing_returns_the_text_and_records_which_answer(self):
        case = case_actions.register_case(
            self.org.town_clerk,
            channel="enterprise_visit",
            title="执照",
            content="新办执照要带什么",
            jurisdiction=self.org.town,
        )
        text = cite_policy_answer(self.org.town_clerk, case, self.licence)
        self.assertIn(self.licence.source, text)
        self.assertIn(self.licence.answer, text)
        event = CaseEvent.objects.filter(case=case, action=Action.NOTE).latest("pk")
        self.assertEqual(event.data["policy_answer"], self.licence.pk)
        self.assertEqual(event.data["source"], self.licence.source)
        with self.assertRaises(NotAllowed):
            cite_policy_answer(self.org.far_village_agent, case, self.licence)

    def test_pages(self):
        case = case_actions.register_case(
            self.org.town_clerk,
            channel="phone",
            title="执照",
            content="执照",
            jurisdiction=self.org.town,
        )
        self.client.force_login(self.org.town_handler)
        response = self.client.get(reverse("intake:policy"), {"q": "营业执照"})
        self.assertContains(response, self.licence.question)
        self.assertNotContains(response, reverse("intake:policy-new"))
        self.assertEqual(self.client.get(reverse("intake:policy-new")).status_code, 403)
        self.client.force_login(self.org.town_clerk)
        url = reverse("intake:policy-cite", args=[self.licence.pk])
        response = self.client.post(url, {"tracking_number": case.tracking_number})
        self.assertContains(response, self.licence.source)
        response = self.client.post(url, {"tracking_number": "ZY-1999-000001"})
        self.assertEqual(response.status_code, 400)
        self.client.force_login(self.org.city_supervisor)
        response = self.client.post(
            reverse("intake:policy-new"),
            {"question": "问", "answer": "答", "source": "某条例", "tags": "", "is_active": "on"},
        )
        self.assertRedirects(response, reverse("intake:policy"))
