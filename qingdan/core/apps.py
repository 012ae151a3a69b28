from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from .checks import check_secret_key


class CoreConfig(AppConfig):
    name = "qingdan.core"
    label = "core"
    verbose_name = _("Common")

    def ready(self) -> None:
        checks.register(check_secret_key, checks.Tags.security)
