from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from qingdan.cases.models import Case
from qingdan.triage.duplicates import case_index, fingerprint_case


class Command(BaseCommand):
    help = "Compute the near-duplicate fingerprints of cases that lack one (e.g. imported cases)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="recompute every fingerprint")

    def handle(self, *args, all: bool, **options):
        cases = Case.objects.order_by("pk").only("pk", "title", "content")
        if not all:
            cases = cases.filter(fingerprint__isnull=True)
        done = 0
        for case in cases.iterator(chunk_size=1000):
            if fingerprint_case(case) is not None:
                done += 1
        case_index.reset()
        size = len(case_index.refresh())
        self.stdout.write(
            _("%(done)d fingerprint(s) computed; the index holds %(size)d cases.")
            % {"done": done, "size": size}
        )
