from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from qingdan.core.backup import open_backup, restore
from qingdan.core.errors import ActionError


class Command(BaseCommand):
    help = (
        "Restore a backup made by `qingdan export` into an empty installation. The archive "
        "is checked whole first; a bad one is refused and nothing is written."
    )
    requires_migrated_database = False  # it migrates first (qingdan.core.database)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            with open_backup(file) as backup:
                call_command("migrate", interactive=False, verbosity=0)
                manifest = restore(backup)
        except ActionError as exc:
            raise CommandError(str(exc.message)) from exc
        total = sum(manifest["counts"].values())
        self.stdout.write(f"Restored {total} rows from {file}")
