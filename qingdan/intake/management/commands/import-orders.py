import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from qingdan.cases.actions import Actor
from qingdan.core.errors import ActionError
from qingdan.intake.actions import create_import_run, execute_import_run, import_sheet
from qingdan.intake.choices import ACTIVE_RUN_STATES, ProblemKind, RunStatus
from qingdan.intake.importer.mapping import parse_mapping
from qingdan.intake.importer.report import report_line, run_report_lines, write_report
from qingdan.intake.importer.sources import open_sheet
from qingdan.intake.models import ImportRun
from qingdan.orgs.models import User

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import 12345 hotline work orders from an .xlsx or .csv file: every row is checked, "
        "the good rows are registered, orders already imported are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--mapping", type=Path, help="TOML file renaming the columns")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--user", help="register as this staff member (default: system)")
        parser.add_argument("--report", type=Path, help="write the full report to this CSV file")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--run", type=int, help="run a queued or interrupted upload (ImportRun id)"
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        actor = self._actor(options["user"])
        bar = None

        def progress(totals):
            nonlocal bar
            if bar is None:
                bar = tqdm(total=totals.total, unit=_("rows"), file=sys.stderr, disable=None)
            bar.update(totals.processed - bar.n)

        try:
            if options["run"]:
                run = self._queued_run(options["run"])
                run = execute_import_run(run, batch_size=options["batch_size"], progress=progress)
                totals, lines = self._from_run(run)
            else:
                path = options["file"]
                if path is None:
                    raise CommandError(_("Give the file to import (or --run ID)."))
                mapping_text = self._read(options["mapping"]) if options["mapping"] else ""
                if options["dry_run"]:
                    totals, lines = self._dry_run(
                        actor, path, mapping_text, options["batch_size"], progress
                    )
                else:
                    run = create_import_run(actor, source_name=path.name, mapping_text=mapping_text)
                    run = execute_import_run(
                        run, source=path, batch_size=options["batch_size"], progress=progress
                    )
                    totals, lines = self._from_run(run)
        except ActionError as error:
            raise CommandError(str(error.message)) from error
        finally:
            if bar is not None:
                bar.close()
        self._print(lines, options["report"])
        elapsed = time.monotonic() - started
        self.stdout.write(
            _(
                "%(mode)s: %(rows)d rows, %(created)d new cases, %(skipped)d skipped (already "
                "imported), %(errors)d rows with errors; %(seconds).1f s (%(rate)d rows/s)."
            )
            % {
                "mode": _("Checked (nothing written)") if options["dry_run"] else _("Imported"),
                "rows": totals["rows"],
                "created": totals["created"],
                "skipped": totals["skipped"],
                "errors": totals["errors"],
                "seconds": elapsed,
                "rate": totals["rows"] / elapsed if elapsed else 0,
            }
        )
        if totals["created"] and not options["dry_run"]:
            self.stdout.write(
                _(
                    "The imported cases are queued for the intake analysis (duplicates, hot "
                    "terms, warnings): `qingdan worker` runs it."
                )
            )

    def _actor(self, username):
        if not username:
            return Actor(label="import")
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(_("No staff member %(name)s.") % {"name": username}) from exc

    def _read(self, path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc}
            ) from exc

    def _queued_run(self, pk: int) -> ImportRun:
        run = ImportRun.objects.filter(pk=pk).first()
        if run is None or not run.file:
            raise CommandError(_("No uploaded import %(id)d.") % {"id": pk})
        if run.status not in ACTIVE_RUN_STATES:
            raise CommandError(_("Import %(id)d is finished.") % {"id": pk})
        return run

    def _from_run(self, run: ImportRun):
        if run.status == RunStatus.FAILED:
            raise CommandError(run.failure)
        totals = {
            "rows": run.processed_rows,
            "created": run.created_count,
            "skipped": run.skipped_count,
            "errors": run.error_count,
        }
        return totals, lambda kind=None: run_report_lines(run, kind)

    def _dry_run(self, actor, path, mapping_text, batch_size, progress):
        mapping = parse_mapping(mapping_text)
        sheet = open_sheet(path, path.name, mapping.sheet)
        collected: list[list[str]] = []

        def on_batch(totals, problems):
            collected.extend(
                report_line(p.row, p.column, p.kind, p.message, p.value) for p in problems
            )
            progress(totals)

        try:
            totals = import_sheet(
                actor, sheet, mapping, dry_run=True, batch_size=batch_size, on_batch=on_batch
            )
        finally:
            if sheet.close:
                sheet.close()
        skipped = str(ProblemKind.SKIPPED.label)

        def lines(kind=None):
            if kind == ProblemKind.ERROR:
                return [line for line in collected if line[2] != skipped]
            return collected

        return {
            "rows": totals.processed,
            "created": totals.created,
            "skipped": totals.skipped,
            "errors": totals.errors,
        }, lines

    def _print(self, lines, report: Path | None) -> None:
        shown = 0
        for line in lines(ProblemKind.ERROR):
            shown += 1
            if shown <= SHOWN:
                self.stderr.write(
                    _("row %(row)s, %(column)s: %(problem)s")
                    % {"row": line[0], "column": line[1], "problem": line[3]}
                )
        if shown > SHOWN:
            self.stderr.write(_("… and %(n)d more problems (see --report).") % {"n": shown - SHOWN})
        if report:
            with report.open("w", encoding="utf-8", newline="") as handle:
                write_report(lines(), handle)
            self.stdout.write(_("Report written to %(file)s.") % {"file": report})
