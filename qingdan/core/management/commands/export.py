from pathlib import Path

from django.core.management.base import BaseCommand

from qingdan.core.backup import export_installation


class Command(BaseCommand):
    help = "Back up the whole installation (database rows and uploaded files) to a .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        manifest = export_installation(file)
        total = sum(manifest["counts"].values())
        self.stdout.write(f"Exported {total} rows to {file}")
