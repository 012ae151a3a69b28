"""The deadline burst (issue 17 item 4): many due cases acted on a chunk at a time.

What the chunked path writes is compared with what the one-case path writes for a
twin case; its statements are counted (not timed); two passes at once on PostgreSQL
raise each alert once and share the cases; a chunk that fails is done again case by
case."""

import datetime as dt
import threading
import time

import time_machine
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext

from qingdan.cases import actions
from qingdan.cases.choices import Action, DeadlineStatus, Tier
from qingdan.cases.models import Case
from qingdan.core import bulk
from qingdan.core.jobs import JobContext, PassReport, registered
from qingdan.deadlines.choices import AlertLevel, Recipient, Stage
from qingdan.deadlines.models import DeadlineAlert
from qingdan.deadlines.tests.helpers import at, clear_caches, register, reseed
from qingdan.notifications.models import OutboxMessage
from qingdan.orgs.testing import build_county
from qingdan.supervision.actions import act_on_deadlines
from qingdan.supervision.jobs.deadline_breaches import chase_cases
from qingdan.supervision.models import KeyCase, SupervisionNotice
from qingdan.supervision.recipients import StaffIndex, staff_for

REGISTERED = at(2026, 3, 2, 9)  # acceptance due 17 March, warned from the 14th
WARNED = at(2026, 3, 15, 9)
OVERDUE = at(2026, 3, 18, 0, 5)


def chase(now, *, batch_size=500, on_claimed=None, travel=True) -> PassReport:
    report = PassReport(job for job in registered() if job.run is chase_cases)
    context = JobContext(
        now=now,
        report=report,
        should_stop=lambda: False,
        batch_size=batch_size,
        on_claimed=on_claimed,
    )
    if not travel:  # time-machine's clock is the process's, not a thread's
        chase_cases(context)
        return report
    with time_machine.travel(now, tick=False):
        chase_cases(context)
    return report


def written_for(case: Case) -> dict:
    """What the deadline work wrote for `case`, with its own numbers taken out."""
    case.refresh_from_db()
    numbers = {case.tracking_number: "<case>"}
    for notice in SupervisionNotice.objects.filter(case=case):
        numbers[notice.number] = "<notice>"

    def plain(value):
        if isinstance(value, str):
            for number, name in numbers.items():
                value = value.replace(number, name)
            return value
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if k != "alert"}
        return value

    events = case.events.filter(action__in=[Action.DEADLINE, Action.SUPERVISE]).order_by("pk")
    return {
        "case": (case.deadline_status, case.next_check_at, case.version, case.tier),
        "alerts": sorted(
            DeadlineAlert.objects.filter(case=case).values_list(
                "stage", "level", "due_at", "raised_at", "policy", "escalated", "data"
            )
        ),
        "events": [
            (e.action, e.actor_id, e.actor_label, e.from_state, e.to_state, e.to_unit_id)
            + (e.at, plain(e.note), plain(e.data))
            for e in events
        ],
        "notices": [
            (n.unit_id, n.jurisdiction_id, n.reason, n.issued_by_id, n.issued_at, n.due_at)
            + (n.state, n.alert.stage, n.alert.level)
            for n in SupervisionNotice.objects.filter(case=case).order_by("pk")
        ],
        "messages": [
            (m.recipient_id, m.backend, m.address, m.kind, plain(m.subject), plain(m.body))
            + (m.created_at, m.next_attempt_at, m.status)
            for m in OutboxMessage.objects.filter(case=case).order_by("pk")
        ],
    }


@override_settings(QINGDAN_NOTIFICATION_BACKENDS=["console", "email"])
class BurstTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        with time_machine.travel(REGISTERED, tick=False):
            cls.twins = [register(cls.org) for _ in range(2)]
            # At the town, with a unit leading it (handling clock), owned by a leader.
            cls.unit_twins = []
            for _ in range(2):
                case = register(cls.org, actor=cls.org.town_clerk, jurisdiction=cls.org.town)
                actions.accept(cls.org.town_clerk, case)
                actions.assign(cls.org.town_clerk, case, lead_unit=cls.org.town_office)
                KeyCase.objects.create(
                    case=case,
                    leader=cls.org.city_leader,
                    assigned_by=cls.org.city_leader,
                    assigned_at=REGISTERED,
                )
                cls.unit_twins.append(case)

    def setUp(self):
        self.addCleanup(clear_caches)

    def test_a_chunk_writes_what_the_one_case_path_writes(self):
        for moment in (WARNED, OVERDUE, at(2026, 5, 6, 9), at(2026, 5, 20, 9)):
            # The first of each pair alone, as before; the second by the chunked pass.
            for alone, _twin in (self.twins, self.unit_twins):
                with time_machine.travel(moment, tick=False):
                    act_on_deadlines(alone.pk, moment)
            report = chase(moment)
            self.assertEqual(report.errors, 0)
        for alone, twin in (self.twins, self.unit_twins):
            expected, got = written_for(alone), written_for(twin)
            self.assertTrue(expected["alerts"] and expected["messages"], expected)
            self.assertEqual(got, expected)
        # Both clocks went through a warning and a breach; the leader was told.
        self.assertEqual(len(written_for(self.unit_twins[1])["alerts"]), 2)
        self.assertTrue(
            OutboxMessage.objects.filter(
                case=self.unit_twins[1], recipient=self.org.city_leader, kind="deadline_overdue"
            ).exists()
        )

    def test_statements_per_due_case(self):
        with time_machine.travel(REGISTERED, tick=False):
            cases = [register(self.org, title=f"路灯{i}") for i in range(48)]
        cases += self.twins
        with CaptureQueriesContext(connection) as queries:
            report = chase(OVERDUE)
        due = len(cases)  # the cases led by the unit are not due yet
        self.assertEqual((report.candidates, report.acted, report.errors), (due, due, 0))
        self.assertEqual(report.overdue, len(cases))
        for case in cases:
            self.assertEqual(
                (
                    DeadlineAlert.objects.filter(case=case, level=AlertLevel.OVERDUE).count(),
                    SupervisionNotice.objects.filter(case=case).count(),
                    case.events.filter(action__in=[Action.DEADLINE, Action.SUPERVISE]).count(),
                ),
                (1, 1, 2),
            )
        self.assertTrue(OutboxMessage.objects.filter(case=cases[0]).exists())
        # Target: at most 6 statements per due case (the one-case path spent ~12).
        self.assertLessEqual(len(queries), 6 * due, [q["sql"][:80] for q in queries])

    def test_an_escalating_breach_in_a_chunk_goes_the_one_case_way_once(self):
        with time_machine.travel(OVERDUE - dt.timedelta(hours=3), tick=False):
            emergency = register(self.org, channel="phone", urgency="emergency")
        report = chase(OVERDUE)
        self.assertEqual((report.errors, report.overdue, report.escalated), (0, 3, 1))
        emergency.refresh_from_db()
        self.assertEqual(emergency.tier, Tier.TOWN)
        self.assertEqual(emergency.events.filter(action=Action.ESCALATE).count(), 1)
        self.assertTrue(DeadlineAlert.objects.get(case=emergency).escalated)
        for case in (emergency, *self.twins):
            self.assertEqual(SupervisionNotice.objects.filter(case=case).count(), 1)
        again = chase(OVERDUE + dt.timedelta(hours=1))
        self.assertEqual((again.overdue, again.escalated), (0, 0))

    def test_a_failing_chunk_is_done_again_case_by_case(self):
        bad = self.twins[0]

        def refuse(case, alert):
            if case.pk == bad.pk:
                raise RuntimeError("this one")

        with self.assertLogs("qingdan.worker", level="WARNING") as logs:
            report = chase(OVERDUE, on_claimed=refuse)
        self.assertEqual((report.errors, report.overdue), (1, 1))
        self.assertIn(bad.tracking_number, report.error_items[0])
        self.assertIn("a chunk of 2 due cases failed", logs.output[0])
        self.assertFalse(DeadlineAlert.objects.filter(case=bad).exists())
        self.assertTrue(DeadlineAlert.objects.filter(case=self.twins[1]).exists())
        bad.refresh_from_db()
        self.assertEqual(bad.next_check_at, bad.warn_at)  # left due for the next pass

    def test_an_alert_raised_meanwhile_is_not_written_again(self):
        case = self.twins[0]
        clock_due = case.accept_due_at
        first = DeadlineAlert(
            case=case,
            stage=Stage.ACCEPT,
            level=AlertLevel.OVERDUE,
            due_at=clock_due,
            raised_at=OVERDUE,
        )
        again = DeadlineAlert(
            case=case,
            stage=Stage.ACCEPT,
            level=AlertLevel.OVERDUE,
            due_at=clock_due,
            raised_at=OVERDUE,
        )
        other = DeadlineAlert(
            case=case,
            stage=Stage.ACCEPT,
            level=AlertLevel.WARNING,
            due_at=clock_due,
            raised_at=OVERDUE,
        )
        self.assertEqual(bulk.insert_values(DeadlineAlert, [first]), {first.pk})
        unique = ("case", "stage", "level", "due_at")
        self.assertEqual(
            bulk.insert_values(DeadlineAlert, [again, other], unique=unique), {other.pk}
        )
        self.assertEqual(DeadlineAlert.objects.filter(case=case).count(), 2)

    def test_staff_index_picks_the_recipients_staff_for_picks(self):
        cases = list(
            Case.objects.select_related("jurisdiction__parent__parent").filter(
                pk__in=[c.pk for c in self.twins + self.unit_twins]
            )
        )
        index = StaffIndex(cases)
        kinds = list(Recipient.values)
        for case in cases:
            for size in range(len(kinds) + 1):
                for chosen in (kinds[:size], kinds[size:]):
                    self.assertEqual(
                        index.staff_for(case, chosen), list(staff_for(case, chosen)), chosen
                    )


@override_settings(QINGDAN_NOTIFICATION_BACKENDS=["console"])
class ConcurrentBurstTests(TransactionTestCase):
    def setUp(self):
        if not connection.features.has_select_for_update_skip_locked:
            # SQLite takes the write lock when a transaction begins (IMMEDIATE): the
            # second pass waits for the first's chunk, so two passes never overlap and
            # there is no race to test.
            self.skipTest("SQLite serialises writers: no concurrent chunks to race")
        reseed()
        self.addCleanup(clear_caches)
        self.org = build_county()

    def test_two_passes_raise_each_alert_once_and_share_the_cases(self):
        with time_machine.travel(REGISTERED, tick=False):
            cases = [register(self.org, title=f"路灯{i}", petitioner=None) for i in range(30)]
        barrier = threading.Barrier(2)
        reports, errors = [], []

        def slow_claim(case, alert):
            time.sleep(0.005)  # widen the window in which the other pass could interfere

        def work():
            try:
                barrier.wait()
                reports.append(chase(OVERDUE, batch_size=5, on_claimed=slow_claim, travel=False))
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertEqual(errors, [])
        self.assertEqual([r.errors for r in reports], [0, 0])
        self.assertEqual(sum(r.overdue for r in reports), 30)
        # Each case read by one pass only (SKIP LOCKED), and both passes had a share.
        self.assertEqual(sum(r.candidates for r in reports), 30)
        self.assertTrue(all(r.candidates for r in reports), [r.candidates for r in reports])
        for case in cases:
            case.refresh_from_db()
            self.assertEqual(case.deadline_status, DeadlineStatus.OVERDUE)
            self.assertEqual(DeadlineAlert.objects.filter(case=case).count(), 1)
            self.assertEqual(SupervisionNotice.objects.filter(case=case).count(), 1)
            self.assertEqual(case.events.filter(action=Action.DEADLINE).count(), 1)
            self.assertEqual(
                OutboxMessage.objects.filter(case=case, kind="notice_issued").count(), 1
            )
