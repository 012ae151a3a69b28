"""The worker with frozen time: warnings, breaches, supervision, escalation,
notifications, idempotence, one bad case, and a crash between claim and commit."""

import datetime as dt
import tempfile
from pathlib import Path

import time_machine
from django.test import TestCase, override_settings

from qingdan.cases import actions
from qingdan.cases.choices import Action, DeadlineStatus, Tier
from qingdan.cases.models import Case
from qingdan.deadlines.choices import AlertLevel, Stage
from qingdan.deadlines.models import DeadlineAlert
from qingdan.deadlines.tests.helpers import at, clear_caches, register
from qingdan.jobs.worker import Worker
from qingdan.notifications.models import OutboxMessage
from qingdan.orgs.testing import build_county
from qingdan.supervision.models import SupervisionNotice

NOTIFY_DIR = tempfile.mkdtemp()


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


@override_settings(
    QINGDAN_NOTIFICATION_BACKENDS=["file"],
    QINGDAN_NOTIFICATION_FILE=Path(NOTIFY_DIR) / "worker.log",
)
class WorkerPassTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        with time_machine.travel(at(2026, 3, 2, 9), tick=False):
            cls.petition = register(cls.org)  # acceptance due 17 March, warned from the 14th
            cls.emergency = register(cls.org, channel="phone", urgency="emergency")

    def setUp(self):
        self.addCleanup(clear_caches)

    def run_pass(self, moment, **kwargs):
        with time_machine.travel(moment, tick=False):
            return Worker(**kwargs).run_once()

    def test_nothing_due_nothing_done(self):
        report = self.run_pass(at(2026, 3, 2, 10))
        self.assertEqual((report.candidates, report.acted, report.errors), (0, 0, 0))
        self.assertFalse(DeadlineAlert.objects.exists())

    def test_warning_then_overdue_then_nothing_twice(self):
        petition = self.petition
        Case.objects.filter(pk=self.emergency.pk).update(
            warn_at=None, due_at=None, next_check_at=None
        )
        report = self.run_pass(at(2026, 3, 15, 9))
        self.assertEqual((report.warnings, report.overdue), (1, 0))
        petition.refresh_from_db()
        self.assertEqual(petition.deadline_status, DeadlineStatus.WARNING)
        warning = DeadlineAlert.objects.get(case=petition)
        self.assertEqual((warning.stage, warning.level), (Stage.ACCEPT, AlertLevel.WARNING))
        # The agents of the village are told (the policy's notify_on_warning).
        self.assertEqual(
            set(
                OutboxMessage.objects.filter(kind="deadline_warning").values_list(
                    "recipient__username", flat=True
                )
            ),
            {"village_agent"},
        )
        # The next look is at the limit, not every pass in between.
        self.assertEqual(petition.next_check_at, petition.due_at)
        self.assertEqual(self.run_pass(at(2026, 3, 16, 9)).candidates, 0)

        report = self.run_pass(at(2026, 3, 18, 0, 5))
        self.assertEqual((report.warnings, report.overdue, report.escalated), (0, 1, 0))
        petition.refresh_from_db()
        self.assertEqual(petition.deadline_status, DeadlineStatus.OVERDUE)
        notice = SupervisionNotice.objects.get(case=petition)
        self.assertEqual(notice.jurisdiction, self.org.village)
        self.assertIsNone(notice.issued_by)
        self.assertEqual(notice.due_at, at(2026, 3, 18, 0, 5) + dt.timedelta(days=5))
        self.assertEqual(
            list(
                petition.events.filter(
                    action__in=[Action.DEADLINE, Action.SUPERVISE, Action.ESCALATE]
                ).values_list("action", flat=True)
            ),
            [Action.DEADLINE, Action.DEADLINE, Action.SUPERVISE],
        )
        # Sent after commit by the same pass (file backend), once each.
        self.assertFalse(OutboxMessage.objects.filter(status="pending").exists())
        lines = (Path(NOTIFY_DIR) / "worker.log").read_text(encoding="utf-8")
        self.assertIn(petition.tracking_number, lines)

        # Nothing ahead on the acceptance clock: the worker does not read it again.
        self.assertIsNone(petition.next_check_at)
        again = self.run_pass(at(2026, 3, 19, 9))
        self.assertEqual((again.candidates, again.acted, again.overdue), (0, 0, 0))
        self.assertEqual(DeadlineAlert.objects.filter(case=petition).count(), 2)
        self.assertEqual(SupervisionNotice.objects.filter(case=petition).count(), 1)

    def test_overdue_backlog_is_read_once_after_a_transition(self):
        Case.objects.filter(pk=self.emergency.pk).update(warn_at=None, next_check_at=None)
        self.run_pass(at(2026, 3, 18, 0, 5))
        # A transition recomputes the columns and starts the checks from the warning.
        petition = Case.objects.get(pk=self.petition.pk)
        Case.objects.filter(pk=petition.pk).update(next_check_at=petition.warn_at)
        first = self.run_pass(at(2026, 3, 19, 9))
        self.assertEqual((first.candidates, first.acted), (1, 0))
        later = self.run_pass(at(2026, 3, 20, 9))
        self.assertEqual(later.candidates, 0)
        self.assertEqual(DeadlineAlert.objects.filter(case=petition).count(), 1)

    def test_emergency_order_escalates_once(self):
        case = self.emergency
        report = self.run_pass(at(2026, 3, 2, 11, 30))
        self.assertEqual((report.overdue, report.escalated), (1, 1))
        case.refresh_from_db()
        self.assertEqual(case.tier, Tier.TOWN)
        escalation = case.events.get(action=Action.ESCALATE)
        self.assertEqual(escalation.actor_label, "system")
        # Still overdue at the town (the limit does not restart): no second escalation.
        for hour in (12, 13, 18):
            self.assertEqual(self.run_pass(at(2026, 3, 2, hour)).escalated, 0)
        self.assertEqual(case.events.filter(action=Action.ESCALATE).count(), 1)
        self.assertEqual(SupervisionNotice.objects.filter(case=case).count(), 1)
        # The town's agents were told after the escalation; the village got the notice.
        recipients = set(
            OutboxMessage.objects.filter(case=case).values_list("recipient__username", "kind")
        )
        self.assertIn(("town_clerk", "deadline_overdue"), recipients)
        self.assertIn(("village_agent", "notice_issued"), recipients)

    def test_extension_moves_the_limit_and_a_new_breach_is_raised_once(self):
        org = self.org
        with time_machine.travel(at(2026, 3, 3, 9), tick=False):
            actions.accept(org.village_agent, self.petition)
        self.run_pass(at(2026, 5, 3, 9))  # 60 days from 3 March: 2 May, then the holiday
        self.assertFalse(DeadlineAlert.objects.filter(case=self.petition, level="overdue"))
        self.run_pass(at(2026, 5, 7, 9))
        overdue = DeadlineAlert.objects.get(case=self.petition, level="overdue")
        self.assertEqual(overdue.due_at, at(2026, 5, 6, 23, 59, 59))
        with time_machine.travel(at(2026, 5, 7, 10), tick=False):
            actions.extend(
                org.village_agent,
                self.petition,
                days=10,
                reason="需鉴定",
                approved_by="李书记",
                reason_told_to_petitioner=True,
            )
        self.petition.refresh_from_db()
        # 70 days: 12 May, warned five days before (the 7th at midnight).
        self.assertEqual(self.petition.deadline_status, DeadlineStatus.OK)
        self.run_pass(at(2026, 5, 13, 9))
        self.run_pass(at(2026, 5, 14, 9))
        dues = list(
            DeadlineAlert.objects.filter(case=self.petition, level="overdue")
            .order_by("due_at")
            .values_list("due_at", flat=True)
        )
        self.assertEqual(dues, [at(2026, 5, 6, 23, 59, 59), at(2026, 5, 12, 23, 59, 59)])

    def test_one_bad_case_is_logged_and_the_others_go_on(self):
        # A hotline order whose working days fall in a year the calendar does not know
        # (the schedule row was removed after registration).
        Case.objects.filter(pk=self.petition.pk).update(
            channel="phone", urgency="normal", registered_at=at(2026, 12, 30, 9)
        )
        with self.assertLogs("qingdan.worker", level="ERROR") as logs:
            report = self.run_pass(at(2026, 3, 18, 9))
        self.assertEqual(report.errors, 1)
        self.assertIn(self.petition.tracking_number, report.error_items[0])
        self.assertEqual(logs.records[0].exc_info[1].code, "calendar_year_unknown")
        self.assertTrue(DeadlineAlert.objects.filter(case=self.emergency, level="overdue"))

    def test_killed_between_claim_and_commit(self):
        case = self.emergency

        def die(claimed_case, alert):
            raise Crash

        with self.assertRaises(Crash):
            self.run_pass(at(2026, 3, 2, 12), on_claimed=die)
        case.refresh_from_db()
        self.assertEqual(case.tier, Tier.VILLAGE)
        self.assertFalse(DeadlineAlert.objects.exists())
        self.assertFalse(SupervisionNotice.objects.exists())
        self.assertFalse(OutboxMessage.objects.exists())
        self.assertFalse(
            case.events.filter(
                action__in=[Action.DEADLINE, Action.SUPERVISE, Action.ESCALATE]
            ).exists()
        )
        # Restarted: picked up again, escalated once.
        report = self.run_pass(at(2026, 3, 2, 12, 1))
        self.assertEqual(report.escalated, 1)
        case.refresh_from_db()
        self.assertEqual(case.tier, Tier.TOWN)
        self.assertEqual(case.events.filter(action=Action.ESCALATE).count(), 1)
