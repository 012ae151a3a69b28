"""Each statutory limit, computed through the actions layer with frozen time."""

import time_machine
from django.test import TestCase

from qingdan.cases import actions
from qingdan.cases.actions import pause_clock, resume_clock
from qingdan.cases.choices import DeadlineStatus, State
from qingdan.cases.models import Case
from qingdan.orgs.testing import build_county, category

from .. import services
from ..choices import LimitUnit, Stage
from ..models import DeadlinePolicy
from .helpers import at, clear_caches, end_of, register

EXTEND = dict(reason="需鉴定", approved_by="李书记", reason_told_to_petitioner=True)


class StatutoryLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        self.addCleanup(clear_caches)

    def test_acceptance_notice_15_days(self):
        with time_machine.travel(at(2026, 3, 2, 9), tick=False):
            case = register(self.org)
        self.assertEqual(case.accept_due_at, end_of(2026, 3, 17))
        self.assertEqual(case.due_at, end_of(2026, 3, 17))
        # Warned three days before (policy data: warn_before).
        self.assertEqual(case.warn_at, end_of(2026, 3, 14))
        self.assertEqual(case.deadline_status, DeadlineStatus.OK)

    def test_transfer_or_assignment_15_days_at_town_tier(self):
        org = self.org
        with time_machine.travel(at(2026, 3, 2, 9), tick=False):
            case = register(org, org.town_clerk, jurisdiction=org.town)
        with time_machine.travel(at(2026, 3, 5, 9), tick=False):
            actions.accept(org.town_clerk, case)
        # Accepted, no lead unit yet: the 15 days from receipt bind before the 60.
        self.assertEqual(case.due_at, end_of(2026, 3, 17))
        # 5 March + 60 days = 4 May, in the Labour Day holiday: Wednesday 6 May.
        self.assertEqual(case.handle_due_at, end_of(2026, 5, 6))
        with time_machine.travel(at(2026, 3, 6, 9), tick=False):
            actions.assign(org.town_clerk, case, lead_unit=org.town_office)
        self.assertEqual(case.due_at, end_of(2026, 5, 6))

    def test_handling_60_days_with_holiday_roll_over(self):
        with time_machine.travel(at(2026, 7, 30, 9), tick=False):
            case = register(self.org)
        with time_machine.travel(at(2026, 8, 2, 10), tick=False):
            actions.accept(self.org.village_agent, case)
        # 2 August + 60 days = 1 October (National Day): Thursday 8 October.
        self.assertEqual(case.handle_due_at, end_of(2026, 10, 8))
        self.assertEqual(case.due_at, end_of(2026, 10, 8))

    def test_extension_adds_its_days_once(self):
        with time_machine.travel(at(2026, 8, 2, 10), tick=False):
            case = register(self.org)
            actions.accept(self.org.village_agent, case)
            actions.extend(self.org.village_agent, case, days=30, **EXTEND)
        # 90 days from 2 August = Saturday 31 October: Monday 2 November.
        self.assertEqual(case.handle_due_at, end_of(2026, 11, 2))
        self.assertEqual(case.due_at, end_of(2026, 11, 2))

    def _replied_case(self, start):
        org = self.org
        with time_machine.travel(start, tick=False):
            case = register(org)
            actions.accept(org.village_agent, case)
            actions.reply(org.village_agent, case, reply_opinion="explains", reply_text="已解释")
        return case

    def test_review_request_window_and_review_opinion_30_days(self):
        org = self.org
        case = self._replied_case(at(2026, 3, 25, 9))
        # The window runs from the answer's recorded service, not from the reply.
        self.assertIsNone(services.review_request_deadline(case))
        Case.objects.filter(pk=case.pk).update(answer_served_at=at(2026, 4, 1, 9))
        case.refresh_from_db()
        # 1 April + 30 days = 1 May, Labour Day (1-5 May off): Wednesday 6 May.
        self.assertEqual(services.review_request_deadline(case), end_of(2026, 5, 6))
        with time_machine.travel(at(2026, 4, 10, 9), tick=False):
            review = actions.request_review(org.village_agent, case, reason="不服")
            actions.accept(org.town_clerk, review)
        self.assertEqual(review.review_level, 1)
        # 10 April + 30 days = Sunday 10 May: Monday 11 May.
        self.assertEqual(review.handle_due_at, end_of(2026, 5, 11))

    def test_re_review_30_days_hearing_time_does_not_count(self):
        org = self.org
        case = self._replied_case(at(2026, 3, 2, 9))
        with time_machine.travel(at(2026, 3, 3, 9), tick=False):
            review = actions.request_review(org.village_agent, case, reason="不服")
            actions.accept(org.town_clerk, review)
            actions.reply(org.town_clerk, review, reply_opinion="explains", reply_text="维持")
            re_review = actions.request_review(org.town_clerk, review, reason="仍不服")
        with time_machine.travel(at(2026, 3, 4, 9), tick=False):
            actions.accept(org.city_supervisor, re_review)
        self.assertEqual(re_review.review_level, 2)
        # 4 March + 30 days = Friday 3 April.
        self.assertEqual(re_review.handle_due_at, end_of(2026, 4, 3))
        with time_machine.travel(at(2026, 3, 10, 9), tick=False):
            pause_clock(org.city_supervisor, re_review, reason="举行听证")
        self.assertIsNone(re_review.handle_due_at)  # stopped while the hearing runs
        with time_machine.travel(at(2026, 3, 12, 17), tick=False):
            resume_clock(org.city_supervisor, re_review, note="听证结束")
        # Two days and eight hours of hearing count as three whole days: 6 April, in
        # the Qingming holiday (4-6 April), so Tuesday 7 April.
        self.assertEqual(re_review.handle_due_at, end_of(2026, 4, 7))
        self.assertEqual(
            list(re_review.clock_pauses.values_list("reason", flat=True)), ["举行听证"]
        )

    def test_pausing_is_refused_where_the_policy_does_not_allow_it(self):
        with time_machine.travel(at(2026, 3, 2, 9), tick=False):
            case = register(self.org)
            actions.accept(self.org.village_agent, case)
            with self.assertRaises(actions.TransitionRefused) as raised:
                pause_clock(self.org.village_agent, case, reason="听证")
        self.assertEqual(raised.exception.code, "clock_not_pausable")


class HotlineLimitTests(TestCase):
    """12345 work orders: counted from receipt to the reply, by urgency."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        self.addCleanup(clear_caches)

    def order(self, urgency, moment):
        with time_machine.travel(moment, tick=False):
            return register(self.org, channel="phone", urgency=urgency)

    def test_emergency_2_hours(self):
        case = self.order("emergency", at(2026, 10, 2, 21, 15))
        self.assertEqual(case.handle_due_at, at(2026, 10, 2, 23, 15))
        self.assertEqual(case.due_at, at(2026, 10, 2, 23, 15))
        self.assertEqual(case.warn_at, at(2026, 10, 2, 22, 45))

    def test_urgent_utilities_24_hours(self):
        case = self.order("urgent", at(2026, 10, 2, 21, 15))
        self.assertEqual(case.due_at, at(2026, 10, 3, 21, 15))

    def test_normal_5_working_days(self):
        case = self.order("normal", at(2026, 9, 29, 9))
        self.assertEqual(case.due_at, end_of(2026, 10, 12))

    def test_complex_15_days(self):
        case = self.order("complex", at(2026, 9, 16, 9))
        self.assertEqual(case.due_at, end_of(2026, 10, 8))

    def test_working_day_limit_in_unknown_year_refuses_registration(self):
        with time_machine.travel(at(2026, 12, 28, 9), tick=False):
            with self.assertRaises(actions.ActionError) as raised:
                register(self.org, channel="phone", urgency="normal")
        self.assertEqual(raised.exception.code, "calendar_year_unknown")
        self.assertFalse(self.org.village.cases.exists())

    def test_the_clock_stops_at_the_reply(self):
        case = self.order("urgent", at(2026, 10, 2, 21, 15))
        with time_machine.travel(at(2026, 10, 2, 23), tick=False):
            actions.resolve_on_the_spot(self.org.village_agent, case, reply_text="已恢复供水")
        self.assertEqual(case.state, State.REPLIED)
        self.assertIsNone(case.due_at)
        self.assertEqual(case.handle_due_at, at(2026, 10, 3, 21, 15))
        self.assertTrue(case.closed_on_time)


class PolicyMatchingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.water = category("water_supply")
        cls.water.parent = cls.org.construction
        cls.water.save()
        DeadlinePolicy.objects.create(
            name="住建类热线一般诉求：3个工作日",
            stage=Stage.HANDLE,
            channel="phone",
            urgency="normal",
            category=cls.org.construction,
            starts_at="received",
            limit=3,
            unit=LimitUnit.WORKING_DAYS,
        )

    def setUp(self):
        clear_caches()
        self.addCleanup(clear_caches)

    def test_most_specific_policy_wins(self):
        with time_machine.travel(at(2026, 3, 2, 9), tick=False):
            general = register(self.org, channel="phone", urgency="normal")
            specific = register(
                self.org, channel="phone", urgency="normal", category=self.org.construction
            )
            # A subcategory matches its parent's policy.
            child = register(self.org, channel="phone", urgency="normal", category=self.water)
        self.assertEqual(general.due_at, end_of(2026, 3, 9))
        self.assertEqual(specific.due_at, end_of(2026, 3, 5))
        self.assertEqual(child.due_at, end_of(2026, 3, 5))

    def test_inactive_policy_is_ignored_and_duplicates_are_refused(self):
        policy = DeadlinePolicy.objects.get(name="住建类热线一般诉求：3个工作日")
        twin = DeadlinePolicy(
            name="重复",
            stage=Stage.HANDLE,
            channel="phone",
            urgency="normal",
            category=self.org.construction,
            starts_at="received",
            limit=4,
            unit=LimitUnit.CALENDAR_DAYS,
        )
        with self.assertRaises(Exception) as raised:
            twin.full_clean()
        self.assertIn("priority", raised.exception.message_dict)
        policy.is_active = False
        policy.save()
        with time_machine.travel(at(2026, 3, 2, 9), tick=False):
            case = register(
                self.org, channel="phone", urgency="normal", category=self.org.construction
            )
        self.assertEqual(case.due_at, end_of(2026, 3, 9))

    def test_review_window_must_start_at_the_reply(self):
        policy = DeadlinePolicy(
            name="x", stage=Stage.REVIEW_REQUEST, starts_at="received", limit=30, unit="hours"
        )
        with self.assertRaises(Exception) as raised:
            policy.full_clean()
        self.assertIn("starts_at", raised.exception.message_dict)
