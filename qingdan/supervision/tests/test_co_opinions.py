"""The worker chases a late co-handling opinion (协办意见) once: the units that owe it and
the lead unit waiting on it are told, and the case's timeline says so."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.test import TestCase

from qingdan.cases import actions
from qingdan.cases.choices import Action
from qingdan.cases.tests.helpers import co_handled_case
from qingdan.jobs.worker import Worker
from qingdan.notifications.models import OutboxMessage
from qingdan.orgs.testing import build_county

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
# The default limit is 7 calendar days from the request: late from 9 June.
LATE = dt.datetime(2026, 6, 9, 9, 0, tzinfo=SHANGHAI)


class CoOpinionChaseTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        org.labour_handler.email = "labour@example.org"
        org.labour_handler.save()
        with time_machine.travel(MONDAY, tick=False):
            cls.case = co_handled_case(org)

    def late_events(self):
        return self.case.events.filter(action=Action.DEADLINE, data__stage="co_opinion")

    def test_a_late_opinion_is_chased_once_and_a_given_one_not_at_all(self):
        with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
            actions.give_co_opinion(
                self.org.unrelated_handler, self.case, opinion="教育局：不涉及学校"
            )
        with time_machine.travel(MONDAY + dt.timedelta(days=6), tick=False):
            self.assertEqual(Worker().run_once().co_opinions, 0)  # not late yet
        with time_machine.travel(LATE, tick=False):
            report = Worker().run_once()
            again = Worker().run_once()
        self.assertEqual((report.co_opinions, again.co_opinions), (1, 0))
        event = self.late_events().get()
        self.assertIn("人社局", event.note)
        self.assertNotIn("教育局", event.note)  # its opinion came in time
        told = set(
            OutboxMessage.objects.filter(kind="co_opinion_overdue").values_list(
                "recipient__username", flat=True
            )
        )
        self.assertIn("labour_handler", told)
        self.assertIn("city_handler", told)  # the lead unit waits on it
        self.assertNotIn("unrelated_handler", told)
