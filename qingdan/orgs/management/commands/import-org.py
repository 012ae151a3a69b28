from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qingdan.orgs.actions import import_org_csv


class Command(BaseCommand):
    help = "Import jurisdictions and departments from a CSV file (UTF-8)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--partial",
            action="store_true",
            help="write the good rows even when some rows are rejected",
        )

    def handle(self, *args, file: Path, partial: bool, **options):
        try:
            text = file.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
            ) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": file}) from exc
        report = import_org_csv(text, partial=partial)
        for error in report.rejected:
            self.stderr.write(
                _("row %(row)d, %(field)s: %(reason)s")
                % {"row": error.row, "field": error.field, "reason": error.reason}
            )
        if report.written:
            self.stdout.write(
                _("Imported: %(created)d created, %(updated)d updated, %(rejected)d rejected.")
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "rejected": len(report.rejected),
                }
            )
        else:
            raise CommandError(
                _("Nothing imported: %(n)d rows rejected (use --partial to import the rest).")
                % {"n": len(report.rejected)}
            )
