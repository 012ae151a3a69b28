from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    # Gave up after QINGDAN_NOTIFICATION_MAX_ATTEMPTS; kept, and can be retried.
    FAILED = "failed", _("Failed")
