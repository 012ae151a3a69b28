"""Importing 12345 work orders: the batch registration (bulk path) and the run.

Why a bulk path: `register_case` costs ~25 queries a case (petitioner look-up,
tracking number, triage analyses), far from 100,000 rows a minute. Each batch here
is one transaction that registers its cases with the same rules: the petitioner
checks of `_clean_petitioner`, `initial_tier`, the length limits of
`registration.py`, a block of tracking numbers from `next_tracking_numbers` (one
query), `recompute_due_times` for the deadline columns, a REGISTER `CaseEvent` per
case, inserted with one prepared statement per table (`core/bulk.py` says why not
`bulk_create`), art. 19 for callers already known (`flag_raised_higher_many`), and
the registration listeners told of the batch (`tell_registered_many`: triage queues
each case's intake analysis for the worker).
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import Actor, as_actor
from qingdan.cases.actions.registration import (
    flag_raised_higher_many,
    initial_tier,
    next_tracking_numbers,
)
from qingdan.cases.choices import Action, Channel, State
from qingdan.cases.listeners import tell_registered_many
from qingdan.cases.models import Case, CaseEvent, Petitioner
from qingdan.core import crypto
from qingdan.core.bulk import Maker, bulk_session, insert_rows
from qingdan.core.errors import ActionError, NotAllowed, TransitionRefused
from qingdan.deadlines.services import recompute_due_times
from qingdan.orgs.permissions import has_role

from ..choices import ACTIVE_RUN_STATES, IMPORT_ROLES, Field, ProblemKind, RunStatus
from ..importer.mapping import Mapping, parse_mapping
from ..importer.rows import Lookups, OrderRow, Problem, RowValidator
from ..importer.sources import Sheet, open_sheet
from ..models import ImportProblem, ImportRun

logger = logging.getLogger(__name__)
BATCH_SIZE = 1000
# A running import that has not reported progress for this long was interrupted
# (the server stopped); it can be run again, existing orders are then skipped.
STALE_AFTER = dt.timedelta(minutes=5)


def require_importer(user) -> None:
    if user is None:
        return  # the command line, run by whoever runs the server
    if not has_role(user, IMPORT_ROLES):
        raise NotAllowed(_("Only intake desks, supervisors and administrators import work orders."))


# --- the bulk path ------------------------------------------------------------


def _petitioners(rows: list[OrderRow]) -> tuple[dict[int, Petitioner | None], set[int]]:
    """The rule of `find_or_create_petitioner` for callers known by name and phone,
    one query for the batch: the same phone and name is the same person. Returns
    each row's petitioner and the keys of those known before this batch."""
    digests = {crypto.digest(r.petitioner["phone"]) for r in rows if r.petitioner}
    digests.discard("")
    known: dict[tuple[str, str], Petitioner] = {}
    if digests:
        # Only the name is decrypted: the digest already matched the phone.
        matches = Petitioner.objects.filter(phone_digest__in=digests).order_by("pk")
        for person in matches.only("pk", "kind", "name", "phone_digest"):
            known.setdefault((person.phone_digest, person.name), person)
    seen_before = {person.pk for person in known.values()}
    created: list[Petitioner] = []
    found: dict[int, Petitioner | None] = {}
    make_petitioner = Maker(Petitioner)
    for row in rows:
        cleaned = row.petitioner
        if cleaned is None:
            found[row.row] = None
            continue
        key = (crypto.digest(cleaned["phone"]), cleaned["name"])
        match = known.get(key) if key[0] else None
        if match is None:
            match = make_petitioner(**cleaned)
            created.append(match)
            if key[0]:
                known[key] = match
        found[row.row] = match
    insert_rows(Petitioner, created)
    return found, seen_before


def register_work_orders(
    actor, rows: list[OrderRow], *, hotline: str, run_id: int | None = None, now=None
) -> dict[int, Case]:
    """Register validated work orders as phone/12345 cases in one transaction; returns
    the case of each row number. Raises IntegrityError when an order number was
    registered meanwhile (the caller re-checks and retries)."""
    actor = as_actor(actor)
    now = now or timezone.now()
    if not rows:
        return {}
    with transaction.atomic():
        people, known = _petitioners(rows)
        numbers = next_tracking_numbers(now, len(rows))
        cases: dict[int, Case] = {}
        tiers: dict[int, str] = {}
        make_case, make_event = Maker(Case), Maker(CaseEvent)
        for row, number in zip(rows, numbers, strict=True):
            place = row.jurisdiction
            if place.pk not in tiers:
                # The hotline dispatched the order to the place it names: it starts at
                # that place's tier, whoever uploads the file.
                tiers[place.pk] = initial_tier(Actor(), place)
            case = make_case(
                tracking_number=number,
                channel=Channel.PHONE,
                title=row.title,
                content=row.content,
                category=row.category,
                urgency=row.urgency,
                state=State.REGISTERED,
                tier=tiers[place.pk],
                jurisdiction=place,
                address=row.address,
                petitioner=people[row.row],
                headcount=1,
                # The hotline dispatched the order and expects the result back.
                assigning_body=hotline,
                assigning_reference=row.order_number,
                assigned_deadline=row.deadline,
                external_ref=row.order_number,
                registered_at=row.received_at,
                created_by=actor.user,
            )
            recompute_due_times(case, now)
            cases[row.row] = case
        insert_rows(Case, list(cases.values()))
        insert_rows(
            CaseEvent,
            [
                make_event(
                    case=case,
                    at=now,
                    actor=actor.user,
                    actor_label=actor.label,
                    action=Action.REGISTER,
                    from_state="",
                    to_state=State.REGISTERED,
                    to_jurisdiction=case.jurisdiction,
                    to_tier=case.tier,
                    data={
                        "channel": Channel.PHONE,
                        "external_ref": case.external_ref,
                        "import_run": run_id,
                        "row": row_number,
                    },
                )
                for row_number, case in cases.items()
            ],
            with_ids=False,
        )
        # As register_case: art. 19 for callers seen before, then the listeners
        # (triage queues the intake analyses).
        flag_raised_higher_many([c for c in cases.values() if c.petitioner_id in known], now)
        tell_registered_many(list(cases.values()))
    return cases


# --- the run ------------------------------------------------------------------


@dataclass
class Totals:
    total: int | None = None
    processed: int = 0
    created: int = 0
    skipped: int = 0
    errors: int = 0  # rows with at least one problem


BatchCallback = Callable[[Totals, list[Problem]], None]


def _chunks(sheet: Sheet, size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    batch: list[tuple[int, list[Any]]] = []
    for item in sheet.rows:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _existing(refs: list[str]) -> dict[str, tuple[int, str]]:
    rows = Case.objects.filter(external_ref__in=refs).values_list(
        "external_ref", "pk", "tracking_number"
    )
    return {ref: (pk, number) for ref, pk, number in rows}


def import_sheet(
    actor,
    sheet: Sheet,
    mapping: Mapping,
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    run_id: int | None = None,
    on_batch: BatchCallback | None = None,
) -> Totals:
    """Validate every row and register the good ones, a transaction per batch.
    `on_batch` runs inside each batch's transaction (the run's counters and report
    then never disagree with the cases written)."""
    actor = as_actor(actor)
    require_importer(actor.user)
    batches = _Batches(actor, sheet, mapping, dry_run=dry_run, run_id=run_id, on_batch=on_batch)
    with bulk_session():
        for chunk in _chunks(sheet, batch_size):
            batches.import_chunk(chunk)
    return batches.totals


class _Batches:
    def __init__(self, actor, sheet, mapping, *, dry_run, run_id, on_batch):
        self.actor, self.mapping, self.dry_run = actor, mapping, dry_run
        self.run_id, self.on_batch = run_id, on_batch
        self.now = timezone.now()
        self.index = mapping.locate(sheet.headers)
        self.validator = RowValidator(actor, mapping, Lookups.load(), self.now)
        self.header = mapping.header(Field.ORDER_NUMBER)
        self.seen: dict[str, int] = {}  # order number → its first row, across the file
        self.totals = Totals(total=sheet.total)

    def validate(self, chunk) -> tuple[list[OrderRow], list[Problem], int]:
        good: list[OrderRow] = []
        problems: list[Problem] = []
        bad_rows = 0
        for number, cells in chunk:
            result = self.validator.validate(number, cells, self.index)
            if isinstance(result, list):
                problems.extend(result)
                bad_rows += 1
                continue
            first = self.seen.setdefault(result.order_number, number)
            if first != number:
                message = _("The work order number repeats row %(row)d.") % {"row": first}
                problems.append(Problem(number, self.header, message, result.order_number))
                bad_rows += 1
                continue
            good.append(result)
        return good, problems, bad_rows

    def import_chunk(self, chunk) -> None:
        good, problems, bad_rows = self.validate(chunk)
        for attempt in range(2):
            existing = _existing([row.order_number for row in good])
            skipped = [
                Problem(
                    row.row,
                    self.header,
                    _("Already imported as %(number)s; skipped.")
                    % {"number": existing[row.order_number][1]},
                    row.order_number,
                    kind=ProblemKind.SKIPPED,
                    case_id=existing[row.order_number][0],
                )
                for row in good
                if row.order_number in existing
            ]
            fresh = [row for row in good if row.order_number not in existing]
            try:
                with transaction.atomic():
                    if not self.dry_run:
                        register_work_orders(
                            self.actor,
                            fresh,
                            hotline=self.mapping.hotline,
                            run_id=self.run_id,
                            now=self.now,
                        )
                    totals = Totals(
                        total=self.totals.total,
                        processed=self.totals.processed + len(chunk),
                        # On a dry run: the cases the import would create.
                        created=self.totals.created + len(fresh),
                        skipped=self.totals.skipped + len(skipped),
                        errors=self.totals.errors + bad_rows,
                    )
                    if self.on_batch:
                        self.on_batch(totals, sorted([*problems, *skipped], key=lambda p: p.row))
            except IntegrityError:
                # Another import registered some of these orders meanwhile: look again.
                if attempt:
                    raise
            else:
                self.totals = totals
                return


def create_import_run(
    actor, *, source_name: str, upload=None, mapping_text: str = "", dry_run: bool = False
) -> ImportRun:
    """Record an import to run (the upload page; the command for a real import).
    The mapping is checked now, so a bad mapping file is refused before any work."""
    actor = as_actor(actor)
    require_importer(actor.user)
    parse_mapping(mapping_text)
    if upload is not None and upload.size == 0:
        raise ActionError(_("The file is empty."), code="import_file_empty", field="file")
    run = ImportRun(
        created_by=actor.user,
        source_name=(source_name or "")[:200],
        mapping=mapping_text or "",
        dry_run=dry_run,
    )
    if upload is not None:
        run.file.save(upload.name, upload, save=False)
    run.save()
    return run


def _save_batch(run: ImportRun) -> BatchCallback:
    def save(totals: Totals, problems: list[Problem]) -> None:
        insert_rows(
            ImportProblem,
            [
                ImportProblem(
                    run=run,
                    row=p.row,
                    column=p.column[:60],
                    kind=p.kind,
                    message=str(p.message)[:300],
                    value=p.value[:200],
                    case_id=p.case_id,
                )
                for p in problems
            ],
            with_ids=False,
        )
        now = timezone.now()
        ImportRun.objects.filter(pk=run.pk).update(
            processed_rows=totals.processed,
            created_count=totals.created,
            skipped_count=totals.skipped,
            error_count=totals.errors,
            total_rows=max(totals.total or 0, totals.processed) or None,
            heartbeat_at=now,
        )

    return save


def execute_import_run(
    run: ImportRun,
    *,
    source=None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[Totals], None] | None = None,
) -> ImportRun:
    """Run a recorded import to its end; a failure is recorded on the run (batches
    already committed stay, and running it again skips them)."""
    claimed = ImportRun.objects.filter(pk=run.pk, status__in=ACTIVE_RUN_STATES).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not claimed:
        raise TransitionRefused(_("This import is finished."), code="import_finished")
    run.refresh_from_db()
    saver = _save_batch(run)

    def on_batch(totals: Totals, problems: list[Problem]) -> None:
        saver(totals, problems)
        if progress:
            progress(totals)

    sheet = None
    try:
        mapping = parse_mapping(run.mapping)
        if source is None:
            source = run.file.path
        sheet = open_sheet(source, run.source_name, mapping.sheet)
        ImportRun.objects.filter(pk=run.pk).update(total_rows=sheet.total)
        totals = import_sheet(
            run.created_by or Actor(label="import"),
            sheet,
            mapping,
            dry_run=run.dry_run,
            batch_size=batch_size,
            run_id=run.pk,
            on_batch=on_batch,
        )
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE,
            finished_at=timezone.now(),
            total_rows=totals.processed,
            processed_rows=totals.processed,
        )
    except ActionError as error:
        _fail(run, str(error.message))
    except Exception as error:  # recorded on the run for the page, and logged in full
        logger.exception("import run %s failed", run.pk)
        _fail(
            run, str(_("The import stopped on an unexpected error: %(error)s") % {"error": error})
        )
    finally:
        if sheet is not None and sheet.close:
            sheet.close()
    run.refresh_from_db()
    return run


def _fail(run: ImportRun, message: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), failure=message[:2000]
    )


def is_interrupted(run: ImportRun, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    beat = run.heartbeat_at or run.started_at or run.created_at
    return run.status == RunStatus.RUNNING and beat is not None and now - beat > STALE_AFTER


def restart_import_run(actor, run: ImportRun) -> ImportRun:
    """Queue an interrupted or failed run again: its report starts over; orders it
    had already registered are reported as skipped."""
    actor = as_actor(actor)
    require_importer(actor.user)
    if not run.file:
        raise TransitionRefused(
            _("This import ran from the command line; run the command again."),
            code="import_not_restartable",
        )
    if not (run.status == RunStatus.FAILED or is_interrupted(run)):
        raise TransitionRefused(
            _("Only a failed or interrupted import can be run again."), code="import_not_stale"
        )
    with transaction.atomic():
        run.problems.all().delete()
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.QUEUED,
            processed_rows=0,
            created_count=0,
            skipped_count=0,
            error_count=0,
            failure="",
            finished_at=None,
            heartbeat_at=timezone.now(),
        )
    run.refresh_from_db()
    return run
