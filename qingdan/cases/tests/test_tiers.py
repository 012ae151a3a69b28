"""Taking over by a higher tier (提级办理), passing down (交由下级办理), and who may
close a case: the unit that holds it and the tiers above it."""

from django.test import TestCase
from django.utils import translation

from qingdan.cases import actions
from qingdan.cases.catalogue import CASE_ACTIONS
from qingdan.cases.choices import Action, Rating, ReplyOpinion, State, Tier
from qingdan.cases.models import Case, CaseEvent
from qingdan.cases.transitions import allowed_actions
from qingdan.core.errors import NotAllowed, TransitionRefused, ValidationFailed
from qingdan.orgs.testing import PERSON, build_county


class TakeOverTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def portal_case(self, place=None) -> Case:
        """A portal case of a village: it starts at the village tier, with no agent
        needed to be on duty."""
        return actions.register_case(
            actions.Actor.petitioner(),
            channel="web",
            title="村口路灯坏了",
            content="村口路灯坏了一个月",
            jurisdiction=place or self.org.village,
            petitioner=dict(PERSON),
        )

    def test_the_town_takes_over_a_village_case_with_a_reason_on_the_timeline(self):
        case = self.portal_case()
        self.assertEqual(case.tier, Tier.VILLAGE)
        clerk = self.org.town_clerk
        self.assertIn(Action.TAKE_OVER, allowed_actions(clerk, case))
        with self.assertRaises(ValidationFailed) as missing:
            actions.take_over(clerk, case, reason=" ")
        self.assertEqual(set(missing.exception.errors), {"reason"})
        actions.take_over(clerk, case, reason="该村暂无代办员", expected_version=case.version)
        case.refresh_from_db()
        self.assertEqual((case.tier, case.state), (Tier.TOWN, State.REGISTERED))
        event = case.events.get(action=Action.TAKE_OVER)
        self.assertEqual((event.from_tier, event.to_tier), (Tier.VILLAGE, Tier.TOWN))
        self.assertEqual((event.note, event.actor), ("该村暂无代办员", clerk))
        # The town now handles it: accepts it and assigns one of its units.
        actions.accept(clerk, case)
        actions.assign(clerk, case, lead_unit=self.org.town_office)
        self.assertEqual(case.state, State.IN_PROGRESS)

    def test_the_town_may_pass_it_down_again(self):
        case = self.portal_case()
        actions.take_over(self.org.town_clerk, case, reason="先由镇里研判")
        self.assertIn(Action.HAND_BACK, allowed_actions(self.org.town_clerk, case))
        actions.hand_back(self.org.town_clerk, case, reason="村里能解决")
        case.refresh_from_db()
        self.assertEqual(case.tier, Tier.VILLAGE)
        self.assertEqual(
            list(case.events.values_list("action", flat=True)),
            [Action.REGISTER, Action.TAKE_OVER, Action.HAND_BACK],
        )

    def test_only_a_higher_tier_over_the_place_takes_over(self):
        case = self.portal_case()
        for persona in ("village_agent", "other_town_clerk", "town_handler", "analyst"):
            with self.subTest(persona=persona), self.assertRaises(NotAllowed):
                actions.take_over(getattr(self.org, persona), case, reason="提级")
        self.assertEqual(CaseEvent.objects.filter(case=case).count(), 1)
        actions.take_over(self.org.town_clerk, case, reason="提级")
        # At the town tier the town clerk is not above it any more.
        with self.assertRaises(NotAllowed):
            actions.take_over(self.org.town_clerk, case, reason="再提级")

    def test_the_city_takes_over_anything_below_it(self):
        case = self.portal_case(self.org.far_village)
        actions.accept(self.org.far_village_agent, case)
        actions.escalate(self.org.far_village_agent, case, reason="需镇协调")
        actions.assign(self.org.other_town_clerk, case, lead_unit=self.org.other_town_office)
        actions.take_over(self.org.city_supervisor, case, reason="涉及多个部门")
        case.refresh_from_db()
        # Taken up from the town's unit: it waits for a city unit.
        self.assertEqual((case.tier, case.state, case.lead_unit), (Tier.CITY, State.ACCEPTED, None))
        self.assertNotIn(Action.TAKE_OVER, allowed_actions(self.org.city_supervisor, case))
        with self.assertRaises(TransitionRefused) as refused:
            actions.take_over(self.org.administrator, case, reason="x")
        self.assertEqual(refused.exception.code, "tier_refuses")

    def test_a_replied_case_is_not_taken_over(self):
        case = self.portal_case()
        actions.resolve_on_the_spot(self.org.village_agent, case, reply_text="已修好")
        with self.assertRaises(TransitionRefused):
            actions.take_over(self.org.town_clerk, case, reason="x")


class CloseTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def evaluated(self, *, at_town: bool) -> Case:
        org = self.org
        case = actions.register_case(
            org.village_agent,
            channel="walk_in",
            title="排水沟堵了",
            content="村东排水沟堵塞",
            jurisdiction=org.village,
            petitioner=dict(PERSON),
        )
        actions.accept(org.village_agent, case)
        if at_town:
            actions.escalate(org.village_agent, case, reason="村里清不动")
            actions.assign(org.town_clerk, case, lead_unit=org.town_office)
            actions.reply(
                org.town_handler, case, reply_opinion=ReplyOpinion.SUPPORTS, reply_text="已清淤"
            )
        else:
            actions.resolve_on_the_spot(org.village_agent, case, reply_text="已清淤")
        actions.record_evaluation(org.village_agent, case, rating=Rating.SATISFIED)
        return case

    def test_the_lead_unit_closes_the_case_it_holds(self):
        case = self.evaluated(at_town=True)
        actions.close(self.org.town_handler, case)
        self.assertEqual(case.state, State.CLOSED)

    def test_the_tier_above_closes_a_village_case(self):
        case = self.evaluated(at_town=False)
        self.assertIn(Action.CLOSE, allowed_actions(self.org.town_clerk, case))
        actions.close(self.org.town_clerk, case)
        self.assertEqual(case.state, State.CLOSED)

    def test_others_may_not_close(self):
        case = self.evaluated(at_town=True)
        for persona in ("village_agent", "labour_handler", "other_town_clerk", "analyst"):
            with self.subTest(persona=persona), self.assertRaises(NotAllowed):
                actions.close(getattr(self.org, persona), case)


class WordsTests(TestCase):
    def test_one_word_for_one_thing_in_chinese(self):
        with translation.override("zh-hans"):
            self.assertEqual(str(CASE_ACTIONS[Action.CLOSE].label), "办结")
            self.assertEqual(str(State.CLOSED.label), "已办结")
            self.assertEqual(str(CASE_ACTIONS[Action.HAND_BACK].label), "交由下级办理")
            self.assertEqual(str(Action.HAND_BACK.label), "交由下级办理")
            self.assertEqual(str(CASE_ACTIONS[Action.TAKE_OVER].label), "提级办理")
            self.assertEqual(str(Action.TAKE_OVER.label), "提级办理")
