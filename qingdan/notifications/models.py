"""The outbox: every notification is a row written in the same transaction as the
change it tells about, and sent after commit by the worker. A rolled-back change
sends nothing; a committed one is never lost (a failed send is retried)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import MessageStatus


class OutboxMessage(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    backend = models.CharField(_("backend"), max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The e-mail address or phone number when the message was queued.
    address = models.CharField(_("address"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=40, blank=True, db_index=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # The token of the delivery that holds the message (see actions.claim).
    claim = models.CharField(_("claim"), max_length=32, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("outgoing notification")
        verbose_name_plural = _("outgoing notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.backend} → {self.recipient or self.address}: {self.subject}"
