"""Staff look-ups of petitioners by phone or ID number: each one is kept, as each reveal
of a case's personal data is (the "personal data access log" of the admin lists both)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PetitionerLookup(models.Model):
    """One look-up at intake: who asked, when, by which identifiers (not their values),
    and which petitioners of the cases they may see it found."""

    at = models.DateTimeField(_("at"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    by_phone = models.BooleanField(_("by phone"), default=False)
    by_id_number = models.BooleanField(_("by ID number"), default=False)
    found = models.ManyToManyField(
        "cases.Petitioner", verbose_name=_("petitioners found"), blank=True, related_name="+"
    )

    class Meta:
        app_label = "cases"
        verbose_name = _("petitioner look-up")
        verbose_name_plural = _("petitioner look-ups")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M}"
