"""Queueing notifications (inside the caller's transaction) and delivering them (the
worker, after commit)."""

import datetime as dt
import functools
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from qingdan.core import pii
from qingdan.core.bulk import Maker

from . import backends
from .choices import MessageStatus
from .models import OutboxMessage

log = logging.getLogger("qingdan.notifications")
SUBJECT_MAX = 200


def enqueue(
    recipients: Iterable,
    *,
    subject: str,
    body: str,
    kind: str = "",
    case=None,
    now: dt.datetime | None = None,
) -> list[OutboxMessage]:
    """One outbox row per recipient and configured backend that can reach them, its
    subject and text masked (`qingdan.core.pii`). Call it inside the transaction of the
    change it tells about."""
    rows = outbox_rows(recipients, subject=subject, body=body, kind=kind, case=case, now=now)
    return OutboxMessage.objects.bulk_create(rows)


def outbox_rows(
    recipients: Iterable,
    *,
    subject: str,
    body: str,
    kind: str = "",
    case=None,
    now: dt.datetime | None = None,
) -> list[OutboxMessage]:
    """The unsaved rows `enqueue` writes: for a bulk path that inserts the messages of
    many cases at once (the deadline burst), with the same recipients and masking."""
    now = now or timezone.now()
    # Messages leave the system (mail, SMS): personal data in them is masked, with the
    # detector and the case's own petitioner values.
    masker = pii.Masker.for_petitioner(case.petitioner if case is not None else None)
    subject, body = masker(str(subject)), masker(str(body))
    rows, seen = [], set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        for name, backend in backends.configured().items():
            address = backend.address_for(user)
            if address is None:
                continue
            rows.append(
                _new_message()(
                    created_at=now,
                    backend=name,
                    recipient=user,
                    address=address,
                    subject=str(subject)[:SUBJECT_MAX],
                    body=str(body),
                    kind=kind,
                    case=case,
                    next_attempt_at=now,
                )
            )
    return rows


@functools.cache
def _new_message() -> Maker:
    # Several times cheaper than OutboxMessage(...), for the burst's thousands of rows.
    return Maker(OutboxMessage)


def backoff(attempts: int) -> dt.timedelta:
    """Exponential: base, 2×base, 4×base … up to the ceiling."""
    base = settings.QINGDAN_NOTIFICATION_RETRY_SECONDS
    ceiling = settings.QINGDAN_NOTIFICATION_RETRY_MAX_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), ceiling))


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


# Messages claimed with one UPDATE and read with one SELECT; sends are recorded every
# SENT_BATCH messages, so a worker killed mid-batch sends at most that many twice.
CLAIM_BATCH = 50
SENT_BATCH = 10


def claim(pks: list[int], now: dt.datetime) -> list[OutboxMessage]:
    """Take the due messages among `pks`: one conditional UPDATE marks them with a
    token of this claim, so two workers never take the same message. It pushes their
    next attempt a lease ahead: a worker killed mid-send leaves them to be sent again
    once the lease runs out (at least once, never lost). Returns the messages won, in
    the order of `pks`."""
    lease = dt.timedelta(seconds=settings.QINGDAN_NOTIFICATION_LEASE_SECONDS)
    token = uuid.uuid4().hex
    won = OutboxMessage.objects.filter(
        pk__in=pks, status=MessageStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + lease, attempts=F("attempts") + 1, claim=token)
    if not won:
        return []
    messages = {
        m.pk: m
        for m in OutboxMessage.objects.select_related("recipient").filter(pk__in=pks, claim=token)
    }
    return [messages[pk] for pk in pks if pk in messages]


def release(messages: list[OutboxMessage], now: dt.datetime) -> None:
    """Give back claimed messages not tried (the worker is stopping): due again now,
    the attempt not counted."""
    OutboxMessage.objects.filter(
        pk__in=[m.pk for m in messages], claim__in={m.claim for m in messages}
    ).update(next_attempt_at=now, attempts=F("attempts") - 1, claim="")


def deliver_due(
    now: dt.datetime | None = None,
    *,
    limit: int = 500,
    should_stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], float] = time.monotonic,
) -> DeliveryReport:
    """Send the due messages, a claimed batch at a time. A batch is sent within half
    its lease or the rest of it is given back: a slow channel (an SMS gateway's 10-s
    time-out × 50 messages) must not outlast the lease, or another worker would claim
    and send the same messages while this one is still at them. `clock` measures the
    time spent (seconds; tests give their own)."""
    now = now or timezone.now()
    started = clock()
    half_lease = settings.QINGDAN_NOTIFICATION_LEASE_SECONDS / 2
    report = DeliveryReport()
    due = list(
        OutboxMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(due), CLAIM_BATCH):
        if should_stop():
            break
        # The lease runs from the claim, not from the start of this delivery.
        claimed_at = clock()
        claim_now = now + dt.timedelta(seconds=claimed_at - started)
        messages = claim(due[start : start + CLAIM_BATCH], claim_now)
        sent: list[int] = []
        for index, message in enumerate(messages):
            if should_stop() or clock() - claimed_at > half_lease:
                release(messages[index:], now)
                break
            try:
                backends.by_name(message.backend).send(message)
            except Exception as exc:  # noqa: BLE001 - any failure of a channel means retry
                _failed(message, exc, now, report)
            else:
                sent.append(message.pk)
                if len(sent) == SENT_BATCH:
                    _record_sent(sent, report)
        _record_sent(sent, report)
    return report


def _record_sent(sent: list[int], report: DeliveryReport) -> None:
    if sent:
        OutboxMessage.objects.filter(pk__in=sent).update(
            status=MessageStatus.SENT, sent_at=timezone.now(), last_error="", claim=""
        )
        report.sent += len(sent)
        sent.clear()


def _failed(message: OutboxMessage, exc: Exception, now: dt.datetime, report) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= settings.QINGDAN_NOTIFICATION_MAX_ATTEMPTS:
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED, last_error=error, claim=""
        )
        log.error(
            "notification %s failed for good after %d attempts: %s",
            message.pk,
            message.attempts,
            error,
        )
        report.failed += 1
        return
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=now + backoff(message.attempts), last_error=error, claim=""
    )
    log.warning(
        "notification %s attempt %d failed, retrying: %s", message.pk, message.attempts, error
    )
    report.retried += 1


def retry(messages, now: dt.datetime | None = None) -> int:
    """Send failed messages again (from the admin)."""
    return messages.filter(status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, attempts=0, next_attempt_at=now or timezone.now()
    )
