"""Where notifications go. `QINGDAN_NOTIFICATION_BACKENDS` lists backends by short name
(console, file, email, sms) or dotted path; a message is queued once per backend
that can reach the recipient. A backend's `send` raises on failure: the outbox
retries it later."""

import json
import sys
import urllib.request
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils.module_loading import import_string


class Backend:
    name = ""

    def address_for(self, user) -> str | None:
        """The address to send `user` to; "" when none is needed, None when unreachable."""
        return ""

    def send(self, message) -> None:
        raise NotImplementedError


class ConsoleBackend(Backend):
    """Standard output: the worker's log under systemd or Docker."""

    name = "console"

    def send(self, message) -> None:
        to = message.address or (str(message.recipient) if message.recipient_id else "-")
        sys.stdout.write(f"[notification] {to}: {message.subject}\n{message.body}\n")
        sys.stdout.flush()


class FileBackend(Backend):
    """One JSON line per message, appended to QINGDAN_NOTIFICATION_FILE."""

    name = "file"

    def send(self, message) -> None:
        line = json.dumps(
            {
                "id": message.pk,
                "at": message.created_at.isoformat(),
                "to": message.recipient.username if message.recipient_id else message.address,
                "kind": message.kind,
                "subject": message.subject,
                "body": message.body,
            },
            ensure_ascii=False,
        )
        # One write on an O_APPEND file: lines of two workers do not interleave.
        with open(settings.QINGDAN_NOTIFICATION_FILE, "a", encoding="utf-8") as stream:
            stream.write(line + "\n")


class EmailBackend(Backend):
    """Django's e-mail (EMAIL_BACKEND, EMAIL_HOST …) to the staff member's address."""

    name = "email"

    def address_for(self, user) -> str | None:
        return user.email or None

    def send(self, message) -> None:
        send_mail(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.address],
            fail_silently=False,
        )


class SmsBackend(Backend):
    """An SMS gateway that takes a JSON POST {"phone", "text"} with a bearer token
    (most providers' HTTP APIs, or a small adapter in front of one)."""

    name = "sms"

    def __init__(self) -> None:
        if not settings.QINGDAN_SMS_GATEWAY_URL:
            raise ImproperlyConfigured(
                "The sms notification backend needs QINGDAN_SMS_GATEWAY_URL."
            )

    def address_for(self, user) -> str | None:
        return user.phone or None

    def send(self, message) -> None:
        data = json.dumps(
            {"phone": message.address, "text": f"{message.subject}\n{message.body}"[:500]},
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(
            settings.QINGDAN_SMS_GATEWAY_URL,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.QINGDAN_SMS_GATEWAY_TOKEN}",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured URL
            if not 200 <= response.status < 300:
                raise OSError(f"SMS gateway answered {response.status}")


BUILTIN = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "email": EmailBackend,
    "sms": SmsBackend,
}


@cache
def _load(names: tuple[str, ...]) -> dict[str, Backend]:
    backends = {}
    for name in names:
        backend_class = BUILTIN.get(name) or import_string(name)
        backends[name] = backend_class()
    return backends


def configured() -> dict[str, Backend]:
    """The configured backends by name (as stored on each message)."""
    return _load(tuple(settings.QINGDAN_NOTIFICATION_BACKENDS))


def by_name(name: str) -> Backend:
    """The backend a queued message names (even if no longer configured: what was
    queued is still delivered)."""
    return _load((name,))[name]
