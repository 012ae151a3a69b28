"""The outbox: written with the change or not at all, sent after commit, retried with
exponential back-off, never lost."""

import datetime as dt
import json
import tempfile
from pathlib import Path
from unittest import mock

from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import TestCase, override_settings

from qingdan.orgs.testing import build_county

from .. import actions, backends
from ..choices import MessageStatus
from ..models import OutboxMessage

NOW = dt.datetime(2026, 5, 6, 8, 0, tzinfo=dt.UTC)
FOLDER = Path(tempfile.mkdtemp())


class Unreachable(backends.Backend):
    """A channel that is down."""

    def send(self, message):
        raise OSError("connection refused")


class OutboxTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.org.town_handler.email = "handler@example.org"
        cls.org.town_handler.save()

    def queue(self, *users, **extra):
        return actions.enqueue(
            users or [self.org.town_handler],
            subject="督办",
            body="请回复",
            kind="t",
            now=NOW,
            **extra,
        )

    @override_settings(QINGDAN_NOTIFICATION_BACKENDS=["file", "email"])
    def test_one_row_per_reachable_backend_and_recipient(self):
        rows = self.queue(self.org.town_handler, self.org.village_agent, self.org.town_handler)
        self.assertEqual(
            sorted((r.recipient.username, r.backend, r.address) for r in rows),
            [
                ("town_handler", "email", "handler@example.org"),
                ("town_handler", "file", ""),
                ("village_agent", "file", ""),  # no e-mail address: no e-mail row
            ],
        )

    def test_rolled_back_change_sends_nothing(self):
        with self.assertRaises(RuntimeError), transaction.atomic():
            self.queue()
            raise RuntimeError("the change failed")
        self.assertFalse(OutboxMessage.objects.exists())

    @override_settings(
        QINGDAN_NOTIFICATION_BACKENDS=["file", "email"],
        QINGDAN_NOTIFICATION_FILE=FOLDER / "sent.log",
    )
    def test_delivered_once_through_file_and_email(self):
        self.queue()
        report = actions.deliver_due(NOW)
        self.assertEqual((report.sent, report.retried), (2, 0))
        self.assertFalse(OutboxMessage.objects.exclude(status=MessageStatus.SENT).exists())
        line = json.loads((FOLDER / "sent.log").read_text(encoding="utf-8").splitlines()[-1])
        self.assertEqual((line["to"], line["subject"]), ("town_handler", "督办"))
        self.assertEqual(
            [(m.subject, m.to) for m in mail.outbox], [("督办", ["handler@example.org"])]
        )
        self.assertEqual(actions.deliver_due(NOW + dt.timedelta(hours=1)).sent, 0)

    @override_settings(
        QINGDAN_NOTIFICATION_BACKENDS=[f"{__name__}.Unreachable"],
        QINGDAN_NOTIFICATION_RETRY_SECONDS=60,
        QINGDAN_NOTIFICATION_RETRY_MAX_SECONDS=200,
        QINGDAN_NOTIFICATION_MAX_ATTEMPTS=4,
    )
    def test_retried_with_exponential_back_off_then_kept_as_failed(self):
        (message,) = self.queue()
        moment, waits = NOW, []
        with self.assertLogs("qingdan.notifications", level="WARNING"):
            for _attempt in range(4):
                report = actions.deliver_due(moment)
                message.refresh_from_db()
                if message.status == MessageStatus.FAILED:
                    break
                self.assertEqual(report.retried, 1)
                self.assertEqual(
                    actions.deliver_due(message.next_attempt_at - dt.timedelta(seconds=1)).retried,
                    0,
                )
                waits.append((message.next_attempt_at - moment).total_seconds())
                moment = message.next_attempt_at
        self.assertEqual(waits, [60, 120, 200])  # doubled, up to the ceiling
        self.assertEqual((message.status, message.attempts), (MessageStatus.FAILED, 4))
        self.assertIn("connection refused", message.last_error)
        # Never lost: an administrator sends it again.
        self.assertEqual(actions.retry(OutboxMessage.objects.all(), now=moment), 1)
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), (MessageStatus.PENDING, 0))

    @override_settings(
        QINGDAN_NOTIFICATION_BACKENDS=["file"],
        QINGDAN_NOTIFICATION_FILE=FOLDER / "lease.log",
        QINGDAN_NOTIFICATION_LEASE_SECONDS=300,
    )
    def test_claimed_once_and_sent_again_after_a_crash(self):
        (message,) = self.queue()
        self.assertEqual(actions.claim([message.pk], NOW), [message])
        self.assertEqual(actions.claim([message.pk], NOW), [])  # a second worker loses
        # The first worker died before sending: nothing until the lease runs out.
        self.assertEqual(actions.deliver_due(NOW + dt.timedelta(seconds=299)).sent, 0)
        self.assertEqual(actions.deliver_due(NOW + dt.timedelta(seconds=301)).sent, 1)
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), (MessageStatus.SENT, 2))

    @override_settings(
        QINGDAN_NOTIFICATION_BACKENDS=["file"],
        QINGDAN_NOTIFICATION_FILE=FOLDER / "batch.log",
        QINGDAN_NOTIFICATION_LEASE_SECONDS=300,
    )
    def test_claimed_and_recorded_in_batches(self):
        users = [self.org.town_handler, self.org.town_clerk, self.org.village_agent]
        for _ in range(25):
            self.queue(*users)  # 75 messages
        first = OutboxMessage.objects.order_by("pk")[:5]
        taken = actions.claim([m.pk for m in first], NOW)  # another worker holds five
        # The due list, then per batch of 50 one claim and one read, and one "sent"
        # update per 10 messages sent.
        with self.assertNumQueries(1 + 2 * 2 + 7):
            report = actions.deliver_due(NOW)
        self.assertEqual(report.sent, 70)
        self.assertEqual(
            OutboxMessage.objects.filter(status=MessageStatus.SENT, attempts=1, claim="").count(),
            70,
        )
        self.assertEqual(
            set(OutboxMessage.objects.filter(status=MessageStatus.PENDING)), set(taken)
        )
        lines = (FOLDER / "batch.log").read_text(encoding="utf-8").splitlines()
        self.assertEqual(len(lines), 70)

    @override_settings(
        QINGDAN_NOTIFICATION_BACKENDS=["file"],
        QINGDAN_NOTIFICATION_FILE=FOLDER / "stop.log",
        QINGDAN_NOTIFICATION_LEASE_SECONDS=300,
    )
    def test_a_stopping_worker_gives_back_what_it_did_not_send(self):
        for _ in range(6):
            self.queue()
        calls = iter(range(100))
        # Stop after three messages: asked before the batch and before each message.
        report = actions.deliver_due(NOW, should_stop=lambda: next(calls) > 3)
        self.assertEqual(report.sent, 3)
        rest = OutboxMessage.objects.filter(status=MessageStatus.PENDING)
        self.assertEqual(
            [(m.attempts, m.next_attempt_at, m.claim) for m in rest], [(0, NOW, "")] * 3
        )
        # Due again at once, not after the lease.
        self.assertEqual(actions.deliver_due(NOW).sent, 3)

    @override_settings(
        QINGDAN_NOTIFICATION_BACKENDS=["file"],
        QINGDAN_NOTIFICATION_FILE=FOLDER / "slow.log",
        QINGDAN_NOTIFICATION_LEASE_SECONDS=300,
    )
    def test_a_slow_channel_gives_back_what_it_cannot_send_within_the_lease(self):
        users = [self.org.town_handler, self.org.town_clerk, self.org.village_agent]
        for _ in range(20):
            self.queue(*users)  # 60 messages: a batch of 50, then 10
        seconds = [0.0]

        def clock():
            return seconds[0]

        class Slow(backends.FileBackend):
            def send(self, message):
                super().send(message)
                seconds[0] += 20  # a gateway near its time-out

        with mock.patch.object(backends, "by_name", lambda name: Slow()):
            report = actions.deliver_due(NOW, clock=clock)
        # 150 s (half the lease) into the first batch: 8 sent, 42 given back at once;
        # the second batch claimed afresh (its lease from then) and sent the same way.
        self.assertEqual(report.sent, 16)
        lines = (FOLDER / "slow.log").read_text(encoding="utf-8").splitlines()
        self.assertEqual(len(lines), 16)
        rest = OutboxMessage.objects.filter(status=MessageStatus.PENDING)
        self.assertEqual(rest.count(), 44)
        self.assertEqual({(m.attempts, m.next_attempt_at, m.claim) for m in rest}, {(0, NOW, "")})
        second = OutboxMessage.objects.filter(status=MessageStatus.SENT).order_by("-pk")[0]
        self.assertEqual(second.attempts, 1)
        # No message was sent twice; the rest go in the next delivery (a quick channel).
        self.assertEqual(len({json.loads(line)["id"] for line in lines}), 16)
        self.assertEqual(actions.deliver_due(NOW, clock=clock).sent, 44)

    @override_settings(QINGDAN_NOTIFICATION_BACKENDS=["sms"], QINGDAN_SMS_GATEWAY_URL="")
    def test_sms_needs_its_gateway(self):
        backends._load.cache_clear()
        with self.assertRaises(ImproperlyConfigured):
            self.queue()

    def test_inactive_staff_are_not_told(self):
        self.org.town_handler.is_active = False
        self.assertEqual(self.queue(self.org.town_handler), [])
