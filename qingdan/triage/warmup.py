"""Warming the group-risk scan's vector cache after a restart.

`early_warning.GROUP_VECTORS` keeps the bigram vectors of recent cases per process; a
new process starts empty, so the first intake of each town vectorised up to
QINGDAN_GROUP_MAX_SCAN recent cases of that town inside the request (bench/README.md:
"Vector cache warm-up"). `warm_group_vectors` reads what each place's next scan will
compare with, busiest places first, as far as the cache holds; `start_warming` does it
in a daemon thread, once per process, so that serving starts at once. The app server
starts it from `qingdan.wsgi` when the analysis runs in the request; with
QINGDAN_TRIAGE_AT_INTAKE=worker the worker should call `start_warming()` when it starts.
"""

import datetime as dt
import logging
import threading

from django.db import connections
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone

from qingdan.cases.models import Case
from qingdan.orgs.choices import LEVEL_PREFIX_LENGTH, Level
from qingdan.orgs.models import Jurisdiction

from .early_warning import GROUP_VECTORS, group_keys, group_scan_rows, recent_texts, threshold

log = logging.getLogger(__name__)


def scan_scopes(since: dt.datetime) -> list[str]:
    """The code prefixes the group scan reads by (a town's, or the city's for cases
    registered at city level), the most recent cases first."""
    town_digits = LEVEL_PREFIX_LENGTH[Level.TOWN]
    towns = set(
        code[:town_digits]
        for code in Jurisdiction.objects.filter(level=Level.TOWN).values_list("code", flat=True)
    )
    busiest = (
        Case.objects.filter(registered_at__gte=since)
        .annotate(scope=Substr("jurisdiction__code", 1, town_digits))
        .values("scope")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("scope", flat=True)
    )
    scopes: list[str] = []
    for scope in busiest:
        place = scope if scope in towns else scope[: LEVEL_PREFIX_LENGTH[Level.CITY]]
        if place not in scopes:
            scopes.append(place)
    return scopes


def warm_group_vectors(now: dt.datetime | None = None) -> int:
    """Vectorise the cases the next group scan of each place compares with, until the
    cache is full; returns how many were vectorised."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=threshold("QINGDAN_GROUP_WINDOW_DAYS"))
    done = 0
    held = 0
    for scope in scan_scopes(since):
        keys = group_keys(group_scan_rows(scope, since))
        if held + len(keys) > GROUP_VECTORS.size:
            break  # more would push out what was just warmed
        held += len(keys)
        done += GROUP_VECTORS.fill(keys, recent_texts)
    return done


_started = threading.Event()


def _warm_in_thread() -> None:
    try:
        started = timezone.now()
        count = warm_group_vectors()
        log.info("group vectors warmed: %d cases in %s", count, timezone.now() - started)
    except Exception:
        # A cold cache only costs time; never take the process down for it.
        log.exception("warming the group vectors failed")
    finally:
        connections.close_all()  # this thread's connections


def start_warming() -> threading.Thread | None:
    """Warm the cache in a daemon thread, once per process (None if already started)."""
    if _started.is_set():
        return None
    _started.set()
    thread = threading.Thread(target=_warm_in_thread, name="warm-group-vectors", daemon=True)
    thread.start()
    return thread
