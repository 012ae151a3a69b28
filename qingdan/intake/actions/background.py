"""Running an uploaded import outside the request.

Why a thread plus an ImportRun row (and not a task queue): the product runs as one
server process without Redis or a broker. The request saves the file and the run
row and answers at once; a daemon thread does the work and writes its progress to
the row after every batch, so the page reads progress from the database (any
worker process, any reload). A semaphore lets one import write at a time (SQLite
has one writer). If the process stops mid-run, the committed batches stay, the
row's heartbeat goes stale, and the page offers to run it again — existing
orders are then skipped, so nothing is doubled. `qingdan import-orders --run ID`
does the same from the command line.
"""

import threading

from django.conf import settings
from django.db import connections
from django.utils import translation

from ..models import ImportRun
from .imports import execute_import_run

_one_writer = threading.BoundedSemaphore(1)


def _work(run_id: int, language: str, in_thread: bool) -> None:
    try:
        with _one_writer, translation.override(language):
            run = ImportRun.objects.get(pk=run_id)
            execute_import_run(run)
    finally:
        if in_thread:
            connections.close_all()


def start_import_run(run: ImportRun, language: str | None = None) -> None:
    """Start the run once its row is committed (the thread reads it through its own
    connection). QINGDAN_IMPORT_IN_BACKGROUND=false runs it inside the request."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    in_thread = getattr(settings, "QINGDAN_IMPORT_IN_BACKGROUND", True)

    def launch() -> None:
        if in_thread:
            threading.Thread(
                target=_work, args=(run.pk, language, True), name=f"import-{run.pk}", daemon=True
            ).start()
        else:
            _work(run.pk, language, False)

    from django.db import transaction

    transaction.on_commit(launch)
