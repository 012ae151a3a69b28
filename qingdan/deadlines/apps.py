from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _clear_caches(**kwargs) -> None:
    from . import calendar, policies

    calendar.clear_cache()
    policies.clear_cache()


class DeadlinesConfig(AppConfig):
    name = "qingdan.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")
    # Rows `migrate` writes (0002_statutory_defaults): a restore replaces them.
    seeded_by_migrations = ("calendaryear", "specialday", "deadlinepolicy")

    def ready(self) -> None:
        # Only to forget cached copies of edited data, in this process; no workflow here.
        from qingdan.orgs.models import Category

        from .models import CalendarYear, DeadlinePolicy, SpecialDay

        for model in (CalendarYear, SpecialDay, DeadlinePolicy, Category):
            post_save.connect(_clear_caches, sender=model, dispatch_uid=f"deadlines-{model}")
            post_delete.connect(_clear_caches, sender=model, dispatch_uid=f"deadlines-d-{model}")
