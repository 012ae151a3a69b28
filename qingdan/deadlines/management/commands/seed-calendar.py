"""`qingdan seed-calendar`: add the official holidays and adjusted workdays of the years
the installed chinese-calendar package knows and the business calendar does not.

Years already in the calendar are left as they are (an administrator may have
corrected them). After upgrading chinese-calendar, run it to add the new year; or
enter the State Council's schedule in the admin as soon as it is published.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from qingdan.deadlines import calendar, seed


class Command(BaseCommand):
    help = "Add the years chinese-calendar knows to the business calendar."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="Only these years.")
        parser.add_argument(
            "--policies", action="store_true", help="Also add missing statutory deadline policies."
        )

    def handle(self, *args, years, policies, **options):
        with transaction.atomic():
            added_years, added_days = seed.seed_calendar(years=set(years) if years else None)
            created = seed.seed_policies() if policies else 0
        calendar.clear_cache()
        known = sorted(calendar.known_years())
        span = f"{known[0]}–{known[-1]}" if known else "none"
        self.stdout.write(
            f"{added_years} years ({added_days} days) added; the calendar knows {span}."
            + (f" {created} policies added." if policies else "")
        )
