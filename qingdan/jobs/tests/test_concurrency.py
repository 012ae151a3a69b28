"""Real transactions: two workers at once, a worker killed inside its transaction, and
a clean stop on SIGTERM. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from qingdan.cases.choices import Action, Tier
from qingdan.cases.models import Case, CaseEvent
from qingdan.deadlines.models import DeadlineAlert
from qingdan.deadlines.tests.helpers import register, reseed
from qingdan.notifications.models import OutboxMessage
from qingdan.orgs.testing import build_county
from qingdan.supervision.models import SupervisionNotice

from ..worker import Worker

ROOT = Path(__file__).resolve().parents[3]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def child_env(log: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PYTHONUNBUFFERED": "1",
        "QINGDAN_NOTIFICATION_BACKENDS": "file",
        "QINGDAN_NOTIFICATION_FILE": str(log),
        "LOG_LEVEL": "ERROR",
        # Commands refuse the public development key without DEBUG (qingdan.core.checks).
        "SECRET_KEY": "qingdan-test-worker-key",
    }


class WorkerConcurrencyTests(TransactionTestCase):
    def setUp(self):
        reseed()
        self.org = build_county()
        self.folder = Path(tempfile.mkdtemp())
        self.log = self.folder / "sent.log"
        override = override_settings(
            QINGDAN_NOTIFICATION_BACKENDS=["file"], QINGDAN_NOTIFICATION_FILE=self.log
        )
        override.enable()
        self.addCleanup(override.disable)

    def overdue_orders(self, count: int) -> list[Case]:
        """Emergency hotline orders received three hours ago: due an hour ago, and their
        policy escalates."""
        received = timezone.now() - dt.timedelta(hours=3)
        return [
            register(
                self.org,
                channel="phone",
                urgency="emergency",
                title=f"燃气泄漏{index}",
                petitioner=None,
                registered_at=received,
            )
            for index in range(count)
        ]

    def assert_each_escalated_once(self, cases):
        for case in cases:
            case.refresh_from_db()
            self.assertEqual(case.tier, Tier.TOWN)
            self.assertEqual(case.events.filter(action=Action.ESCALATE).count(), 1)
            self.assertEqual(DeadlineAlert.objects.filter(case=case, level="overdue").count(), 1)
            self.assertEqual(SupervisionNotice.objects.filter(case=case).count(), 1)

    def test_two_workers_claim_each_item_once(self):
        cases = self.overdue_orders(8)
        barrier = threading.Barrier(2)
        reports, errors = [], []

        def slow_claim(case, alert):
            time.sleep(0.02)  # widen the window in which the other worker could interfere

        def work():
            try:
                barrier.wait()
                reports.append(Worker(on_claimed=slow_claim).run_once())
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
        self.assertEqual(sum(r.overdue for r in reports), 8)
        self.assertEqual(sum(r.escalated for r in reports), 8)
        self.assert_each_escalated_once(cases)
        # The outbox too: every message sent, and written to the file exactly once.
        messages = OutboxMessage.objects.all()
        self.assertTrue(messages)
        self.assertFalse(messages.exclude(status="sent").exists())
        sent_ids = [json.loads(line)["id"] for line in self.log.read_text().splitlines()]
        self.assertEqual(sorted(sent_ids), sorted(messages.values_list("pk", flat=True)))

    def test_worker_killed_inside_its_transaction(self):
        cases = self.overdue_orders(2)
        errors = self.folder / "child.err"
        with open(errors, "w") as stderr:
            child = subprocess.Popen(
                [sys.executable, "-m", "qingdan.jobs.tests.crash_worker"],
                cwd=ROOT,
                env=child_env(self.log),
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        try:
            line = child.stdout.readline()
            self.assertTrue(line.startswith("claimed"), line + errors.read_text())
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(30)
            child.stdout.close()
        claimed = int(line.split()[1])
        # Nothing of the claimed item's work was committed.
        self.assertFalse(DeadlineAlert.objects.exists())
        self.assertEqual(Case.objects.get(pk=claimed).tier, Tier.VILLAGE)
        self.assertFalse(CaseEvent.objects.filter(action=Action.ESCALATE).exists())
        # Restarted: the item is picked up again (once the server has dropped the dead
        # session's lock), and done once.
        done = 0
        for _attempt in range(50):
            done += Worker().run_once().escalated
            if done >= 2:
                break
            time.sleep(0.2)
        self.assert_each_escalated_once(cases)
        self.assertEqual(Worker().run_once().escalated, 0)

    def test_request_stop_finishes_the_item_at_hand(self):
        self.overdue_orders(3)
        worker = Worker()

        def stop_now(case, alert):
            worker.request_stop()  # as the SIGTERM handler does

        worker.on_claimed = stop_now
        started = time.monotonic()
        worker.run(interval=30)  # returns without waiting for the next pass
        self.assertLess(time.monotonic() - started, 20)
        alert = DeadlineAlert.objects.get()  # one item, complete; the others left alone
        self.assertTrue(alert.escalated)
        self.assertEqual(SupervisionNotice.objects.get().alert, alert)

    def test_sigterm_stops_the_command_cleanly(self):
        self.overdue_orders(1)
        child = subprocess.Popen(
            [sys.executable, "-m", "qingdan.cli", "worker", "--interval", "0.2", "-v", "2"],
            cwd=ROOT,
            env=child_env(self.log),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            self.assertIn("worker started", child.stdout.readline())
            self.assertIn("1 overdue", child.stdout.readline())  # the first pass
            child.send_signal(signal.SIGTERM)
            out, err = child.communicate(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate()
        self.assertEqual(child.returncode, 0, err)
        self.assertIn("worker stopped", out)
        self.assertIn(f"signal {signal.SIGTERM}", err)
        self.assertEqual(DeadlineAlert.objects.count(), 1)


assert settings  # settings are read by database_url() through the connection
