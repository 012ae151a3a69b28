"""Keeping the monthly rollup equal to a plain recount of the cases table.

A slice of the rollup is (month of registration, jurisdiction of the case). Every
change to a case goes through the actions layer, which appends a `CaseEvent`; so
the slices to recount are those of the cases with events the rollup has not read
yet (plus the old place of a transferred case), and those of the open cases whose
limit passed since the overdue counts were last made exact (`RollupState.as_of`).
`refresh()` recounts just those slices, in one transaction, under a row lock so two
refreshes never interleave. `rebuild()` recounts everything; `differences()`
compares the rollup with a plain recount.

Changes made to cases outside the actions layer (a raw import) need
`qingdan rollup --full`.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import BooleanField, DateField, ExpressionWrapper, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from qingdan.cases.choices import UNANSWERED_STATES, Action, State
from qingdan.cases.models import Case, CaseEvent

from .choices import RollupKind
from .metrics import ALL_COUNTS, alias, live_aggregates, static_aggregates
from .models import MonthlyRollup, RollupState

# The column each kind of row is broken down by, besides month, place and tier.
KIND_COLUMN = {
    RollupKind.PLACE: "tier",
    RollupKind.UNIT: "lead_unit_id",
    RollupKind.CATEGORY: "category_id",
    RollupKind.CHANNEL: "channel",
}
SLICE_COLUMNS = ("month", "jurisdiction_id")
# An event id missing below the read position is waited for this long (a transaction
# in flight commits within it; a rolled-back one never does).
PENDING_TTL = dt.timedelta(minutes=10)
MAX_PENDING = 10_000
EVENT_CHUNK = 50_000
IN_CHUNK = 500


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def _kind_columns(kind: str) -> list[str]:
    return [*SLICE_COLUMNS, KIND_COLUMN[RollupKind(kind)]]


def grouped_counts(cases: QuerySet, kind: str, now: dt.datetime) -> QuerySet:
    """All counts of `cases` (live ones as of `now`) per month, place and the kind's
    column."""
    return (
        cases.order_by()
        .annotate(month=Cast(TruncMonth("registered_at"), DateField()))
        .values(*_kind_columns(kind))
        .annotate(**static_aggregates(), **live_aggregates(now))
    )


def _insert_counts(cases: QuerySet, now: dt.datetime) -> None:
    """INSERT … SELECT: the counting stays in the database, whatever the size."""
    quote = connection.ops.quote_name
    table = quote(MonthlyRollup._meta.db_table)
    for kind in RollupKind:
        keys = _kind_columns(kind)
        names = [*keys, *ALL_COUNTS]
        picks = [*keys, *(alias(n) for n in ALL_COUNTS)]
        sql, params = grouped_counts(cases, kind, now).query.sql_with_params()
        columns = ", ".join(quote(name) for name in names)
        picked = ", ".join(f"sub.{quote(name)}" for name in picks)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({quote('kind')}, {columns}) "
                f"SELECT %s, {picked} FROM ({sql}) sub",
                [kind.value, *params],
            )


def without_jit() -> None:
    """Inside a transaction: PostgreSQL's JIT spends seconds compiling these wide
    aggregates (twenty FILTERed counts) to save milliseconds; turn it off for them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _state_for_update() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def _holes(low: int, high: int, seen: set[int]) -> list[int]:
    """Ids in (low, high] that were not seen, the newest MAX_PENDING of them."""
    missing = []
    for pk in range(high, low, -1):
        if pk not in seen:
            missing.append(pk)
            if len(missing) >= MAX_PENDING:
                break
    return missing


def rebuild(now: dt.datetime | None = None) -> int:
    """Recount everything (overdue counts as of `now`); returns the number of rows."""
    now = now or timezone.now()
    with transaction.atomic():
        without_jit()
        state = _state_for_update()
        last = CaseEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        MonthlyRollup.objects.all().delete()
        _insert_counts(Case.objects.all(), now)
        # Ids just below the top may belong to transactions still in flight.
        recent = set(CaseEvent.objects.filter(pk__gt=last - 1000).values_list("pk", flat=True))
        stamp = now.isoformat()
        state.pending = [[pk, stamp] for pk in _holes(max(last - 1000, 0), last, recent)]
        state.last_event_id = last
        state.refreshed_at = state.rebuilt_at = state.as_of = now
        state.save()
    return MonthlyRollup.objects.count()


def _became_due(since: dt.datetime, now: dt.datetime) -> QuerySet:
    """Open cases whose limit passed in [since, now): their overdue counts changed
    with no event (through the (state, due_at) index)."""
    return Case.objects.filter(
        Q(state__in=UNANSWERED_STATES, due_at__gte=since, due_at__lt=now)
        | Q(state=State.REGISTERED, accept_due_at__gte=since, accept_due_at__lt=now)
    )


def _needs_refresh(state: RollupState, now: dt.datetime) -> bool:
    pending = [pk for pk, _ in state.pending]
    condition = Q(pk__gt=state.last_event_id)
    if pending:
        condition |= Q(pk__in=pending)
    if CaseEvent.objects.filter(condition).exists():
        return True
    assert state.as_of is not None
    return now > state.as_of and _became_due(state.as_of, now).exists()


def refresh(now: dt.datetime | None = None) -> RollupState:
    """Bring the rollup up to date with the timeline and the clock; returns the state.

    Cheap when nothing changed (two indexed look-ups). The first call on an
    installation without rollup state rebuilds everything. The overdue counts are
    exact for any time from `state.as_of` on, until the next change.
    """
    now = now or timezone.now()
    state = RollupState.objects.filter(pk=1).first()
    if state is None or state.as_of is None:
        rebuild(now)
        return RollupState.objects.get(pk=1)
    if not _needs_refresh(state, now):
        return state
    with transaction.atomic():
        without_jit()
        state = _state_for_update()
        pending = {pk: stamp for pk, stamp in state.pending}
        slices = _slices(_read_events(state, pending, now))
        assert state.as_of is not None
        if now > state.as_of:
            _count_became_due(state.as_of, now, slices)
            state.as_of = now
        _recount(slices, state.as_of)
        state.refreshed_at = now
        state.save()
    return state


def _count_became_due(since: dt.datetime, now: dt.datetime, slices: dict) -> None:
    """Add the cases whose limit passed in [since, now) to the overdue counts of their
    rows: +1 each, as nothing else about them changed (a case with new events is in
    `slices` and recounted whole instead). A row that is not there sends its slice to
    the recount."""
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for case in _became_due(since, now).values(
        "registered_at",
        "jurisdiction_id",
        "state",
        "due_at",
        "accept_due_at",
        *KIND_COLUMN.values(),
    ):
        month = month_of(case["registered_at"])
        if case["jurisdiction_id"] in slices.get(month, ()):
            continue
        overdue = int(
            case["state"] in UNANSWERED_STATES
            and case["due_at"] is not None
            and since <= case["due_at"] < now
        )
        late = int(
            case["state"] == State.REGISTERED
            and case["accept_due_at"] is not None
            and since <= case["accept_due_at"] < now
        )
        for kind, column in KIND_COLUMN.items():
            key = (kind, month, case["jurisdiction_id"], column, case[column])
            deltas[key][0] += overdue
            deltas[key][1] += late
    for (kind, month, place, column, value), (overdue, late) in deltas.items():
        rows = MonthlyRollup.objects.filter(
            kind=kind, month=month, jurisdiction_id=place, **{column: value}
        )
        if not rows.update(
            overdue_open=F("overdue_open") + overdue,
            unresponded_late=F("unresponded_late") + late,
        ):
            slices.setdefault(month, set()).add(place)


# Events that change nothing the rollup counts, so their case's slice is not recounted
# for them: a deadline alert (the worker's warning or overdue event: the overdue counts
# follow the clock in `_count_became_due`, and an escalation is an event of its own),
# supervision (notices, key cases, joint-meeting tasks) and a reveal of personal data,
# all recorded without touching the case row.
_COUNTS_NOTHING = ExpressionWrapper(
    Q(action=Action.DEADLINE, data__has_key="alert")
    | Q(action__in=[Action.SUPERVISE, Action.REVEAL]),
    output_field=BooleanField(),
)
_EVENT_COLUMNS = ("pk", "case_id", "from_jurisdiction_id", "to_jurisdiction_id", "alert")


def _events(condition: Q) -> QuerySet:
    return CaseEvent.objects.filter(condition).annotate(alert=_COUNTS_NOTHING)


def _read_events(state: RollupState, pending: dict[int, str], now: dt.datetime) -> dict:
    """Advance the read position; return {case id: its former places} of the events."""
    start = state.last_event_id
    touched: dict[int, set[int]] = defaultdict(set)  # case → extra places
    seen: set[int] = set()
    if pending:
        for pk, case_id, *places, alert in _events(Q(pk__in=list(pending))).values_list(
            *_EVENT_COLUMNS
        ):
            pending.pop(pk, None)
            if not alert:
                touched[case_id].update(p for p in places if p)
    position = start
    while True:
        chunk = list(
            _events(Q(pk__gt=position)).order_by("pk").values_list(*_EVENT_COLUMNS)[:EVENT_CHUNK]
        )
        if not chunk:
            break
        for pk, case_id, *places, alert in chunk:
            seen.add(pk)
            if not alert:
                touched[case_id].update(p for p in places if p)
        position = chunk[-1][0]
    stamp = now.isoformat()
    for pk in _holes(start, position, seen):
        pending.setdefault(pk, stamp)
    oldest = now - PENDING_TTL
    kept = [(pk, s) for pk, s in pending.items() if dt.datetime.fromisoformat(s) >= oldest]
    state.pending = [[pk, s] for pk, s in sorted(kept, reverse=True)[:MAX_PENDING]]
    state.last_event_id = position

    return touched


def _slices(touched: dict[int, set[int]]) -> dict[dt.date, set[int]]:
    """{month: {jurisdiction ids}} of the touched cases and their former places."""
    slices: dict[dt.date, set[int]] = defaultdict(set)
    case_ids = list(touched)
    for i in range(0, len(case_ids), IN_CHUNK):
        for pk, registered_at, place in Case.objects.filter(
            pk__in=case_ids[i : i + IN_CHUNK]
        ).values_list("pk", "registered_at", "jurisdiction_id"):
            month = month_of(registered_at)
            slices[month].add(place)
            slices[month].update(touched[pk])
    return slices


def _recount(slices: dict[dt.date, set[int]], now: dt.datetime) -> None:
    for month, places in sorted(slices.items()):
        start = timezone.make_aware(dt.datetime(month.year, month.month, 1))
        end_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        end = timezone.make_aware(dt.datetime(end_month.year, end_month.month, 1))
        place_list = sorted(places)
        for i in range(0, len(place_list), IN_CHUNK):
            chunk = place_list[i : i + IN_CHUNK]
            MonthlyRollup.objects.filter(month=month, jurisdiction_id__in=chunk).delete()
            _insert_counts(
                Case.objects.filter(
                    registered_at__gte=start, registered_at__lt=end, jurisdiction_id__in=chunk
                ),
                now,
            )


def _keyed(rows: Iterable[dict], kind: str) -> dict[tuple, dict]:
    keys = _kind_columns(kind)
    result = {}
    for row in rows:
        counts = {name: row[alias(name)] for name in ALL_COUNTS}
        if any(counts.values()):
            result[tuple(row[key] for key in keys)] = counts
    return result


def differences(now: dt.datetime | None = None, limit: int = 20) -> list[str]:
    """Where the rollup differs from a plain recount of the cases table (empty: equal).
    The overdue counts are compared as of the rollup's own time."""
    state = RollupState.objects.filter(pk=1).first()
    now = (state.as_of if state and state.as_of else None) or now or timezone.now()
    found: list[str] = []
    sums = {alias(name): Sum(name) for name in ALL_COUNTS}
    for kind in RollupKind:
        keys = _kind_columns(kind)
        stored = _keyed(
            MonthlyRollup.objects.filter(kind=kind).values(*keys).annotate(**sums).order_by(),
            kind,
        )
        counted = _keyed(grouped_counts(Case.objects.all(), kind, now), kind)
        for key in sorted(set(stored) | set(counted), key=str):
            if stored.get(key) != counted.get(key):
                found.append(f"{kind} {key}: rollup {stored.get(key)} ≠ recount {counted.get(key)}")
                if len(found) >= limit:
                    return found
    return found
