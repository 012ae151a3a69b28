"""`qingdan worker`: run the apps' periodic jobs in a loop (or one pass with --once,
for cron)."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from qingdan.jobs.worker import Worker


class Command(BaseCommand):
    help = (
        "Run the periodic jobs: intake analyses, deadline warnings and breaches (supervision "
        "notices, escalations), late notices, meeting tasks, notifications, the statistics "
        "rollup. Stops cleanly on SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit (cron).")
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.QINGDAN_WORKER_INTERVAL,
            help="Seconds between passes (default %(default)s).",
        )

    def handle(self, *args, once: bool, interval: float, verbosity: int, **options):
        worker = Worker()

        def stop(signum, frame):
            self.stderr.write(f"signal {signum}: stopping after the current item")
            worker.request_stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

        def show(report):
            if verbosity >= 1 and (verbosity >= 2 or report.acted or report.errors or report.sent):
                self.stdout.write(report.summary())

        if once:
            report = worker.run_once()
            self.stdout.write(report.summary())
            if report.errors:
                raise SystemExit(1)
            return
        self.stdout.write(f"worker started, a pass every {interval:g} s")
        worker.run(interval, on_pass=show)
        self.stdout.write("worker stopped")
