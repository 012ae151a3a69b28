"""Open311 GeoReport v2 clients: each POSTs with an api_key issued here."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import Channel
from qingdan.cases.models import Case
from qingdan.orgs.models import Jurisdiction


def new_key() -> str:
    return secrets.token_urlsafe(24)


class ApiKey(models.Model):
    name = models.CharField(_("client"), max_length=100)
    key = models.CharField(_("api_key"), max_length=64, unique=True, default=new_key)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("default jurisdiction"),
        on_delete=models.PROTECT,
        help_text=_("Where requests without a jurisdiction_id are registered."),
    )
    channel = models.CharField(
        _("channel"),
        max_length=30,
        choices=Channel.choices,
        default=Channel.WEB,
        help_text=_("The channel the cases of this client are registered under."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 api_key")
        verbose_name_plural = _("Open311 api_keys")

    def __str__(self) -> str:
        return self.name


class RequestToken(models.Model):
    """The token answered to a POST, resolvable to the service_request_id."""

    token = models.CharField(max_length=64, unique=True, default=new_key)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="open311_token")
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="+")
    # What the client sent about itself and the report, kept and answered back.
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    media_url = models.URLField(_("photo link"), max_length=500, blank=True)

    def __str__(self) -> str:
        return self.token
