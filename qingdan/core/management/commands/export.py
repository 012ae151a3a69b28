from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingdan.core.backup import export_installation
from qingdan.core.errors import ActionError


class Command(BaseCommand):
    help = (
        "Back up the whole installation (database rows and the uploaded files they name) "
        "to a .tar.gz, as one consistent snapshot while the system is in use."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            manifest = export_installation(file)
        except ActionError as exc:
            raise CommandError(str(exc.message)) from exc
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        total = sum(manifest["counts"].values())
        self.stdout.write(f"Exported {total} rows and {len(manifest['media'])} files to {file}")
