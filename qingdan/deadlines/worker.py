"""The deadline worker: one pass reads the indexed due times and acts on what is due.

A pass
1. reads the cases whose next deadline check has come (`Case.next_check_at`,
   indexed: the cost follows the number of due cases, not the size of the table),
   hands each one with an alert or status change due to `actions.act_on_deadlines`
   in its own transaction, and moves the check of the others to their next warning
   or limit (cases already warned or overdue are not read again every pass);
2. flags supervision notices whose reply is late, and turns joint-meeting tasks
   yellow or red;
3. sends the queued notifications (outbox), retrying failures with back-off;
4. runs the intake analyses queued by registration (QINGDAN_TRIAGE_AT_INTAKE=worker),
   which the loop also does between passes, every QINGDAN_TRIAGE_POLL_SECONDS;
5. brings the statistics rollup up to date with the timeline, once it has been built.

Safe with several workers (each item is claimed once: a unique alert row or a
conditional UPDATE, and SKIP LOCKED on PostgreSQL), safe to kill (the claim commits
with the work or not at all), and one failing item is logged and skipped.
"""

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from qingdan.cases.choices import OPEN_STATES, DeadlineStatus
from qingdan.cases.models import Case
from qingdan.core.errors import ActionError

from . import calendar, policies
from .actions import act_on_deadlines
from .choices import AlertLevel
from .models import DeadlineAlert
from .services import next_check_after, pending_clocks, status_at

log = logging.getLogger("qingdan.worker")


@dataclass
class PassReport:
    candidates: int = 0  # cases read through the due-time index
    acted: int = 0  # cases handed to act_on_deadlines
    warnings: int = 0
    overdue: int = 0
    escalated: int = 0
    late_notices: int = 0
    decisions: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    analysed: int = 0
    errors: int = 0
    seconds: float = 0.0
    statistics_seconds: float = 0.0  # of `seconds`, bringing the rollup up to date
    error_items: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"due cases read {self.candidates}, acted on {self.acted}: "
            f"{self.warnings} warnings, {self.overdue} overdue, {self.escalated} escalated; "
            f"{self.late_notices} late notices, {self.decisions} tasks chased; "
            f"notifications {self.sent} sent, {self.retried} to retry, {self.failed} failed; "
            f"{self.analysed} intake analyses; "
            f"{self.errors} errors; {self.seconds:.2f} s "
            f"({self.statistics_seconds:.2f} s of it statistics)"
        )


class Worker:
    def __init__(
        self,
        *,
        batch_size: int | None = None,
        on_claimed: Callable | None = None,
    ):
        self.batch_size = batch_size or settings.QINGDAN_WORKER_BATCH
        # Called inside the claiming transaction, before the work: for tests and tracing.
        self.on_claimed = on_claimed
        self._stop = threading.Event()

    # --- control -----------------------------------------------------------------

    def request_stop(self) -> None:
        """Finish the item at hand, then return (SIGTERM)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self, interval: float, on_pass: Callable[[PassReport], None] | None = None) -> None:
        deferred = settings.QINGDAN_TRIAGE_AT_INTAKE == "worker"
        poll = min(interval, settings.QINGDAN_TRIAGE_POLL_SECONDS) if deferred else interval
        next_pass = 0.0
        while not self.stopping:
            close_old_connections()
            if time.monotonic() >= next_pass:
                next_pass = time.monotonic() + interval
                try:
                    report = self.run_once()
                except Exception:  # noqa: BLE001 - the database may be away; try again later
                    log.exception("worker pass failed")
                else:
                    if on_pass is not None:
                        on_pass(report)
            elif deferred:
                self._analyse(PassReport())
            self._stop.wait(max(min(poll, next_pass - time.monotonic()), 0.0))

    def run_once(self, now: dt.datetime | None = None) -> PassReport:
        started = time.monotonic()
        # Administrators may have edited the calendar or the policies since the last pass.
        calendar.clear_cache()
        policies.clear_cache()
        now = now or timezone.now()
        report = PassReport()
        self._analyse(report)
        self._chase_cases(now, report)
        self._chase_notices(now, report)
        self._chase_decisions(now, report)
        self._deliver(report)
        self._refresh_statistics(now, report)
        report.seconds = time.monotonic() - started
        return report

    # --- the passes --------------------------------------------------------------

    def _failed(self, report: PassReport, what: str) -> None:
        log.exception("worker: %s failed; skipped until the next pass", what)
        report.errors += 1
        report.error_items.append(what)

    def _analyse(self, report: PassReport) -> None:
        from qingdan.triage.actions import analyse_pending

        try:
            report.analysed += analyse_pending(should_stop=lambda: self.stopping)
        except Exception:  # noqa: BLE001 - one bad case must not stop the rest of the pass
            self._failed(report, "intake analysis")

    def _chase_cases(self, now: dt.datetime, report: PassReport) -> None:
        # Earliest check first, in the order of the next_check_at index. A case the
        # worker has looked at moves its next check to its next warning or limit, so a
        # backlog of overdue cases is not read again every pass.
        due = Case.objects.filter(next_check_at__lte=now).order_by("next_check_at")
        due_ids = list(due.values_list("pk", flat=True))
        report.candidates = len(due_ids)
        for start in range(0, len(due_ids), self.batch_size):
            if self.stopping:
                return
            chunk = due_ids[start : start + self.batch_size]
            cases = Case.objects.filter(pk__in=chunk).prefetch_related("clock_pauses")
            raised = set(
                DeadlineAlert.objects.filter(case_id__in=chunk).values_list(
                    "case_id", "stage", "level", "due_at"
                )
            )
            for case in cases:
                if self.stopping:
                    return
                clocks = self._clocks(case, now, report)
                if clocks is None:
                    continue
                if self._needs_action(case, clocks, now, raised):
                    self._act(case, now, report)
                else:
                    self._move_check(case, clocks, now)

    def _clocks(self, case: Case, now: dt.datetime, report: PassReport) -> list | None:
        if case.state not in OPEN_STATES:
            return []
        try:
            return pending_clocks(case, now)
        except ActionError:
            # Left where it is: tried again next pass, and reported each time.
            self._failed(report, f"case {case.tracking_number}")
            return None

    def _needs_action(self, case: Case, clocks: list, now: dt.datetime, raised: set) -> bool:
        if case.state not in OPEN_STATES:
            return False
        if status_at(case.due_at, case.warn_at, now) != case.deadline_status:
            return True
        for clock in clocks:
            if clock.due_at is None or clock.warn_at is None or clock.warn_at > now:
                continue  # paused, or not yet in the warning window
            level = AlertLevel.OVERDUE if now > clock.due_at else AlertLevel.WARNING
            if (case.pk, clock.stage, level, clock.due_at) not in raised:
                return True
        return False

    def _move_check(self, case: Case, clocks: list, now: dt.datetime) -> None:
        # Only if the case is still as read: a transition meanwhile set its own check.
        Case.objects.filter(
            pk=case.pk, version=case.version, next_check_at=case.next_check_at
        ).update(next_check_at=next_check_after(case, clocks, now))

    def _act(self, case: Case, now: dt.datetime, report: PassReport) -> None:
        try:
            alerts = act_on_deadlines(case.pk, now, on_claimed=self.on_claimed)
        except Exception:  # noqa: BLE001 - one bad case must not stop the others
            self._failed(report, f"case {case.tracking_number}")
            return
        report.acted += 1
        for alert in alerts:
            if alert.level == AlertLevel.WARNING:
                report.warnings += 1
            else:
                report.overdue += 1
            report.escalated += alert.escalated

    def _refresh_statistics(self, now: dt.datetime, report: PassReport) -> None:
        # Keeps the statistics rollup current so that no reader waits for it. Its first
        # build (minutes at ten million cases) is done here too, after the pass's
        # deadline work, rather than in the request of the first person to open a
        # statistics page.
        from qingdan.stats import rollup
        from qingdan.stats.models import RollupState

        started = time.monotonic()
        try:
            first = not RollupState.objects.filter(pk=1, as_of__isnull=False).exists()
            rollup.refresh(now)
            if first:
                log.info("worker: statistics rollup built in %.1f s", time.monotonic() - started)
        except Exception:  # noqa: BLE001 - the deadlines above are done; retried next pass
            self._failed(report, "statistics rollup")
        finally:
            report.statistics_seconds = time.monotonic() - started

    def _chase_notices(self, now: dt.datetime, report: PassReport) -> None:
        from qingdan.supervision.actions import flag_overdue_notice
        from qingdan.supervision.choices import NoticeState
        from qingdan.supervision.models import SupervisionNotice

        late = SupervisionNotice.objects.filter(
            state=NoticeState.OPEN, due_at__lt=now, overdue_at__isnull=True
        ).values_list("pk", flat=True)
        for pk in list(late):
            if self.stopping:
                return
            try:
                report.late_notices += flag_overdue_notice(pk, now)
            except Exception:  # noqa: BLE001
                self._failed(report, f"notice id {pk}")

    def _chase_decisions(self, now: dt.datetime, report: PassReport) -> None:
        from qingdan.supervision.actions import chase_decision
        from qingdan.supervision.choices import DecisionState
        from qingdan.supervision.models import MeetingDecision

        due = (
            MeetingDecision.objects.filter(state=DecisionState.OPEN, warn_at__lte=now)
            .exclude(deadline_status=DeadlineStatus.OVERDUE)
            .values_list("pk", flat=True)
        )
        for pk in list(due):
            if self.stopping:
                return
            try:
                report.decisions += chase_decision(pk, now) is not None
            except Exception:  # noqa: BLE001
                self._failed(report, f"decision id {pk}")

    def _deliver(self, report: PassReport) -> None:
        from qingdan.notifications.actions import deliver_due

        # Batch after batch until nothing is due: a busy pass may queue thousands.
        while not self.stopping:
            try:
                delivery = deliver_due(should_stop=lambda: self.stopping)
            except Exception:  # noqa: BLE001
                self._failed(report, "notifications")
                return
            report.sent += delivery.sent
            report.retried += delivery.retried
            report.failed += delivery.failed
            if not (delivery.sent or delivery.retried or delivery.failed):
                return
