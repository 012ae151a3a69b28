from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from qingdan.triage.actions import rescan_hot_terms


class Command(BaseCommand):
    help = "Scan existing cases against the current hot-term list and flag the hits."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="closed cases too (default: cases not finished)"
        )

    def handle(self, *args, all: bool, **options):
        flagged = rescan_hot_terms(open_only=not all)
        self.stdout.write(_("%(n)d case(s) carry hot terms.") % {"n": flagged})
