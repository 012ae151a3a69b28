from django.test import TestCase

from qingdan.cases.choices import State
from qingdan.cases.models import CaseEvent, CaseLink
from qingdan.core.errors import NotAllowed, TransitionRefused
from qingdan.orgs.testing import PERSON, build_county
from qingdan.triage import actions
from qingdan.triage.choices import RelatedReason
from qingdan.triage.duplicates import fingerprint_case, related_cases
from qingdan.triage.models import CaseFingerprint

from .helpers import FreshIndexMixin, pages, register

ORIGINAL = (
    "欧家夼村东头的路灯已经坏了两个多月，晚上一片漆黑，老人孩子出行很不安全，"
    "上个月还有村民在这里摔倒受伤。请村里和镇里尽快派人维修路灯。"
)
NEAR_COPY = (
    "欧家夼村东头的路灯坏了两个多月了，晚上一片漆黑，老人和孩子出行很不安全，"
    "上个月已经有村民在这里摔倒受伤。请尽快派人维修路灯！"
)
UNRELATED = "我在金都食品公司工作三年，公司拖欠工资四个月，至今没有发放，请人社局帮助讨薪。"


@pages
class DuplicateTests(FreshIndexMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.original = register(cls.org, title="村东头路灯坏了", content=ORIGINAL)
        cls.unrelated = register(cls.org, title="公司拖欠工资", content=UNRELATED)

    def test_fingerprint_written_at_registration(self):
        self.assertTrue(CaseFingerprint.objects.filter(case=self.original).exists())

    def test_fingerprinting_again_writes_over_the_stored_signature(self):
        stored = CaseFingerprint.objects.get(case=self.original)
        CaseFingerprint.objects.filter(pk=stored.pk).update(signature=b"stale")
        fingerprint_case(self.original)
        again = CaseFingerprint.objects.get(case=self.original)
        self.assertEqual(bytes(again.signature), bytes(stored.signature))
        self.assertEqual(CaseFingerprint.objects.filter(case=self.original).count(), 1)

    def test_near_copy_found_unrelated_not(self):
        copy = register(self.org, title="村东头路灯坏了两个月", content=NEAR_COPY)
        found = related_cases(copy, self.org.village_agent)
        self.assertEqual([r.case for r in found], [self.original])
        self.assertTrue(found[0].is_duplicate)
        self.assertIn(RelatedReason.NEAR_DUPLICATE, found[0].reasons)
        self.assertGreater(found[0].similarity, 0.7)
        as_dict = found[0].as_dict()
        self.assertEqual(as_dict["tracking_number"], self.original.tracking_number)
        self.assertTrue(as_dict["is_duplicate"])
        # A text being typed at intake: the same answer, before anything is saved.
        typed = related_cases("村东头路灯坏了两个月\n" + NEAR_COPY, self.org.town_clerk)
        self.assertEqual([r.case for r in typed], [copy, self.original])
        self.assertEqual(typed[0].similarity, 1.0)
        self.assertEqual(
            related_cases(UNRELATED.replace("三年", "五年"), self.org.village_agent)[0].case,
            self.unrelated,
        )
        self.assertEqual(
            related_cases("完全无关的一句话：今天天气很好。", self.org.village_agent), []
        )

    def test_only_visible_cases_are_shown(self):
        copy = register(self.org, title="村东头路灯坏了两个月", content=NEAR_COPY)
        self.assertEqual(related_cases(copy, self.org.other_town_clerk), [])
        self.assertEqual(related_cases(copy, self.org.unrelated_handler), [])

    def test_same_petitioner_and_same_place_are_related(self):
        first = register(
            self.org,
            title="邻居违建",
            content="邻居在院墙外违章搭建棚子",
            petitioner=PERSON,
            address="欧家夼村3号",
        )
        second = register(
            self.org,
            title="孩子上学远",
            content="希望开通校车",
            petitioner=PERSON,
        )
        third = register(
            self.org, title="门口积水", content="下雨后门口积水很深", address="欧家夼村3号"
        )
        found = {r.case: r for r in related_cases(second, self.org.village_agent)}
        self.assertEqual(found[first].reasons, [RelatedReason.SAME_PETITIONER])
        self.assertNotIn(third, found)
        found = {r.case: r for r in related_cases(third, self.org.village_agent)}
        self.assertEqual(found[first].reasons, [RelatedReason.SAME_PLACE])

    def test_merge_links_and_closes_the_duplicate(self):
        copy = register(self.org, title="村东头路灯坏了两个月", content=NEAR_COPY)
        actions.merge_duplicate(self.org.village_agent, copy, original=self.original, reason="")
        copy.refresh_from_db()
        self.assertEqual(copy.state, State.NOT_ACCEPTED)
        self.assertIn(self.original.tracking_number, copy.not_accepted_reason)
        link = CaseLink.objects.get(from_case=copy)
        self.assertEqual((link.to_case, link.kind), (self.original, "duplicate"))
        self.assertEqual(
            list(CaseEvent.objects.filter(case=copy).values_list("action", flat=True)),
            ["register", "link", "not_accept"],
        )
        found = related_cases(self.original, self.org.village_agent)
        self.assertEqual(found[0].link, "duplicate")

    def test_merge_is_all_or_nothing(self):
        copy = register(self.org, title="村东头路灯坏了两个月", content=NEAR_COPY)
        from qingdan.cases import actions as case_actions

        case_actions.accept(self.org.village_agent, copy)
        with self.assertRaises(TransitionRefused):
            actions.merge_duplicate(self.org.village_agent, copy, original=self.original)
        self.assertFalse(CaseLink.objects.filter(from_case=copy).exists())
        far = register(
            self.org,
            self.org.far_village_agent,
            title="x",
            content=NEAR_COPY,
            jurisdiction=self.org.far_village,
        )
        with self.assertRaises(NotAllowed):
            actions.merge_duplicate(self.org.far_village_agent, far, original=self.original)

    def test_related_fragment_and_merge_page(self):
        copy = register(self.org, title="村东头路灯坏了两个月", content=NEAR_COPY)
        self.client.force_login(self.org.village_agent)
        response = self.client.get(f"/triage/cases/{copy.pk}/related/")
        self.assertContains(response, self.original.tracking_number)
        response = self.client.post(
            f"/triage/cases/{copy.pk}/link/",
            {"other": self.original.pk, "next": "https://elsewhere.example/"},
        )
        self.assertRedirects(response, f"/triage/cases/{copy.pk}/related/")
        self.assertEqual(CaseLink.objects.get(from_case=copy).kind, "related")
        self.client.force_login(self.org.other_town_clerk)
        self.assertEqual(self.client.get(f"/triage/cases/{copy.pk}/related/").status_code, 404)
        self.assertEqual(
            self.client.post(
                f"/triage/cases/{copy.pk}/merge/", {"other": self.original.pk}
            ).status_code,
            404,
        )
