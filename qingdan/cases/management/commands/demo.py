"""`qingdan demo`: migrate, load the demo county, start the worker and the server."""

import subprocess
import sys
import unicodedata

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from qingdan.cases.demo import load_demo_cases
from qingdan.orgs.choices import Level
from qingdan.orgs.demo import DEMO_PASSWORD, load_demo_organisation
from qingdan.orgs.models import User


def _width(text: str) -> int:
    """Columns a terminal gives the text: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def login_table(users: list[User]) -> list[str]:
    """账号 / 角色 / 单位或辖区, one line per account, columns aligned."""
    rows = [(_("Account"), _("Role"), _("Unit or jurisdiction"))]
    for user in users:
        unit, place = user.department, user.jurisdiction
        if unit is not None:
            # A town's offices share their names (综治中心): say whose.
            town = unit.jurisdiction.name if unit.jurisdiction.level == Level.TOWN else ""
            where = unit.name if unit.name.startswith(town) else f"{town} {unit.name}"
        else:
            where = place.name if place else ""
        rows.append((user.username, str(user.get_role_display()), where))
    widths = [max(_width(row[column]) for row in rows) + 2 for column in range(2)]
    return [f"  {_pad(a, widths[0])}{_pad(b, widths[1])}{c}".rstrip() for a, b, c in rows]


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
        engine = database["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            _("Database: %(engine)s %(name)s") % {"engine": engine, "name": database["NAME"]}
        )
        self.stdout.write(_("Demo cases created: %(count)d") % {"count": created})
        self.stdout.write(_("Demo logins (password: %(password)s):") % {"password": DEMO_PASSWORD})
        for line in login_table(logins):
            self.stdout.write(line)
        if no_serve:
            return
        worker = None
        if "worker" in get_commands():
            worker = subprocess.Popen([sys.executable, "-m", "qingdan.cli", "worker"])
            self.stdout.write(_("Worker started."))
        self.stdout.write(
            self.style.SUCCESS(_("Qingdan demo: %(url)s") % {"url": f"http://{addr}/"})
        )
        try:
            call_command("runserver", addr, use_reloader=False, insecure_serving=True)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
