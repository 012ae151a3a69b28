"""`qingdan recompute-deadlines`: bring the due times of open cases in line with the
deadline policies and the business calendar after an administrator changed them."""

from django.core.management.base import BaseCommand

from qingdan.cases.actions.recompute import recompute_open_cases


class Command(BaseCommand):
    help = "Recompute the due times of every open case under the current policies and calendar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; write nothing."
        )

    def handle(self, *args, dry_run, **options):
        report = recompute_open_cases(dry_run=dry_run)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"{report.checked} open cases checked, {report.changed} {verb}.")
        for line in report.refused:
            self.stderr.write(f"kept as it was: {line}")
