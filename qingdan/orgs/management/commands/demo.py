"""`qingdan demo`: migrate, load the demo county, start the worker and the server."""

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from qingdan.cases.demo import load_demo_cases
from qingdan.orgs.demo import DEMO_PASSWORD, load_demo_organisation


class Command(BaseCommand):
    help = "Set up a demo county (SQLite by default) and run the server and worker."
    requires_migrated_database = False  # it migrates first (qingdan.core.database)

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="load the data and stop")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port to serve")

    def handle(self, *args, no_serve: bool, addr: str, **options):
        call_command("migrate", interactive=False, verbosity=0)
        logins = load_demo_organisation()
        created = load_demo_cases()
        database = settings.DATABASES["default"]
        self.stdout.write(f"Database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
        self.stdout.write(f"Demo cases created: {created}")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for username, role, post in logins:
            self.stdout.write(f"  {username:<16} {role:<22} {post}")
        if no_serve:
            return
        worker = None
        if "worker" in get_commands():
            worker = subprocess.Popen([sys.executable, "-m", "qingdan.cli", "worker"])
            self.stdout.write("Worker started.")
        self.stdout.write(self.style.SUCCESS(f"Qingdan demo: http://{addr}/"))
        try:
            call_command("runserver", addr, use_reloader=False, insecure_serving=True)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
