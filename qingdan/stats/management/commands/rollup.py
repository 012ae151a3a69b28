import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qingdan.stats import rollup


class Command(BaseCommand):
    help = (
        "Bring the statistics rollup up to date with the case timeline (run it from the "
        "worker or cron every few minutes; pages also refresh it when read). --full "
        "recounts everything; --verify compares the rollup with a plain recount."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="recount every case")
        parser.add_argument("--verify", action="store_true", help="compare with a recount")

    def handle(self, *args, full: bool, verify: bool, **options):
        started = time.perf_counter()
        if full:
            rows = rollup.rebuild()
            self.stdout.write(_("Rollup rebuilt: %(rows)d rows.") % {"rows": rows})
        else:
            state = rollup.refresh()
            self.stdout.write(
                _("Rollup up to date (event %(event)d, overdue counts as of %(as_of)s).")
                % {"event": state.last_event_id, "as_of": state.as_of}
            )
        if verify:
            problems = rollup.differences()
            if problems:
                raise CommandError(
                    _("The rollup differs from a plain recount:") + "\n" + "\n".join(problems)
                )
            self.stdout.write(_("The rollup equals a plain recount."))
        self.stdout.write(_("%(seconds).1f s") % {"seconds": time.perf_counter() - started})
