from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "qingdan.orgs"
    label = "orgs"
    verbose_name = _("Organisation")
    # Rows `migrate` writes (0002_default_categories): a restore replaces them.
    seeded_by_migrations = ("category",)
