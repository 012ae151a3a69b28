"""The co-handling opinion (协办意见): a co-handling unit's own action with its own
limit (a deadline policy, from when the unit was added), shown to the lead unit on
the case page and in its reply form before it replies."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from qingdan.cases import actions
from qingdan.cases.choices import Action, State
from qingdan.cases.models import CoHandling
from qingdan.cases.tests.helpers import co_handled_case
from qingdan.cases.transitions import allowed_actions
from qingdan.core.errors import NotAllowed, TransitionRefused, ValidationFailed
from qingdan.deadlines.choices import ClockStart, Stage
from qingdan.deadlines.models import DeadlinePolicy
from qingdan.orgs.testing import build_county

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)


@time_machine.travel(MONDAY, tick=False)
class CoOpinionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        with time_machine.travel(MONDAY, tick=False):
            cls.case = co_handled_case(org)

    def co(self, unit) -> CoHandling:
        return CoHandling.objects.get(case=self.case, department=unit)

    def test_each_co_unit_owes_its_opinion_by_the_policy_limit(self):
        # The default policy: 7 days from the co-handling request (8 June, end of day).
        due = dt.datetime(2026, 6, 8, 23, 59, 59, tzinfo=SHANGHAI)
        self.assertEqual(self.co(self.org.labour_bureau).opinion_due_at, due)
        self.assertEqual(self.co(self.org.education_bureau).opinion_due_at, due)
        policy = DeadlinePolicy.objects.get(stage=Stage.CO_OPINION)
        self.assertEqual((policy.starts_at, policy.limit), (ClockStart.CO_HANDLING, 7))
        # Policies are data: a co-opinion limit runs from the request and nothing else does.
        policy.starts_at = ClockStart.RECEIVED
        with self.assertRaises(ValidationError):
            policy.full_clean()

    def test_the_co_unit_gives_its_opinion_and_only_it(self):
        case = self.case
        self.assertIn(Action.CO_OPINION, allowed_actions(self.org.labour_handler, case))
        self.assertNotIn(Action.CO_OPINION, allowed_actions(self.org.city_handler, case))
        with self.assertRaises(NotAllowed):
            actions.give_co_opinion(self.org.city_handler, case, opinion="x")
        with self.assertRaises(NotAllowed):
            actions.give_co_opinion(self.org.administrator, case, opinion="x")
        with self.assertRaises(ValidationFailed):
            actions.give_co_opinion(self.org.labour_handler, case, opinion=" ")
        version = case.version
        actions.give_co_opinion(
            self.org.labour_handler, case, opinion="经核实，欠薪12万元，已约谈施工方。"
        )
        self.assertEqual(case.version, version + 1)  # an open reply form is now stale
        co = self.co(self.org.labour_bureau)
        self.assertEqual((co.opinion_by, co.opinion_late), (self.org.labour_handler, False))
        event = case.events.get(action=Action.CO_OPINION)
        self.assertEqual(
            (event.from_unit, event.to_unit), (self.org.labour_bureau, self.org.housing_bureau)
        )
        self.assertTrue(event.data["on_time"])

    def test_a_late_opinion_is_marked_late(self):
        with time_machine.travel(MONDAY + dt.timedelta(days=10), tick=False):
            self.assertTrue(self.co(self.org.education_bureau).opinion_late)
            actions.give_co_opinion(self.org.labour_handler, self.case, opinion="迟到的意见")
        self.assertFalse(self.case.events.get(action=Action.CO_OPINION).data["on_time"])

    def test_the_lead_unit_reads_the_opinions_before_it_replies(self):
        actions.give_co_opinion(self.org.labour_handler, self.case, opinion="已约谈施工方。")
        self.client.force_login(self.org.city_handler)
        page = self.client.get(reverse("web:case", args=[self.case.pk]))
        html = page.content.decode()
        reply_form = html.split('id="action-reply"', 1)[1].split("</details>", 1)[0]
        self.assertIn('id="reply-co-opinions"', reply_form)
        self.assertIn("已约谈施工方。", reply_form)
        self.assertIn(f'data-unit="{self.org.labour_bureau.code}" data-opinion="given"', reply_form)
        self.assertIn(
            f'data-unit="{self.org.education_bureau.code}" data-opinion="missing"', reply_form
        )
        actions.reply(
            self.org.city_handler, self.case, reply_opinion="supports", reply_text="已清欠"
        )
        self.assertEqual(self.case.state, State.REPLIED)
        with self.assertRaises(TransitionRefused):
            actions.give_co_opinion(self.org.labour_handler, self.case, opinion="太晚了")
