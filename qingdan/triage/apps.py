from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "qingdan.triage"
    label = "triage"
    verbose_name = _("Triage")
    # Rows `migrate` writes (0003_triage_settings): a restore replaces them.
    seeded_by_migrations = ("triagesettings",)

    def ready(self) -> None:
        # Imported here: actions import models, which load after the app registry.
        from qingdan.cases.listeners import listen_registered

        from .actions import analyse_or_queue, queue_analyses

        # Every registration is analysed (or queued for the worker) in its transaction.
        listen_registered(analyse_or_queue, many=queue_analyses)
